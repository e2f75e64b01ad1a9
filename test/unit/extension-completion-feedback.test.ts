// Inline-suggestion feedback as the user makes it: shown once per suggestion (not per typed-through character),
// accepted whole (edit or command, counted once), by word, by line, dismissed, and retention checks that follow
// the accepted text through later edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletionFeedback, isRetained } from '../../src/client/completion-feedback.js';
import type { Feedback } from '../../src/shared/protocol.js';

function harness(initial = '') {
  const sent: Feedback[] = [];
  const timers: { fn: () => void; ms: number; done: boolean }[] = [];
  let text = initial;
  const tracker = new CompletionFeedback({
    send: (f) => sent.push(f),
    textOf: () => Promise.resolve(text),
    setTimer: (fn, ms) => {
      const t = { fn, ms, done: false };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      (t as { done: boolean }).done = true;
    },
  });
  return {
    tracker,
    sent,
    setText: (t: string) => (text = t),
    /** Runs the pending timers of `ms` (0: every pending one) and waits for their async checks. */
    async fire(ms = 0) {
      for (const t of timers.filter((x) => !x.done && (ms === 0 || x.ms === ms))) {
        t.done = true;
        t.fn();
      }
      await new Promise((r) => setTimeout(r, 10));
    },
    signals: () => sent.map((f) => `${f.signal}${f.count && f.count > 1 ? `×${f.count}` : ''}`),
  };
}

const uri = 'file:///w/a.ts';

void test('a suggestion typed through character by character is shown once; moving away dismisses it', () => {
  const h = harness();
  h.tracker.offered({ entryId: 'e1', uri, offset: 10, text: 'a + b;' });
  h.tracker.changed(uri, [{ rangeOffset: 10, rangeLength: 0, text: 'a' }]);
  h.tracker.offered({ entryId: 'e1', uri, offset: 11, text: ' + b;' });
  h.tracker.cursorAt(uri, 11);
  h.tracker.cursorAt(uri, 40);
  h.tracker.flush();
  assert.deepEqual(h.signals(), ['completion-shown', 'completion-dismissed']);
});

void test('Tab: the whole insert and the item command count one accept', () => {
  const h = harness();
  h.tracker.offered({ entryId: 'e1', uri, offset: 10, text: 'a + b;' });
  h.tracker.changed(uri, [{ rangeOffset: 10, rangeLength: 0, text: 'a + b;' }]);
  h.tracker.acceptedWhole({ entryId: 'e1', text: 'a + b;' });
  h.tracker.cursorAt(uri, 16);
  // The command alone (no edit seen) counts too.
  h.tracker.offered({ entryId: 'e2', uri, offset: 20, text: 'return x;' });
  h.tracker.acceptedWhole({ entryId: 'e2', text: 'return x;' });
  h.tracker.flush();
  assert.deepEqual(h.signals(), ['completion-accepted', 'completion-accepted', 'completion-shown', 'completion-shown']);
  assert.deepEqual(h.sent.filter((f) => f.signal === 'completion-accepted').map((f) => f.entryId), ['e1', 'e2']);
  assert.equal(h.sent.find((f) => f.signal === 'completion-accepted')?.chars, 6);
});

void test('accept word and accept line insert part of the suggestion; dropping the rest is not a dismissal', () => {
  const h = harness();
  h.tracker.offered({ entryId: 'e1', uri, offset: 0, text: 'const total = sum(items);\nreturn total;' });
  h.tracker.changed(uri, [{ rangeOffset: 0, rangeLength: 0, text: 'const ' }]);
  h.tracker.changed(uri, [{ rangeOffset: 6, rangeLength: 0, text: 'total = sum(items);\n' }]);
  h.tracker.changed(uri, [{ rangeOffset: 26, rangeLength: 0, text: 'x' }]);
  h.tracker.flush();
  assert.deepEqual(h.signals(), ['completion-accepted-word', 'completion-accepted-line', 'completion-shown']);
});

void test('typing something else dismisses the suggestion', () => {
  const h = harness();
  h.tracker.offered({ entryId: 'e1', uri, offset: 5, text: 'foo()' });
  h.tracker.changed(uri, [{ rangeOffset: 5, rangeLength: 0, text: 'b' }]);
  h.tracker.flush();
  assert.deepEqual(h.signals(), ['completion-shown', 'completion-dismissed']);
});

void test('retention follows the accepted text through edits above it, and reports it gone once deleted', async () => {
  const before = 'function f() {\n  return ';
  const h = harness(before);
  h.tracker.offered({ entryId: 'e1', uri, offset: before.length, text: 'computeTotal(items);' });
  h.setText(`${before}computeTotal(items);\n}`);
  h.tracker.changed(uri, [{ rangeOffset: before.length, rangeLength: 0, text: 'computeTotal(items);' }]);
  // Ten lines added at the top move it.
  const header = '// header\n'.repeat(10);
  h.setText(`${header}${before}computeTotal(items);\n}`);
  h.tracker.changed(uri, [{ rangeOffset: 0, rangeLength: 0, text: header }]);
  await h.fire(30_000);
  h.setText(`${header}${before}0;\n}`);
  await h.fire(300_000);
  assert.deepEqual(h.signals(), ['completion-accepted', 'completion-retained-30s', 'completion-lost-5m']);
});

void test('isRetained: exact text near its place, or most of its lines', () => {
  assert.equal(isRetained('abc computeTotal(items) def', 4, 'computeTotal(items)'), true);
  assert.equal(isRetained('abc sumAll(items) def', 4, 'computeTotal(items)'), false);
  const accepted = 'const x = 1;\nconst y = 2;\nconst z = 3;\nreturn x + y;';
  assert.equal(isRetained('a\n  const x = 1;\n  const y = 2;\n  const z = 3;\n  return x + y + z;\n', 2, accepted), true, 'one line of four edited');
  assert.equal(isRetained('a\n  const x = 1;\n  return 0;\n', 2, accepted), false, 'three lines of four gone');
  assert.equal(isRetained('x'.repeat(5000) + 'computeTotal(items)', 0, 'computeTotal(items)'), false, 'far away is not retained');
});
