// The Anthropic SDK client. Imported ONLY by gate.ts (a unit test checks it): every model call to the
// network passes the egress gate. Streams with cancellation, an idle timer for stalled streams, SDK retries
// configured once, and SDK errors turned into CloudFailure.
import Anthropic from '@anthropic-ai/sdk';
import { CloudError, kindOf, type CloudFailure } from './errors.js';
import { usageFromApi, type Usage } from './prices.js';

export interface CloudOptions {
  apiKey: string;
  maxRetries: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
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
  /** Usage so far: input (with cache) from message_start, output estimated from streamed text. */
  onUsage?(usage: Usage): void;
}

export interface CloudResult {
  text: string;
  toolInputs: unknown[];
  usage: Usage;
  stopReason: string | null;
  ttftMs: number | null;
}

let cached: { key: string; client: Anthropic } | undefined;

function clientFor(options: CloudOptions): Anthropic {
  const key = `${options.apiKey}\u0000${options.maxRetries}\u0000${options.requestTimeoutMs}\u0000${process.env.ANTHROPIC_BASE_URL ?? ''}`;
  if (cached?.key === key) return cached.client;
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: process.env.ANTHROPIC_BASE_URL || undefined,
    // Retries live here only (429/529/5xx/connection, honouring retry-after); nothing retries on top.
    maxRetries: Math.max(0, Math.floor(options.maxRetries)),
    timeout: options.requestTimeoutMs,
    // The SDK's debug log prints request bodies; it stays off whatever ANTHROPIC_LOG says.
    logLevel: 'off',
  });
  cached = { key, client };
  return client;
}

function failureOf(error: unknown, stalledS: number | undefined, requestTimeoutS: number): CloudFailure {
  if (stalledS !== undefined) return { kind: 'stalled', seconds: stalledS };
  if (error instanceof CloudError) return error.failure;
  if (error instanceof Anthropic.APIUserAbortError) return { kind: 'cancelled' };
  if (error instanceof Anthropic.APIConnectionTimeoutError) return { kind: 'timeout', seconds: requestTimeoutS };
  if (error instanceof Anthropic.APIConnectionError) return { kind: 'offline' };
  if (error instanceof Anthropic.APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const type = body?.error?.type;
    const message = body?.error?.message;
    const retryAfter = error.headers?.get('retry-after');
    const seconds = retryAfter !== null && retryAfter !== undefined && retryAfter !== '' ? Number(retryAfter) : undefined;
    return {
      kind: kindOf(error.status, type, message),
      status: error.status,
      apiMessage: message,
      requestId: error.requestID ?? undefined,
      retryAfterS: seconds !== undefined && Number.isFinite(seconds) ? seconds : undefined,
    };
  }
  if (error instanceof Error && error.name === 'AbortError') return { kind: 'cancelled' };
  return { kind: 'unknown', apiMessage: error instanceof Error ? error.message : String(error) };
}

/** Streams one Messages API call. Rejects with CloudError. */
export async function streamMessage(options: CloudOptions, req: CloudRequest, handlers: CloudHandlers): Promise<CloudResult> {
  const client = clientFor(options);
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  if (handlers.signal.aborted) abort.abort();
  handlers.signal.addEventListener('abort', onOuterAbort);
  const started = performance.now();
  let ttftMs: number | null = null;
  let stalledS: number | undefined;
  let idle: NodeJS.Timeout | undefined;
  let text = '';
  let usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
  // The SDK's timeout covers the wait for headers; once a stream has started only this timer can cut it.
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      stalledS = Math.round(options.idleTimeoutMs / 1000);
      abort.abort();
    }, options.idleTimeoutMs);
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
      { signal: abort.signal },
    );
    stream.on('connect', armIdle);
    stream.on('streamEvent', (event) => {
      armIdle();
      if (event.type === 'message_start') {
        usage = usageFromApi(event.message.usage);
        handlers.onUsage?.(usage);
      } else if (event.type === 'content_block_delta' && ttftMs === null) {
        ttftMs = Math.round(performance.now() - started);
      }
    });
    stream.on('text', (delta) => {
      text += delta;
      handlers.onText(delta);
      handlers.onUsage?.({ ...usage, output: Math.ceil(text.length / 3) });
    });
    const message = await stream.finalMessage();
    const toolInputs = message.content.filter((b) => b.type === 'tool_use').map((b) => (b as { input: unknown }).input);
    return { text, toolInputs, usage: usageFromApi(message.usage), stopReason: message.stop_reason ?? null, ttftMs };
  } catch (error) {
    const failure = failureOf(error, stalledS, Math.round(options.requestTimeoutMs / 1000));
    // The outer signal (the user, or the budget cap) wins over whatever the SDK reported.
    if (handlers.signal.aborted && stalledS === undefined) failure.kind = 'cancelled';
    throw new CloudError(failure);
  } finally {
    clearTimeout(idle);
    handlers.signal.removeEventListener('abort', onOuterAbort);
  }
}
