// Budgets and consent end to end: concurrent requests reserve their worst case so together they cannot
// overspend; a stream that would cost more than reserved is cut; the first cloud use asks for consent and a
// client that cannot answer means no.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatDeltaNotification, type ChatResult } from '../../src/shared/protocol.js';
import { startHarness, testSettings } from '../fake-anthropic/harness.js';
import {  } from '../../src/shared/protocol.js';
import { DidChangeConfigurationNotification } from 'vscode-languageserver-protocol';

void test('budgets hold under concurrent requests: only what fits is sent, the rest is answered locally and says why', async () => {
  const h = await startHarness({ settings: testSettings({ budget: { dailyUsd: -1, monthlyUsd: -1 } }) });
  try {
    const worst = (await h.route({ kind: 'chat', prompt: 'question 1', prefer: 'cloud' })).worstCaseUsd;
    // Room for two worst cases, and less than a useful third answer.
    const daily = Math.round(worst * 2.02 * 1e8) / 1e8;
    await h.engine.notify(DidChangeConfigurationNotification.type, { settings: { tandem: testSettings({ budget: { dailyUsd: daily, monthlyUsd: 20 } }) } });
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 5; i++) h.fake.enqueue({ type: 'text', text: `answer ${i} `.repeat(5), chunks: 5, delayMs: 60 });
    const results: ChatResult[] = await Promise.all([1, 2, 3, 4, 5].map((i) => h.chat({ kind: 'chat', prompt: `question ${i}`, prefer: 'cloud' })));
    const cloud = results.filter((r) => r.entry.route === 'cloud');
    const local = results.filter((r) => r.entry.route === 'local');
    assert.equal(cloud.length, 2);
    assert.equal(local.length, 3);
    assert.equal(h.fake.requests.length, 2, 'only two requests left the machine');
    for (const r of local) {
      // Decided before sending: the request was never a cloud request, so it is no fallback.
      assert.equal(r.decision.blockedBy, 'budget');
      assert.match(r.decision.reasons.map((r) => r.text).join(' '), /could cost up to \$[\d.]+, but only \$[\d.]+ of your daily budget of \$[\d.]+ is left \(\$0 spent, \$[\d.]+ reserved by requests in flight\)/);
    }
    const ledger = await h.ledger();
    assert.ok(ledger.today.costUsd <= daily, `spent ${ledger.today.costUsd} within ${daily}`);
    assert.equal(ledger.budget.reservedUsd, 0, 'reservations are released when requests end');
    assert.equal(ledger.today.cloud, 2);
  } finally {
    await h.close();
  }
});

void test('a stream that would cost more than its reservation is stopped, and the spend is ledgered', async () => {
  const h = await startHarness({ localModel: false, settings: testSettings({ budget: { dailyUsd: 5, monthlyUsd: 20 } }) });
  try {
    // The API reports a prompt far larger than the estimate: 2M input tokens on Haiku is $0.20 (long band: $0.50/M = $1.00).
    h.fake.enqueue({ type: 'text', text: 'x '.repeat(300), chunks: 50, delayMs: 10, usage: { input_tokens: 2_000_000 } });
    const r = await h.chat({ kind: 'chat', prompt: 'short question', prefer: 'cloud' });
    assert.equal(r.stopped, 'budget');
    assert.match(r.decision.reasons.map((r) => r.text).join(' '), /would have cost more than the \$.* reserved for it/);
    // The input actually billed: 2M tokens at the >100K band, $0.50/M = $1, plus the few output tokens
    // streamed before the cut ($2.50/M each).
    assert.ok(r.entry.costUsd >= 1 && r.entry.costUsd < 1.0001, String(r.entry.costUsd));
    const ledger = await h.ledger();
    assert.equal(ledger.today.costUsd, r.entry.costUsd);
  } finally {
    await h.close();
  }
});

void test('a zero budget blocks the cloud with a clear reason before anything is sent', async () => {
  const h = await startHarness({ localModel: false, settings: testSettings({ budget: { dailyUsd: 0, monthlyUsd: 20 } }) });
  try {
    const d = await h.route({ kind: 'chat', prompt: 'hello', prefer: 'cloud' });
    assert.equal(d.route, 'blocked');
    assert.equal(d.blockedBy, 'budget');
    assert.match(d.reasons.map((r) => r.text).join(' '), /daily cloud budget is \$0/);
    assert.equal(h.fake.requests.length, 0);
  } finally {
    await h.close();
  }
});

void test('consent: the first cloud use asks; "once" asks again next time, "never" is remembered', async () => {
  const answers = ['once', 'never'] as const;
  let asked = 0;
  const h = await startHarness({ localModel: false, settings: testSettings({ privacy: { cloudConsent: 'ask' } }), consent: () => answers[Math.min(asked++, 1)] });
  try {
    const first = await h.chat({ kind: 'chat', prompt: 'one', prefer: 'cloud' });
    assert.equal(first.entry.route, 'cloud');
    assert.equal(asked, 1);
    const before = h.fake.requests.length;
    const second = h.chat({ kind: 'chat', prompt: 'two', prefer: 'cloud' });
    await assert.rejects(second, /never to use the cloud in this workspace/);
    assert.equal(asked, 2);
    const third = await h.route({ kind: 'chat', prompt: 'three', prefer: 'cloud' });
    assert.equal(third.blockedBy, 'consent');
    assert.equal(asked, 2, 'a "never" is not asked again');
    assert.equal(h.fake.requests.length, before);
  } finally {
    await h.close();
  }
});

