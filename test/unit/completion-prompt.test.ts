import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildFimPrompt, completionMode, firstDifference, fimWindow } from '../../src/server/completion/prompt.js';

const FIM = { prefix: 1001, suffix: 1002, middle: 1003 };
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`).join('\n');

void describe('FIM window', () => {
  void it('bounds the prefix and suffix by lines', () => {
    const doc = TextDocument.create('file:///a.ts', 'typescript', 1, lines(200));
    const w = fimWindow(doc, { line: 100, character: 4 }, { maxPrefixLines: 10, maxSuffixLines: 5, step: 4 });
    assert.ok(w.prefix.split('\n').length <= 10 + 4 + 1);
    assert.ok(w.prefix.endsWith('line'));
    assert.equal(w.suffix, ' 100\nline 101\nline 102\nline 103\nline 104\nline 105\n');
    assert.equal(w.lineBefore, 'line');
    assert.equal(w.lineAfter, ' 100');
    assert.deepEqual(w.followingLines.slice(0, 2), ['line 101', 'line 102']);
  });

  void it('keeps the prefix start and the suffix unchanged while typing forward, including Enter', () => {
    const text = lines(100);
    const doc1 = TextDocument.create('file:///a.ts', 'ts', 1, text);
    const at = doc1.offsetAt({ line: 50, character: 6 });
    const w1 = fimWindow(doc1, { line: 50, character: 6 }, { maxPrefixLines: 20, maxSuffixLines: 5 });
    const typed = text.slice(0, at) + 'x;\n  y' + text.slice(at);
    const doc2 = TextDocument.create('file:///a.ts', 'ts', 2, typed);
    const w2 = fimWindow(doc2, { line: 51, character: 3 }, { maxPrefixLines: 20, maxSuffixLines: 5 });
    assert.equal(w2.prefixStartLine, w1.prefixStartLine);
    assert.equal(w2.prefix, w1.prefix + 'x;\n  y');
    assert.equal(w2.suffix, w1.suffix);
  });

  void it('cuts very long prefixes at a line start', () => {
    const doc = TextDocument.create('file:///a.ts', 'ts', 1, `${'a'.repeat(500)}\n`.repeat(100));
    const w = fimWindow(doc, { line: 99, character: 0 }, { maxPrefixLines: 100, maxSuffixLines: 5, maxPrefixChars: 2000 });
    assert.ok(w.prefix.length <= 3000);
    assert.ok(w.prefix.startsWith('a'));
  });
});

void describe('completion mode', () => {
  void it('is single-line when text follows the cursor', () => {
    assert.equal(completionMode({ lineBefore: 'foo(', lineAfter: ')', previousLine: '' }, 'always'), 'single');
  });
  void it('is multi-line at a block start', () => {
    assert.equal(completionMode({ lineBefore: '  ', lineAfter: '', previousLine: 'function f() {' }, 'auto'), 'multi');
    assert.equal(completionMode({ lineBefore: 'def f():', lineAfter: '', previousLine: '' }, 'auto'), 'multi');
  });
  void it('is single-line in the middle of a statement, or when the setting says never', () => {
    assert.equal(completionMode({ lineBefore: '  const x = ', lineAfter: '', previousLine: 'let y;' }, 'auto'), 'single');
    assert.equal(completionMode({ lineBefore: '  ', lineAfter: '', previousLine: 'if (x) {' }, 'never'), 'single');
  });
});

void describe('FIM prompt tokens', () => {
  void it('orders [context][SUF]suffix[PRE]prefix[MID] so forward typing only changes the tail', () => {
    const built = buildFimPrompt({ context: [[7, 7], [8]], suffix: [5, 6], prefix: [1, 2, 3] }, FIM, 100);
    assert.deepEqual(built.tokens, [7, 7, 8, 1002, 5, 6, 1001, 1, 2, 3, 1003]);
    const next = buildFimPrompt({ context: [[7, 7], [8]], suffix: [5, 6], prefix: [1, 2, 3, 4] }, FIM, 100);
    // Everything up to the last prefix token is shared: only the new token and [MID] need evaluating.
    assert.equal(firstDifference(built.tokens, next.tokens), built.tokens.length - 1);
  });

  void it('puts BOS first when the model wants it', () => {
    const built = buildFimPrompt({ context: [], suffix: [], prefix: [1] }, { ...FIM, bos: 9 }, 100);
    assert.deepEqual(built.tokens, [9, 1002, 1001, 1, 1003]);
  });

  void it('drops the newest context chunks first and trims the prefix start to fit the budget', () => {
    const fit = buildFimPrompt({ context: [[7, 7], [8, 8, 8]], suffix: [5], prefix: [1, 2] }, FIM, 9);
    assert.equal(fit.contextChunks, 1);
    assert.deepEqual(fit.tokens.slice(0, 2), [7, 7]);
    const tight = buildFimPrompt({ context: [], suffix: [5, 5, 5, 5], prefix: Array.from({ length: 20 }, (_, i) => i) }, FIM, 11);
    assert.ok(tight.tokens.length <= 11);
    assert.ok(tight.prefixTrimmed > 0);
    assert.equal(tight.tokens[tight.tokens.length - 2], 19, 'the text right before the cursor is kept');
  });
});
