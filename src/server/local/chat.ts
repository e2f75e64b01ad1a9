// LocalChat for the router: chat with the chat model on its own context sequence (the completion
// sequence's KV cache is never touched). The chat template comes from the model (ChatML for Qwen).
import type { ChatHistoryItem, LlamaContextSequence, Token } from 'node-llama-cpp';
import { LocalUnavailableError, type LocalChat } from '../context.js';
import { errorText, modelName } from './gguf-check.js';
import type { LoadedModel, ModelManager } from './models.js';

const CHARS_PER_TOKEN = 3.5;

export class LocalChatService implements LocalChat {
  private loaded: LoadedModel | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly models: ModelManager) {}

  modelName(): string | undefined {
    if (this.loaded && this.models.isReady('chat')) return this.loaded.name;
    const setting = this.models.settings.model.chat.trim();
    if (setting) return modelName(setting.replace(/[?#].*$/, '').split('/').pop() ?? setting);
    const state = this.models.state('chat');
    return 'name' in state && state.name ? state.name : undefined;
  }

  contextSize(): number | undefined {
    if (this.loaded && this.models.isReady('chat')) return this.loaded.seq.contextSize;
    return this.models.settings.model.contextSize || undefined;
  }

  countTokens(text: string): number {
    if (this.loaded && this.models.isReady('chat') && !this.loaded.model.disposed) {
      return this.loaded.model.tokenize(text, false).length;
    }
    return Math.ceil(text.length / CHARS_PER_TOKEN);
  }

  chat(options: Parameters<LocalChat['chat']>[0]): ReturnType<LocalChat['chat']> {
    // One chat generation at a time on the chat sequence.
    const run = this.queue.then(() => this.run(options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(options: Parameters<LocalChat['chat']>[0]): ReturnType<LocalChat['chat']> {
    options.signal.throwIfAborted();
    const state = this.models.state('chat');
    if (state.state === 'downloading') {
      throw new LocalUnavailableError(`Local model unavailable: ${state.name} is downloading (${state.percent}%)`);
    }
    let loaded: LoadedModel;
    try {
      loaded = await this.models.acquire('chat');
    } catch (error) {
      throw new LocalUnavailableError(`Local model unavailable: ${errorText(error)}`);
    }
    this.loaded = loaded;
    const { LlamaChat } = await import('node-llama-cpp');
    const history: ChatHistoryItem[] = [];
    if (options.system) history.push({ type: 'system', text: options.system });
    for (const message of options.messages) {
      history.push(message.role === 'user' ? { type: 'user', text: message.content } : { type: 'model', response: [message.content] });
    }
    if (history[history.length - 1]?.type !== 'model') history.push({ type: 'model', response: [] });
    const chat = new LlamaChat({ contextSequence: loaded.seq, autoDisposeSequence: false });
    const started = performance.now();
    let ttftMs: number | null = null;
    const meter = loaded.seq.tokenMeter;
    const outputBefore = meter.usedOutputTokens;
    try {
      const { result, logProbs } = await withTokenConfidence(loaded.seq, () => chat.generateResponse(history, {
        maxTokens: options.maxTokens,
        signal: options.signal,
        stopOnAbortSignal: true,
        temperature: 0.2,
        onTextChunk: (delta) => {
          if (!delta) return;
          ttftMs ??= performance.now() - started;
          options.onText(delta);
        },
      }));
      const promptText = [options.system, ...options.messages.map((m) => m.content)].join('\n');
      return {
        text: result.response,
        promptTokens: this.countTokens(promptText) + 4 * (options.messages.length + 1),
        outputTokens: Math.max(0, meter.usedOutputTokens - outputBefore) || this.countTokens(result.response),
        ttftMs,
        ...(logProbs.length > 0 ? { meanLogProb: logProbs.reduce((a, b) => a + b, 0) / logProbs.length } : {}),
      };
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  }
}

type Evaluate = LlamaContextSequence['evaluate'];

/**
 * Runs one generation with this sequence reporting each generated token's probability (the local-confidence
 * signal). LlamaChat samples through `sequence.evaluate`, which is `evaluateWithMetadata` with the metadata left
 * out; for the length of this generation the sequence's own `evaluate` asks for the confidence too. Same sampler,
 * same options, same tokens: only the probabilities are kept.
 */
export async function withTokenConfidence<T>(seq: LlamaContextSequence, generate: () => Promise<T>): Promise<{ result: T; logProbs: number[] }> {
  const logProbs: number[] = [];
  if (typeof seq.evaluateWithMetadata !== 'function') return { result: await generate(), logProbs };
  const own = Object.getOwnPropertyDescriptor(seq, 'evaluate');
  const evaluate = async function* (tokens: Token[], options?: Parameters<Evaluate>[1]): AsyncGenerator<Token, void, void | Token | Token[]> {
    const iterator = seq.evaluateWithMetadata(tokens, { confidence: true }, options);
    let input: void | Token | Token[] = undefined;
    try {
      while (true) {
        const { value, done } = await iterator.next(input);
        if (done) return;
        if (typeof value.confidence === 'number' && value.confidence > 0) logProbs.push(Math.log(value.confidence));
        input = yield value.token;
      }
    } finally {
      await iterator.return();
    }
  };
  Object.defineProperty(seq, 'evaluate', { value: evaluate, configurable: true, writable: true });
  try {
    return { result: await generate(), logProbs };
  } finally {
    if (own) Object.defineProperty(seq, 'evaluate', own);
    else delete (seq as { evaluate?: Evaluate }).evaluate;
  }
}
