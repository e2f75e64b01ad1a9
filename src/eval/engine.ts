// The evaluation's own engine: `dist/server.mjs` in a child process, driven over LSP like any editor. Local
// completions go through textDocument/inlineCompletion, so the prompt, the KV cache, the time budget and the
// post-processing are the editor's; Claude goes through tandem/evalCloudInfill and the engine's egress gate.
// A process of its own: the user's completions, context ring and KV cache are never disturbed by a run,
// and a run sees no other file's context.
import { fork, type ChildProcess } from 'node:child_process';
import {
  CancellationTokenSource,
  createMessageConnection,
  DidChangeConfigurationNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-languageserver-protocol/node';
import {
  AskConsentRequest,
  EvalCloudEstimateRequest,
  EvalCloudInfillRequest,
  GetModelStateRequest,
  GetStatsRequest,
  SetApiKeyNotification,
  type ConsentChoice,
  type EvalCloudEstimate,
  type EvalCloudItem,
  type EvalSetName,
  type ModelState,
} from '../shared/protocol';
import type { TandemSettings } from '../shared/settings';
import type { Problem } from './dataset';
import type { Completer, Completion } from './harness';
import { evalDocument } from './score';

export interface EvalEngineOptions {
  /** dist/server.mjs */
  serverPath: string;
  /** The engine's settings (the editor's), its data dir (models, ledger) and extra environment. */
  settings: TandemSettings;
  dataDir: string;
  env?: Record<string, string>;
  /** Sent with tandem/setApiKey (from SecretStorage); standalone, the engine reads ANTHROPIC_API_KEY. */
  apiKey?: string;
  /** Answers the engine's tandem/askConsent (a cloud run asks like any first cloud use). */
  askConsent?(ask: { reason: string; model: string; worstCaseUsd: number }): Promise<ConsentChoice>;
}

export class EvalEngineError extends Error {
  override readonly name = 'EvalEngineError';
}

const EVAL_ROOT = 'file:///tandem-eval/';

export class EvalEngine {
  private stderr = '';
  private readonly exited: Promise<never>;
  private counter = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: MessageConnection,
    private settings: TandemSettings,
  ) {
    this.exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new EvalEngineError(`The evaluation engine stopped (code ${code}, signal ${signal}). ${this.lastError()}`))),
    );
    this.exited.catch(() => undefined);
  }

  static async start(options: EvalEngineOptions): Promise<EvalEngine> {
    // Completions turned off or excluded globs in the editor must not turn into a score of 0.
    const settings: TandemSettings = { ...options.settings, completions: { ...options.settings.completions, enabled: true, exclude: [] } };
    const child = fork(options.serverPath, ['--stdio'], {
      // As the language client does: the engine inherits the environment (PATH, GPU drivers, ANTHROPIC_BASE_URL).
      env: { ...process.env, ...options.env, TANDEM_DATA_DIR: options.dataDir },
      execArgv: [],
      silent: true,
    });
    if (!child.stdout || !child.stdin || !child.stderr) throw new EvalEngineError('Could not start the evaluation engine: no stdio.');
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const engine = new EvalEngine(child, connection, settings);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      engine.stderr = (engine.stderr + chunk).slice(-8000);
    });
    connection.onRequest(AskConsentRequest, async (ask) => ({ choice: options.askConsent ? await options.askConsent(ask) : 'never' }));
    connection.onNotification(() => undefined);
    connection.listen();
    await engine.guard(
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: null,
        capabilities: { textDocument: { inlineCompletion: { dynamicRegistration: false } } },
        // The evaluation's completions are not the user's work: they stay out of the ledger and its savings.
        initializationOptions: { settings, dataDir: options.dataDir, completionLedger: false },
      }),
    );
    await connection.sendNotification(InitializedNotification.type, {});
    if (options.apiKey) await connection.sendNotification(SetApiKeyNotification, { apiKey: options.apiKey });
    return engine;
  }

  /** The engine's last error lines (model load failures, crashes). */
  lastError(): string {
    const lines = this.stderr.trim().split('\n').filter((l) => /error|fail/i.test(l));
    return lines.slice(-2).join(' ');
  }

  /** Loads the completion model with a first suggestion and returns the completer, or says why it cannot run. */
  async localCompleter(signal: AbortSignal): Promise<Completer> {
    const warm = await this.completeText('def add(a, b):\n    \n', 1, signal);
    const states = await this.guard(this.connection.sendRequest(GetModelStateRequest, undefined));
    const state = states.find((s) => s.role === 'completion');
    if (!state || state.state !== 'ready') throw new EvalEngineError(`The completion model is not ready: ${describe(state)}`);
    if (warm.source === 'error') throw new EvalEngineError(`The completion model failed: ${warm.reason ?? 'unknown error'}`);
    return {
      model: state.name,
      side: 'local',
      device: state.device,
      beginSet: (set) => this.useMultiline(set === 'multi-line' ? 'always' : 'never'),
      complete: async (problem, _set, sig) => {
        const doc = evalDocument(problem);
        const run = await this.completeText(doc.text, doc.line, sig, problem.taskId);
        if (run.source === 'skipped' && run.reason === 'no-model') throw new EvalEngineError(`The completion model stopped working. ${this.lastError()}`);
        return run.completion;
      },
    };
  }

  cloudCompleter(model: string): Completer {
    return {
      model,
      side: 'cloud',
      device: 'cloud',
      complete: async (problem: Problem, set: EvalSetName, signal: AbortSignal): Promise<Completion> => {
        const started = performance.now();
        const params = { model, taskId: problem.taskId, prefix: problem.prompt, suffix: problem.suffix, set };
        const r = await this.cancellable(signal, (token) => this.guard(this.connection.sendRequest(EvalCloudInfillRequest, params, token), signal));
        const latencyMs = performance.now() - started;
        return {
          text: r.text || null,
          latencyMs,
          generatedTokens: r.outputTokens,
          decodeMs: r.ttftMs === null ? undefined : Math.max(0, r.totalMs - r.ttftMs),
          costUsd: r.costUsd,
        };
      },
    };
  }

  estimateCloud(model: string, items: EvalCloudItem[]): Promise<EvalCloudEstimate> {
    return this.guard(this.connection.sendRequest(EvalCloudEstimateRequest, { model, items }));
  }

  async shutdown(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), gone]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      this.child.kill('SIGKILL');
    }
    await gone;
    clearTimeout(kill);
    this.connection.dispose();
  }

  private async useMultiline(mode: 'always' | 'never'): Promise<void> {
    this.settings = { ...this.settings, completions: { ...this.settings.completions, multiline: mode } };
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { tandem: this.settings } });
  }

  /** One inline completion on a fresh document (closed afterwards, so no problem is context for another). */
  private async completeText(
    text: string,
    line: number,
    signal: AbortSignal,
    name = 'warmup',
  ): Promise<{ completion: Completion; source: string; reason?: string }> {
    const uri = `${EVAL_ROOT}${++this.counter}/${name.replace(/[^\w.-]+/g, '_')}.py`;
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
    try {
      const started = performance.now();
      const params = { textDocument: { uri }, position: { line, character: 0 }, context: { triggerKind: InlineCompletionTriggerKind.Automatic } };
      const list = await this.cancellable(signal, (token) => this.guard(this.connection.sendRequest(InlineCompletionRequest.type, params, token), signal));
      const latencyMs = performance.now() - started;
      const stats = await this.guard(this.connection.sendRequest(GetStatsRequest, { recent: 1 }));
      const record = stats.recent[stats.recent.length - 1];
      const item = list && 'items' in list ? list.items[0] : Array.isArray(list) ? list[0] : undefined;
      const inserted = item ? (typeof item.insertText === 'string' ? item.insertText : item.insertText.value) : '';
      return {
        completion: {
          text: inserted.trim() ? inserted : null,
          latencyMs,
          generatedTokens: record?.generatedTokens ?? 0,
          decodeMs: record?.decodeMs,
        },
        source: record?.source ?? 'error',
        reason: record?.reason,
      };
    } finally {
      await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    }
  }

  /** Runs `send` with a cancellation token that follows `signal` ($/cancelRequest reaches the engine). */
  private async cancellable<T>(signal: AbortSignal, send: (token: CancellationTokenSource['token']) => Promise<T>): Promise<T> {
    const source = new CancellationTokenSource();
    const onAbort = () => source.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await send(source.token);
    } finally {
      signal.removeEventListener('abort', onAbort);
      source.dispose();
    }
  }

  /** The request's answer, or the engine's exit as an error; a cancel ends the wait. */
  private async guard<T>(request: Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!signal) return Promise.race([request, this.exited]);
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([request, this.exited, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

function describe(state: ModelState | undefined): string {
  if (!state) return 'the engine reported no completion model';
  if ('message' in state) return state.message;
  if (state.state === 'downloading') return `${state.name} is still downloading (${state.percent}%)`;
  return `${'name' in state ? state.name : 'the model'} is ${state.state}`;
}
