// Applying a refactor: right before VS Code applies, a file whose text changed since the edits were made
// stops everything (the ranges would land at stale offsets); a file that left the workspace is refused; and
// afterwards the chat reports what the documents really hold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TextEditSpec } from '../../src/shared/protocol';
import { appliedFiles, countApplied, planApply, sha256, type PendingRefactor, type TargetState } from '../../src/views/refactor-plan';

const A = 'export function labelOf(x) {\n  return x;\n}\nconst y = labelOf(1);\n';
const B = 'import { labelOf } from "./a";\n';
const TASKS = '{ "tasks": [] }\n';
const edit = (uri: string, line: number, start: number, end: number, newText: string): TextEditSpec => ({
  uri,
  range: { start: { line, character: start }, end: { line, character: end } },
  newText,
});
const specs = [edit('file:///w/a.ts', 0, 16, 23, 'labelFor'), edit('file:///w/a.ts', 3, 10, 17, 'labelFor'), edit('file:///w/b.ts', 0, 9, 16, 'labelFor'), edit('file:///w/.vscode/tasks.json', 0, 12, 14, '[{}]')];
const pending: PendingRefactor = {
  specs,
  prompt: 'rename labelOf to labelFor',
  targets: [
    { uri: 'file:///w/a.ts', sha256: sha256(A) },
    { uri: 'file:///w/b.ts', sha256: sha256(B) },
    { uri: 'file:///w/.vscode/tasks.json', sha256: sha256(TASKS), runsCode: 'VS Code runs the tasks' },
  ],
};
const ok = (text: string): TargetState => ({ label: 'x', description: 'x', verdict: { ok: true, realPath: '/w/x' }, text });
const states = (over: Record<string, TargetState> = {}) =>
  new Map<string, TargetState>([
    ['file:///w/a.ts', ok(A)],
    ['file:///w/b.ts', ok(B)],
    ['file:///w/.vscode/tasks.json', ok(TASKS)],
    ...Object.entries(over),
  ]);

void describe('refactor apply plan', () => {
  void it('unchanged files inside the workspace: every edit goes ahead; edits to files that run code are marked', () => {
    const plan = planApply(pending, states());
    assert.equal(plan.stop, undefined);
    assert.equal(plan.edits.length, 4);
    assert.deepEqual(plan.edits.filter((e) => e.runsCode).map((e) => e.spec.uri), ['file:///w/.vscode/tasks.json']);
  });

  void it('a file edited since the edits were proposed (before "Review edits again") stops everything, with a message', () => {
    const plan = planApply(pending, states({ 'file:///w/a.ts': { ...ok(`// a new first line\n${A}`), label: 'a.ts' } }));
    assert.deepEqual(plan.edits, []);
    assert.match(plan.stop ?? '', /a\.ts changed after these edits were proposed.*No file was changed; ask again/);
    const unreadable = planApply(pending, states({ 'file:///w/b.ts': { label: 'b.ts', description: 'b.ts', verdict: { ok: true, realPath: '/w/b.ts' } } }));
    assert.match(unreadable.stop ?? '', /b\.ts changed/);
    const noHash = planApply({ ...pending, targets: pending.targets.slice(1) }, states());
    assert.match(noHash.stop ?? '', /did not say which text/);
  });

  void it('a file that is now outside the workspace (a symlink swapped in) is refused; the other edits stand', () => {
    const plan = planApply(pending, states({ 'file:///w/b.ts': { label: 'b.ts', description: 'b.ts', verdict: { ok: false, reason: 'it is a link to /etc/passwd, outside the workspace folders' } } }));
    assert.equal(plan.stop, undefined);
    assert.deepEqual(plan.refused, [{ label: 'b.ts', description: 'b.ts', edits: 1, reason: 'it is a link to /etc/passwd, outside the workspace folders' }]);
    assert.ok(plan.edits.every((e) => e.spec.uri !== 'file:///w/b.ts'));
  });
});

void describe('what the documents hold after Apply', () => {
  const aEdits = specs.slice(0, 2);
  const both = A.replace(/labelOf/g, 'labelFor');
  void it('counts applied edits exactly, for all, some or none of them', () => {
    assert.equal(countApplied(A, both, aEdits), 2);
    assert.equal(countApplied(A, A.replace('labelOf(1)', 'labelFor(1)'), aEdits), 1);
    assert.equal(countApplied(A, A, aEdits), 0);
    // A newText that begins with the old text is told apart by what follows it.
    const grow = [edit('file:///w/a.ts', 0, 16, 23, 'labelOfX')];
    assert.equal(countApplied(A, A.replace('labelOf(x)', 'labelOfX(x)'), grow), 1);
    assert.equal(countApplied(A, A, grow), 0);
  });

  void it('text changed otherwise is not counted as applied', () => {
    assert.equal(countApplied(A, `${both}// more\n`, aEdits), null);
    assert.equal(countApplied(A, both.replace('return x', 'return 2 * x'), aEdits), null);
  });

  void it('per file: applied, left out (run-code files stay unticked) and saved state', () => {
    const plan = planApply(pending, states());
    const after = new Map([
      ['file:///w/a.ts', { text: both, saved: false }],
      ['file:///w/b.ts', { text: B.replace('labelOf', 'labelFor'), saved: false }],
      ['file:///w/.vscode/tasks.json', { text: TASKS, saved: true }],
    ]);
    const named = new Map([...states()].map(([uri, s]) => [uri, { ...s, label: uri.slice(uri.lastIndexOf('/') + 1) }]));
    assert.deepEqual(
      appliedFiles(plan, named, after).map((f) => [f.label, f.applied, f.of, f.saved, Boolean(f.runsCode)]),
      [['a.ts', 2, 2, false, false], ['b.ts', 1, 1, false, false], ['tasks.json', 0, 1, true, true]],
    );
  });
});
