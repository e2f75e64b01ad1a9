// What every server backend shares: the URL and where it points, the capability probe at start and its model
// states, the health record (a server that failed is not asked again on every keystroke; the next try after a
// pause re-probes), and turning failures into states and messages. Subclasses speak their server's API.
import type { BackendInfo, BackendProblem, Destination, ModelRole, ModelState } from '../../shared/protocol.js';
import type { TandemSettings } from '../../shared/settings.js';
import { LocalUnavailableError } from '../context.js';
import { backendInfo, destinationOf, parseServerUrl, type ServerKind } from './destination.js';
import { displayUrl, isAbort, ServerError } from './http.js';
import { EgressRefusedError, ServerLink, type ServerEgress } from './link.js';
import { estimateTokens, type ChatInput, type ChatOutput, type FimSession, type LocalBackend, type Unavailable } from './types.js';

export interface ServerDeps {
  settings(): TandemSettings;
  log: { info(m: string): void; warn(m: string): void };
  publish(state: ModelState): void;
  apiKey(): string | undefined;
  egress(): ServerEgress | undefined;
  /** TANDEM_LOOPBACK_IS_REMOTE: treat a server on 127.0.0.1 as another machine (tests, demos). */
  loopbackIsRemote: boolean;
}

/** What a probe found out; a role that cannot run says why. */
export interface ProbeResult {
  model: string;
  chatModel: string;
  contextSize: number;
  chatContextSize?: number;
  fim: true | { problem: BackendProblem; message: string };
  chat: true | { problem: BackendProblem; message: string };
  slots?: number;
  /** One line for the log: version, build, anything worth knowing. */
  about: string;
}

/** How long a failed server is left alone before the next request tries (and re-probes) again. */
const RETRY_MS: Partial<Record<BackendProblem, number>> = { unreachable: 5000, timeout: 5000, 'server-error': 5000 };
const CONFIG_RETRY_MS = 30_000;
/** Completions in a row that got nothing before their time budget ran out before the server counts as too slow. */
const SLOW_STREAK = 3;

export abstract class ServerBackend implements LocalBackend {
  readonly info: BackendInfo;
  readonly destination: Destination | undefined;
  protected readonly link: ServerLink | undefined;
  private readonly urlError: string | undefined;
  private probing: Promise<ProbeResult> | undefined;
  protected probed: ProbeResult | undefined;
  private probedAt = 0;
  private failure: { error: ServerError; at: number } | undefined;
  private readonly states = new Map<ModelRole, ModelState>();
  private sessionCache: { probe: ProbeResult; session: FimSession } | undefined;
  /** The completion state says the privacy gate refused (consent, local-only mode) until a request passes. */
  private refused = false;
  private slowStreak = 0;

  constructor(
    readonly kind: ServerKind,
    protected readonly deps: ServerDeps,
  ) {
    const local = deps.settings().local;
    const parsed = parseServerUrl(kind, local.url, deps.loopbackIsRemote);
    if ('error' in parsed) {
      this.urlError = parsed.error;
      this.info = backendInfo(kind, local.url, true, false);
      this.destination = undefined;
      this.link = undefined;
    } else {
      this.info = backendInfo(kind, displayUrl(parsed.url), parsed.remote, local.trusted);
      this.destination = destinationOf(this.info);
      this.link = new ServerLink(parsed.url, deps.apiKey, this.destination, deps.egress);
    }
  }

  /** Ask the server what it can do (content-free requests only). */
  protected abstract probeServer(link: ServerLink, signal: AbortSignal): Promise<ProbeResult>;
  /** A completion session for what the probe found. */
  protected abstract session(link: ServerLink, probe: ProbeResult): FimSession;
  /** Stream a chat answer; on abort, resolve with what arrived so far. */
  protected abstract chatStream(link: ServerLink, probe: ProbeResult, input: ChatInput): Promise<ChatOutput>;

