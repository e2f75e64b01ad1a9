// The Anthropic SDK client. Imported ONLY by gate.ts (a unit test checks it): every model call to the
// network passes the egress gate. Streams with cancellation, one deadline for the whole request, an idle timer
// for stalled streams, and SDK errors turned into CloudFailure.
// Retries live here, not in the SDK: the SDK would wait whatever a retry-after says (an hour, for a 429 with
// `retry-after: 3600`) and applies its timeout per attempt. Here every attempt and every wait between them fits
// in `deadlineMs`; a wait that would not fit ends the request at once, saying when the cloud is available again.
import Anthropic from '@anthropic-ai/sdk';
import { CloudError, kindOf, type CloudFailure } from './errors.js';
import { usageFromApi, type Usage } from './prices.js';

export interface CloudOptions {
  apiKey: string;
  maxRetries: number;
  /** Per attempt: time until the response headers. */
  requestTimeoutMs: number;
  /** A stream that sends nothing for this long is cut. */
  idleTimeoutMs: number;
  /** The whole request, until Claude starts answering: every attempt, every wait between them. */
  deadlineMs: number;
}

export interface CloudRequest {
  model: string;
  maxTokens: number;
  system: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
  tools?: { name: string; description: string; input_schema: Record<string, unknown> }[];
  /** Force this tool. */
  toolChoice?: string;
}

export interface CloudHandlers {
  signal: AbortSignal;
  onText(delta: string): void;
  /** Usage so far, an upper bound: input (with cache) as the API reported it, output as reported or one token per
   * UTF-8 byte streamed (a token is at least a byte), never more than max_tokens. */
  onUsage?(usage: Usage): void;
}

export interface CloudResult {
  text: string;
  toolInputs: unknown[];
  usage: Usage;
  stopReason: string | null;
  ttftMs: number | null;
}

/** Usage as the API reported it, and the upper bound of what was spent (streamed bytes counted as tokens). */
interface Spent {
  value: Usage;
  bound?: Usage;
}

let cached: { key: string; client: Anthropic } | undefined;

function clientFor(options: CloudOptions): Anthropic {
  const key = `${options.apiKey}\u0000${process.env.ANTHROPIC_BASE_URL ?? ''}`;
  if (cached?.key === key) return cached.client;
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: process.env.ANTHROPIC_BASE_URL || undefined,
    // The loop below retries within the deadline; the SDK must not retry on top of it.
    maxRetries: 0,
    // The SDK's debug log prints request bodies; it stays off whatever ANTHROPIC_LOG says.
    logLevel: 'off',
  });
  cached = { key, client };
  return client;
}

/** Why one attempt failed, and whether another may follow (nothing of the answer has arrived yet). */
class AttemptError extends Error {
  constructor(
    readonly failure: CloudFailure,
    readonly retryable: boolean,
    readonly retryAfterMs: number | undefined,
  ) {
    super(failure.kind);
  }
}

