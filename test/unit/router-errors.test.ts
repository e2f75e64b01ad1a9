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
  assert.match(describeFailure({ kind: 'auth' }), /key was rejected \(401\).*"Tandem: Set Anthropic API Key"/);
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
  // A retry-after the request could not wait for pauses the cloud until then, from the first failure on.
  b.failure({ kind: 'rate-limit', retryAfterS: 120, availableAt: now + 120_000 });
  assert.match(b.pausedReason()!, /asked not to be called again before \d\d:\d\d:\d\d, so cloud requests are paused until then \(120 s\)/);
  now += 120_001;
  assert.equal(b.pausedReason(), undefined);
});

void test('failure messages state the time that really passed and when the cloud is available again', () => {
  assert.match(describeFailure({ kind: 'timeout', attempts: 2, elapsedMs: 5400 }), /did not answer within 5\.4 s \(2 attempts\)/);
  assert.match(describeFailure({ kind: 'timeout', deadline: true, deadlineS: 30, attempts: 3, elapsedMs: 30_012 }), /did not start answering within 30\.0 s \(the deadline is 30 s; 3 attempts\)/);
  const at = new Date(2026, 10, 24, 15, 4, 5).getTime();
  assert.match(
    describeFailure({ kind: 'rate-limit', retryAfterS: 3600, waitTooLong: true, deadlineS: 30, availableAt: at }),
    /asks to wait 60 min, longer than the 30 s deadline allows; it can be called again at 15:04:05/,
  );
  assert.match(describeFailure({ kind: 'overloaded', attempts: 3, elapsedMs: 1640 }), /overloaded right now \(529, 3 attempts in 1\.6 s\)/);
});