  protected get settings(): TandemSettings {
    return this.deps.settings();
  }

  protected get timeoutMs(): number {
    return this.settings.local.requestTimeoutMs;
  }

  start(): void {
    if (this.urlError) {
      for (const role of ['completion', 'chat'] as const) this.setState({ role, state: 'error', message: this.urlError, problem: 'bad-url', backend: this.info });
      return;
    }
    this.probe().catch(() => undefined);
  }

  unavailable(): Unavailable | undefined {
    const because = (message: string): Unavailable => ({ reason: 'server-unavailable', message });
    if (this.urlError) return because(this.urlError);
    if (this.failure && performance.now() - this.failure.at < (RETRY_MS[this.failure.error.problem] ?? CONFIG_RETRY_MS)) return because(this.failure.error.message);
    const fim = this.probed?.fim;
    // A model that cannot fill in the middle is asked again now and then (the server may have been restarted).
    if (fim && fim !== true && !this.probing && performance.now() - this.probedAt < CONFIG_RETRY_MS) return because(fim.message);
    return undefined;
  }

  async fim(): Promise<FimSession> {
    const probe = await this.current();
    if (probe.fim !== true) throw new Error(probe.fim.message);
    if (this.sessionCache?.probe !== probe) this.sessionCache = { probe, session: this.wrap(this.session(this.link as ServerLink, probe)) };
    return this.sessionCache.session;
  }

  async chat(input: ChatInput): Promise<ChatOutput> {
    let probe: ProbeResult;
    try {
      probe = await this.current();
    } catch (error) {
      throw new LocalUnavailableError(`Local model unavailable: ${messageOf(error)}`);
    }
    if (probe.chat !== true) throw new LocalUnavailableError(`Local model unavailable: ${probe.chat.message}`);
    try {
      const out = await this.chatStream(this.link as ServerLink, probe, input);
      this.succeeded();
      return { ...out, ...(this.destination ? { destination: this.destination } : {}) };
    } catch (error) {
      if (error instanceof ServerError) {
        this.failed(error);
        throw new LocalUnavailableError(`Local model unavailable: ${error.message}`);
      }
      throw error;
    }
  }

  chatModelName(): string | undefined {
    const local = this.settings.local;
    return this.probed?.chatModel ?? (local.chatModel || local.model || `${this.kind} model`);
  }

  chatContextSize(): number | undefined {
    return this.probed?.chatContextSize;
  }

  countTokens(text: string): number {
    return estimateTokens(text);
  }

  state(role: ModelRole): ModelState {
    return this.states.get(role) ?? { role, state: 'loading', name: `${this.kind} at ${this.info.url}`, backend: this.info };
  }

  async describe(): Promise<ModelState[]> {
    if (!this.probed && !this.probing && !this.failure && !this.urlError) this.start();
    return [this.state('completion'), this.state('chat')];
  }

  async dispose(): Promise<void> {
    this.link?.dispose();
  }

  /** The probe result to work with: the last one, unless the server failed since (then probe again). */
  private async current(): Promise<ProbeResult> {
    if (this.urlError) throw new Error(this.urlError);
    const stale = this.probed && (this.probed.fim !== true || this.probed.chat !== true) && performance.now() - this.probedAt >= CONFIG_RETRY_MS;
    if (this.probed && !this.failure && !stale) return this.probed;
    return this.probe();
  }