void test('consent: a client that cannot answer tandem/askConsent means no (fail closed)', async () => {
  const h = await startHarness({ settings: testSettings({ privacy: { cloudConsent: 'ask' } }) });
  try {
    const r = await h.chat({ kind: 'chat', prompt: 'hello', prefer: 'cloud' });
    assert.equal(r.entry.route, 'local');
    assert.equal(r.fallback?.from, 'cloud');
    assert.match(r.fallback!.reason.text, /Cloud consent could not be asked/);
    assert.equal(h.fake.requests.length, 0);
  } finally {
    await h.close();
  }
});

void test('two engines on one data dir share the budget: together they send only what fits', async () => {
  const first = await startHarness({ localModel: false, settings: testSettings({ budget: { dailyUsd: -1, monthlyUsd: -1 } }) });
  const worst = (await first.route({ kind: 'chat', prompt: 'question 1', prefer: 'cloud' })).worstCaseUsd;
  // Room for two worst cases, and less than a useful third answer, in both windows together.
  const daily = Math.round(worst * 2.02 * 1e8) / 1e8;
  await first.close();
  const settings = testSettings({ budget: { dailyUsd: daily, monthlyUsd: 20 } });
  const a = await startHarness({ localModel: false, settings, dataDir: first.engine.dataDir });
  const b = await startHarness({ localModel: false, settings, dataDir: first.engine.dataDir });
  try {
    for (const h of [a, b]) for (let i = 0; i < 4; i++) h.fake.enqueue({ type: 'text', text: `answer ${i} `.repeat(5), chunks: 5, delayMs: 60 });
    const outcomes = await Promise.allSettled([a, b].flatMap((h) => [1, 2, 3, 4].map((i) => h.chat({ kind: 'chat', prompt: `question ${i}`, prefer: 'cloud' }))));
    const answered = outcomes.filter((o) => o.status === 'fulfilled' && o.value.entry.route === 'cloud').length;
    assert.equal(a.fake.requests.length + b.fake.requests.length, 2, 'two requests left the machine, from both windows together');
    assert.equal(answered, 2);
    for (const o of outcomes) if (o.status === 'rejected') assert.match(String((o.reason as Error).message), /could cost up to \$[\d.]+, but only \$[\d.]+ of your daily budget/);
    const ledger = await a.ledger();
    assert.ok(ledger.today.costUsd <= daily, `spent ${ledger.today.costUsd} within ${daily}`);
    assert.equal(ledger.budget.reservedUsd, 0, 'every reservation was released');
  } finally {
    await a.close();
    await b.close();
  }
});

void test('the budget is checked on an upper bound of the prompt: a CJK prompt cannot cost more than the cap', async () => {
  // 6,000 Japanese characters: about 2,000 tokens by characters / 3, but 6,000 tokens on a real tokenizer (and on
  // the fake's), 18,000 UTF-8 bytes. Small answers make the prompt the cost.
  const prompt = 'この関数は何をしますか。'.repeat(500);
  const h = await startHarness({ localModel: false, settings: testSettings({ cloud: { maxOutputTokens: 300 }, budget: { dailyUsd: 0.0004, monthlyUsd: 20 } }) });
  try {
    h.fake.enqueue({ type: 'text', text: 'answer', usage: { input_tokens: 6000, output_tokens: 300 } });
    const d = await h.route({ kind: 'chat', prompt, prefer: 'cloud' });
    assert.ok(d.promptTokensBound === undefined || d.promptTokensBound >= Buffer.byteLength(prompt), 'the bound covers every byte');
    await h.chat({ kind: 'chat', prompt, prefer: 'cloud' }).catch(() => undefined);
    const ledger = await h.ledger();
    assert.ok(ledger.today.costUsd <= 0.0004, `spent $${ledger.today.costUsd} against a $0.0004 cap`);
    assert.equal(h.fake.requests.length, 0, 'a prompt whose bound does not fit is never sent');
    assert.equal(d.blockedBy, 'budget');
  } finally {
    await h.close();
  }
});

void test('an engine killed mid-request does not keep its reservation: the other window can spend the budget at once', async () => {
  const probe = await startHarness({ localModel: false, settings: testSettings({ budget: { dailyUsd: -1, monthlyUsd: -1 } }) });
  const worst = (await probe.route({ kind: 'chat', prompt: 'question', prefer: 'cloud' })).worstCaseUsd;
  await probe.close();
  // Room for one worst case only (nor for a shortened second answer).
  const settings = testSettings({ budget: { dailyUsd: Math.round(worst * 1.05 * 1e8) / 1e8, monthlyUsd: 20 } });
  const a = await startHarness({ localModel: false, settings, dataDir: probe.engine.dataDir });
  const b = await startHarness({ localModel: false, settings, dataDir: probe.engine.dataDir });
  try {
    a.fake.enqueue({ type: 'text', text: 'slow '.repeat(100), chunks: 100, delayMs: 100 });
    void a.chat({ id: 'doomed', kind: 'chat', prompt: 'question', prefer: 'cloud' }).catch(() => undefined);
    await a.engine.waitFor(ChatDeltaNotification, (d) => d.id === 'doomed', 5000);
    assert.equal((await b.route({ kind: 'chat', prompt: 'question', prefer: 'cloud' })).blockedBy, 'budget', 'held while the other window streams');
    a.engine.process.kill('SIGKILL');
    await new Promise((resolve) => a.engine.process.once('exit', resolve));
    const r = await b.chat({ kind: 'chat', prompt: 'question', prefer: 'cloud' });
    assert.equal(r.entry.route, 'cloud', 'the dead engine reservation was dropped');
  } finally {
    await a.close();
    await b.close();
  }
});
