// Chat over the OpenAI chat-completions API (`/v1/chat/completions` with `stream: true`), which llama-server and
// every OpenAI-compatible server speak: SSE `data:` lines with deltas, usage at the end.
import { ServerError, isAbort, type RequestOptions } from './http.js';
import type { Content, ServerLink } from './link.js';
import { estimateTokens, type ChatInput, type ChatOutput } from './types.js';

interface ChatChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null; logprobs?: { content?: { logprob?: number }[] | null } | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

/** One `data:` line of an SSE stream: the parsed JSON, 'done' for `[DONE]`, or undefined for other lines. */
export function sseData<T>(line: string): T | 'done' | undefined {
  if (!line.startsWith('data:')) return undefined;
  const data = line.slice(5).trim();
  if (data === '[DONE]') return 'done';
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}

export function chatMessages(input: ChatInput): { role: 'system' | 'user' | 'assistant'; content: string }[] {
  return [...(input.system ? [{ role: 'system' as const, content: input.system }] : []), ...input.messages];
}

/** What a chat request carries, for the egress gate. */
export function chatContent(input: ChatInput, messages: { content: string }[]): Content {
  const texts = messages.map((m) => m.content);
  return {
    kind: input.kind ?? 'chat', sources: input.sources ?? [], texts, tokens: estimateTokens(texts.join('\n')),
    redactions: input.redactions ?? [], consented: input.consented,
  };
}

export async function openAiChat(
  link: ServerLink,
  input: ChatInput,
  /** `logprobs`: ask for each token's log-probability (servers known to give them: the local-confidence signal). */
  options: { path: string; model?: string; timeoutMs: number; logprobs?: boolean; extra?: Record<string, unknown> },
): Promise<ChatOutput> {
  const messages = chatMessages(input);
  const body = {
    ...(options.model ? { model: options.model } : {}),
    messages,
    max_tokens: input.maxTokens,
    temperature: 0.2,
    stream: true,
    stream_options: { include_usage: true },
    ...(options.logprobs ? { logprobs: true } : {}),
    ...options.extra,
  };
  const logprobs: number[] = [];
  const started = performance.now();
  let ttftMs: number | null = null;
  let text = '';
  let usage: ChatChunk['usage'];
  const request: RequestOptions = { signal: input.signal, timeoutMs: options.timeoutMs };
  const content = chatContent(input, messages);
  try {
    await link.stream(content, options.path, body, request, (line) => {
      const chunk = sseData<ChatChunk>(line);
      if (chunk === 'done') return false;
      if (!chunk) return;
      if (chunk.error) throw new ServerError('server-error', `The server failed while answering: ${typeof chunk.error === 'string' ? chunk.error : chunk.error.message}`);
      for (const p of chunk.choices?.[0]?.logprobs?.content ?? []) if (typeof p.logprob === 'number') logprobs.push(p.logprob);
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        ttftMs ??= performance.now() - started;
        text += delta;
        input.onText(delta);
      }
      if (chunk.usage) usage = chunk.usage;
    });
  } catch (error) {
    // Cancelled: the answer so far stands, as with the embedded model.
    if (!(input.signal.aborted && isAbort(error))) throw error;
  }
  return {
    text,
    promptTokens: usage?.prompt_tokens ?? content.tokens,
    outputTokens: usage?.completion_tokens ?? estimateTokens(text),
    ttftMs,
    ...(logprobs.length ? { meanLogProb: logprobs.reduce((a, b) => a + b, 0) / logprobs.length } : {}),
  };
}
