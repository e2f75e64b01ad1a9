// Budgets and consent end to end: concurrent requests reserve their worst case so together they cannot
// overspend; a stream that would cost more than reserved is cut; the first cloud use asks for consent and a
// client that cannot answer means no.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatResult } from '../../src/shared/protocol.js';
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
