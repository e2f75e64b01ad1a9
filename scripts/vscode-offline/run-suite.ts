// `npm run test:vscode-suite`: runs the extension-host mocha suite (dist/test/vscode/index.cjs) offline, inside
// VS Code 1.99.3 (server + web client from code-server@4.99.4) with Debian's chromium as the window.
// The server ignores --extensionDevelopmentPath/--extensionTestsPath; the web client takes them from the
// URL payload, runs the suite's run() in the remote extension host and ends that host with the exit code.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser } from './browser';
import { tandemLog } from './logs';
import { ensureVscodeServer, repoRoot, serverDirs, startVscodeServer } from './server';
import { fixtureModel, fixtureModelSettings, makeRunDir } from './workspace';

const SUITE_TIMEOUT_MS = 8 * 60_000;
const artifacts = join(repoRoot, 'test-artifacts', 'vscode-suite');

interface SuiteResults {
  passes: number;
  failures: { title: string; error: string }[];
  pending: number;
}

async function main(): Promise<number> {
  const suite = join(repoRoot, 'dist', 'test', 'vscode', 'index.cjs');
  for (const needed of [join(repoRoot, 'dist', 'extension.cjs'), suite, fixtureModel]) {
    if (!existsSync(needed)) throw new Error(`${needed} is missing: run \`npm run build && npm run fixture\` first.`);
  }
  const vscodeDir = ensureVscodeServer();
  const run = makeRunDir('tandem-vscode-suite', fixtureModelSettings());
  const resultsFile = join(run.base, 'results.json');
  const dirs = serverDirs(run.base);
  const server = await startVscodeServer({
    vscodeDir,
    dirs,
    // Retention checks after 2 s and 4 s instead of 30 s and 5 min, so the suite can see them.
    env: { TANDEM_VSCODE_TEST_RESULTS: resultsFile, TANDEM_DATA_DIR: join(run.base, 'tandem-data'), TANDEM_RETENTION_MS: '2000,4000' },
  });
  const session = await openBrowser();
  let printed = 0;
  const flush = (): void => {
    for (; printed < session.console.length; printed++) {
      const line = session.console[printed];
      const at = line.indexOf('[tandem-suite] ');
      if (at >= 0) console.log(line.slice(at + '[tandem-suite] '.length));
    }
  };
  const ticker = setInterval(flush, 500);
  try {
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
      ['extensionTestsPath', server.remoteUri(suite)],
    ];
    console.log(`VS Code ${server.origin} — running ${suite}`);
    await session.page.goto(server.url(run.workspace, payload), { timeout: 60_000 });
    const exit = await server.waitForOutput(/Extension Host Process exited with code: (\d+)/, SUITE_TIMEOUT_MS, 'the extension-host test suite to finish');
    flush();
    if (!existsSync(resultsFile)) {
      console.error(`The suite wrote no results (${resultsFile}). Page console:\n${session.console.slice(-60).join('\n')}\nServer output:\n${server.output().slice(-4000)}`);
      return 1;
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
    console.log(`extension-host suite: ${results.passes} passing, ${results.failures.length} failing, ${results.pending} pending (exit code ${exit[1]})`);
    for (const failure of results.failures) console.error(`  FAILED ${failure.title}\n    ${failure.error.replaceAll('\n', '\n    ')}`);
    if (results.failures.length > 0) console.error(`Tandem log: ${artifacts}/suite-tandem.log`);
    return results.failures.length === 0 && exit[1] === '0' ? 0 : 1;
  } finally {
    clearInterval(ticker);
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'suite-tandem.log'), tandemLog(dirs));
    await session.page.screenshot({ path: join(artifacts, 'suite-final.png') }).catch(() => undefined);
    await session.close();
    await server.stop();
    if (!process.env.TANDEM_KEEP_RUN_DIR) rmSync(run.base, { recursive: true, force: true });
  }
}

// Stops by itself whatever hangs; the exit handlers end the server and its extension host.
setTimeout(() => {
  console.error('vscode suite watchdog: over 20 minutes (VS Code setup included); stopping.');
  process.exit(1);
}, 20 * 60_000).unref();

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
