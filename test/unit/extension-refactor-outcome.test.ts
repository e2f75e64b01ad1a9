// What a refactor preview really wrote: all edits, some (unticked in the preview), or none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TextEditSpec } from '../../src/shared/protocol.js';
import { countWritten, refactorResult } from '../../src/views/refactor-outcome.js';

const before = 'export function computeTotal(items) {\n  return items.length;\n}\nconst a = computeTotal([]);\nconst b = computeTotal([1]);\n';
const edit = (line: number, start: number, end: number, newText: string): TextEditSpec => ({
  uri: 'file:///w/a.ts',
  range: { start: { line, character: start }, end: { line, character: end } },
  newText,
});
const edits = [edit(0, 16, 28, 'sumLineItems'), edit(3, 10, 22, 'sumLineItems'), edit(4, 10, 22, 'sumLineItems')];

void test('every edit written, some unticked, none: counted edit by edit', () => {
  const all = before.replaceAll('computeTotal', 'sumLineItems');
  assert.equal(countWritten(before, all, edits), 3);
  const firstAndLast = before.replace('function computeTotal', 'function sumLineItems').replace('b = computeTotal', 'b = sumLineItems');
  assert.equal(countWritten(before, firstAndLast, edits), 2);
  assert.equal(countWritten(before, before, edits), 0);
});

void test('the outcome over files: applied, partly applied with the count, discarded; changed files keep their text before', () => {
  const other: TextEditSpec = { uri: 'file:///w/b.ts', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, newText: 'y' };
  const texts = (a: string, b: string) => new Map([['file:///w/a.ts', { before, after: a }], ['file:///w/b.ts', { before: 'x\n', after: b }]]);
  const all = refactorResult([...edits, other], texts(before.replaceAll('computeTotal', 'sumLineItems'), 'y\n'));
  assert.deepEqual([all.outcome, all.written, all.proposed, all.changed.map((c) => c.uri)], ['applied', 4, 4, ['file:///w/a.ts', 'file:///w/b.ts']]);
  const part = refactorResult([...edits, other], texts(before, 'y\n'));
  assert.deepEqual([part.outcome, part.written, part.changed], ['partly', 1, [{ uri: 'file:///w/b.ts', before: 'x\n' }]]);
  assert.equal(refactorResult([...edits, other], texts(before, 'x\n')).outcome, 'discarded');
});
