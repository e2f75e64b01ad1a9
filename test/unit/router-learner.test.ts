// The learned router's arithmetic and its file: what it advises after feedback, that the rules decide without
// feedback, that back-off counts each observation once, the share cap, exploration bounds, answer outcomes, the
// local-confidence offer, and the state file shared by engines (restart, concurrent writers, reset, corruption).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextKey, describeKey, languageOf } from '../../src/server/router/learn-context.js';
import { LEARNER_FILE, Learner } from '../../src/server/router/learner-store.js';
import {
  addCounts,
  advise,
  confidenceOf,
  emptyData,
  estimate,
  MAX_EXPLORE_SHARE,
  outcomeDelta,
  outcomeOf,
  PRIOR_STRENGTH,
  type LearnerData,
  type Outcome,
} from '../../src/server/router/learner.js';

const TS_EXPLAIN = contextKey({ kind: 'explain', language: 'typescript', files: 1, tokens: 300, selection: true });
const TS_EXPLAIN_BIG = contextKey({ kind: 'explain', language: 'typescript', files: 3, tokens: 6000, selection: false });
const TS_REFACTOR_MULTI = contextKey({ kind: 'refactor', language: 'typescript', files: 3, tokens: 2000, selection: false });
const REJECT: Outcome = { value: 0, weight: 1 };
const ACCEPT: Outcome = { value: 1, weight: 1 };

function observed(data: LearnerData, key: string, side: 'local' | 'cloud', outcome: Outcome, times: number): LearnerData {
  for (let i = 0; i < times; i++) addCounts(data.counts, outcomeDelta(key, side, outcome, 1), true);
  return data;
}

const silence = { warn: () => undefined };

void test('without feedback the rules decide: questions stay local with no learned reason, multi-file refactors go to Claude', () => {
  const data = emptyData('g');
  const local = advise(data, TS_EXPLAIN, 'local', 0.2);
  assert.equal(local.route, 'local');
  assert.equal(local.reason, undefined);
  assert.equal(advise(data, TS_REFACTOR_MULTI, 'cloud', 0.2).route, 'cloud');
});

void test('local explanations of TypeScript rejected 4 times go to Claude, and the reason says what was learned', () => {
  const data = observed(emptyData('g'), TS_EXPLAIN, 'local', REJECT, 4);
  const advice = advise(data, TS_EXPLAIN, 'local', 0.2);
  assert.equal(advice.route, 'cloud');
  assert.equal(advice.reason?.code, 'learned-cloud');
  assert.match(advice.reason?.text ?? '', /^Local explanations of TypeScript were accepted 0 of 4 times.*goes to Claude.*cloudShare allows 20%/);
  // One rejection is not enough to move anything.
  assert.equal(advise(observed(emptyData('g'), TS_EXPLAIN, 'local', REJECT, 1), TS_EXPLAIN, 'local', 0.2).route, 'local');
  // cloudShare 0: the user sends nothing the rules keep local to Claude.
  assert.equal(advise(data, TS_EXPLAIN, 'local', 0).route, 'local');
  // Accepted answers keep it local, and say so.
  const good = advise(observed(emptyData('g'), TS_EXPLAIN, 'local', ACCEPT, 18), TS_EXPLAIN, 'local', 0.2);
  assert.equal(good.route, 'local');
  assert.equal(good.reason?.code, 'learned-local');
  assert.match(good.reason?.text ?? '', /Local explanations of TypeScript were accepted 18 of 18 times, so this stays local\./);
});

void test('back-off: a new context borrows from its language and kind, and an observation counts once however many levels keep it', () => {
  const PY_EXPLAIN = contextKey({ kind: 'explain', language: 'python', files: 1, tokens: 300, selection: true });
  const data = observed(emptyData('g'), TS_EXPLAIN, 'local', REJECT, 5);
  const once = estimate(data, TS_EXPLAIN, 'local').local.p;
  // Exactly one Beta update on the prior: (0 + m × 0.7) / (5 + m).
  assert.ok(Math.abs(once - (PRIOR_STRENGTH * 0.7) / (5 + PRIOR_STRENGTH)) < 1e-9, `estimate ${once}`);
  observed(data, PY_EXPLAIN, 'local', ACCEPT, 5);
  const seen = estimate(data, TS_EXPLAIN, 'local').local.p;
  const sibling = estimate(data, TS_EXPLAIN_BIG, 'local').local.p;
  assert.ok(seen < 0.5 && sibling < 0.5, `a TypeScript context never seen (${sibling}) leans on what TypeScript's rejected answers taught, like the one observed (${seen})`);
  const pythonSibling = estimate(data, contextKey({ kind: 'explain', language: 'python', files: 4, tokens: 9000, selection: false }), 'local').local.p;
  assert.ok(pythonSibling > 0.6, `a Python context (${pythonSibling}) leans on Python's accepted answers, not TypeScript's rejected ones`);
  assert.ok(Math.abs(estimate(data, contextKey({ kind: 'chat', language: 'typescript', files: 1, tokens: 300, selection: true }), 'local').local.p - 0.7) < 1e-9, 'another kind learns nothing from explanations');
});

