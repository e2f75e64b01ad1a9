import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker, describeFailure, kindOf } from '../../src/server/router/errors.js';

void test('API errors map to messages a user understands', () => {
  assert.equal(kindOf(429, 'rate_limit_error', undefined), 'rate-limit');
  assert.equal(kindOf(529, 'overloaded_error', undefined), 'overloaded');
  assert.equal(kindOf(undefined, 'overloaded_error', undefined), 'overloaded', 'an error event mid-stream has no status');
  assert.equal(kindOf(500, 'api_error', undefined), 'server');
  assert.equal(kindOf(401, 'authentication_error', undefined), 'auth');
  assert.equal(kindOf(400, 'invalid_request_error', 'You have reached your specified API usage limits.'), 'spend-limit');
  assert.equal(kindOf(400, 'invalid_request_error', 'messages: field required'), 'bad-request');
  assert.match(describeFailure({ kind: 'rate-limit', retryAfterS: 20 }), /rate-limiting .*429.*retry after 20 s/);
  assert.match(describeFailure({ kind: 'auth' }), /key was rejected \(401\).*Tandem: Set Anthropic API Key/);
  assert.match(describeFailure({ kind: 'offline' }), /Cannot reach the Anthropic API/);
  assert.match(describeFailure({ kind: 'stalled', seconds: 30 }), /nothing arrived for 30 s/);
});

void test('the breaker opens after repeated service failures, grows, and closes on success', () => {
  let now = 0;
  const b = new CircuitBreaker(3, 30_000, 300_000, () => now);
  b.failure({ kind: 'auth' });
  b.failure({ kind: 'auth' });
  b.failure({ kind: 'auth' });
  assert.equal(b.pausedReason(), undefined, 'a bad key is the user\'s problem, not an outage');
  b.failure({ kind: 'overloaded' });
  b.failure({ kind: 'server', status: 500 });
  assert.equal(b.pausedReason(), undefined);
  b.failure({ kind: 'offline' });
  assert.match(b.pausedReason()!, /failed 3 times in a row, so cloud requests are paused for 30 s/);
  now = 30_001;
  assert.equal(b.pausedReason(), undefined, 'one trial call is let through');
  b.failure({ kind: 'offline' });
  assert.match(b.pausedReason()!, /paused for 60 s/);
  now = 100_000;
  b.success();
  b.failure({ kind: 'offline' });
  assert.equal(b.pausedReason(), undefined);
  b.failure({ kind: 'rate-limit', retryAfterS: 120 });
  b.failure({ kind: 'rate-limit', retryAfterS: 120 });
  assert.match(b.pausedReason()!, /paused for 120 s/, 'retry-after wins when longer');
});
