// Processes around the browser end-to-end run: the fake Anthropic API (engineer 2's CLI) and Tandem's engine
// process as the OS sees it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, repoRoot } from '../../../scripts/vscode-offline/server';
import type { Behaviour } from '../../fake-anthropic/server';
import { waitUntil } from './driver';

export interface FakeCloud {
  url: string;
  /** The Messages API requests it received, as recorded (one JSON object a line). */
  requests(): Record<string, unknown>[];
  /** Scripts the next answers (behaviours of test/fake-anthropic/server.ts, e.g. a tool_use or a text). */
  enqueue(...behaviours: Behaviour[]): Promise<void>;
  output(): string;
  stop(): void;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startFakeCloud(recordFile: string): Promise<FakeCloud> {
  const cli = join(repoRoot, 'test', 'fake-anthropic', 'cli.ts');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: the fake Anthropic API (engineer 2) is not there yet.`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', cli, '--port', String(port), '--record', recordFile, '--control'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const stop = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  try {
    await waitUntil(`the fake Anthropic API to listen on 127.0.0.1:${port}`, 30_000, async () => {
      if (child.exitCode !== null) throw new Error(`it exited with ${child.exitCode}: ${text}`);
      return (await portOpen(port)) ? true : undefined;
    });
  } catch (error) {
    stop();
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    output: () => text,
    enqueue: async (...behaviours) => {
      const res = await fetch(`${url}/_fake/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(behaviours) });
      if (res.status !== 204) throw new Error(`the fake Anthropic API refused the scripted answers: ${res.status} ${await res.text()}`);
    },
    requests: () =>
      existsSync(recordFile)
        ? readFileSync(recordFile, 'utf8')
            .split('\n')
            .filter((line) => line.trim())
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [],
    stop,
  };
}

/** PIDs of processes whose command line runs the engine (dist/server.mjs) from the installed extension. */
export function enginePids(extensionsDir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (cmdline.includes(extensionsDir) && cmdline.includes('server.mjs')) pids.push(Number(name));
  }
  return pids;
}
