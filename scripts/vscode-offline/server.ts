// Starts the VS Code 1.99.3 server (from code-server@4.99.4, installed by setup.sh) on 127.0.0.1, installs
// extensions into it, and stops it with everything it spawned (extension host, Tandem's engine).
// Used by the offline extension-host suite, the browser end-to-end tests and `npm run tandem`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Installs VS Code server when missing (idempotent, cached) and returns its folder. */
export function ensureVscodeServer(): string {
  const setup = join(repoRoot, 'scripts', 'vscode-offline', 'setup.sh');
  const out = execFileSync('bash', [setup], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 });
  const dir = out.trim().split('\n').at(-1) ?? '';
  if (!existsSync(join(dir, 'out', 'server-main.js'))) throw new Error(`VS Code server setup did not produce ${dir}/out/server-main.js`);
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface ServerDirs {
  serverData: string;
  userData: string;
  extensions: string;
}

/** Settings that keep a fresh VS Code quiet and offline: no trust dialog, welcome page, tips or update checks. */
const QUIET_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
};

/**
 * The folders one VS Code server instance keeps its state in, with user settings: the quiet defaults, then
 * what the user already set there (kept between `npm run tandem` runs), then `userSettings`.
 */
export function serverDirs(base: string, userSettings: Record<string, unknown> = {}): ServerDirs {
  const dirs = { serverData: join(base, 'server-data'), userData: join(base, 'user-data'), extensions: join(base, 'extensions') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  // The server reads <server-data>/data/User; code-server's web client keeps the user's own in <user-data>/User.
  for (const settingsDir of [join(dirs.serverData, 'data', 'User'), join(dirs.userData, 'User')]) {
    mkdirSync(settingsDir, { recursive: true });
    const file = join(settingsDir, 'settings.json');
    let existing: Record<string, unknown> = {};
    if (existsSync(file)) {
      try {
        existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch {
        continue; // JSON with comments, edited by hand: leave it as it is.
      }
    }
    writeFileSync(file, `${JSON.stringify({ ...QUIET_SETTINGS, ...existing, ...userSettings }, null, 2)}\n`);
  }
  return dirs;
}

function serverArgs(dirs: ServerDirs): string[] {
  return [
    '--accept-server-license-terms',
    '--disable-telemetry',
    '--server-data-dir', dirs.serverData,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];
}

/** `--install-extension` a VSIX (or an extension id) into these folders; throws with VS Code's output. */
export function installExtension(vscodeDir: string, dirs: ServerDirs, vsix: string): string {
  try {
    return execFileSync(process.execPath, [join(vscodeDir, 'out', 'server-main.js'), ...serverArgs(dirs), '--install-extension', vsix, '--force'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`Installing ${vsix} into VS Code failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export interface VscodeServer {
  readonly port: number;
  readonly origin: string;
  readonly process: ChildProcess;
  /** Everything the server (and the extension hosts it forwards) printed so far. */
  output(): string;
  /** Waits until the output matches `pattern` (after `from` characters); fails after `timeoutMs` saying `what`. */
  waitForOutput(pattern: RegExp, timeoutMs: number, what: string, from?: number): Promise<RegExpMatchArray>;
  /** The page that opens `folder`, with optional URL payload (extensionDevelopmentPath, extensionTestsPath). */
  url(folder: string, payload?: [string, string][]): string;
  /** A path on this machine as the web client names it (vscode-remote://...). */
  remoteUri(path: string): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  vscodeDir: string;
  dirs: ServerDirs;
  port?: number;
  env?: Record<string, string | undefined>;
  /** Print the server's output as it comes (for `npm run tandem`). */
  echo?: boolean;
}

export async function startVscodeServer(options: StartOptions): Promise<VscodeServer> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [join(options.vscodeDir, 'out', 'server-main.js'), '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', ...serverArgs(options.dirs)],
    // Own process group: stop() ends the extension host and the engine with it.
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    const s = chunk.toString('utf8');
    text += s;
    if (options.echo) process.stdout.write(s);
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    for (const wake of waiters) wake();
  });
  const killGroup = (): void => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);

  const waitForOutput = (pattern: RegExp, timeoutMs: number, what: string, from = 0): Promise<RegExpMatchArray> =>
    new Promise((resolveMatch, reject) => {
      const check = (): boolean => {
        const match = text.slice(from).match(pattern);
        if (match) {
          cleanup();
          resolveMatch(match);
          return true;
        }
        if (exited) {
          cleanup();
          reject(new Error(`VS Code server exited while waiting for ${what}. Its output:\n${text.slice(-4000)}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. VS Code server output (last 4000 chars):\n${text.slice(-4000)}`));
      }, timeoutMs);
      const wake = (): void => void check();
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      waiters.add(wake);
      check();
    });

  const origin = `http://127.0.0.1:${port}`;
  const server: VscodeServer = {
    port,
    origin,
    process: child,
    output: () => text,
    waitForOutput,
    remoteUri: (path) => `vscode-remote://127.0.0.1:${port}${path}`,
    url: (folder, payload) => {
      let url = `${origin}/?folder=${encodeURIComponent(folder)}`;
      if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return url;
    },
    stop: async () => {
      process.removeListener('exit', killGroup);
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
  try {
    await waitForOutput(/Extension host agent listening on/, 60_000, 'the VS Code server to listen');
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
