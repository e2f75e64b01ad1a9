// The Ollama and OpenAI-compatible backends through the engine over stdio, against a fake server on 127.0.0.1
// that records every request: what the server receives, what the editor gets back, and how each fault ends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChatRequest, GetStatsRequest, ModelStateNotification, SetServerApiKeyNotification, type ModelState } from '../../src/shared/protocol.js';
import { delay, startEngine, type EngineClient } from '../support/lsp-client.js';
import { insertAt, SAMPLE_CURSOR, SAMPLE_TEXT, SAMPLE_URI, typeAlong } from '../support/typing.js';
import { startFakeInference, type FakeInference } from '../support/fake-inference.js';

const URI = SAMPLE_URI;
const TEXT = SAMPLE_TEXT;
const CURSOR = SAMPLE_CURSOR;
const MODEL = 'qwen2.5-coder:1.5b-base';

async function engineFor(fake: FakeInference, local: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<EngineClient> {
  return startEngine({
    settings: { local: { url: fake.url, requestTimeoutMs: 2000, ...local }, completions: { timeBudgetMs: 1500 }, ...extra },
    env: { TANDEM_MODEL: undefined },
  });
}

function completionState(engine: EngineClient, predicate: (s: ModelState) => boolean, since = 0): Promise<ModelState> {
  return engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && predicate(s), 15_000, since);
}

const generations = (fake: FakeInference, path: string) => fake.requests.filter((r) => r.path === path).length;

void describe('Ollama backend (fake server)', () => {
  let fake: FakeInference;
  let engine: EngineClient;
  before(async () => {
    fake = await startFakeInference({ models: [MODEL, 'llama3.1:8b'] });
    engine = await engineFor(fake, { backend: 'ollama', model: MODEL, chatModel: 'llama3.1:8b' });
  });
  after(async () => {
    await engine.shutdown();
    await fake.stop();
  });

  void it('probes /api/show at start and reports the server, model and context in the model state', async () => {
    const ready = await completionState(engine, (s) => s.state === 'ready');
    assert.ok(ready.state === 'ready');
    assert.equal(ready.name, MODEL);
    assert.equal(ready.device, 'server');
    assert.equal(ready.contextSize, 4096, "Ollama's default context, below the model's 32768");
    assert.deepEqual(ready.backend, { kind: 'ollama', url: fake.url, remote: false, trusted: true });
    const shows = fake.requests.filter((r) => r.path === '/api/show').map((r) => r.body.model);
    assert.deepEqual(shows.sort(), [MODEL, 'llama3.1:8b'].sort());
  });

  void it('completes through /api/generate with prefix and suffix, stops the stream at the line limit', async () => {
    await engine.open(URI, 'typescript', TEXT);
    const closed = fake.closedEarly;
    const list = await engine.inlineCompletion(URI, CURSOR);
    assert.equal(list?.items[0]?.insertText, 'a + b;');
    const request = fake.requests.filter((r) => r.path === '/api/generate').at(-1)!;
    assert.equal(request.body.model, MODEL);
    assert.match(String(request.body.prompt), /\n {2}return $/);
    assert.match(String(request.body.suffix), /^\n\}\n/);
    assert.equal(request.body.stream, true);
    assert.deepEqual(request.body.options, { temperature: 0, num_predict: 64 });
    // The fake had more to say; the engine closed the request once it had two lines, freeing the server.
    await delay(50);
    assert.equal(fake.closedEarly, closed + 1);
  });

  void it('typed-ahead characters are answered from the cache with no request to the server', async () => {
    let sent = 0;
    await typeAlong(engine, { uri: URI, text: TEXT, cursor: CURSOR }, 3, () => {
      sent = generations(fake, '/api/generate');
    });
    assert.equal(generations(fake, '/api/generate'), sent, 'no request while typing ahead');
  });

  void it('chat goes to /api/chat on the chat model and streams back', async () => {
    const r = await engine.request(ChatRequest, { id: 'o1', kind: 'explain', prompt: 'What does add do?' });
    assert.equal(r.text, fake.chatAnswer);
    assert.equal(r.decision.route, 'local');
    assert.equal(r.decision.model, 'llama3.1:8b');
    const request = fake.requests.filter((r) => r.path === '/api/chat').at(-1)!;
    assert.equal(request.body.model, 'llama3.1:8b');
    const messages = request.body.messages as { role: string; content: string }[];
    assert.equal(messages[0].role, 'system');
    assert.match(messages.at(-1)!.content, /What does add do\?/);
    assert.equal(r.entry.tokens.input, 42, "the server's prompt_eval_count");
  });

  void it('a 5xx ends in a clear status and a pause, then the server is tried again and recovers', async () => {
    fake.fault = { path: /generate/, status: 503 };
    const since = engine.notifications.length;
    await engine.change(URI, insertAt(TEXT, 1, 9, 'x'));
    assert.equal(await engine.inlineCompletion(URI, { line: 1, character: 10 }), null);
    const failed = await completionState(engine, (s) => s.state === 'error', since);
    assert.ok(failed.state === 'error');
    assert.equal(failed.problem, 'server-error');
    assert.match(failed.message, /\/api\/generate failed with 503: fake fault 503/);
    // Within the pause nothing is sent on each keystroke.
    const sent = generations(fake, '/api/generate');
    await engine.change(URI, insertAt(TEXT, 1, 9, 'xy'));
    assert.equal(await engine.inlineCompletion(URI, { line: 1, character: 11 }), null);
    assert.equal(generations(fake, '/api/generate'), sent);
    const stats = await engine.request(GetStatsRequest);
    assert.ok(stats.skipped['server-unavailable'] >= 1);
    fake.fault = undefined;
    await delay(5100);
    const since2 = engine.notifications.length;
    await engine.change(URI, insertAt(TEXT, 1, 9, 'xyz'));
    assert.ok((await engine.inlineCompletion(URI, { line: 1, character: 12 }))?.items.length);
    await completionState(engine, (s) => s.state === 'ready', since2);
  });
});

