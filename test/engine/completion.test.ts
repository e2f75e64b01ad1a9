// Inline completions through the stdio engine on the fixture model.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetStatsRequest, ModelStateNotification } from '../../src/shared/protocol.js';
import { CancellationTokenSource, firstText, startEngine, TINY_MODEL, type EngineClient } from '../support/lsp-client.js';

const URI = 'file:///workspace/src/math.ts';
const TEXT = 'export function add(a: number, b: number): number {\n  return \n}\n';
const CURSOR = { line: 1, character: 9 };

function insertAt(text: string, line: number, character: number, insert: string): string {
  const lines = text.split('\n');
  lines[line] = lines[line].slice(0, character) + insert + lines[line].slice(character);
  return lines.join('\n');
}

void describe('inline completions', () => {
  let engine: EngineClient;
  before(async () => {
    engine = await startEngine({
      env: { TANDEM_MODEL: TINY_MODEL },
      settings: { completions: { maxTokens: 128, timeBudgetMs: 5000 } },
    });
  });
  after(async () => {
    await engine.shutdown();
  });

  void it('declares the inline completion provider', () => {
    assert.ok(engine.capabilities.inlineCompletionProvider);
  });

  void it('returns a completion at the cursor and reports the model ready on the CPU', async () => {
    await engine.open(URI, 'typescript', TEXT);
    const list = await engine.inlineCompletion(URI, CURSOR);
    assert.ok(list && list.items.length === 1, 'one suggestion');
    const item = list.items[0];
    assert.ok(typeof item.insertText === 'string' && item.insertText.trim().length > 0, 'visible text');
    assert.deepEqual(item.range, { start: CURSOR, end: CURSOR });
    const ready = await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'ready');
    assert.equal(ready.state === 'ready' && ready.device, 'cpu');
    assert.equal(ready.state === 'ready' && ready.fim, true);
  });

  void it('answers typed-ahead characters from the cache with no model call', async () => {
    await engine.change(URI, TEXT);
    const first = await engine.inlineCompletion(URI, CURSOR);
    const suggestion = firstText(first);
    assert.ok(suggestion.length >= 3, `a suggestion to type into: ${JSON.stringify(suggestion)}`);
    const before = await engine.request(GetStatsRequest);
    let text = TEXT;
    const steps = Math.min(6, suggestion.length - 1);
    for (let i = 0; i < steps; i++) {
      text = insertAt(text, CURSOR.line, CURSOR.character + i, suggestion[i]);
      await engine.change(URI, text);
      const list = await engine.inlineCompletion(URI, { line: CURSOR.line, character: CURSOR.character + i + 1 });
      assert.equal(list?.items[0]?.insertText, suggestion.slice(i + 1), 'the rest of the same suggestion');
    }
    const after = await engine.request(GetStatsRequest);
    assert.equal(after.generations, before.generations, 'no generation while typing ahead');
    assert.equal(after.cacheHits - before.cacheHits, steps);
  });

  void it('re-uses the KV cache: typing one character evaluates only the changed tail of the prompt', async () => {
    await engine.change(URI, TEXT);
    await engine.inlineCompletion(URI, CURSOR);
    const typed = insertAt(TEXT, CURSOR.line, CURSOR.character, '~');
    await engine.change(URI, typed);
    await engine.inlineCompletion(URI, { line: CURSOR.line, character: CURSOR.character + 1 });
    const stats = await engine.request(GetStatsRequest, { recent: 1 });
    const last = stats.recent[0];
    assert.equal(last.source, 'model');
    assert.ok(last.evaluatedTokens <= 4, `evaluated ${last.evaluatedTokens} of ${last.promptTokens} prompt tokens`);
    assert.ok(last.promptTokens > 20);
  });

  void it('cancels stale requests: only the newest keystroke generates', async () => {
    const before = await engine.request(GetStatsRequest);
    let text = TEXT;
    const pending: Promise<unknown>[] = [];
    const letters = 'qzvk';
    for (let i = 0; i < letters.length; i++) {
      text = insertAt(text, CURSOR.line, CURSOR.character + i, letters[i]);
      await engine.change(URI, text);
      pending.push(engine.inlineCompletion(URI, { line: CURSOR.line, character: CURSOR.character + i + 1 }));
    }
    const results = (await Promise.all(pending)) as ({ items: { insertText: string }[] } | null)[];
    const newest = results[results.length - 1];
    assert.ok(newest && newest.items.length === 1, 'the newest request gets a suggestion');
    const after = await engine.request(GetStatsRequest);
    assert.ok(after.cancelled > before.cancelled, `older requests were cancelled (${after.cancelled - before.cancelled})`);
    assert.ok(results.slice(0, -1).some((r) => r === null), 'a stale request returned nothing');
  });

  void it('a newer keystroke stops an older prompt evaluation between chunks', async () => {
    const big = 'file:///workspace/src/big.ts';
    const line = `export const value_${'x'.repeat(80)} = 1;`;
    await engine.open(big, 'typescript', `${Array.from({ length: 60 }, () => line).join('\n')}\n`);
    const before = await engine.request(GetStatsRequest);
    const older = engine.inlineCompletion(big, { line: 59, character: 20 });
    const newer = engine.inlineCompletion(URI, CURSOR);
    assert.equal(await older, null);
    assert.ok((await newer)?.items.length === 1, 'the newer request is answered');
    const stats = await engine.request(GetStatsRequest, { recent: 2 });
    const record = stats.recent.find((r) => r.uri === big)!;
    assert.equal(record.source, 'cancelled');
    assert.ok(record.promptTokens > 1000, `a long prompt (${record.promptTokens} tokens)`);
    assert.ok(record.evaluatedTokens < record.promptTokens / 2, `stopped after ${record.evaluatedTokens} tokens`);
    assert.equal(stats.cancelled, before.cancelled + 1);
  });

  void it('stops work when the client cancels the request ($/cancelRequest)', async () => {
    // A long cold prompt (the file from the previous test, another position) is still being evaluated
    // when the cancellation arrives.
    const big = 'file:///workspace/src/big.ts';
    const before = await engine.request(GetStatsRequest);
    const source = new CancellationTokenSource();
    const request = engine.inlineCompletion(big, { line: 58, character: 30 }, source);
    setTimeout(() => source.cancel(), 15);
    const result = await request.catch((error: { code?: number }) => error);
    const after = await engine.request(GetStatsRequest, { recent: 1 });
    assert.ok(result === null || (result as { code?: number }).code === -32800, 'no suggestion for a cancelled request');
    assert.equal(after.cancelled, before.cancelled + 1);
    assert.ok(after.recent[0].evaluatedTokens < after.recent[0].promptTokens, 'stopped before the end of the prompt');
    // The engine still serves the next request.
    const next = await engine.inlineCompletion(URI, CURSOR);
    assert.ok(next && next.items.length === 1);
  });

  void it('writes CRLF line breaks into CRLF documents', async () => {
    const uri = 'file:///workspace/src/crlf.ts';
    await engine.open(uri, 'typescript', 'function f() {\r\n  \r\n}\r\n');
    const list = await engine.inlineCompletion(uri, { line: 1, character: 2 });
    const text = firstText(list);
    assert.ok(!/(^|[^\r])\n/.test(text), `no bare LF in ${JSON.stringify(text)}`);
  });

  void it('skips huge, binary and long-line files with a reason counted in stats', async () => {
    const huge = 'file:///workspace/huge.js';
    const binary = 'file:///workspace/blob.bin';
    const minified = 'file:///workspace/min.js';
    await engine.open(huge, 'javascript', 'let a = 1;\n'.repeat(1024 * 1024));
    await engine.open(binary, 'plaintext', 'PK\u0003\u0004\u0000\u0000\u0001binary');
    await engine.open(minified, 'javascript', 'var a=1;'.repeat(2000));
    assert.equal(await engine.inlineCompletion(huge, { line: 5, character: 0 }), null);
    assert.equal(await engine.inlineCompletion(binary, { line: 0, character: 3 }), null);
    assert.equal(await engine.inlineCompletion(minified, { line: 0, character: 100 }), null);
    const stats = await engine.request(GetStatsRequest);
    assert.ok(stats.skipped['too-large'] >= 1);
    assert.ok(stats.skipped.binary >= 1);
    assert.ok(stats.skipped['long-line'] >= 1);
    assert.equal(engine.alive, true);
  });

  void it('reports per-stage timings with p50/p90 and tokens evaluated', async () => {
    const stats = await engine.request(GetStatsRequest);
    assert.ok(stats.requests >= stats.generations + stats.cacheHits);
    for (const stage of ['prefill', 'firstToken', 'decode', 'total'] as const) {
      assert.ok(stats.stages[stage].count > 0, stage);
      assert.ok(stats.stages[stage].p90 >= stats.stages[stage].p50, stage);
    }
    assert.ok(stats.tokensEvaluated.count > 0);
    assert.ok(stats.promptTokens.p50 > 0);
  });
});
