// A real llama-server on 127.0.0.1 for engine tests and the backend benchmark: the binary scripts/build-llama-server.sh
// built from node-llama-cpp's llama.cpp source (cached outside the checkout, keyed by the llama.cpp tag), serving
// the test GGUF. A missing binary is an error that says how to build it, never a skip.
//
//   const server = await startLlamaServer({ slots: 1 });
//   ... settings: { local: { backend: 'llama-server', url: server.url } } ...
//   await server.stop();
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../scripts/vscode-offline/server.js';
import { delay, REPO_ROOT, TINY_MODEL } from './lsp-client.js';

export interface LlamaServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** stdout and stderr so far (the server logs each request and slot). */
  logs(): string;
  /** GET a JSON endpoint (/health, /slots, /props). */
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface LlamaServerOptions {
  model?: string;
  /** Parallel slots (-np); the context is split between them. */
  slots?: number;
  /** Context per slot. */
  contextPerSlot?: number;
  apiKey?: string;
  threads?: number;
  extraArgs?: string[];
  /** Default 60 s: a cold start loads the model and warms up. */
  startTimeoutMs?: number;
}

/** Where the build script puts the binary for this checkout's llama.cpp tag. */
export function llamaServerPath(): string {
  return execFileSync('bash', [join(REPO_ROOT, 'scripts', 'build-llama-server.sh'), '--path'], { encoding: 'utf8' }).trim();
}

/** The binary, or an error that says exactly how to get it. */
export function requireLlamaServer(): string {
  const path = llamaServerPath();
  if (!existsSync(path)) {
    throw new Error(
      `llama-server is not built on this machine (${path} is missing). Run \`bash scripts/build-llama-server.sh\` ` +
        '(npm test and npm run test:engine run it first; about 10 minutes on 2 cores, once per machine). These tests need a real llama-server.',
    );
  }
  return path;
}

export async function startLlamaServer(options: LlamaServerOptions = {}): Promise<LlamaServer> {
  const binary = requireLlamaServer();
  const port = await freePort();
  const slots = options.slots ?? 1;
  const args = [
    '--host', '127.0.0.1',
    '--port', String(port),
    '--model', options.model ?? TINY_MODEL,
    '--ctx-size', String((options.contextPerSlot ?? 4096) * slots),
    '--parallel', String(slots),
    '--threads', String(options.threads ?? 1),
    '--threads-batch', String(options.threads ?? 1),
    // Suffix first: forward typing only appends to the prompt, so the slot's KV cache covers all but the tail.
    '--spm-infill',
    '--no-webui',
    ...(options.apiKey ? ['--api-key', options.apiKey] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 400_000) output = output.slice(-200_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const url = `http://127.0.0.1:${port}`;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, { headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {} });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode} before it was ready:\n${output.slice(-3000)}`);
    try {
      const health = await get<{ status?: string }>('/health');
      if (health.status === 'ok') break;
    } catch {
      // not listening yet, or still loading the model
    }
    if (Date.now() > deadline) {
      kill();
      throw new Error(`llama-server did not become healthy within ${options.startTimeoutMs ?? 60_000} ms:\n${output.slice(-3000)}`);
    }
    await delay(100);
  }
  return {
    url,
    port,
    process: child,
    logs: () => output,
    get,
    stop: async () => {
      process.removeListener('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
