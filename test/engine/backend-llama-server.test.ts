// The llama-server backend against a REAL llama-server (built by scripts/build-llama-server.sh from the llama.cpp
// source node-llama-cpp ships) on 127.0.0.1, serving the test GGUF: probe, completions with KV-cache reuse across
// keystrokes, typed-ahead with no request, cancellation closing the request, chat, log-probabilities, and the
// server going away.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatRequest, GetStatsRequest, ModelStateNotification, type ModelState } from '../../src/shared/protocol.js';
import { mergeSettings } from '../../src/shared/settings.js';
import { LlamaServerBackend } from '../../src/server/backends/llama-server.js';
import { delay, firstText, startEngine, TINY_MODEL, type EngineClient } from '../support/lsp-client.js';
import { insertAt, SAMPLE_CURSOR, SAMPLE_TEXT, SAMPLE_URI, typeAlong } from '../support/typing.js';
import { startLlamaServer, type LlamaServer } from '../support/llama-server.js';

const URI = SAMPLE_URI;
const TEXT = SAMPLE_TEXT;
const CURSOR = SAMPLE_CURSOR;

/** A private copy of the fixture: `npm run fixture` rewrites it in place, and the server maps the file. */
function modelCopy(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tandem-llama-')), 'tiny.gguf');
  copyFileSync(TINY_MODEL, path);
  return path;
}

interface Slot {
  id: number;
  is_processing: boolean;
}

void describe('llama-server backend (real server)', () => {
  let server: LlamaServer;
  let engine: EngineClient;
  const model = modelCopy();
  before(async () => {
    server = await startLlamaServer({ model });
    engine = await startEngine({
      settings: { local: { backend: 'llama-server', url: server.url }, completions: { maxTokens: 128, timeBudgetMs: 5000 } },
      env: { TANDEM_MODEL: undefined },
    });
  });
  after(async () => {
    await engine.shutdown();
    await server.stop();
  });

  void it('probes /health, /props and /infill at start: the model, its context per slot and the slots', async () => {
    const ready = await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'ready');
    assert.ok(ready.state === 'ready');
    assert.equal(ready.name, 'tiny');
    assert.equal(ready.device, 'server');
    assert.equal(ready.contextSize, 4096);
    assert.deepEqual(ready.backend, { kind: 'llama-server', url: server.url, remote: false, trusted: true, slots: 1 });
  });

  void it('a completion comes from /infill on the server', async () => {
    await engine.open(URI, 'typescript', TEXT);
    const list = await engine.inlineCompletion(URI, CURSOR);
    assert.ok(list && list.items.length === 1, 'one suggestion');
    assert.ok(firstText(list).trim().length > 0);
    const stats = await engine.request(GetStatsRequest, { recent: 1 });
    const record = stats.recent[0];
    assert.equal(record.source, 'model');
    assert.ok(record.promptTokens > 20, `the server reported ${record.promptTokens} prompt tokens`);
    assert.ok(record.generatedTokens > 0);
  });

  void it('the next keystroke re-uses the slot\'s KV cache: only the changed tail is evaluated (timings.cache_n)', async () => {
    await engine.change(URI, TEXT);
    await engine.inlineCompletion(URI, CURSOR);
    await engine.change(URI, insertAt(TEXT, CURSOR.line, CURSOR.character, '~'));
    await engine.inlineCompletion(URI, { line: CURSOR.line, character: CURSOR.character + 1 });
    const [last] = (await engine.request(GetStatsRequest, { recent: 1 })).recent;
    assert.equal(last.source, 'model');
    assert.ok(last.evaluatedTokens <= 4, `evaluated ${last.evaluatedTokens} of ${last.promptTokens} prompt tokens`);
    assert.ok(last.promptTokens > 20);
  });

  void it('typed-ahead characters are answered from the cache with no request to the server', async () => {
    let before = await engine.request(GetStatsRequest);
    const typed = await typeAlong(engine, { uri: URI, text: TEXT, cursor: CURSOR }, 3, async () => {
      before = await engine.request(GetStatsRequest);
    });
    const after = await engine.request(GetStatsRequest);
    assert.equal(after.generations, before.generations, 'no request to the server while typing ahead');
    assert.equal(after.cacheHits - before.cacheHits, typed);
  });

  void it('a newer keystroke cancels the older request', async () => {
    const big = 'file:///workspace/src/big.ts';
    const line = `export const value_${'x'.repeat(80)} = 1;`;
    await engine.open(big, 'typescript', `${Array.from({ length: 60 }, () => line).join('\n')}\n`);
    await engine.change(URI, TEXT);
    const before = await engine.request(GetStatsRequest);
    const older = engine.inlineCompletion(big, { line: 59, character: 20 });
    await delay(5);
    const newer = engine.inlineCompletion(URI, CURSOR);
    assert.equal(await older, null);
    assert.notEqual(await newer, null, 'the newer request is answered');
    const after = await engine.request(GetStatsRequest, { recent: 2 });
    assert.equal(after.cancelled, before.cancelled + 1);
    assert.equal(after.recent.find((r) => r.uri === big)?.source, 'cancelled');
  });

  void it('chat runs on the server through /v1/chat/completions', async () => {
    const r = await engine.request(ChatRequest, { id: 'ls1', kind: 'explain', prompt: 'What does add do?', files: [{ uri: URI, text: TEXT }] });
    assert.equal(r.decision.route, 'local');
    assert.equal(r.decision.model, 'tiny');
    assert.ok(r.text.length > 0);
    assert.ok(r.entry.tokens.input > 20, `prompt tokens from the server's usage: ${r.entry.tokens.input}`);
  });

  void it('the server going away ends in "unreachable" with what to do; completions are skipped meanwhile', async () => {
    await server.stop();
    const since = engine.notifications.length;
    await engine.change(URI, insertAt(TEXT, 1, 9, 'q'));
    assert.equal((await engine.inlineCompletion(URI, { line: 1, character: 10 }))?.items.length ?? 0, 0);
    const down = await engine.waitFor(ModelStateNotification, (s: ModelState) => s.role === 'completion' && s.state === 'error', 10_000, since);
    assert.ok(down.state === 'error');
    assert.equal(down.problem, 'unreachable');
    // Refused (a new connection) or reset (a kept-alive one the server closed as it stopped): either way it names the
    // server and says what to do.
    assert.match(down.message, /http:\/\/127\.0\.0\.1:\d+\/infill (\(connection refused\)|closed the connection \(ECONNRESET\)): .*start .*, or fix tandem\.local\.url/);
    assert.equal(await engine.inlineCompletion(URI, { line: 1, character: 10 }), null);
    assert.ok((await engine.request(GetStatsRequest)).skipped['server-unavailable'] >= 1);
  });
});