  private probe(): Promise<ProbeResult> {
    this.probing ??= (async () => {
      for (const role of ['completion', 'chat'] as const) {
        if (!this.states.has(role)) this.setState({ role, state: 'loading', name: `${this.kind} at ${this.info.url}`, backend: this.info });
      }
      try {
        const result = await this.probeServer(this.link as ServerLink, AbortSignal.timeout(this.timeoutMs));
        this.probed = result;
        this.probedAt = performance.now();
        this.failure = undefined;
        if (result.slots) Object.assign(this.info, { slots: result.slots });
        this.deps.log.info(`Local backend: ${this.kind} at ${this.info.url}${this.info.remote ? ` (another machine, ${this.info.trusted ? 'trusted' : 'not trusted'})` : ''}: ${result.about}`);
        this.publishProbe(result);
        return result;
      } catch (error) {
        const failure = isAbort(error) ? new ServerError('timeout', `${this.info.url} did not answer the probe within ${this.timeoutMs} ms.`) : asServerError(error);
        this.failed(failure);
        throw failure;
      } finally {
        this.probing = undefined;
      }
    })();
    return this.probing;
  }

  private publishProbe(result: ProbeResult): void {
    const ready = (role: ModelRole, name: string, contextSize: number): ModelState => ({
      role, state: 'ready', name, device: 'server', gpuLayers: 0, contextSize, fim: role === 'completion', backend: this.info,
    });
    this.setState(result.fim === true ? ready('completion', result.model, result.contextSize)
      : { role: 'completion', state: 'error', name: result.model, message: result.fim.message, problem: result.fim.problem, backend: this.info });
    this.setState(result.chat === true ? ready('chat', result.chatModel, result.chatContextSize ?? result.contextSize)
      : { role: 'chat', state: 'error', name: result.chatModel, message: result.chat.message, problem: result.chat.problem, backend: this.info });
  }

  /** A request worked: a server that had failed is back. */
  protected succeeded(): void {
    if (!this.failure && !this.refused) return;
    this.failure = undefined;
    this.refused = false;
    if (this.probed) this.publishProbe(this.probed);
  }

  protected failed(error: ServerError): void {
    const first = !this.failure || this.failure.error.message !== error.message;
    this.failure = { error, at: performance.now() };
    if (first) this.deps.log.warn(`Local backend ${this.kind}: ${error.message}`);
    for (const role of ['completion', 'chat'] as const) {
      this.setState({ role, state: 'error', name: this.probed?.model, message: error.message, problem: error.problem, backend: this.info });
    }
  }

  /** Completion sessions report their failures and successes into the health record. */
  private wrap(session: FimSession): FimSession {
    return {
      contextSize: session.contextSize,
      complete: async (input) => {
        try {
          const out = await session.complete(input);
          if (out.aborted) return out;
          // Nothing before the budget ran out, again and again: the server is busy or too slow, and says so.
          if (out.stop === 'time' && !out.text && !input.prefillOnly) {
            if (++this.slowStreak >= SLOW_STREAK) {
              this.slowStreak = 0;
              this.failed(new ServerError('timeout', `${this.kind} at ${this.info.url} sent nothing within the completion time budget (tandem.completions.timeBudgetMs) ${SLOW_STREAK} times in a row: the server is busy or too slow.`));
            }
            return out;
          }
          this.slowStreak = 0;
          this.succeeded();
          return out;
        } catch (error) {
          if (error instanceof ServerError && !input.signal.aborted) this.failed(error);
          if (error instanceof EgressRefusedError) this.refusedBy(error);
          throw error;
        }
      },
    };
  }

  /** The privacy gate refused a completion: a refusal for the whole workspace (no consent, local-only mode)
   * is the completion state until a request passes; one for a file or a secret is not. */
  refusedBy(error: EgressRefusedError): void {
    if (error.code !== 'consent' && error.code !== 'local-only-mode') return;
    this.refused = true;
    this.setState({ role: 'completion', state: 'error', name: this.probed?.model, message: error.message, problem: error.code, backend: this.info });
  }

  protected setState(state: ModelState): void {
    if (JSON.stringify(this.states.get(state.role)) === JSON.stringify(state)) return;
    this.states.set(state.role, state);
    this.deps.publish(state);
  }
}

function asServerError(error: unknown): ServerError {
  return error instanceof ServerError ? error : new ServerError('server-error', messageOf(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
