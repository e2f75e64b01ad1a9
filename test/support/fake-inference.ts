// A small fake inference server on 127.0.0.1 for the Ollama and OpenAI-compatible backends (no real one can be
// installed here): it records every request (path, headers, body) and answers like the real APIs do, streamed
// (Ollama NDJSON, OpenAI SSE). Faults are switched on per test: a status code, a delay, a dropped connection.
//
//   const fake = await startFakeInference({ models: ['qwen2.5-coder:1.5b-base'] });
//   fake.fault = { path: /generate/, status: 503 };
//   fake.requests.at(-1).body.suffix
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface Fault {
  /** Only requests whose path matches (all when absent). */
  path?: RegExp;
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Close the connection without an answer. */
  drop?: boolean;
}

export interface FakeInference {
  url: string;
  requests: RecordedRequest[];
  fault: Fault | undefined;
  /** What completions and chat answers say (streamed a few characters at a time). */
  completion: string;
  chatAnswer: string;
  /** Requests that were closed by the client before the answer ended (cancellation reached the server). */
  closedEarly: number;
  stop(): Promise<void>;
}

export interface FakeOptions {
  models?: string[];
  /** Ollama: models that cannot fill in the middle (no 'insert' capability). */
  noInsert?: string[];
  contextLength?: number;
  /** Pause between streamed pieces, in milliseconds. */
  pieceDelayMs?: number;
}

function pieces(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export async function startFakeInference(options: FakeOptions = {}): Promise<FakeInference> {
  const models = options.models ?? ['qwen2.5-coder:1.5b-base'];
  const state: FakeInference = {
    url: '',
    requests: [],
    fault: undefined,
    completion: 'a + b;\n}\n\nexport function sub(a: number, b: number): number {\n  return a - b;\n}\n',
    chatAnswer: 'This function adds two numbers.',
    closedEarly: 0,
    stop: async () => undefined,
  };

  async function stream(res: ServerResponse, lines: string[], type: string): Promise<void> {
    res.writeHead(200, { 'content-type': type });
    let closed = false;
    res.on('close', () => {
      if (!res.writableEnded) {
        closed = true;
        state.closedEarly++;
      }
    });
    for (const line of lines) {
      if (closed) return;
      res.write(`${line}\n`);
      await sleep(options.pieceDelayMs ?? 2);
    }
    res.end();
  }

  function json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const fault = state.fault;
    if (fault && (!fault.path || fault.path.test(path))) {
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status) return json(res, fault.status, { error: { message: `fake fault ${fault.status}` } });
    }
    const model = typeof body.model === 'string' ? body.model : '';
    const known = (name: string) => models.includes(name);
    // Ollama
    if (path === '/api/version') return json(res, 200, { version: '0.12.0-fake' });
    if (path === '/api/tags') return json(res, 200, { models: models.map((name) => ({ name })) });
    if (path === '/api/show') {
      if (!known(model)) return json(res, 404, { error: `model '${model}' not found` });
      const caps = options.noInsert?.includes(model) ? ['completion'] : ['completion', 'insert'];
      return json(res, 200, { capabilities: caps, parameters: 'stop "<|endoftext|>"', model_info: { 'qwen2.context_length': options.contextLength ?? 32768 } });
    }
    if (path === '/api/generate' || path === '/api/chat') {
      if (!known(model)) return json(res, 404, { error: `model '${model}' not found, try pulling it first` });
      const text = path === '/api/generate' ? state.completion : state.chatAnswer;
      const key = path === '/api/generate' ? 'response' : 'message';
      const lines = pieces(text).map((p) => JSON.stringify({ model, [key]: key === 'response' ? p : { role: 'assistant', content: p }, done: false }));
      lines.push(JSON.stringify({ model, done: true, done_reason: 'stop', prompt_eval_count: 42, prompt_eval_duration: 3_000_000, eval_count: pieces(text).length, eval_duration: 5_000_000 }));
      return stream(res, lines, 'application/x-ndjson');
    }
    // OpenAI-compatible
    if (path === '/v1/models') return json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', max_model_len: options.contextLength ?? 32768 })) });
    if (path === '/v1/completions' || path === '/v1/chat/completions') {
      if (!known(model)) return json(res, 404, { error: { message: `The model \`${model}\` does not exist.` } });
      const chat = path.endsWith('/chat/completions');
      const text = chat ? state.chatAnswer : state.completion;
      const lines = pieces(text).map((p) => `data: ${JSON.stringify({ choices: [chat ? { index: 0, delta: { content: p } } : { index: 0, text: p, logprobs: body.logprobs ? { token_logprobs: [-0.25] } : null }] })}\n`);
      lines.push(`data: ${JSON.stringify({ choices: [chat ? { index: 0, delta: {}, finish_reason: 'stop' } : { index: 0, text: '', finish_reason: 'stop' }] })}\n`);
      lines.push(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 57, completion_tokens: pieces(text).length, prompt_tokens_details: { cached_tokens: 50 } } })}\n`);
      lines.push('data: [DONE]\n');
      return stream(res, lines, 'text/event-stream');
    }
    return json(res, 404, { error: `no route for ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        body = { unparsed: Buffer.concat(chunks).toString('utf8') };
      }
      state.requests.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0], headers: req.headers, body });
      handle(req, res, body).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
