import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContextRing, chunkAround } from '../../src/server/completion/context-ring.js';
import { looksBinary, skipReason, tooLarge } from '../../src/server/completion/skip.js';
import { CompletionStatsRecorder } from '../../src/server/stats.js';
import { percentile } from '../../src/shared/percentile.js';

const ok = { enabled: true, maxFileBytes: 1_000_000, exclude: [], relativePath: 'src/a.ts', absolutePath: '/w/src/a.ts', text: 'const a = 1;\n', cursorLine: 'const a = 1;' };

void describe('skip reasons', () => {
  void it('skips huge, binary, long-line, excluded and disabled documents with a reason', () => {
    assert.equal(skipReason(ok), undefined);
    assert.equal(skipReason({ ...ok, text: 'x'.repeat(10 * 1024 * 1024) }), 'too-large');
    assert.equal(skipReason({ ...ok, text: 'PK\u0003\u0004\u0000\u0000abc' }), 'binary');
    assert.equal(skipReason({ ...ok, cursorLine: 'x'.repeat(5000) }), 'long-line');
    assert.equal(skipReason({ ...ok, exclude: ['**/*.ts'] }), 'excluded');
    assert.equal(skipReason({ ...ok, enabled: false }), 'disabled');
  });
  void it('counts UTF-8 bytes, not characters', () => {
    assert.equal(tooLarge('é'.repeat(600), 1000), true);
    assert.equal(tooLarge('e'.repeat(600), 1000), false);
  });
  void it('does not call ordinary text binary', () => {
    assert.equal(looksBinary('tabs\tand\r\nnewlines\nüñíçødé'), false);
  });
});

void describe('context ring', () => {
  const chunk = (uri: string, start: number, text = `chunk ${uri} ${start}`) => ({ uri, label: uri, startLine: start, endLine: start + 10, text });

  void it('changes only after a quiet period, so the prompt prefix stays stable while typing', () => {
    const ring = new ContextRing({ maxChunks: 3, quietMs: 1000 });
    ring.touch(0);
    ring.offer(chunk('b', 0));
    assert.equal(ring.commitIfQuiet(500), false);
    assert.equal(ring.size, 0);
    assert.equal(ring.commitIfQuiet(1500), true);
    assert.equal(ring.size, 1);
  });

  void it('keeps at most maxChunks, replaces overlapping regions, and leaves out chunks the window shows', () => {
    const ring = new ContextRing({ maxChunks: 2, quietMs: 0 });
    ring.offer(chunk('a', 0));
    ring.offer(chunk('b', 0));
    ring.offer(chunk('c', 0));
    ring.commitIfQuiet(1);
    assert.deepEqual(ring.chunksFor('x', 0, 0).map((c) => c.uri), ['b', 'c']);
    ring.offer(chunk('c', 5, 'new text'));
    ring.commitIfQuiet(2);
    assert.deepEqual(ring.chunksFor('x', 0, 0).map((c) => c.text), ['chunk b 0', 'new text']);
    assert.deepEqual(ring.chunksFor('c', 0, 100).map((c) => c.uri), ['b']);
  });

  void it('chunkAround stays inside the document', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `l${i}`);
    assert.deepEqual(chunkAround(lines, 9, 4), { startLine: 6, endLine: 10, text: 'l6\nl7\nl8\nl9' });
  });
});

void describe('completion stats', () => {
  void it('computes percentiles by nearest rank', () => {
    assert.equal(percentile([], 50), 0);
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
  });
  void it('counts cache hits, generations, cancellations and skips by reason', () => {
    const stats = new CompletionStatsRecorder();
    const base = { seq: 0, uri: 'u', waitMs: 1, contextMs: 1, prefillMs: 2, firstTokenMs: 1, decodeMs: 3, postProcessMs: 0.1, totalMs: 8, promptTokens: 100, evaluatedTokens: 3, generatedTokens: 5, chars: 4 };
    stats.record({ ...base, source: 'model' });
    stats.record({ ...base, source: 'cache' });
    stats.record({ ...base, source: 'cancelled' });
    stats.record({ ...base, source: 'skipped', reason: 'binary' });
    const s = stats.snapshot();
    assert.deepEqual([s.requests, s.generations, s.cacheHits, s.cancelled], [4, 1, 1, 1]);
    assert.deepEqual(s.skipped, { binary: 1 });
    assert.equal(s.tokensEvaluated.p50, 3);
    assert.equal(s.recent.length, 4);
  });
});