void describe('Ollama backend faults at start (fake server)', () => {
  let fake: FakeInference;
  before(async () => {
    fake = await startFakeInference({ models: ['qwen2.5-coder:7b', 'llama3.1:8b'], noInsert: ['llama3.1:8b'] });
  });
  after(async () => fake.stop());

  void it('a model the server does not have: the status names the models it has and the command to pull', async () => {
    const engine = await engineFor(fake, { backend: 'ollama', model: 'qwen2.5-coder:1.5b-base' });
    try {
      const failed = await completionState(engine, (s) => s.state === 'error');
      assert.ok(failed.state === 'error');
      assert.equal(failed.problem, 'wrong-model');
      assert.match(failed.message, /has no model "qwen2\.5-coder:1\.5b-base": run `ollama pull qwen2\.5-coder:1\.5b-base`.*qwen2\.5-coder:7b, llama3\.1:8b/);
      await engine.open(URI, 'typescript', TEXT);
      assert.equal(await engine.inlineCompletion(URI, CURSOR), null);
      assert.equal(generations(fake, '/api/generate'), 0);
    } finally {
      await engine.shutdown();
    }
  });

  void it('a chat model that cannot fill in the middle: completions off with the reason, chat still works', async () => {
    const engine = await engineFor(fake, { backend: 'ollama', model: 'llama3.1:8b' });
    try {
      const off = await completionState(engine, (s) => s.state === 'error');
      assert.ok(off.state === 'error');
      assert.equal(off.problem, 'no-fim');
      assert.match(off.message, /cannot fill in the middle/);
      const chat = await engine.waitFor(ModelStateNotification, (s) => s.role === 'chat' && s.state === 'ready');
      assert.equal(chat.state, 'ready');
    } finally {
      await engine.shutdown();
    }
  });

  void it('nothing listening: "unreachable" with what to do', async () => {
    const engine = await startEngine({ settings: { local: { backend: 'ollama', url: 'http://127.0.0.1:9', model: 'm', requestTimeoutMs: 2000 } } });
    try {
      const down = await completionState(engine, (s) => s.state === 'error');
      assert.ok(down.state === 'error');
      assert.equal(down.problem, 'unreachable');
      assert.match(down.message, /Nothing answers at http:\/\/127\.0\.0\.1:9\/api\/version \(connection refused\): start the server, or fix tandem\.local\.url/);
    } finally {
      await engine.shutdown();
    }
  });
});

