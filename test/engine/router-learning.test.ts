// The learned router end to end: the engine over stdio, the fixture model for local answers, the fake Anthropic
// API for cloud ones. Feedback changes a route, the change survives a restart, the fixed policy and a reset undo
// it, hard rules still win, feedback is validated and kept in the ledger, compare runs are marked and never
// count as savings, and inline completions enter the ledger per file and minute with their feedback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedbackNotification, LearnedRequest, ResetLearningRequest, type CompletionItemRef, type LedgerResult } from '../../src/shared/protocol.js';
import { LogMessageNotification } from 'vscode-languageserver-protocol';
import { delay, type EngineClient } from '../support/lsp-client.js';
import { rejection, startHarness, testSettings, workspace, type Harness } from '../fake-anthropic/harness.js';
import { FAKE_SECRETS } from '../fake-anthropic/secrets.js';

const ws = workspace({
  'src/a.ts': 'export function add(a: number, b: number) {\n  return a + b;\n}\n',
  'src/config.ts': `export const token = "${FAKE_SECRETS.github}";\n`,
  'proprietary/core.ts': 'export const core = 42;\n',
});
const settings = (routing: Record<string, unknown> = {}) => testSettings({ privacy: { localOnlyGlobs: ['proprietary/**'] }, routing });
const explain = { kind: 'explain' as const, prompt: 'Explain add', files: [{ uri: ws.uri('src/a.ts') }] };

let h: Harness;
let dataDir: string;
void before(async () => {
  h = await startHarness({ workspace: ws.root, settings: settings() });
  dataDir = h.engine.dataDir;
});
void after(async () => h?.close());

/** What the engine logged (window/logMessage). */
function logged(engine: EngineClient): string {
  return engine.received(LogMessageNotification.type).map((m) => m.message).join('\n');
}

async function ledgerUntil(harness: Harness, done: (l: LedgerResult) => boolean): Promise<LedgerResult> {
  for (let i = 0; i < 50; i++) {
    const l = await harness.ledger();
    if (done(l)) return l;
    await delay(100);
  }
  return harness.ledger();
}

void test('thumbs down on local explanations moves the next one to Claude, and the route says what was learned', async () => {
  const before = await h.route(explain);
  assert.equal(before.route, 'local');
  assert.equal(before.reasons[0]?.code, 'kind-local');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await h.chat({ ...explain, prompt: `Explain add, take ${i}` });
    assert.equal(r.decision.route, 'local');
    assert.ok(r.confidence && r.confidence.meanLogProb < 0, 'a local answer carries its mean token log-probability');
    assert.equal(r.entry.confidence?.meanLogProb, r.confidence?.meanLogProb);
    ids.push(r.entry.id);
    await h.engine.notify(FeedbackNotification, { entryId: r.entry.id, signal: 'thumbs-down' });
  }
  const ledger = await ledgerUntil(h, (l) => l.feedback.length >= 3);
  assert.deepEqual(ledger.feedback.map((f) => [f.entryId, f.signal]), ids.map((id) => [id, 'thumbs-down']));
  const after = await h.route(explain);
  assert.equal(after.route, 'cloud', `still ${after.route}: ${after.reasons.map((r) => r.text).join(' | ')}`);
  assert.equal(after.reasons[0]?.code, 'learned-cloud');
  assert.match(after.reasons[0]?.text ?? '', /Local explanations of TypeScript were accepted 0 of 3 times/);
  const sent = h.fake.requests.length;
  const cloud = await h.chat(explain);
  assert.equal(cloud.entry.route, 'cloud');
  assert.equal(h.fake.requests.length, sent + 1);
  const learned = await h.engine.request(LearnedRequest);
  const context = learned.contexts.find((c) => c.key === 'explain|typescript|1|<1k|whole');
  assert.deepEqual(context?.local, { accepted: 0, rejected: 3 });
  assert.equal(learned.policy, 'learned');
});

void test('what was learned never overrides a hard rule: local-only files and secrets stay local', async () => {
  for (const file of ['proprietary/core.ts', 'src/config.ts']) {
    const d = await h.route({ kind: 'explain', prompt: 'Explain this', files: [{ uri: ws.uri(file) }] });
    assert.equal(d.route, 'local', `${file} went ${d.route}`);
    assert.ok(d.blockedBy === 'local-only-file' || d.blockedBy === 'secret', `blocked by ${d.blockedBy}`);
  }
});

void test('feedback is validated: malformed or unknown feedback is dropped with a log line and learns nothing', async () => {
  const events = (await h.engine.request(LearnedRequest)).events;
  const count = (await h.ledger()).feedback.length;
  const bad: unknown[] = [null, { entryId: 'nope', signal: 'thumbs-up' }, { entryId: (await h.ledger()).entries[0]!.id, signal: 'love-it' }, { entryId: 'x', signal: 'thumbs-up', count: -1 }];
  for (const params of bad) await h.engine.notify(FeedbackNotification, params as never);
  await delay(300);
  assert.equal((await h.ledger()).feedback.length, count);
  assert.equal((await h.engine.request(LearnedRequest)).events, events);
  assert.match(logged(h.engine), /Feedback dropped: .*unknown ledger entry/);
  assert.match(logged(h.engine), /Ignored tandem\/feedback: invalid params: signal: /);
});

