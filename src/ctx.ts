// Owns every long-lived thing: the engine facade, the language client, the status bar, the log and the views.
// Two cleanup lists: the extension lifetime (context.subscriptions) and the client lifetime, emptied every time
// the engine stops or restarts (a restart always builds a fresh language client).
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { engineSettings, planChange } from './config';
import { completionBlock } from './client/completion-gate';
import { ConsentStore } from './ui/consent';
import { CompletionFeedbackWiring } from './client/completion-feedback-wiring';
import { CrashPolicy } from './client/crash-policy';
import { documentBlock } from './client/document-gate';
import { EngineClient } from './client/engine';
import type { EngineApi } from './client/engine-api';
import { createLanguageClient } from './client/language-client';
import { LatencyRing, LATENCY_WINDOW, summarizeLatency } from './client/latency';
import type { TandemSettings } from './shared/settings';
import { StatusBar } from './status';
import type { EngineStatus } from './status-text';
import { firstRun } from './ui/first-run';
import { NoModelNotice } from './ui/no-model';
import { chatAbilities } from './views/abilities';
import { ChatViewProvider } from './views/chat-view';
import { ComparePanel } from './views/compare-panel';

/** SecretStorage key of the Anthropic API key (never in settings, never logged). */
export const API_KEY_SECRET = 'tandem.anthropicApiKey';
/** SecretStorage key of the inference server's API key (tandem.local.url), kept the same way. */
export const SERVER_API_KEY_SECRET = 'tandem.serverApiKey';

