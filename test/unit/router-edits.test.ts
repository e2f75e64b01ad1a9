import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonAnswer, readProposal, validateEdits, type GatheredFile } from '../../src/server/router/edits.js';

const files: GatheredFile[] = [
  { uri: 'file:///w/src/a.ts', path: 'src/a.ts', text: 'export function total(x) {\n  return x;\n}\nconst y = total(1);\nconst z = total(1);\n' },
  { uri: 'file:///w/src/b.ts', path: 'src/b.ts', text: 'import { total } from "./a";\nconsole.log(total(2));\n' },
];

void test('valid edits become ranges in the right files, sorted', () => {
  const r = validateEdits(
    [
      { path: 'src/b.ts', oldText: 'total(2)', newText: 'sum(2)' },
      { path: 'src/a.ts', oldText: 'function total', newText: 'function sum' },
      { path: 'src/a.ts', oldText: 'const z = total(1);', newText: 'const z = sum(1);', line: 5 },
    ],
    files,
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.edits.length, 3);
  assert.deepEqual(r.edits[0], { uri: 'file:///w/src/a.ts', range: { start: { line: 0, character: 7 }, end: { line: 0, character: 21 } }, newText: 'function sum' });
  assert.deepEqual(r.edits[1].range, { start: { line: 4, character: 0 }, end: { line: 4, character: 19 } });
  assert.deepEqual(r.edits[2].range, { start: { line: 1, character: 12 }, end: { line: 1, character: 20 } });
});

void test('a repeated oldText needs its line; the line picks the occurrence', () => {
  const ambiguous = validateEdits([{ path: 'src/a.ts', oldText: 'total(1)', newText: 'sum(1)' }], files);
  assert.deepEqual(ambiguous.edits, []);
  assert.match(ambiguous.errors[0], /occurs 2 times and no line was given/);
  const hinted = validateEdits([{ path: 'src/a.ts', oldText: 'total(1)', newText: 'sum(1)', line: 5 }], files);
  assert.equal(hinted.edits[0].range.start.line, 4);
});

void test('unknown files, missing text and overlapping edits are errors, and then no edit is returned', () => {
  const r = validateEdits(
    [
      { path: 'src/a.ts', oldText: 'function total', newText: 'function sum' },
      { path: 'src/c.ts', oldText: 'x', newText: 'y' },
      { path: 'src/a.ts', oldText: 'nothing like this', newText: 'y' },
      { path: 'src/a.ts', oldText: 'total(x)', newText: 'sum(x)' },
    ],
    files,
  );
  assert.deepEqual(r.edits, [], 'a partial refactor is not returned');
  assert.match(r.errors[0], /Edit 2 \(src\/c.ts\): the file is not one of the files of this refactor/);
  assert.match(r.errors[1], /Edit 3 .* not found/);
  assert.match(r.errors[2], /Edit 4 .* overlaps another edit/);
  assert.match(r.errors[3], /1 valid edit was withheld/);
});

void test('proposals: malformed entries are reported; JSON is found inside prose or a fence', () => {
  const p = readProposal({ edits: [{ path: 'a', oldText: 'b', newText: 'c', line: 3 }, { path: 'a' }, 'junk'] });
  assert.equal(p.edits.length, 1);
  assert.equal(p.errors.length, 2);
  assert.deepEqual(readProposal('nope').errors, ['The model did not return a list of edits.']);
  assert.deepEqual(parseJsonAnswer('Sure!\n```json\n{"edits":[]}\n```'), { edits: [] });
  assert.deepEqual(parseJsonAnswer('Here: {"edits": [{"path":"a"}]} done'), { edits: [{ path: 'a' }] });
  assert.equal(parseJsonAnswer('I cannot do that.'), undefined);
});

void test('edits to a refused file are set apart as refused, counted per file; the other edits stand', () => {
  const outside: GatheredFile = { uri: 'file:///elsewhere/secret.ts', path: '/elsewhere/secret.ts', text: 'const k = 1;\n', refused: 'it is outside the workspace folders' };
  const r = validateEdits(
    [
      { path: 'src/b.ts', oldText: 'total(2)', newText: 'sum(2)' },
      { path: '/elsewhere/secret.ts', oldText: 'const k', newText: 'const j' },
      { path: '/elsewhere/secret.ts', oldText: 'not even there', newText: 'x' },
    ],
    [...files, outside],
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.edits.map((e) => e.uri), ['file:///w/src/b.ts']);
  assert.deepEqual(r.refused, [{ path: '/elsewhere/secret.ts', uri: 'file:///elsewhere/secret.ts', edits: 2, reason: 'it is outside the workspace folders' }]);
});
