// The embedded backend: the model runs in the engine process through node-llama-cpp (local/models.ts owns it).
// Completions keep one warm context sequence (FimSequence) whose KV cache survives between keystrokes; the FIM
// prompt is laid out here at token level: [BOS][context chunks][SUF]suffix[PRE]prefix[MID].
import type { ModelRole, ModelState } from '../../shared/protocol.js';
import type { ContextChunk } from '../completion/context-ring.js';
import { FimSequence } from '../completion/fim-sequence.js';
import { buildFimPrompt, contextChunkText } from '../completion/prompt.js';
import type { LocalChatService } from '../local/chat.js';
import type { LoadedModel, ModelManager } from '../local/models.js';
import { commentFor } from './fim-templates.js';
import type { ChatInput, ChatOutput, FimInput, FimOutput, FimSession, LocalBackend, Unavailable } from './types.js';

export class EmbeddedBackend implements LocalBackend {
  readonly kind = 'embedded' as const;
  readonly destination = undefined;
  private session: EmbeddedFim | undefined;

  constructor(
    private readonly models: ModelManager,
    private readonly chatService: LocalChatService,
  ) {}

  start(): void {
    // Models load on first use.
  }

  unavailable(): Unavailable | undefined {
    const state = this.models.state('completion');
    return state.state === 'downloading' ? { reason: 'model-downloading', message: `${state.name} is downloading (${Math.floor(state.percent)}%)` } : undefined;
  }

  async fim(): Promise<FimSession> {
    const loaded = await this.models.acquire('completion');
    if (!this.session || this.session.loaded !== loaded || this.session.disposed) this.session = new EmbeddedFim(loaded);
    return this.session;
  }

  chat(input: ChatInput): Promise<ChatOutput> {
    return this.chatService.chat(input);
  }

  chatModelName(): string | undefined {
    return this.chatService.modelName();
  }

  chatContextSize(): number | undefined {
    return this.chatService.contextSize();
  }

  countTokens(text: string): number {
    return this.chatService.countTokens(text);
  }

  state(role: ModelRole): ModelState {
    return this.models.state(role);
  }

  describe(): Promise<ModelState[]> {
    return this.models.describeIdle();
  }

  /** Another backend takes over: the models leave memory (they load again if the user switches back). */
  async dispose(): Promise<void> {
    this.session = undefined;
    await this.models.unload('the local backend changed');
  }
}

class EmbeddedFim implements FimSession {
  private readonly seq: FimSequence;
  private readonly chunkTokens = new Map<string, number[]>();

  constructor(readonly loaded: LoadedModel) {
    this.seq = new FimSequence(loaded.model, loaded.seq);
  }

  get contextSize(): number {
    return this.seq.contextSize;
  }

  get disposed(): boolean {
    return this.seq.disposed;
  }

  async complete(input: FimInput): Promise<FimOutput> {
    const tokens = this.prompt(input);
    return this.seq.generate({
      tokens, signal: input.signal, maxTokens: input.maxTokens, maxLines: input.maxLines, deadline: input.deadline,
      prefillOnly: input.prefillOnly, logprobs: input.logprobs,
    });
  }

  /** Tokens: [BOS][context chunks][SUF]suffix[PRE]prefix[MID] within the context window. */
  private prompt(input: FimInput): number[] {
    const { model } = this.loaded;
    const infill = model.tokens.infill;
    const built = buildFimPrompt(
      { context: input.context.map((c) => this.tokensOf(c)), prefix: model.tokenize(input.prefix, false) as number[], suffix: model.tokenize(input.suffix, false) as number[] },
      {
        prefix: infill.prefix as number, suffix: infill.suffix as number, middle: infill.middle as number,
        bos: model.tokens.shouldPrependBosToken && model.tokens.bos !== null ? (model.tokens.bos as number) : undefined,
      },
      Math.max(64, this.seq.contextSize - input.maxTokens - 16),
    );
    return built.tokens;
  }

  /** A context chunk's tokens, cached: the same chunk in front of every prompt is tokenized once. */
  private tokensOf(chunk: ContextChunk): number[] {
    const key = `${chunk.uri}\u0000${chunk.startLine}\u0000${chunk.text}`;
    let tokens = this.chunkTokens.get(key);
    if (!tokens) {
      const { model } = this.loaded;
      const sep = model.tokenize('<|file_sep|>', true);
      const useSep = sep.length === 1 && model.isSpecialToken(sep[0]);
      tokens = useSep
        ? [sep[0] as number, ...(model.tokenize(`${chunk.label}\n${chunk.text}\n`, false) as number[])]
        : (model.tokenize(contextChunkText(chunk.label, chunk.text, commentFor(chunk.label)), false) as number[]);
      if (this.chunkTokens.size > 64) this.chunkTokens.clear();
      this.chunkTokens.set(key, tokens);
    }
    return tokens;
  }
}
