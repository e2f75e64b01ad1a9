// The one object the rest of the extension talks to the engine through. It outlives language clients: each
// (re)start attaches a fresh client, so views keep their listeners across engine restarts.
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, ErrorCodes, LSPErrorCodes, ResponseError, State, type LanguageClient } from 'vscode-languageclient/node';
import {
  AllowValuesRequest,
  AskConsentRequest,
  type AllowValuesResult,
  type ChatDelta,
  ChatDeltaNotification,
  ChatRequest,
  DownloadModelRequest,
  FeedbackNotification,
  EvalReportsRequest,
  GetModelStateRequest,
  GetStatsRequest,
  LearnedRequest,
  LedgerEntryNotification,
  LedgerFeedbackNotification,
  LedgerRequest,
  ListPresetsRequest,
  ModelStateNotification,
  ResetConsentNotification,
  ResetLearningRequest,
  RouteRequest,
  SetApiKeyNotification,
  SetServerApiKeyNotification,
  TestApiKeyRequest,
  type ChatParams,
  type CompletionStats,
  type ChatResult,
  type ConsentChoice,
  type ConsentQuestion,
  type DownloadModelParams,
  type DownloadModelResult,
  type Feedback,
  type LearnedState,
  type EvalReport,
  type LedgerEntry,
  type LedgerFeedback,
  type LedgerQuery,
  type LedgerResult,
  type ModelRole,
  type ModelState,
  type PresetsResult,
  type RouteDecision,
  type RouteParams,
  type TestApiKeyResult,
} from '../shared/protocol';
import type { TandemSettings } from '../shared/settings';
import { EngineNotRunningError, type EngineApi } from './engine-api';

export type ConsentHandler = (ask: ConsentQuestion, token: vscode.CancellationToken) => Promise<{ choice: ConsentChoice }>;

