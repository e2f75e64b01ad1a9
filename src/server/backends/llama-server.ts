// llama.cpp's llama-server: completions through `/infill` (the server lays out prefix, suffix and the context
// ring's chunks with the model's own FIM and repo tokens), the KV cache kept by `cache_prompt` on the slot this
// user keeps (`id_slot`), generation capped by `t_max_predict_ms` from the time budget, streamed so the line
// limit can stop it early; chat through `/v1/chat/completions`. `/health` and `/props` are probed at start.
import { atLineLimit, budgetOf, emptyOutput, endedEarly, fimContent, finishOutput } from './fim-stream.js';
import { ServerError } from './http.js';
import type { ServerLink } from './link.js';
import { openAiChat, sseData } from './openai-chat.js';
import { ServerBackend, type ProbeResult, type ServerDeps } from './server-base.js';
import type { ChatInput, ChatOutput, FimInput, FimOutput, FimSession, FimStop } from './types.js';

interface Props {
  total_slots?: number;
  model_path?: string;
  model_alias?: string;
  build_info?: string;
  default_generation_settings?: { n_ctx?: number };
  chat_template?: string;
}

interface Timings {
  cache_n?: number;
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
}

interface InfillChunk {
  content?: string;
  stop?: boolean;
  stop_type?: string;
  id_slot?: number;
  tokens_evaluated?: number;
  tokens_predicted?: number;
  timings?: Timings;
  completion_probabilities?: { logprob?: number }[];
  error?: { message?: string };
}

export function modelNameFromPath(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).replace(/\.gguf$/i, '') || path;
}

export class LlamaServerBackend extends ServerBackend {
  constructor(deps: ServerDeps) {
    super('llama-server', deps);
  }

  protected async probeServer(link: ServerLink, signal: AbortSignal): Promise<ProbeResult> {
    const options = { signal, timeoutMs: this.timeoutMs };
    try {
      await link.metadata('GET', '/health', undefined, options);
    } catch (error) {
      if (error instanceof ServerError && error.status === 503) {
        throw new ServerError('server-error', `llama-server at ${this.info.url} is still loading its model; Tandem tries again shortly.`, 503);
      }
      throw error;
    }
    const props = await link.metadata<Props>('GET', '/props', undefined, options);
    // The alias defaults to the model's path: show the file name.
    const model = this.settings.local.model || modelNameFromPath(props.model_alias || props.model_path || 'llama-server');
    const contextSize = props.default_generation_settings?.n_ctx ?? 4096;
    // The one way to learn whether the model has FIM tokens: an empty infill (no user content).
    let fim: ProbeResult['fim'] = true;
    try {
      await link.metadata('POST', '/infill', { input_prefix: '', input_suffix: '', n_predict: 1, cache_prompt: false }, options);
    } catch (error) {
      if (!(error instanceof ServerError) || error.problem === 'unreachable' || error.problem === 'timeout') throw error;
      if (error.problem === 'unauthorized') throw error;
      fim = {
        problem: 'no-fim',
        message: /infill is not supported/i.test(error.detail ?? error.message)
          ? `${model} on llama-server at ${this.info.url} has no fill-in-the-middle tokens, so inline completions are off (chat still works). Start the server with a coder base model such as Qwen2.5-Coder.`
          : `llama-server at ${this.info.url} refused an infill request: ${error.message} Inline completions are off.`,
      };
    }
    const slots = props.total_slots ?? 1;
    return {
      model,
      chatModel: this.settings.local.chatModel || model,
      contextSize,
      chatContextSize: contextSize,
      fim,
      chat: true,
      slots,
      about: `${model}, context ${contextSize} per slot, ${slots} slot(s)${props.build_info ? `, build ${props.build_info}` : ''}`,
    };
  }

  protected session(link: ServerLink, probe: ProbeResult): FimSession {
    return new InfillSession(link, probe.contextSize);
  }

  protected chatStream(link: ServerLink, _probe: ProbeResult, input: ChatInput): Promise<ChatOutput> {
    const model = this.settings.local.chatModel || this.settings.local.model;
    return openAiChat(link, input, { path: '/v1/chat/completions', model: model || undefined, timeoutMs: this.timeoutMs, logprobs: true, extra: { cache_prompt: true } });
  }
}

/** Waiting this much longer than the fastest round trip seen says the pinned slot is busy with someone else. */
const BUSY_SLOT_MS = 50;