function retryAfterOf(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (value === null || value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The SDK's own rule for what may be retried: the server's x-should-retry, else 408, 409, 429, 5xx. */
function shouldRetry(error: InstanceType<typeof Anthropic.APIError>): boolean {
  const header = error.headers?.get('x-should-retry');
  if (header === 'true') return true;
  if (header === 'false') return false;
  const status = error.status;
  return status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500);
}

function attemptError(error: unknown, answered: boolean): AttemptError {
  if (error instanceof CloudError) return new AttemptError(error.failure, false, undefined);
  if (error instanceof Anthropic.APIUserAbortError) return new AttemptError({ kind: 'cancelled' }, false, undefined);
  if (error instanceof Anthropic.APIConnectionTimeoutError) return new AttemptError({ kind: 'timeout' }, !answered, undefined);
  if (error instanceof Anthropic.APIConnectionError) return new AttemptError({ kind: 'offline' }, !answered, undefined);
  if (error instanceof Anthropic.APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const message = body?.error?.message;
    const retryAfterMs = retryAfterOf(error.headers);
    const failure: CloudFailure = {
      kind: kindOf(error.status, body?.error?.type, message),
      status: error.status,
      apiMessage: message,
      requestId: error.requestID ?? undefined,
      retryAfterS: retryAfterMs === undefined ? undefined : Math.round(retryAfterMs / 100) / 10,
    };
    // An error event inside a stream has no status: the answer had started, so it is not retried.
    return new AttemptError(failure, !answered && error.status !== undefined && shouldRetry(error), retryAfterMs);
  }
  if (error instanceof Error && error.name === 'AbortError') return new AttemptError({ kind: 'cancelled' }, false, undefined);
  const text = error instanceof Error ? error.message : String(error);
  // A stream the SDK cannot parse (an event that is not JSON) is a malformed answer, not a network problem.
  if (error instanceof Anthropic.AnthropicError && /JSON|parse|Unexpected/i.test(text)) return new AttemptError({ kind: 'malformed', apiMessage: text }, false, undefined);
  return new AttemptError({ kind: 'unknown', apiMessage: text }, false, undefined);
}

/** The SDK's backoff: 0.5 s, 1 s, 2 s ... up to 8 s, less up to a quarter of jitter. */
function backoffMs(retry: number): number {
  return Math.min(0.5 * 2 ** retry, 8) * (1 - Math.random() * 0.25) * 1000;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Streams one Messages API call within one deadline, retrying what may be retried. Rejects with CloudError. */
export async function streamMessage(options: CloudOptions, req: CloudRequest, handlers: CloudHandlers): Promise<CloudResult> {
  const started = performance.now();
  const deadline = started + options.deadlineMs;
  const maxRetries = Math.max(0, Math.floor(options.maxRetries));
  const usage: Spent = { value: { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 } };
  for (let attempt = 1; ; attempt++) {
    const passed = () => performance.now() - started;
    const finish = (failure: CloudFailure): CloudError => {
      if (failure.kind !== 'cancelled') Object.assign(failure, { attempts: attempt, elapsedMs: Math.round(passed()), deadlineS: options.deadlineMs / 1000 });
      return new CloudError({ ...failure, usage: usage.bound ?? usage.value });
    };
    try {
      return await attemptOnce(clientFor(options), options, req, handlers, deadline - performance.now(), started, usage);
    } catch (error) {
      const failed = error instanceof AttemptError ? error : attemptError(error, true);
      const failure = failed.failure;
      // The outer signal (the user, or the budget cap) wins over whatever the SDK reported.
      if (handlers.signal.aborted && failure.kind !== 'stalled') throw finish({ kind: 'cancelled' });
      const left = deadline - performance.now();
      const wait = failed.retryAfterMs ?? backoffMs(attempt - 1);
      if (failed.retryAfterMs !== undefined && failed.retryAfterMs > 0) {
        // The API said when to come back: the breaker keeps the cloud paused until then.
        failure.availableAt = Date.now() + failed.retryAfterMs;
      }
      if (!failed.retryable || attempt > maxRetries) throw finish(failure);
      if (wait >= left) {
        if (failure.kind === 'timeout') failure.deadline = true;
        throw finish({ ...failure, waitTooLong: failed.retryAfterMs !== undefined });
      }
      await sleep(wait, handlers.signal);
      if (handlers.signal.aborted) throw finish({ kind: 'cancelled' });
      delete failure.availableAt;
    }
  }
}

async function attemptOnce(
  client: Anthropic,
  options: CloudOptions,
  req: CloudRequest,
  handlers: CloudHandlers,
  leftMs: number,
  started: number,
  usage: Spent,
): Promise<CloudResult> {
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  if (handlers.signal.aborted) abort.abort();
  handlers.signal.addEventListener('abort', onOuterAbort);
  let ttftMs: number | null = null;
  let cut: CloudFailure | undefined;
  let idle: NodeJS.Timeout | undefined;
  let answered = false;
  let text = '';
  let streamedBytes = 0;
  // Until Claude starts answering, the deadline holds; it may end an attempt before the SDK's own timeout does.
  const deadlineTimer = setTimeout(() => {
    cut = { kind: 'timeout', deadline: true };
    abort.abort();
  }, Math.max(0, leftMs));
  // The SDK's timeout covers the wait for headers; once a stream has started only this timer can cut it.
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      cut = { kind: 'stalled', seconds: Math.round(options.idleTimeoutMs / 100) / 10 };
      abort.abort();
    }, options.idleTimeoutMs);
  };
  const report = () => {
    usage.bound = { ...usage.value, output: Math.min(req.maxTokens, Math.max(usage.value.output, streamedBytes)) };
    handlers.onUsage?.(usage.bound);
  };
  try {
    const stream = client.messages.stream(
      {
        model: req.model,
        max_tokens: req.maxTokens,
        system: req.system,
        messages: req.messages,
        ...(req.tools ? { tools: req.tools.map((t) => ({ ...t, input_schema: t.input_schema as Anthropic.Tool.InputSchema })) } : {}),
        ...(req.toolChoice ? { tool_choice: { type: 'tool' as const, name: req.toolChoice } } : {}),
      },
      { signal: abort.signal, timeout: Math.max(1, Math.floor(Math.min(options.requestTimeoutMs, leftMs))), maxRetries: 0 },
    );
    stream.on('connect', armIdle);
    stream.on('streamEvent', (event) => {
      armIdle();
      if (event.type === 'message_start') {
        usage.value = usageFromApi(event.message.usage);
        report();
      } else if (event.type === 'message_delta' && event.usage) {
        usage.value = { ...usage.value, output: event.usage.output_tokens ?? usage.value.output };
        report();
      } else if (event.type === 'content_block_delta') {
        if (!answered) {
          answered = true;
          clearTimeout(deadlineTimer);
          ttftMs = Math.round(performance.now() - started);
        }
        const delta = event.delta as { type: string; text?: string; partial_json?: string };
        streamedBytes += Buffer.byteLength(delta.text ?? delta.partial_json ?? '');
        report();
      }
    });
    stream.on('text', (delta) => {
      text += delta;
      handlers.onText(delta);
    });
    const message = await stream.finalMessage();
    const toolInputs = message.content.filter((b) => b.type === 'tool_use').map((b) => (b as { input: unknown }).input);
    return { text, toolInputs, usage: usageFromApi(message.usage), stopReason: message.stop_reason ?? null, ttftMs };
  } catch (error) {
    if (cut) throw new AttemptError(cut, cut.kind === 'timeout' && !answered, undefined);
    throw attemptError(error, answered);
  } finally {
    clearTimeout(idle);
    clearTimeout(deadlineTimer);
    handlers.signal.removeEventListener('abort', onOuterAbort);
  }
}
