// A fake Anthropic Messages API on 127.0.0.1 for tests: streaming SSE with usage (cache fields included),
// count_tokens, and scripted faults (429 with retry-after, 529, 500, an error event mid-stream, a stall, no
// answer at all, a dropped connection, a malformed stream). Each request takes the next behaviour from a queue (default: echo) and is recorded
// (in memory, and in a JSONL file when asked). It stops by itself after `lifetimeMs`.
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { echoAnswer, echoUsage, requestText, approxTokens, type Block, type FakeRequestBody, type FakeUsage } from './echo.js';

export type Behaviour =
  | { type: 'echo'; usage?: Partial<FakeUsage>; delayMs?: number }
  | { type: 'text'; text: string; usage?: Partial<FakeUsage>; chunks?: number; delayMs?: number }
  /** A tool_use answer with this input (e.g. scripted propose_edits), after `delayMs` of silence. */
  | { type: 'tool'; name: string; input: unknown; usage?: Partial<FakeUsage>; delayMs?: number }
  | { type: 'status'; status: number; errorType: string; message?: string; retryAfter?: number }
  /** Streams some text, then an `error` event (e.g. overloaded_error). */
  | { type: 'error-event'; text: string; errorType: string; message?: string; inputTokens?: number }
  /** Headers and message_start, some text, then nothing until the client gives up. */
  | { type: 'stall'; text?: string; inputTokens?: number }
  /** message_start, then an event whose data is not JSON. */
  | { type: 'malformed'; inputTokens?: number }
  /** The socket is closed without any response. */
  | { type: 'drop' }
  /** The request is read and never answered (no headers): the client's request timeout must fire. */
  | { type: 'hang' };

export interface RecordedRequest {
  time: string;
  path: string;
  headers: Record<string, string>;
  body: FakeRequestBody;
  behaviour: Behaviour['type'];
}

