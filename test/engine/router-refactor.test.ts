// Refactors end to end: the engine gathers the files (given + a bounded workspace search, open documents
// winning over disk), Claude proposes edits with the propose_edits tool, the engine validates them into
// ranges. Nothing is written to disk. A local refactor with the fixture model fails validation, reported.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TextEditSpec } from '../../src/shared/protocol.js';
import { ChatDeltaNotification } from '../../src/shared/protocol.js';
import { rejection, startHarness, workspace, type Harness } from '../fake-anthropic/harness.js';
import { refusedUrl } from '../fake-anthropic/server.js';

const A = 'export function computeTotal(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n';
const B = 'import { computeTotal } from "./a";\nexport const t = computeTotal([1, 2]);\nexport const u = computeTotal([3]);\n';
const C = '// computeTotalish is another name\nexport const v = 1;\n';
const ws = workspace({
  'src/a.ts': A,
  'src/b.ts': B,
  'src/c.ts': C,
  'lib/d.ts': 'import { computeTotal } from "../src/a";\nconsole.log(computeTotal([]));\n',
  // Files that mention the name but cannot refer to the symbol: a rename does not need them, so they stay here.
  'README.md': '# Demo\n\nRun `computeTotal` to add up line items.\n',
  'docs/notes.txt': 'computeTotal is used by invoices.\n',
  'scripts/report.py': 'print("computeTotal")\n',
  'node_modules/pkg/index.ts': 'export const computeTotal = 0;\n',
  'assets/logo.bin': Buffer.from([0, 1, 2, 99, 111, 109]).toString('latin1') + 'computeTotal',
});

function apply(text: string, edits: TextEditSpec[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((x, y) => offset(y.range.start) - offset(x.range.start)))
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

let h: Harness;
void before(async () => {
  h = await startHarness({ workspace: ws.root });
});
void after(async () => h.close());

void test('a rename gathers every file mentioning the identifier and returns validated edits for all of them', async () => {
  // An unsaved change in an open editor wins over the file on disk.
  const edited = A.replace('return items', 'const n = computeTotal.length;\n  return items');
  await h.engine.open(ws.uri('src/a.ts'), 'typescript', edited);
  const r = await h.chat({ kind: 'refactor', prompt: 'Rename computeTotal to sumAll', files: [{ uri: ws.uri('src/a.ts') }] });
  assert.equal(r.decision.route, 'cloud', r.decision.reasons.map((r) => r.text).join(' '));
  assert.equal(r.decision.model, 'claude-sonnet-5-5');
  assert.match(r.decision.reasons.map((r) => r.text).join(' '), /touches 3 files/);
  assert.deepEqual(r.editErrors, []);
  const byUri = new Map<string, TextEditSpec[]>();
  for (const e of r.edits!) byUri.set(e.uri, [...(byUri.get(e.uri) ?? []), e]);
  assert.deepEqual([...byUri.keys()].sort(), [ws.uri('lib/d.ts'), ws.uri('src/a.ts'), ws.uri('src/b.ts')].sort());
  assert.equal(apply(edited, byUri.get(ws.uri('src/a.ts'))!), edited.replaceAll('computeTotal', 'sumAll'));
  assert.equal(apply(B, byUri.get(ws.uri('src/b.ts'))!), B.replaceAll('computeTotal', 'sumAll'));
  assert.match(r.text, /edits in 3 files, ready to preview/);
  // What left: the three files, not node_modules, not the binary, not c.ts (computeTotalish is another word), and
  // none of the README, notes or Python script that merely mention the name.
  const sent = JSON.stringify(h.fake.requests.at(-1)!.body);
  assert.ok(sent.includes('propose_edits'));
  assert.ok(!sent.includes('node_modules') && !sent.includes('logo.bin') && !sent.includes('src/c.ts'));
  for (const unrequested of ['README.md', 'notes.txt', 'report.py']) assert.ok(!sent.includes(unrequested), `${unrequested} was sent along with the rename`);
  assert.deepEqual(r.entry.manifest!.files.map((f) => f.uri).sort(), [ws.uri('lib/d.ts'), ws.uri('src/a.ts'), ws.uri('src/b.ts')].sort());
  // The engine writes nothing.
  assert.equal(readFileSync(join(ws.root, 'src/a.ts'), 'utf8'), A);
  await h.engine.close(ws.uri('src/a.ts'));
});

void test('a selection of a file that is also given whole is sent once, so the edits do not overlap', async () => {
  const selection = { uri: ws.uri('src/a.ts'), range: { startLine: 0, endLine: 2 } };
  const r = await h.chat({ kind: 'refactor', prompt: 'Rename computeTotal to sumAll', files: [selection, { uri: ws.uri('src/a.ts') }, { uri: ws.uri('src/b.ts') }] });
  assert.equal(r.decision.route, 'cloud', r.decision.reasons.map((r) => r.text).join(' '));
  assert.deepEqual(r.editErrors, []);
  assert.ok(r.edits!.some((e) => e.uri === ws.uri('src/a.ts')));
  const sent = JSON.stringify(h.fake.requests.at(-1)!.body);
  assert.equal(sent.split('export function computeTotal').length - 1, 1, 'src/a.ts was sent more than once');
  assert.equal(r.entry.manifest!.files.filter((f) => f.uri === ws.uri('src/a.ts')).length, 1);
});

void test('edits that do not match the files are reported as errors, and then none is returned', async () => {
  h.fake.enqueue({
    type: 'tool',
    name: 'propose_edits',
    input: {
      edits: [
        { path: 'src/b.ts', oldText: 'export const t = computeTotal([1, 2]);', newText: 'export const t = sumAll([1, 2]);' },
        { path: 'src/zzz.ts', oldText: 'x', newText: 'y' },
        { path: 'src/b.ts', oldText: 'computeTotal([9])', newText: 'sumAll([9])' },
        { path: 'src/b.ts', oldText: 'computeTotal(', newText: 'sumAll(' },
        { path: 'src/b.ts' },
      ],
    },
  });
  const r = await h.chat({ kind: 'refactor', prompt: 'Tidy these up', prefer: 'cloud', files: [{ uri: ws.uri('src/b.ts') }] });
  assert.equal(r.decision.route, 'cloud');
  assert.deepEqual(r.edits, []);
  const errors = r.editErrors!.join('\n');
  assert.match(errors, /Edit 5 is missing its path, oldText or newText/);
  assert.match(errors, /src\/zzz.ts\): the file is not one of the files of this refactor/);
  assert.match(errors, /oldText was not found in the file/);
  assert.match(errors, /occurs 2 times and no line was given/);
  assert.match(errors, /withheld because the refactor would be incomplete/);

  const none = await h.chat({ kind: 'refactor', prompt: 'Rename notThere to sumAll', prefer: 'cloud', files: [{ uri: ws.uri('src/c.ts') }] });
  assert.deepEqual(none.edits, []);
  assert.deepEqual(none.editErrors, ['The model proposed no edits.']);
});

