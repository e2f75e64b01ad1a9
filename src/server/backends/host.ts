// Holds the backend the settings ask for and swaps it when `tandem.local.*` (or the server's API key) changes:
// the old one is disposed (embedded models leave memory, keep-alive sockets close), the new one probes its
// server at once. The completion provider and the router's LocalChat go through here, so neither knows which
// backend runs.
import type { Destination, ModelRole, ModelState } from '../../shared/protocol.js';
import { ModelStateNotification } from '../../shared/protocol.js';
import type { TandemSettings } from '../../shared/settings.js';
import type { EngineContext, LocalChat } from '../context.js';
import type { LocalChatService } from '../local/chat.js';
import type { ModelManager } from '../local/models.js';
import { EmbeddedBackend } from './embedded.js';
import { EgressRefusedError, type ServerEgress } from './link.js';
import { LlamaServerBackend } from './llama-server.js';
import { OllamaBackend } from './ollama.js';
import { OpenAICompatibleBackend } from './openai.js';
import type { ServerDeps } from './server-base.js';
import type { ChatInput, ChatOutput, FimInput, LocalBackend } from './types.js';

function backendKey(settings: TandemSettings): string {
  return JSON.stringify(settings.local);
}

export class BackendHost implements LocalChat {
  private current: LocalBackend;
  private key: string;
  private serverApiKey: string | undefined = process.env.TANDEM_SERVER_API_KEY || undefined;
  private egress: ServerEgress | undefined;
  private swap: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: EngineContext,
    private readonly models: ModelManager,
    private readonly chatService: LocalChatService,
  ) {
    this.key = backendKey(ctx.settings.value);
    this.current = this.create();
    ctx.settings.onChange((next) => {
      if (backendKey(next) !== this.key) void this.replace('settings changed');
    });
    // Embedded models are unloaded by the model manager's own shutdown step.
    ctx.onShutdown(() => (this.current.kind === 'embedded' ? undefined : this.current.dispose()));
  }

  get backend(): LocalBackend {
    return this.current;
  }

  /** Start the configured backend (probe the server); called once the engine is initialized. */
  start(): void {
    this.current.start();
  }

  /** The router's server gate: requests to a server on another machine go through it. */
  useEgress(egress: ServerEgress): void {
    this.egress = egress;
  }

  /** The inference server's API key from SecretStorage (empty clears); a new key probes the server again. */
  setServerApiKey(key: string): void {
    const next = key || process.env.TANDEM_SERVER_API_KEY || undefined;
    if (next === this.serverApiKey) return;
    this.serverApiKey = next;
    if (this.current.kind !== 'embedded') void this.replace('the server API key changed');
  }

  /** The completion's input as it may leave: unchanged for this machine or a trusted server; filtered by the
   * router's server gate for an untrusted one (rejects with EgressRefusedError when nothing may go). */
  async prepareCompletion(input: FimInput): Promise<FimInput> {
    const destination = this.current.destination;
    if (!destination || destination.trusted) return input;
    const backend = this.current;
    try {
      if (!this.egress) throw new EgressRefusedError('consent', `Nothing was sent to ${destination.url}: the privacy gate for servers on other machines is not ready.`);
      return await this.egress.prepareCompletion(input, destination);
    } catch (error) {
      if (error instanceof EgressRefusedError) backend.refusedBy?.(error);
      throw error;
    }
  }

  state(role: ModelRole): ModelState {
    return this.current.state(role);
  }

  /** Send the current backend's states again (after something else, such as a download, reported over them). */
  republish(): void {
    for (const role of ['completion', 'chat'] as const) this.publish(this.current.state(role));
  }

  private publish(state: ModelState): void {
    void this.ctx.connection.sendNotification(ModelStateNotification, state).catch(() => undefined);
  }

  describe(): Promise<ModelState[]> {
    return this.current.describe();
  }

  modelName(): string | undefined {
    return this.current.chatModelName();
  }

  contextSize(): number | undefined {
    return this.current.chatContextSize();
  }

  countTokens(text: string): number {
    return this.current.countTokens(text);
  }

  /** The embedded model's window and tokenizer read before it loads (a cold decision equals a warm one); a
   * server's model counts with an estimate, keyed by the server settings. */
  prepare(): Promise<string> {
    return this.current.kind === 'embedded' ? this.chatService.prepare() : Promise.resolve(`server:${this.key}`);
  }

  destination(): Destination | undefined {
    return this.current.destination;
  }

  chat(options: ChatInput): Promise<ChatOutput> {
    return this.current.chat(options);
  }

  private create(): LocalBackend {
    const settings = this.ctx.settings.value;
    const deps: ServerDeps = {
      settings: () => this.ctx.settings.value,
      log: this.ctx.log,
      publish: (state) => this.publish(state),
      apiKey: () => this.serverApiKey,
      egress: () => this.egress,
      loopbackIsRemote: process.env.TANDEM_LOOPBACK_IS_REMOTE === '1',
    };
    switch (settings.local.backend) {
      case 'llama-server':
        return new LlamaServerBackend(deps);
      case 'ollama':
        return new OllamaBackend(deps);
      case 'openai-compatible':
        return new OpenAICompatibleBackend(deps);
      default:
        return new EmbeddedBackend(this.models, this.chatService);
    }
  }

  /** One swap at a time; requests meanwhile use whichever backend is current. */
  private replace(reason: string): Promise<void> {
    this.swap = this.swap.then(async () => {
      const old = this.current;
      this.key = backendKey(this.ctx.settings.value);
      this.current = this.create();
      this.ctx.log.info(`Local backend: ${this.current.kind} (${reason})`);
      await old.dispose().catch((error: unknown) => this.ctx.log.warn(`Local backend: ${String(error)}`));
      this.current.start();
      const states = await this.current.describe().catch(() => []);
      for (const state of states) this.publish(state);
    });
    return this.swap;
  }
}