void describe('OpenAI-compatible backend (fake server)', () => {
  let fake: FakeInference;
  let engine: EngineClient;
  before(async () => {
    fake = await startFakeInference({ models: ['Qwen/Qwen2.5-Coder-1.5B', 'Qwen/Qwen2.5-Coder-7B-Instruct'] });
    engine = await engineFor(fake, { backend: 'openai-compatible', model: 'Qwen/Qwen2.5-Coder-1.5B', chatModel: 'Qwen/Qwen2.5-Coder-7B-Instruct' });
  });
  after(async () => {
    await engine.shutdown();
    await fake.stop();
  });

  void it('completes through /v1/completions with a Qwen FIM prompt Tandem builds, and the template\'s stops', async () => {
    const ready = await completionState(engine, (s) => s.state === 'ready');
    assert.ok(ready.state === 'ready');
    assert.equal(ready.contextSize, 32768, "vLLM's max_model_len");
    await engine.open(URI, 'typescript', TEXT);
    const list = await engine.inlineCompletion(URI, CURSOR);
    assert.equal(list?.items[0]?.insertText, 'a + b;');
    const request = fake.requests.filter((r) => r.path === '/v1/completions').at(-1)!;
    assert.equal(request.body.model, 'Qwen/Qwen2.5-Coder-1.5B');
    assert.equal(request.body.prompt, `<|fim_prefix|>${TEXT.slice(0, TEXT.indexOf('return ') + 7)}<|fim_suffix|>\n}\n<|fim_middle|>`);
    assert.equal(request.body.suffix, undefined, 'no suffix field: these servers do not take one');
    assert.ok((request.body.stop as string[]).includes('<|file_sep|>'));
    assert.equal(request.body.temperature, 0);
  });

  void it('chat goes to /v1/chat/completions on the chat model; usage comes from the server', async () => {
    const r = await engine.request(ChatRequest, { id: 'v1', kind: 'chat', prompt: 'Hello?' });
    assert.equal(r.text, fake.chatAnswer);
    assert.equal(r.decision.model, 'Qwen/Qwen2.5-Coder-7B-Instruct');
    assert.equal(r.entry.tokens.input, 57);
    const request = fake.requests.filter((q) => q.path === '/v1/chat/completions').at(-1)!;
    assert.equal(request.body.stream, true);
    assert.equal(request.body.model, 'Qwen/Qwen2.5-Coder-7B-Instruct');
  });

  void it('the API key from SecretStorage goes as a Bearer token; a 401 says which command fixes it', async () => {
    await engine.notify(SetServerApiKeyNotification, { apiKey: 'team-key-123' });
    await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'ready', 15_000, engine.notifications.length);
    await engine.change(URI, insertAt(TEXT, 1, 9, 'q'));
    await engine.inlineCompletion(URI, { line: 1, character: 10 });
    const last = fake.requests.filter((r) => r.path === '/v1/completions').at(-1)!;
    assert.equal(last.headers.authorization, 'Bearer team-key-123');
    fake.fault = { status: 401 };
    const since = engine.notifications.length;
    await engine.notify(SetServerApiKeyNotification, { apiKey: 'wrong-key' });
    const refused = await completionState(engine, (s) => s.state === 'error', since);
    assert.ok(refused.state === 'error');
    assert.equal(refused.problem, 'unauthorized');
    assert.match(refused.message, /Run "Tandem: Set Inference Server API Key"/);
    assert.ok(!engine.stderr.includes('team-key-123') && !engine.stderr.includes('wrong-key'), 'the key is never logged');
    fake.fault = undefined;
  });

  void it('a slow server: each completion ends at the time budget, and three in a row say the server is too slow', async () => {
    await engine.notify(SetServerApiKeyNotification, { apiKey: '' });
    await completionState(engine, (s) => s.state === 'ready', engine.notifications.length);
    fake.fault = { path: /completions$/, delayMs: 3000 };
    const since = engine.notifications.length;
    for (let i = 0; i < 3; i++) {
      await engine.change(URI, insertAt(TEXT, 1, 9, 'z'.repeat(i + 1)));
      const started = performance.now();
      const list = await engine.inlineCompletion(URI, { line: 1, character: 10 + i });
      assert.equal(list?.items.length ?? 0, 0, 'no suggestion');
      assert.ok(performance.now() - started < 2500, `held the keystroke ${Math.round(performance.now() - started)} ms`);
    }
    const slow = await completionState(engine, (s) => s.state === 'error', since);
    assert.ok(slow.state === 'error');
    assert.equal(slow.problem, 'timeout');
    assert.match(slow.message, /sent nothing within the completion time budget .* 3 times in a row/);
    fake.fault = undefined;
  });

  void it('a model the server does not serve is named with the ones it does', async () => {
    const other = await engineFor(fake, { backend: 'openai-compatible', model: 'bigcode/starcoder2-3b' });
    try {
      const failed = await completionState(other, (s) => s.state === 'error');
      assert.ok(failed.state === 'error');
      assert.equal(failed.problem, 'wrong-model');
      assert.match(failed.message, /does not serve "bigcode\/starcoder2-3b"; it serves Qwen\/Qwen2\.5-Coder-1\.5B, Qwen\/Qwen2\.5-Coder-7B-Instruct/);
    } finally {
      await other.shutdown();
    }
  });
});