void test('a local refactor asks the local model for the same JSON; the fixture model fails validation and says so', async () => {
  const r = await h.chat({ kind: 'refactor', prompt: 'Make computeTotal handle an empty list', prefer: 'local', files: [{ uri: ws.uri('src/c.ts') }] });
  assert.equal(r.decision.route, 'local');
  // The local model's timings are whole milliseconds in the ledger (no 33.46376600000076 in the panel or the CSV).
  assert.ok(r.entry.ttftMs === null || Number.isInteger(r.entry.ttftMs), `ttftMs ${r.entry.ttftMs}`);
  assert.ok(Number.isInteger(r.entry.totalMs));
  assert.deepEqual(r.edits, []);
  assert.ok(r.editErrors!.length > 0);
  assert.match(r.editErrors!.join(' '), /local model did not answer with edits|not found|not one of the files|list of edits/);
});

void test('a multi-file rename while Claude is unreachable says so and does not run the local model, which cannot write it', async () => {
  const dead = await startHarness({ workspace: ws.root, baseUrl: await refusedUrl() });
  try {
    const since = dead.engine.notifications.length;
    const e = await rejection(dead.chat({ kind: 'refactor', prompt: 'Rename computeTotal to sumAll', files: [{ uri: ws.uri('src/a.ts') }] }));
    assert.match(e.message, /Cannot reach the Anthropic API: this machine looks offline/);
    assert.match(e.message, /The local model cannot write edits across several files\. Nothing was sent to it\./);
    const codes = e.data?.decision?.reasons.map((r) => r.code) ?? [];
    assert.ok(codes.includes('multi-file-refactor') && codes.includes('cloud-unreachable'), codes.join(', '));
    assert.deepEqual(dead.engine.received(ChatDeltaNotification, since).filter((d) => d.route === 'local'), [], 'the local model was run anyway');
  } finally {
    await dead.close();
  }
});
