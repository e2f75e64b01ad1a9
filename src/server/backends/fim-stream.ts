// What every server's streamed completion shares: the empty result, the manifest content of a FIM request, the
// time budget as a signal (a slow server never holds a keystroke longer than the budget), the line limit, and
// how a stream that ended early is read (cancelled by a newer keystroke, or out of time).
import { countLineBreaksAfterText, cutAtLines } from '../completion/fim-sequence.js';
import { ServerError, isAbort } from './http.js';
import type { Content } from './link.js';
import type { FimInput, FimOutput } from './types.js';
import { estimateTokens } from './types.js';

/** Time after the budget before the HTTP request itself is given up (the server's own cap should come first). */
const GRACE_MS = 250;

export function emptyOutput(): FimOutput {
  return { text: '', aborted: false, promptTokens: 0, evaluatedTokens: 0, generatedTokens: 0, waitMs: 0, prefillMs: 0, firstTokenMs: 0, decodeMs: 0, stop: 'max-tokens' };
}

/** What a FIM request carries, for the egress gate: the document's window and each context chunk. */
export function fimContent(input: FimInput, texts: string[]): Content {
  return {
    kind: 'completion',
    sources: [
      { uri: input.uri, ranges: [{ startLine: input.startLine, endLine: input.endLine }], bytes: Buffer.byteLength(input.prefix) + Buffer.byteLength(input.suffix) },
      ...input.context.map((c) => ({ uri: c.uri, ranges: [{ startLine: c.startLine, endLine: c.endLine }], bytes: Buffer.byteLength(c.text) })),
    ],
    texts,
    tokens: estimateTokens(texts.join('')),
    redactions: input.redactions ?? [],
  };
}

export interface Budget {
  started: number;
  /** Milliseconds left for this request. */
  ms: number;
  /** Aborts on the caller's signal or when the budget (plus a grace) is spent. */
  signal: AbortSignal;
  /** For the HTTP request's own timeouts. */
  timeoutMs: number;
  expired(): boolean;
}

export function budgetOf(input: FimInput): Budget {
  const started = performance.now();
  const ms = Math.max(1, Math.round(input.deadline - started));
  const deadline = AbortSignal.timeout(ms + GRACE_MS);
  return { started, ms, signal: AbortSignal.any([input.signal, deadline]), timeoutMs: ms + GRACE_MS, expired: () => deadline.aborted };
}

/** A stream that threw: 'abort' (the caller cancelled) or 'time' (the budget ran out); anything else is rethrown. */
export function endedEarly(error: unknown, input: FimInput, budget: Budget): 'abort' | 'time' {
  if (input.signal.aborted) return 'abort';
  const timedOut = budget.expired() || (error instanceof ServerError && error.problem === 'timeout');
  if (timedOut && (isAbort(error) || error instanceof ServerError)) return 'time';
  throw error;
}

/** Whether the text reached the request's line limit (the stream can stop there). */
export function atLineLimit(text: string, input: FimInput): boolean {
  return !input.prefillOnly && countLineBreaksAfterText(text) >= input.maxLines;
}

/** The text and stop reason after the stream: cut at the line limit, empty for a warm-up. */
export function finishOutput(out: FimOutput, input: FimInput, logprobs: number[]): FimOutput {
  if (input.prefillOnly) {
    out.stop = 'prefill-only';
    out.text = '';
  }
  if (out.stop === 'lines') out.text = cutAtLines(out.text, input.maxLines);
  if (logprobs.length) out.logprobs = logprobs;
  return out;
}