void test('compare runs both sides, marks both entries, and never counts as savings; content the gate keeps local is never compared', async () => {
  const id = 'cmp-1';
  const [local, cloud] = await Promise.all([
    h.chat({ ...explain, id: `${id}-l`, prefer: 'local', compare: id }),
    h.chat({ ...explain, id: `${id}-c`, prefer: 'cloud', compare: id }),
  ]);
  assert.equal(local.entry.route, 'local');
  assert.equal(cloud.entry.route, 'cloud');
  assert.deepEqual([local.entry.compare, cloud.entry.compare], [{ id, side: 'local' }, { id, side: 'cloud' }]);
  assert.equal(local.entry.counterfactualUsd - local.entry.costUsd, 0);
  assert.equal(cloud.entry.counterfactualUsd - cloud.entry.costUsd, 0);
  assert.ok(cloud.entry.costUsd > 0, 'the cloud side costs what it cost');
  assert.equal(local.decision.reasons[0]?.code, 'compare');
  await h.engine.notify(FeedbackNotification, { entryId: cloud.entry.id, signal: 'compare-preferred' });
  await h.engine.notify(FeedbackNotification, { entryId: local.entry.id, signal: 'compare-not-preferred' });
  await ledgerUntil(h, (l) => l.feedback.some((f) => f.signal === 'compare-preferred'));

  const sent = h.fake.requests.length;
  const refused = await rejection(h.chat({ kind: 'explain', prompt: 'Explain', files: [{ uri: ws.uri('src/config.ts') }], prefer: 'cloud', compare: 'cmp-2' }));
  assert.match(refused.message, /Claude was not asked: .*src\/config\.ts line 1 contains what looks like a secret/);
  assert.equal(refused.data?.decision?.blockedBy, 'secret');
  assert.equal(h.fake.requests.length, sent, 'nothing was sent');
  assert.ok(!h.fake.received().includes(FAKE_SECRETS.github));
  // Refactors are not compared.
  assert.match((await rejection(h.chat({ kind: 'refactor', prompt: 'rename add to sum', prefer: 'local', compare: 'cmp-3' }))).message, /Refactors cannot be compared/);
});

void test('inline completions enter the ledger per file and minute, with tokens, counterfactual cost and their feedback', async () => {
  const uri = ws.uri('src/b.ts');
  await h.engine.open(uri, 'typescript', 'export function double(n: number) {\n  return ');
  let ref: CompletionItemRef | undefined;
  for (let i = 0; i < 5 && !ref; i++) {
    const list = await h.engine.inlineCompletion(uri, { line: 1, character: 9 });
    ref = list?.items[0]?.command?.arguments?.[0] as CompletionItemRef | undefined;
  }
  assert.ok(ref?.entryId, 'the suggestion carries its ledger entry');
  await h.engine.notify(FeedbackNotification, { entryId: ref.entryId, signal: 'completion-shown', count: 2 });
  await h.engine.notify(FeedbackNotification, { entryId: ref.entryId, signal: 'completion-accepted', chars: ref.text.length });
  // Answer feedback does not apply to completions.
  await h.engine.notify(FeedbackNotification, { entryId: ref.entryId, signal: 'thumbs-up' });
  const ledger = await ledgerUntil(h, (l) => l.feedback.some((f) => f.signal === 'completion-accepted'));
  const entry = ledger.entries.find((e) => e.id === ref!.entryId);
  assert.equal(entry?.kind, 'completion');
  assert.equal(entry?.uri, uri);
  assert.ok((entry?.count ?? 0) >= 1 && entry!.tokens.input > 0 && entry!.counterfactualUsd > 0, JSON.stringify(entry));
  assert.equal(entry?.costUsd, 0);
  const signals = ledger.feedback.filter((f) => f.entryId === ref!.entryId).map((f) => `${f.signal}×${f.count}`);
  assert.deepEqual(signals.sort(), ['completion-accepted×1', 'completion-shown×2']);
  assert.ok(ledger.byKind.completion!.requests >= 1);
  assert.match(logged(h.engine), /"thumbs-up" does not apply to a completion entry/);
});

void test('what was learned survives a restart; the fixed policy ignores it; a reset forgets it', async () => {
  await h.close();
  h = await startHarness({ workspace: ws.root, dataDir, settings: settings() });
  assert.equal((await h.route(explain)).reasons[0]?.code, 'learned-cloud', 'learned after a restart');
  const lines = readFileSync(join(dataDir, 'ledger.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type?: string });
  assert.ok(lines.some((l) => l.type === 'feedback'), 'feedback lines are in the ledger file');
  await h.close();
  h = await startHarness({ workspace: ws.root, dataDir, settings: settings({ policy: 'fixed' }) });
  const fixed = await h.route(explain);
  assert.equal(fixed.route, 'local');
  assert.equal(fixed.reasons[0]?.code, 'kind-local');
  await h.close();
  h = await startHarness({ workspace: ws.root, dataDir, settings: settings() });
  const reset = await h.engine.request(ResetLearningRequest);
  assert.equal(reset.contexts.length, 0);
  assert.ok(reset.resetAt);
  const after = await h.route(explain);
  assert.equal(after.route, 'local');
  assert.equal(after.reasons[0]?.code, 'kind-local');
});