export class EngineClient implements EngineApi, vscode.Disposable {
  private client: LanguageClient | undefined;
  private running = false;
  /** A start is scheduled or under way but no client is attached yet (activation, restart, crash restart). */
  private pending = false;
  private readonly attached = new vscode.EventEmitter<void>();
  private readonly deltas = new Map<string, (delta: ChatDelta) => void>();
  private readonly models = new Map<ModelRole, ModelState>();
  private readonly ledgerEntries = new vscode.EventEmitter<LedgerEntry>();
  private readonly ledgerFeedback = new vscode.EventEmitter<LedgerFeedback>();
  private readonly modelStates = new vscode.EventEmitter<ModelState>();
  private readonly runningChanges = new vscode.EventEmitter<boolean>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly askConsent: ConsentHandler,
  ) {}

  /** Wire a new client's messages to this facade; the disposables go on the client-lifetime list. */
  attach(client: LanguageClient, clientLifetime: vscode.Disposable[]): void {
    this.client = client;
    this.pending = false;
    this.attached.fire();
    clientLifetime.push(
      client.onNotification(ChatDeltaNotification, (params) => this.deltas.get(params.id)?.(params)),
      client.onNotification(LedgerEntryNotification, (entry) => this.ledgerEntries.fire(entry)),
      client.onNotification(LedgerFeedbackNotification, (feedback) => this.ledgerFeedback.fire(feedback)),
      client.onNotification(ModelStateNotification, (state) => this.setModelState(state)),
      client.onRequest(AskConsentRequest, async (ask, token) => {
        try {
          return await this.askConsent(ask, token);
        } catch (error) {
          // An error answer fails closed in the engine: nothing is sent, and nothing is remembered either.
          this.log.warn(`Cloud consent not given: ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        }
      }),
      client.onDidChangeState((event) => this.setRunning(event.newState === State.Running)),
    );
  }

  /** A start is coming (or, with false, will not come after all): requests wait for it instead of failing. */
  setPending(pending: boolean): void {
    this.pending = pending;
    if (!pending) this.runningChanges.fire(this.running);
  }

  /** The client is going away (restart or shutdown). */
  detach(): void {
    this.client = undefined;
    this.deltas.clear();
    this.models.clear();
    this.setRunning(false);
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Running or starting: requests wait for the start instead of failing. */
  isAvailable(): boolean {
    if (this.pending) return true;
    const state = this.client?.state;
    return state === State.Running || state === State.Starting;
  }

  serverPid(): number | undefined {
    return this.client?.serverProcess?.pid;
  }

  async chat(params: ChatParams, onDelta: (delta: ChatDelta) => void, token: vscode.CancellationToken): Promise<ChatResult> {
    const client = await this.requireClient();
    this.deltas.set(params.id, onDelta);
    try {
      return await this.request(() => client.sendRequest(ChatRequest, params, token));
    } finally {
      this.deltas.delete(params.id);
    }
  }

  async route(params: RouteParams): Promise<RouteDecision> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(RouteRequest, params));
  }

  async allowValues(hashes: string[]): Promise<AllowValuesResult> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(AllowValuesRequest, { hashes }));
  }

  async ledger(query: LedgerQuery): Promise<LedgerResult> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(LedgerRequest, query));
  }

  feedback(feedback: Feedback): void {
    const client = this.client;
    if (!client || client.state !== State.Running) {
      this.log.debug(`Feedback "${feedback.signal}" not sent: the engine is not running.`);
      return;
    }
    client.sendNotification(FeedbackNotification, feedback).catch((error: unknown) => this.log.warn(`Feedback not sent: ${error instanceof Error ? error.message : String(error)}`));
  }

  async learned(): Promise<LearnedState> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(LearnedRequest, undefined));
  }

  async resetLearning(): Promise<LearnedState> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(ResetLearningRequest, undefined));
  }

  async evalReports(): Promise<EvalReport[]> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(EvalReportsRequest, undefined));
  }

  async listPresets(): Promise<PresetsResult> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(ListPresetsRequest, undefined));
  }

  async downloadModel(params: DownloadModelParams, token: vscode.CancellationToken): Promise<DownloadModelResult> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(DownloadModelRequest, params, token));
  }

  async refreshModelStates(): Promise<ModelState[]> {
    const client = await this.requireClient();
    const states = await this.request(() => client.sendRequest(GetModelStateRequest, undefined));
    for (const state of states) this.setModelState(state);
    return states;
  }

  /** Never logged. An empty string clears the key in the engine. */
  async setApiKey(apiKey: string): Promise<void> {
    const client = await this.requireClient();
    await client.sendNotification(SetApiKeyNotification, { apiKey });
  }

  /** The inference server's API key. Never logged. An empty string clears it in the engine. */
  async setServerApiKey(apiKey: string): Promise<void> {
    const client = await this.requireClient();
    await client.sendNotification(SetServerApiKeyNotification, { apiKey });
  }

  /** The engine forgets the cloud consent it remembered (the extension forgets its own stored answer first). */
  async resetConsent(): Promise<void> {
    const client = await this.requireClient();
    await client.sendNotification(ResetConsentNotification);
  }

  /** One tiny request through the engine's egress gate that shows whether its API key works. */
  async testApiKey(): Promise<TestApiKeyResult> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(TestApiKeyRequest, undefined));
  }

  /** Completion statistics, with the latest `recent` requests. */
  async stats(recent: number): Promise<CompletionStats> {
    const client = await this.requireClient();
    return this.request(() => client.sendRequest(GetStatsRequest, { recent }));
  }

  /** Tell the engine the settings changed; it pulls them (workspace/configuration) or uses what is pushed. */
  async notifySettings(settings: TandemSettings): Promise<void> {
    // A starting engine pulls the settings itself once initialized; a stopped one reads them when it starts.
    if (!this.client || this.client.state !== State.Running) return;
    await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: { tandem: settings } });
  }

  onLedgerEntry(listener: (entry: LedgerEntry) => void): vscode.Disposable {
    return this.ledgerEntries.event(listener);
  }

  onLedgerFeedback(listener: (feedback: LedgerFeedback) => void): vscode.Disposable {
    return this.ledgerFeedback.event(listener);
  }

  onModelState(listener: (state: ModelState) => void): vscode.Disposable {
    return this.modelStates.event(listener);
  }

  onDidChangeRunning(listener: (running: boolean) => void): vscode.Disposable {
    return this.runningChanges.event(listener);
  }

  /** Resolves true once the engine runs, false when it stops or `timeoutMs` passes first. */
  whenRunning(timeoutMs: number): Promise<boolean> {
    if (this.running) return Promise.resolve(true);
    if (!this.isAvailable()) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(value);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const sub = this.runningChanges.event((running) => {
        if (running || !this.isAvailable()) done(running);
      });
    });
  }

  dispose(): void {
    this.attached.dispose();
    this.ledgerEntries.dispose();
    this.ledgerFeedback.dispose();
    this.modelStates.dispose();
    this.runningChanges.dispose();
  }

  private setModelState(state: ModelState): void {
    this.models.set(state.role, state);
    this.modelStates.fire(state);
  }

  private setRunning(running: boolean): void {
    if (running === this.running) return;
    this.running = running;
    this.runningChanges.fire(running);
  }

  /** The client to send through: waits (bounded) while a start is pending; fails when the engine is stopped. */
  private async requireClient(): Promise<LanguageClient> {
    const usable = (): boolean => this.client?.state === State.Running || this.client?.state === State.Starting;
    if (this.pending && !usable()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 30_000);
        const sub = this.attached.event(done);
        function done(): void {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    }
    const client = this.client;
    if (!client || !usable()) throw new EngineNotRunningError();
    return client;
  }

  /** Connection errors become EngineNotRunningError, cancellations a CancellationError; the rest pass through. */
  private async request<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ResponseError) {
        if (error.code === ErrorCodes.ConnectionInactive || error.code === ErrorCodes.PendingResponseRejected) {
          this.log.warn(`Engine request failed: the engine stopped (${error.message})`);
          throw new EngineNotRunningError();
        }
        if (error.code === LSPErrorCodes.RequestCancelled) throw new vscode.CancellationError();
      }
      throw error;
    }
  }
}