void describe('llama-server backend used directly (real server)', () => {
  let server: LlamaServer;
  let backend: LlamaServerBackend;
  const input = (over: Record<string, unknown> = {}) => ({
    uri: URI, path: 'src/math.ts', prefix: 'export function add(a: number, b: number): number {\n  return ', suffix: '\n}\n', startLine: 0, endLine: 3,
    context: [], maxTokens: 8, maxLines: 3, deadline: performance.now() + 5000, signal: new AbortController().signal, ...over,
  });
  before(async () => {
    server = await startLlamaServer({ model: modelCopy() });
    const settings = mergeSettings({ local: { backend: 'llama-server', url: server.url } });
    backend = new LlamaServerBackend({ settings: () => settings, log: { info: () => undefined, warn: () => undefined }, publish: () => undefined, apiKey: () => undefined, egress: () => undefined, loopbackIsRemote: false });
  });
  after(async () => {
    await backend.dispose();
    await server.stop();
  });

  void it('gives the log-probability of each generated token when asked', async () => {
    const out = await (await backend.fim()).complete(input({ logprobs: true }));
    assert.ok(out.generatedTokens > 0);
    assert.equal(out.logprobs?.length, out.generatedTokens);
    assert.ok(out.logprobs!.every((p) => p <= 0 && Number.isFinite(p)), JSON.stringify(out.logprobs));
  });

  void it('aborting closes the HTTP request: the server cancels the task and frees the slot at once', async () => {
    const session = await backend.fim();
    const controller = new AbortController();
    const running = session.complete(input({ maxTokens: 3000, maxLines: 3000, signal: controller.signal }));
    // Wait until the server is generating for this request, then abort it.
    for (let i = 0; i < 200 && !(await server.get<Slot[]>('/slots')).some((s) => s.is_processing); i++) await delay(2);
    controller.abort();
    const out = await running;
    assert.equal(out.aborted, true);
    let busy = true;
    for (let i = 0; i < 50 && busy; i++) {
      busy = (await server.get<Slot[]>('/slots')).some((s) => s.is_processing);
      if (busy) await delay(10);
    }
    assert.equal(busy, false, 'the slot is still generating after the abort');
    assert.match(server.logs(), /cancel task/);
    assert.ok(out.generatedTokens < 3000, `stopped after ${out.generatedTokens} tokens`);
  });
});