void test('the share cap: once cloudShare of recent questions went to Claude, the next one stays local and says why', () => {
  const data = observed(emptyData('g'), TS_EXPLAIN, 'local', REJECT, 6);
  data.routes = [...Array(16).fill('l'), ...Array(4).fill('c')];
  const advice = advise(data, TS_EXPLAIN, 'local', 0.2);
  assert.equal(advice.route, 'local');
  assert.match(advice.reason?.text ?? '', /20% of recent questions already went to Claude/);
  assert.equal(advise(data, TS_EXPLAIN, 'local', 0.5).route, 'cloud');
});

void test('multi-file refactors stay local once Claude is not clearly better there', () => {
  const data = observed(observed(emptyData('g'), TS_REFACTOR_MULTI, 'local', ACCEPT, 9), TS_REFACTOR_MULTI, 'cloud', ACCEPT, 8);
  observed(data, TS_REFACTOR_MULTI, 'local', REJECT, 1);
  const advice = advise(data, TS_REFACTOR_MULTI, 'cloud', 0.2);
  assert.equal(advice.route, 'local');
  assert.match(advice.reason?.text ?? '', /Local multi-file refactors of TypeScript were accepted 9 of 10 times \(Claude's 8 of 8\), so this one stays local\./);
});

void test('multi-file refactors are tried locally now and then once Claude’s are rated, until local ones fail', () => {
  const data = observed(emptyData('g'), TS_REFACTOR_MULTI, 'cloud', ACCEPT, 4);
  const tried = advise(data, TS_REFACTOR_MULTI, 'cloud', 0.2);
  assert.equal(tried.route, 'local');
  assert.equal(tried.reason?.code, 'explore-local');
  assert.match(tried.reason?.text ?? '', /The local model has not answered multi-file refactors of TypeScript yet \(Claude's 4 of 4\); Tandem tries it on this one/);
  // At most MAX_EXPLORE_LOCAL_SHARE of them.
  data.routes = [...Array(10).fill('C'), 'X', 'X', 'X'];
  assert.equal(advise(data, TS_REFACTOR_MULTI, 'cloud', 0.2).route, 'cloud');
  data.routes = [];
  // Two local failures end the tries.
  observed(data, TS_REFACTOR_MULTI, 'local', REJECT, 2);
  assert.equal(advise(data, TS_REFACTOR_MULTI, 'cloud', 0.2).route, 'cloud');
  // Never before Claude's refactors were rated (a new install keeps the rules).
  assert.equal(advise(emptyData('g'), TS_REFACTOR_MULTI, 'cloud', 0.2).route, 'cloud');
});

void test('exploration tries Claude where local answers disappoint and Claude was never tried, at most MAX_EXPLORE_SHARE of questions', () => {
  // Local is weak here, but many questions are worse off: the calibrated threshold keeps this one local.
  const data = observed(observed(emptyData('g'), TS_EXPLAIN, 'local', REJECT, 2), TS_EXPLAIN, 'local', ACCEPT, 1);
  data.scores = Array(40).fill(0.5);
  const first = advise(data, TS_EXPLAIN, 'local', 0.2);
  assert.equal(first.route, 'cloud');
  assert.equal(first.reason?.code, 'explore-cloud');
  // After an exploration, no other until the window allows it.
  data.routes = [...Array(10).fill('l'), 'e'];
  assert.equal(advise(data, TS_EXPLAIN, 'local', 0.2).route, 'local');
  data.routes = [...Array(Math.ceil(2 / MAX_EXPLORE_SHARE)).fill('l'), 'e'];
  assert.equal(advise(data, TS_EXPLAIN, 'local', 0.2).reason?.code, 'explore-cloud');
  // Never with cloudShare 0.
  assert.equal(advise(data, TS_EXPLAIN, 'local', 0).route, 'local');
});

void test('an answer counts once: the strongest signal wins, an undo beats an apply, a partial apply counts by its share', () => {
  assert.deepEqual(outcomeOf([{ signal: 'code-copied' }]), { value: 1, weight: 0.5 });
  assert.deepEqual(outcomeOf([{ signal: 'code-copied' }, { signal: 'thumbs-down' }]), { value: 0, weight: 1 });
  assert.deepEqual(outcomeOf([{ signal: 'thumbs-down' }, { signal: 'code-copied' }]), { value: 0, weight: 1 });
  assert.deepEqual(outcomeOf([{ signal: 'refactor-applied' }, { signal: 'edits-undone' }]), { value: 0, weight: 1 });
  assert.deepEqual(outcomeOf([{ signal: 'refactor-partly-applied', applied: 3, proposed: 4 }]), { value: 0.75, weight: 1 });
  assert.deepEqual(outcomeOf([{ signal: 'thumbs-up' }, { signal: 'thumbs-down' }]), { value: 0, weight: 1 });
  assert.equal(outcomeOf([{ signal: 'completion-shown' }]), undefined);
});

void test('local confidence: unsure answers (against the model’s own history) offer Claude, sure ones do not', () => {
  const data = emptyData('g');
  data.confidence.m = Array.from({ length: 50 }, (_, i) => -0.2 - i * 0.02);
  const unsure = confidenceOf(data, 'm', -1.5, TS_EXPLAIN);
  assert.equal(unsure.level, 'low');
  assert.equal(unsure.suggestCloud, true);
  assert.match(unsure.text, /unsure of this answer \(mean token log-probability -1\.50, surer than 0% of its recent answers\)/);
  const sure = confidenceOf(data, 'm', -0.25, TS_EXPLAIN);
  assert.equal(sure.level, 'high');
  assert.equal(sure.suggestCloud, false);
  // Low-confidence answers that were accepted anyway stop the offer.
  const accepted = structuredClone(data);
  for (let i = 0; i < 10; i++) addCounts(accepted.counts, outcomeDelta(TS_EXPLAIN, 'local', ACCEPT, 1, 'low'), true);
  assert.equal(confidenceOf(accepted, 'm', -1.5, TS_EXPLAIN).suggestCloud, false);
  assert.match(confidenceOf(accepted, 'm', -1.5, TS_EXPLAIN).text, /Low-confidence local explanations of TypeScript were accepted 10 of 10 times/);
});

void test('contexts in words, and the language of a file without an editor id', () => {
  assert.equal(describeKey(TS_EXPLAIN), 'explanations of TypeScript · 1 file · under 1k tokens · a selection');
  assert.equal(describeKey('refactor-n|python'), 'multi-file refactors of Python');
  assert.equal(languageOf('file:///w/a.py'), 'python');
  assert.equal(languageOf('file:///w/a.ts', 'typescriptreact'), 'typescriptreact');
  assert.equal(languageOf('untitled:Untitled-1'), 'none');
});

void test('the state file: survives a restart, two engines writing at once lose nothing, a reset reaches both', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-learner-'));
  const a = new Learner(dir, silence);
  const b = new Learner(dir, silence);
  for (let i = 0; i < 3; i++) a.observe(TS_EXPLAIN, 'local', REJECT, 1, 1);
  for (let i = 0; i < 2; i++) b.observe(TS_EXPLAIN, 'local', REJECT, 1, 1);
  a.flush();
  b.flush();
  const restarted = new Learner(dir, silence);
  assert.equal(restarted.data().counts[TS_EXPLAIN]?.lr, 5, 'both engines’ rejections are in the file');
  assert.equal(restarted.data().events, 5);
  assert.equal(a.data().counts[TS_EXPLAIN]?.lr, 5, 'an engine sees what another wrote');
  restarted.reset();
  assert.equal(a.data().counts[TS_EXPLAIN], undefined, 'the reset reaches the other engine');
  assert.ok(a.data().resetAt);
  a.dispose();
  b.dispose();
});

void test('a corrupt state file is set aside, reported, and learning starts over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-learner-'));
  writeFileSync(join(dir, LEARNER_FILE), '{"version":1,"counts":');
  const warnings: string[] = [];
  const learner = new Learner(dir, { warn: (m) => warnings.push(m) });
  assert.deepEqual(learner.data().counts, {});
  assert.match(warnings.join('\n'), /unreadable; it was moved to .*corrupt/);
  assert.ok(readdirSync(dir).some((f) => f.includes('.corrupt-')), 'the old file is kept');
  learner.observe(TS_EXPLAIN, 'local', ACCEPT, 1, 1);
  learner.flush();
  assert.ok(existsSync(join(dir, LEARNER_FILE)));
});
