// One warm context sequence for completions. Each request keeps the KV cache up to the first token that
// differs, erases the rest, prefills the new tokens in small chunks (a newer keystroke aborts between
// chunks within milliseconds) and generates greedily under a token cap and a time cap.
import type { LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { FimOutput } from '../backends/types.js';
import { firstDifference } from './prompt.js';

export const PREFILL_CHUNK = 64;

export interface GenerateRequest {
  tokens: number[];
  signal: AbortSignal;
  maxTokens: number;
  /** performance.now() deadline for the whole request. */
  deadline: number;
  /** Stop after this many line breaks that follow visible text (1 = single line). */
  maxLines: number;
  /** Skip generation: only bring the KV cache up to date (background warm-up). */
  prefillOnly?: boolean;
  /** Record the log-probability of each generated token. */
  logprobs?: boolean;
}

/** What a generation gives back: the seam's completion output (backends/types.ts). */
export type GenerateResult = FimOutput;

export class FimSequence {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly stopTokens: Set<number>;

  constructor(
    private readonly model: LlamaModel,
    private readonly seq: LlamaContextSequence,
  ) {
    const infill = model.tokens.infill;
    this.stopTokens = new Set([infill.prefix, infill.suffix, infill.middle].filter((t): t is NonNullable<typeof t> => t !== null) as number[]);
  }

  get contextSize(): number {
    return this.seq.contextSize;
  }

  get disposed(): boolean {
    return this.seq.disposed;
  }

  /** Runs after the previous request on this sequence has stopped (a newer request aborts it first). */
  generate(request: GenerateRequest): Promise<GenerateResult> {
    const queued = performance.now();
    const run = this.tail.then(() => this.run(request, performance.now() - queued));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async run(request: GenerateRequest, waitMs: number): Promise<GenerateResult> {
    const { tokens, signal } = request;
    const result: GenerateResult = {
      text: '', aborted: false, promptTokens: tokens.length, evaluatedTokens: 0, generatedTokens: 0,
      waitMs, prefillMs: 0, firstTokenMs: 0, decodeMs: 0, stop: 'abort',
    };
    if (signal.aborted || this.seq.disposed) return { ...result, aborted: true };
    const prefillStart = performance.now();
    // Everything but the last prompt token is prefilled; the last one is fed to the generator.
    const body = tokens.slice(0, -1);
    const last = tokens[tokens.length - 1];
    const keep = firstDifference(this.seq.contextTokens, body);
    if (keep < this.seq.nextTokenIndex) {
      await this.seq.eraseContextTokenRanges([{ start: keep, end: this.seq.nextTokenIndex }]);
    }
    for (let at = keep; at < body.length; at += PREFILL_CHUNK) {
      if (signal.aborted) {
        result.prefillMs = performance.now() - prefillStart;
        return { ...result, aborted: true };
      }
      const chunk = body.slice(at, at + PREFILL_CHUNK);
      await this.seq.evaluateWithoutGeneratingNewTokens(chunk as never);
      result.evaluatedTokens += chunk.length;
    }
    result.prefillMs = performance.now() - prefillStart;
    if (request.prefillOnly) return { ...result, stop: 'prefill-only' };
    if (signal.aborted) return { ...result, aborted: true };

    const genStart = performance.now();
    const generated: number[] = [];
    let text = '';
    result.evaluatedTokens += 1;
    result.stop = 'max-tokens';
    // With log-probabilities, each token comes with the probability the model gave it (greedy: its top one).
    const iterator = this.seq.evaluateWithMetadata([last] as never, request.logprobs ? { confidence: true } : {}, { temperature: 0, yieldEogToken: true });
    const logprobs: number[] = [];
    try {
      for await (const item of iterator) {
        const token = item.token;
        const confidence = (item as { confidence?: number }).confidence;
        if (request.logprobs && typeof confidence === 'number') logprobs.push(Math.log(Math.max(confidence, Number.MIN_VALUE)));
        if (generated.length === 0) result.firstTokenMs = performance.now() - genStart;
        if (this.model.isEogToken(token) || this.stopTokens.has(token as number)) {
          result.stop = 'eog';
          break;
        }
        generated.push(token as number);
        text = this.model.detokenize(generated as never);
        if (signal.aborted) {
          result.stop = 'abort';
          result.aborted = true;
          break;
        }
        if (countLineBreaksAfterText(text) >= request.maxLines) {
          result.stop = 'lines';
          break;
        }
        if (generated.length >= request.maxTokens) break;
        if (performance.now() >= request.deadline) {
          result.stop = 'time';
          break;
        }
      }
    } finally {
      await iterator.return(undefined);
    }
    result.decodeMs = performance.now() - genStart - result.firstTokenMs;
    result.generatedTokens = generated.length;
    result.text = result.stop === 'lines' ? cutAtLines(text, request.maxLines) : text;
    // Only the tokens the text kept (an end-of-generation token is not part of it).
    if (request.logprobs) result.logprobs = logprobs.slice(0, generated.length);
    return result;
  }
}

/** Line breaks that come after the first visible character (leading blank lines do not count). */
export function countLineBreaksAfterText(text: string): number {
  const start = text.search(/\S/);
  if (start < 0) return 0;
  let count = 0;
  for (let i = start; i < text.length; i++) if (text[i] === '\n') count++;
  return count;
}

/** The text up to (not including) the `lines`-th line break after the first visible character. */
export function cutAtLines(text: string, lines: number): string {
  const start = text.search(/\S/);
  if (start < 0) return text;
  let count = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '\n' && ++count >= lines) return text.slice(0, i);
  }
  return text;
}