export interface FakeAnthropic {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Behaviours for the next requests to /v1/messages, in order. */
  enqueue(...behaviours: Behaviour[]): void;
  /** Everything the fake received, as one string (for "never appears in what left" checks). */
  received(): string;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeOptions {
  port?: number;
  record?: string;
  /** Stops by itself after this long (default 10 minutes). */
  lifetimeMs?: number;
  /** Accept `POST /_fake/enqueue` (a JSON list of behaviours) from another process, e.g. a browser e2e test. */
  control?: boolean;
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fullUsage(base: FakeUsage, extra: Partial<FakeUsage> | undefined, maxTokens: number | undefined): FakeUsage {
  const u = { ...base, ...extra };
  // Like the API: never more output than max_tokens.
  if (maxTokens !== undefined) u.output_tokens = Math.min(u.output_tokens, maxTokens);
  if (extra?.cache_creation && extra.cache_creation_input_tokens === undefined)
    u.cache_creation_input_tokens = extra.cache_creation.ephemeral_5m_input_tokens + extra.cache_creation.ephemeral_1h_input_tokens;
  return u;
}

async function stream(res: ServerResponse, body: FakeRequestBody, blocks: Block[], usage: FakeUsage, opts: { chunks?: number; delayMs?: number; alive: () => boolean }): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_fake_${Date.now()}` });
  const { output_tokens, ...startUsage } = usage;
  sse(res, 'message_start', {
    type: 'message_start',
    message: { id: `msg_fake_${Date.now()}`, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...startUsage, output_tokens: 1 } },
  });
  sse(res, 'ping', { type: 'ping' });
  for (const [index, block] of blocks.entries()) {
    if (block.type === 'text') {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      const n = Math.max(1, Math.min(opts.chunks ?? 4, block.text.length));
      const size = Math.ceil(block.text.length / n);
      for (let i = 0; i < block.text.length && opts.alive(); i += size) {
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text.slice(i, i + size) } });
        if (opts.delayMs) await sleep(opts.delayMs);
      }
    } else {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      const json = JSON.stringify(block.input);
      for (let i = 0; i < json.length; i += 200)
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 200) } });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  }
  const stopReason = blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : output_tokens >= (body.max_tokens ?? Infinity) ? 'max_tokens' : 'end_turn';
  sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens } });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

export async function startFakeAnthropic(options: FakeOptions = {}): Promise<FakeAnthropic> {
  const queue: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: FakeRequestBody = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as FakeRequestBody;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'Body is not JSON.' } }));
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    if (options.control && req.method === 'POST' && path === '/_fake/enqueue') {
      queue.push(...(Array.isArray(body) ? (body as Behaviour[]) : [body as unknown as Behaviour]));
      res.writeHead(204).end();
      return;
    }
    const isMessages = req.method === 'POST' && path === '/v1/messages';
    const behaviour: Behaviour = isMessages ? (queue.shift() ?? { type: 'echo' }) : { type: 'echo' };
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const record: RecordedRequest = { time: new Date().toISOString(), path, headers, body, behaviour: behaviour.type };
    requests.push(record);
    // The file never holds the key: only whether one was sent.
    const hidden = { ...headers, 'x-api-key': headers['x-api-key'] ? '<set>' : '<none>', authorization: headers.authorization ? '<set>' : '<none>' };
    if (options.record) appendFileSync(options.record, JSON.stringify({ ...record, headers: hidden }) + '\n');

    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: approxTokens(requestText(body)) }));
      return;
    }
    if (!isMessages) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `No route ${req.method} ${path}` } }));
      return;
    }
    const alive = () => !res.destroyed && !res.writableEnded;
    switch (behaviour.type) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'hang':
        open.add(res);
        res.on('close', () => open.delete(res));
        return;
      case 'status': {
        const h: Record<string, string> = { 'content-type': 'application/json', 'request-id': 'req_fake_error', 'x-should-retry': 'true' };
        if (behaviour.retryAfter !== undefined) h['retry-after'] = String(behaviour.retryAfter);
        res.writeHead(behaviour.status, h);
        res.end(JSON.stringify({ type: 'error', error: { type: behaviour.errorType, message: behaviour.message ?? behaviour.errorType } }));
        return;
      }
      case 'error-event': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        sse(res, 'message_start', { type: 'message_start', message: { id: 'msg_fake_err', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: behaviour.inputTokens ?? 10, output_tokens: 1 } } });
        sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
        sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: behaviour.text } });
        sse(res, 'error', { type: 'error', error: { type: behaviour.errorType, message: behaviour.message ?? behaviour.errorType } });
        res.end();
        return;
      }
      case 'malformed': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        sse(res, 'message_start', { type: 'message_start', message: { id: 'msg_fake_bad', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: behaviour.inputTokens ?? 10, output_tokens: 1 } } });
        res.write('event: content_block_delta\ndata: {"type":"content_block_delta",\n\n');
        res.end();
        return;
      }
      case 'stall': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        sse(res, 'message_start', { type: 'message_start', message: { id: 'msg_fake_stall', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: behaviour.inputTokens ?? 10, output_tokens: 1 } } });
        if (behaviour.text) {
          sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
          sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: behaviour.text } });
        }
        open.add(res); // left open: the client must give up; close() ends it
        res.on('close', () => open.delete(res));
        return;
      }
      case 'text': {
        const blocks: Block[] = [{ type: 'text', text: behaviour.text }];
        await stream(res, body, blocks, fullUsage(echoUsage(body, blocks), behaviour.usage, body.max_tokens), { chunks: behaviour.chunks, delayMs: behaviour.delayMs, alive });
        return;
      }
      case 'tool': {
        if (behaviour.delayMs) await sleep(behaviour.delayMs);
        const blocks: Block[] = [{ type: 'tool_use', id: 'toolu_fake_scripted', name: behaviour.name, input: behaviour.input }];
        await stream(res, body, blocks, fullUsage(echoUsage(body, blocks), behaviour.usage, body.max_tokens), { alive });
        return;
      }
      default: {
        const blocks = echoAnswer(body);
        await stream(res, body, blocks, fullUsage(echoUsage(body, blocks), behaviour.usage, body.max_tokens), { delayMs: behaviour.delayMs, alive });
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const lifetime = setTimeout(() => void close(), options.lifetimeMs ?? 10 * 60_000);
  lifetime.unref();
  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      for (const res of open) res.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...b) => void queue.push(...b),
    received: () => requests.map((r) => JSON.stringify(r.body)).join('\n'),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close,
  };
}

/** A loopback URL where nothing listens (connection refused). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
