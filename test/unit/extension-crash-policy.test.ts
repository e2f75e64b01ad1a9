// Engine crashes: restart up to 4 times in 3 minutes, then stop and say so; a user restart starts a fresh count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashPolicy } from '../../src/client/crash-policy.js';

void test('four quick crashes restart, the fifth stops the engine with a message saying so', () => {
  const policy = new CrashPolicy();
  for (let i = 1; i <= 4; i++) {
    const decision = policy.onCrash(i * 1000);
    assert.equal(decision.restart, true);
    assert.equal(decision.crashes, i);
    assert.match(decision.message, /stopped unexpectedly and is restarting/);
  }
  const fifth = policy.onCrash(5000);
  assert.equal(fifth.restart, false);
  assert.match(fifth.message, /crashed 5 times in the last 3 minutes and was not restarted/);
});

void test('crashes older than the window no longer count', () => {
  const policy = new CrashPolicy(4, 180_000);
  for (let i = 0; i < 4; i++) policy.onCrash(i);
  assert.equal(policy.onCrash(200_000).restart, true);
  assert.equal(policy.onCrash(200_001).crashes, 2);
});

void test('Restart Engine after giving up works again', () => {
  const policy = new CrashPolicy(1, 60_000);
  assert.equal(policy.onCrash(0).restart, true);
  assert.equal(policy.onCrash(1).restart, false);
  policy.reset();
  assert.equal(policy.onCrash(2).restart, true);
});