/** What activate() returns: used by the VS Code tests, harmless otherwise. */
export interface TandemApi {
  engine: EngineApi;
  activationMs: number;
  enginePid(): number | undefined;
  whenEngineRunning(timeoutMs?: number): Promise<boolean>;
  statusText(): string;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Ctx {
  readonly engine: EngineClient;
  readonly status: StatusBar;
  readonly consent: ConsentStore;
  readonly chatView: ChatViewProvider;
  readonly completionFeedback: CompletionFeedbackWiring;
  private client: LanguageClient | undefined;
  private readonly clientLifetime: vscode.Disposable[] = [];
  private generation = 0;
  private readonly crashes = new CrashPolicy();
  /** The generation whose crash was already reported (its start() rejection is then not reported again). */
  private crashReported = -1;
  private starting = false;
  private stoppedMessage: string | undefined;
  private lifecycle: Promise<void> = Promise.resolve();
  private settingsCache: TandemSettings | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private spendTimer: NodeJS.Timeout | undefined;
  private gateTimer: NodeJS.Timeout | undefined;
  private latencyTimer: NodeJS.Timeout | undefined;
  /** Editor request → suggestion shown, per suggestion that showed text. */
  private readonly shownMs = new LatencyRing();
  private disposed = false;

  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.consent = new ConsentStore(extension.workspaceState, log, () => this.settingsChanged());
    this.engine = new EngineClient(log, (ask, token) => this.consent.ask(ask, token));
    this.status = new StatusBar();
    this.chatView = new ChatViewProvider(extension.extensionUri, this.engine, extension.workspaceState, log);
    this.completionFeedback = new CompletionFeedbackWiring(this.engine);
    this.chatView.onCompare = (request) => ComparePanel.run(extension.extensionUri, this.engine, log, request);
    this.extension.subscriptions.push(
      this.completionFeedback,
      this.engine,
      this.status,
      this.chatView,
      vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, this.chatView, {
        webviewOptions: { retainContextWhenHidden: true },
      }),
      this.engine.onDidChangeRunning((running) => this.onRunningChanged(running)),
      this.engine.onModelState((state) => this.status.update(state.role === 'completion' ? { completion: state } : { chat: state })),
      this.engine.onLedgerEntry((entry) => {
        this.status.update({ todayUsd: (this.status.current.todayUsd ?? 0) + entry.costUsd });
        this.scheduleSpendRefresh();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
      extension.secrets.onDidChange((event) => {
        if (event.key === API_KEY_SECRET) void this.pushApiKey(true);
        if (event.key === SERVER_API_KEY_SECRET) void this.sendServerApiKey(true);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.refreshGate()),
      // "Today" rolls over at midnight: re-read the spend when the user comes back to the window.
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused) this.scheduleSpendRefresh();
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === vscode.window.activeTextEditor?.document) this.scheduleGateRefresh();
      }),
      // The chat offers the other route only where it can work (a key, consent, a model that can run).
      this.status.onDidUpdate((input) =>
        this.chatView.setAbilities(chatAbilities({ ...input, engineRunning: input.engine === 'running' })),
      ),
      new NoModelNotice(this),
      { dispose: () => this.clearTimers() },
    );
    this.applySettingsToStatus();
    this.refreshGate();
    void this.pushApiKey(false);
    firstRun(extension, ChatViewProvider.viewType, log).catch((error: unknown) => log.warn(`First run: ${errorText(error)}`));
  }

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  /** Settings as the engine sees them (stored workspace consent applied), cached until they change. */
  get settings(): TandemSettings {
    this.settingsCache ??= engineSettings(this.extension.workspaceState, (problems) =>
      this.log.warn(`Settings with the wrong type: ${problems.join('; ')}. Nothing goes to the cloud until they are fixed.`),
    );
    return this.settingsCache;
  }

  api(activationMs: number): TandemApi {
    return {
      engine: this.engine,
      activationMs,
      enginePid: () => this.engine.serverPid(),
      whenEngineRunning: (timeoutMs = 60_000) => this.engine.whenRunning(timeoutMs),
      statusText: () => this.status.text,
    };
  }

  /** Start the engine after activation returns: activation never waits for it. */
  startSoon(): void {
    this.engine.setPending(true);
    this.later(0, () => void this.enqueue(() => this.start()));
  }

  /** "Tandem: Restart Engine": a fresh client and process, a fresh crash count. */
  restart(reason: string): Promise<void> {
    this.log.info(`Restarting the Tandem engine: ${reason}`);
    this.crashes.reset();
    this.engine.setPending(true);
    return this.enqueue(async () => {
      this.starting = true;
      this.refreshEngineStatus();
      await this.stopClient();
      await this.start();
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearTimers();
    await this.enqueue(() => this.stopClient());
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(op, op);
    this.lifecycle = next.catch((error: unknown) => this.log.error(`Engine lifecycle: ${errorText(error)}`));
    return this.lifecycle;
  }

  private async start(): Promise<void> {
    if (this.disposed) {
      this.engine.setPending(false);
      return;
    }
    const generation = ++this.generation;
    const client = createLanguageClient({
      extensionUri: this.extensionUri,
      log: this.log,
      dataDir: this.extension.globalStorageUri.fsPath,
      settings: () => this.settings,
      completionBlock: (document) => documentBlock(document, this.settings),
      onCompletionShown: (ms) => this.onCompletionShown(ms),
      onInlineCompletions: (document, position, result) => this.completionFeedback.onResult(document, position, result),
      onCrash: () => this.onCrash(generation),
      onConnectionFailure: (message) => this.onConnectionFailure(generation, message),
    });
    this.client = client;
    this.stoppedMessage = undefined;
    this.engine.attach(client, this.clientLifetime);
    this.clientLifetime.push(client.onDidChangeState(() => this.refreshEngineStatus()));
    this.starting = true;
    this.refreshEngineStatus();
    const { model } = this.settings;
    this.log.info(`Starting the Tandem engine: completion model ${model.completion || '(recommended)'}, chat model ${model.chat || '(recommended)'}, GPU ${model.gpu}`);
    const started = performance.now();
    try {
      await client.start();
      if (generation === this.generation) {
        this.log.info(`Tandem engine started in ${Math.round(performance.now() - started)} ms (pid ${this.engine.serverPid() ?? 'unknown'})`);
      }
    } catch (error) {
      if (generation !== this.generation || this.crashReported === generation) return;
      const message = `The Tandem engine failed to start: ${errorText(error)}`;
      this.log.error(message);
      this.stoppedMessage = 'failed to start';
      this.showEngineProblem(message, 'error');
    } finally {
      if (generation === this.generation) {
        this.starting = false;
        this.refreshEngineStatus();
      }
    }
  }

  /** Stop and forget the current client; callbacks still pending from it are ignored. */
  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.generation++;
    this.engine.detach();
    for (const disposable of this.clientLifetime.splice(0)) {
      try {
        disposable.dispose();
      } catch (error) {
        this.log.warn(`Cleanup: ${errorText(error)}`);
      }
    }
    if (!client) return;
    const process = client.serverProcess;
    try {
      await client.dispose(2000);
    } catch (error) {
      // A client still starting cannot stop cleanly, and a hung engine times out: end the process.
      this.log.warn(`Stopping the engine: ${errorText(error)}. Ending its process.`);
      if (process && process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
    }
  }

  private onCrash(generation: number): void {
    if (generation !== this.generation || this.disposed) return;
    this.crashReported = generation;
    const decision = this.crashes.onCrash(Date.now());
    this.log.error(decision.message);
    if (decision.restart) {
      this.starting = true;
      this.engine.setPending(true);
      // One notification per crash streak; the log and the status bar follow every restart.
      if (decision.crashes === 1) this.showEngineProblem(decision.message, 'warning');
      this.later(300, () => {
        if (generation !== this.generation || this.disposed) return; // the user restarted it meanwhile
        void this.enqueue(async () => {
          if (generation !== this.generation) return;
          await this.stopClient();
          await this.start();
        });
      });
    } else {
      this.starting = false;
      this.stoppedMessage = `crashed ${decision.crashes} times`;
      this.showEngineProblem(decision.message, 'error');
    }
    this.refreshEngineStatus();
  }

  private onConnectionFailure(generation: number, message: string): void {
    if (generation !== this.generation) return;
    this.log.error(message);
    this.stoppedMessage = 'connection failed';
    this.showEngineProblem(message, 'error');
  }

  private showEngineProblem(message: string, severity: 'warning' | 'error'): void {
    const shown =
      severity === 'error'
        ? vscode.window.showErrorMessage(message, 'Show Log', 'Restart Engine')
        : vscode.window.showWarningMessage(message, 'Show Log', 'Restart Engine');
    void Promise.resolve(shown).then((pick) => {
      if (pick === 'Show Log') this.log.show(true);
      if (pick === 'Restart Engine') void this.restart('the user asked after an engine problem');
    });
  }

  private refreshEngineStatus(): void {
    const state = this.client?.state;
    const engine: EngineStatus =
      state === State.Running ? 'running' : this.starting || state === State.Starting ? 'starting' : 'stopped';
    this.status.update({ engine, engineMessage: engine === 'stopped' ? this.stoppedMessage : undefined });
  }

  private onRunningChanged(running: boolean): void {
    this.refreshEngineStatus();
    if (!running) {
      this.status.update({ completion: undefined, chat: undefined });
      return;
    }
    void this.pushApiKey(false);
    void this.sendServerApiKey(false);
    this.engine.refreshModelStates().then(
      (states) => this.log.info(`Local models: ${states.map((s) => `${s.role} ${s.state}`).join(', ') || 'none reported'}`),
      (error: unknown) => this.log.warn(`Model state: ${errorText(error)}`),
    );
    void this.refreshSpend();
  }

  /** Sends the stored API key to the engine (`changed`: also when it was removed, and say so in the log). */
  async pushApiKey(changed: boolean): Promise<void> {
    try {
      const key = await this.extension.secrets.get(API_KEY_SECRET);
      this.status.update({ hasApiKey: Boolean(key || process.env.ANTHROPIC_API_KEY) });
      if (!this.engine.isAvailable()) return;
      // With no stored key the engine keeps ANTHROPIC_API_KEY from its environment, unless the user just cleared it.
      if (key) await this.engine.setApiKey(key);
      else if (changed) await this.engine.setApiKey('');
      if (changed) this.log.info(key ? 'Anthropic API key sent to the engine.' : 'Anthropic API key cleared in the engine.');
    } catch (error) {
      this.log.warn(`API key: ${errorText(error)}`);
    }
  }

  private async sendServerApiKey(changed: boolean): Promise<void> {
    try {
      const key = await this.extension.secrets.get(SERVER_API_KEY_SECRET);
      if (!this.engine.isAvailable()) return;
      if (key) await this.engine.setServerApiKey(key);
      else if (changed) await this.engine.setServerApiKey('');
      if (changed) this.log.info(key ? 'Inference server API key sent to the engine.' : 'Inference server API key cleared in the engine.');
    } catch (error) {
      this.log.warn(`Inference server API key: ${errorText(error)}`);
    }
  }

  private async refreshSpend(): Promise<void> {
    if (!this.engine.isRunning()) return;
    try {
      const ledger = await this.engine.ledger({ limit: 1 });
      this.status.update({ todayUsd: ledger.today.costUsd });
    } catch (error) {
      this.log.warn(`Ledger: ${errorText(error)}`);
    }
  }

  private scheduleSpendRefresh(): void {
    if (this.spendTimer) return;
    this.spendTimer = this.later(1000, () => {
      this.spendTimer = undefined;
      void this.refreshSpend();
    });
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!event.affectsConfiguration('tandem')) return;
    this.settingsCache = undefined;
    const plan = planChange((key) => event.affectsConfiguration(`tandem.${key}`));
    if (plan.keys.length) this.log.info(`Settings changed: ${plan.keys.join(', ')}`);
    this.applySettingsToStatus();
    this.refreshGate();
    if (!this.settings.completions.enabled) void vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
    if (plan.restartEngine) {
      void this.restart(`${plan.keys.filter((k) => k === 'model.gpu').join(', ')} changed (the GPU backend is chosen once per engine process)`);
    } else if (plan.notifyEngine) {
      this.settingsChanged();
    }
  }

  /** Settings (or the stored consent) changed: the engine re-reads them. */
  private settingsChanged(): void {
    this.settingsCache = undefined;
    this.engine.notifySettings(this.settings).catch((error: unknown) => this.log.warn(`Settings to engine: ${errorText(error)}`));
  }

  private applySettingsToStatus(): void {
    const { budget, privacy, model } = this.settings;
    this.status.update({ dailyBudgetUsd: budget.dailyUsd, localOnly: privacy.localOnly, cloudConsent: privacy.cloudConsent, configuredCompletion: model.completion });
  }

  /** A suggestion showed text after `ms`: the status bar's hover gets fresh latency figures soon after. */
  private onCompletionShown(ms: number): void {
    this.shownMs.add(ms);
    this.latencyTimer ??= this.later(1500, () => {
      this.latencyTimer = undefined;
      void this.refreshLatency();
    });
  }

  private async refreshLatency(): Promise<void> {
    if (!this.engine.isRunning()) return;
    try {
      const stats = await this.engine.stats(LATENCY_WINDOW * 2);
      this.status.update({ latency: summarizeLatency(this.shownMs.values, stats.recent) });
    } catch (error) {
      this.log.warn(`Completion statistics: ${errorText(error)}`);
    }
  }

  private refreshGate(): void {
    const document = vscode.window.activeTextEditor?.document;
    const settings = this.settings;
    const relevant = document && (document.uri.scheme === 'file' || document.uri.scheme === 'untitled');
    const block = relevant
      ? documentBlock(document, settings)
      : completionBlock({ enabled: settings.completions.enabled, exclude: [], maxFileBytes: 0, sizeBytes: 0 });
    this.status.update({ block });
  }

  private scheduleGateRefresh(): void {
    if (this.gateTimer) return;
    this.gateTimer = this.later(500, () => {
      this.gateTimer = undefined;
      this.refreshGate();
    });
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.spendTimer = undefined;
    this.gateTimer = undefined;
    this.latencyTimer = undefined;
  }
}
