// A small LSP client for engine tests and benchmarks: spawns `node dist/server.mjs --stdio` with the
// given environment and initializationOptions, and offers request / notify / waitFor / shutdown with
// the engine's stderr captured. Shared: other parts' engine tests import it.
//
//   const engine = await startEngine({ env: { TANDEM_MODEL: tinyModel }, settings: {...} });
//   engine.open('file:///w/a.ts', 'typescript', 'const x = ');
//   const list = await engine.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 });
//   await engine.shutdown();
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlineCompletionRequest,
  RegistrationRequest,
  ShutdownRequest,
  WorkDoneProgressCreateRequest,
  type InlineCompletionList,
  type NotificationType,
  type NotificationType0,
  type Position,
  type RequestType,
  type RequestType0,
} from 'vscode-languageserver-protocol';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const SERVER_PATH = join(REPO_ROOT, 'dist', 'server.mjs');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'generated');
export const TINY_MODEL = join(FIXTURES, 'tiny.gguf');

export interface StartOptions {
  /** Extra environment (merged over process.env without ANTHROPIC_API_KEY / TANDEM_MODEL). */
  env?: Record<string, string | undefined>;
  /** initializationOptions.settings (the `tandem` settings shape). */
  settings?: unknown;
  /** Data dir; default: a fresh temp dir. */
  dataDir?: string;
  /** Workspace folder path (rootUri / workspaceFolders). */
  workspace?: string;
  /** Answer workspace/configuration requests with these settings (enables pull). */
  configuration?: unknown;
  /** Milliseconds to wait for the initialize answer. */
  timeoutMs?: number;
}

export interface Notification {
  method: string;
  params: unknown;
}

export class EngineClient {
  readonly notifications: Notification[] = [];
  private readonly waiters: { method: string; predicate: (p: unknown) => boolean; resolve: (p: unknown) => void }[] = [];
  private versions = new Map<string, number>();
  private texts = new Map<string, string>();
  stderr = '';
  exitCode: number | null | undefined = undefined;
  capabilities: Record<string, unknown> = {};
  private readonly exited: Promise<never>;

  constructor(
    readonly process: ChildProcess,
    readonly connection: MessageConnection,
    readonly dataDir: string,
  ) {
    // A request must fail, not hang, when the engine dies.
    this.exited = new Promise<never>((_, reject) =>
      process.once('exit', (code, signal) =>
        reject(new Error(`Engine exited (code ${code}, signal ${signal}); stderr:\n${this.stderr.slice(-2000)}`)),
      ),
    );
    this.exited.catch(() => undefined);
    connection.onNotification((method, params) => {
      this.notifications.push({ method, params });
      for (const waiter of [...this.waiters]) {
        if (waiter.method === method && waiter.predicate(params)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
    });
  }

  /** A request typed by its shared declaration (src/shared/protocol.ts or the LSP's own types). Tests of malformed
   * input pass params of the wrong shape with a cast: the type still names the method. */
  request<P, R>(type: RequestType<P, R, unknown> | RequestType0<R, unknown>, params?: P, token?: CancellationTokenSource): Promise<R> {
    // Extra undefined arguments would be sent as positional params: pass only what is there.
    const method = type.method;
    const sent =
      params === undefined
        ? token
          ? this.connection.sendRequest<R>(method, token.token)
          : this.connection.sendRequest<R>(method)
        : token
          ? this.connection.sendRequest<R>(method, params, token.token)
          : this.connection.sendRequest<R>(method, params);
    return Promise.race([sent, this.exited]);
  }

  notify<P>(type: NotificationType<P> | NotificationType0, params?: P): Promise<void> {
    return params === undefined ? this.connection.sendNotification(type.method) : this.connection.sendNotification(type.method, params);
  }

  /** The params of every `type` notification received since `since` (an index into `notifications`). */
  received<P>(type: NotificationType<P>, since = 0): P[] {
    return this.notifications.slice(since).filter((n) => n.method === type.method).map((n) => n.params as P);
  }

  /** The next notification of `type` that matches (also one already received since `since`). */
  waitFor<P>(type: NotificationType<P>, predicate: (params: P) => boolean = () => true, timeoutMs = 30_000, since = 0): Promise<P> {
    const method = type.method;
    const seen = this.received(type, since).find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<P>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${method}; stderr:\n${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const waiter = {
        method,
        predicate: (p: unknown) => predicate(p as P),
        resolve: (p: unknown) => {
          clearTimeout(timer);
          resolvePromise(p as P);
        },
      };
      this.waiters.push(waiter);
    });
  }

  open(uri: string, languageId: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    return this.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Replace the whole text (simple and exact). */
  change(uri: string, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    return this.notify(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** An incremental edit: replace `range` with `text`. */
  edit(uri: string, range: { start: Position; end: Position }, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    return this.notify(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  close(uri: string): Promise<void> {
    return this.notify(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  inlineCompletion(uri: string, position: Position, token?: CancellationTokenSource): Promise<InlineCompletionList | null> {
    // The engine always answers with a list (or null), never a bare array of items.
    return this.request(InlineCompletionRequest.type, { textDocument: { uri }, position, context: { triggerKind: 2 } }, token) as Promise<InlineCompletionList | null>;
  }

  /** shutdown + exit; resolves with the exit code (kills after `timeoutMs`). */
  async shutdown(timeoutMs = 10_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    const exited = new Promise<number | null>((res) => this.process.once('exit', (code) => res(code)));
    try {
      await Promise.race([this.request(ShutdownRequest.type), delay(timeoutMs)]);
      await this.notify(ExitNotification.type);
    } catch {
      // the connection may already be gone
    }
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }
}

export async function startEngine(options: StartOptions = {}): Promise<EngineClient> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tandem-test-'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'ANTHROPIC_API_KEY' && key !== 'TANDEM_MODEL') env[key] = value;
  }
  env.TANDEM_DATA_DIR = dataDir;
  env.TANDEM_NO_PULL = options.configuration === undefined ? '1' : '';
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(process.execPath, [SERVER_PATH, '--stdio'], { env, stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO_ROOT });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const client = new EngineClient(child, connection, dataDir);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    client.stderr += chunk;
    if (client.stderr.length > 200_000) client.stderr = client.stderr.slice(-100_000);
  });
  child.once('exit', (code) => {
    client.exitCode = code;
  });
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => options.configuration ?? null));
  connection.onRequest(RegistrationRequest.type, () => undefined);
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.listen();
  const workspaceUri = options.workspace ? pathToFileURL(options.workspace).href : null;
  let initTimer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: workspaceUri,
      workspaceFolders: workspaceUri ? [{ uri: workspaceUri, name: 'workspace' }] : null,
      capabilities: {
        workspace: { configuration: options.configuration !== undefined },
        textDocument: { inlineCompletion: { dynamicRegistration: false } },
      },
      initializationOptions: { settings: options.settings ?? {}, dataDir },
    }),
    new Promise<never>((_, reject) => {
      initTimer = setTimeout(() => reject(new Error(`Engine did not answer initialize; stderr:\n${client.stderr}`)), options.timeoutMs ?? 30_000);
    }),
  ]).finally(() => clearTimeout(initTimer));
  client.capabilities = result.capabilities as Record<string, unknown>;
  await connection.sendNotification(InitializedNotification.type, {});
  return client;
}

/** The text of the first inline completion item, '' when there is none. */
export function firstText(list: InlineCompletionList | null): string {
  const text = list?.items[0]?.insertText ?? '';
  return typeof text === 'string' ? text : text.value;
}

/** A timer that does not keep the test process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms).unref());
}

export { CancellationTokenSource };