/** One user's completions on llama-server: the slot the server gave the first request is asked for again, so
 * the prompt the previous keystroke left in its KV cache is reused. If requests keep waiting for that slot
 * (another user pinned the same one), the pin is dropped and the server picks again. */
class InfillSession implements FimSession {
  private slot = -1;
  private busy = 0;
  /** The fastest wait seen (the network round trip to this server). */
  private floor = Infinity;

  constructor(
    private readonly link: ServerLink,
    readonly contextSize: number,
  ) {}

  async complete(input: FimInput): Promise<FimOutput> {
    const out = emptyOutput();
    if (input.signal.aborted) return { ...out, aborted: true, stop: 'abort' };
    const budget = budgetOf(input);
    const body = {
      input_prefix: input.prefix,
      input_suffix: input.suffix,
      input_extra: input.context.map((c) => ({ filename: c.label, text: c.text })),
      // Warm-up: evaluate the prompt into the slot's cache; the server generates at least one token.
      n_predict: input.prefillOnly ? 1 : input.maxTokens,
      t_max_predict_ms: budget.ms,
      cache_prompt: true,
      id_slot: this.slot,
      stream: true,
      timings_per_token: true,
      temperature: 0,
      ...(input.logprobs ? { n_probs: 1 } : {}),
    };
    const content = fimContent(input, [input.prefix, input.suffix, ...input.context.map((c) => c.text)]);
    let firstAt = 0;
    let firstPredictedMs = 0;
    let last: Timings = {};
    const logprobs: number[] = [];
    let stopType = '';
    try {
      await this.link.stream(content, '/infill', body, { signal: budget.signal, timeoutMs: budget.timeoutMs }, (line) => {
        const chunk = sseData<InfillChunk>(line);
        if (!chunk || chunk === 'done') return chunk !== 'done';
        if (chunk.error) throw new ServerError('server-error', `llama-server failed the completion: ${chunk.error.message ?? 'unknown error'}`);
        if (!firstAt) firstAt = performance.now();
        if (typeof chunk.id_slot === 'number' && chunk.id_slot >= 0) this.slot = chunk.id_slot;
        if (chunk.timings) last = chunk.timings;
        if (chunk.tokens_evaluated) out.promptTokens = chunk.tokens_evaluated;
        if (!firstPredictedMs && (last.predicted_n ?? 0) > 0) firstPredictedMs = last.predicted_ms ?? 0;
        for (const p of chunk.completion_probabilities ?? []) if (typeof p.logprob === 'number') logprobs.push(p.logprob);
        if (chunk.content) {
          out.text += chunk.content;
          out.generatedTokens++;
        }
        if (chunk.stop) {
          stopType = chunk.stop_type ?? '';
          if (chunk.tokens_predicted !== undefined) out.generatedTokens = chunk.tokens_predicted;
          out.stop = stopOf(stopType);
          return false;
        }
        if (atLineLimit(out.text, input)) {
          out.stop = 'lines';
          return false;
        }
      });
    } catch (error) {
      if (endedEarly(error, input, budget) === 'abort') return { ...this.timed(out, last, budget.started, firstAt, firstPredictedMs), aborted: true, stop: 'abort' };
      out.stop = 'time';
    }
    const done = this.timed(finishOutput(out, input, logprobs), last, budget.started, firstAt, firstPredictedMs);
    if (!done.aborted && done.stop !== 'time') {
      this.floor = Math.min(this.floor, done.waitMs);
      this.busy = done.waitMs > this.floor + BUSY_SLOT_MS ? this.busy + 1 : 0;
    }
    if (this.busy >= 2) {
      this.slot = -1;
      this.busy = 0;
    }
    return done;
  }

  /** Server timings into the engine's stages; what is left of the round trip is waiting (network and queue). */
  private timed(out: FimOutput, timings: Timings, started: number, firstAt: number, firstPredictedMs: number): FimOutput {
    out.evaluatedTokens = timings.prompt_n ?? 0;
    if (!out.promptTokens) out.promptTokens = (timings.prompt_n ?? 0) + (timings.cache_n ?? 0);
    out.prefillMs = timings.prompt_ms ?? 0;
    out.firstTokenMs = firstPredictedMs;
    out.decodeMs = Math.max(0, (timings.predicted_ms ?? 0) - firstPredictedMs);
    const untilFirst = (firstAt || performance.now()) - started;
    out.waitMs = Math.max(0, untilFirst - out.prefillMs - out.firstTokenMs);
    return out;
  }
}

function stopOf(stopType: string): FimStop {
  return stopType === 'eos' || stopType === 'word' ? 'eog' : 'max-tokens';
}
