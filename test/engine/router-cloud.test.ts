// Cloud chat end to end: streaming, exact costs from usage (cache tokens included), redaction, consent,
// faults (each ends in a local fallback or a clear error), retries, the circuit breaker and cancellation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatDeltaNotification, ChatRequest, LedgerEntryNotification } from '../../src/shared/protocol.js';
import { CancellationTokenSource, delay } from '../support/lsp-client.js';
import { rejection, startHarness, testSettings, TEST_API_KEY, workspace, type Harness } from '../fake-anthropic/harness.js';
import { refusedUrl } from '../fake-anthropic/server.js';
import { FAKE_SECRETS } from '../fake-anthropic/secrets.js';

const ws = workspace({
  'src/a.ts': 'export function computeTotal(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n',
  'src/config.ts': `export const config = {\n  region: "eu",\n  github: "${FAKE_SECRETS.github}",\n};\n`,
});

let h: Harness;
void before(async () => {
  h = await startHarness({ workspace: ws.root, settings: testSettings({ privacy: { secrets: 'redact' } }) });
});
void after(async () => h.close());

const usd = (micro: number) => Math.round((micro / 1e6) * 1e8) / 1e8;

void test('a cloud answer streams as tandem/chatDelta and is priced exactly from its usage, cache tokens included', async () => {
  h.fake.enqueue({
    type: 'text',
    text: 'computeTotal sums the items.',
    usage: { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 5000, cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 200 } },
  });
  const since = h.engine.notifications.length;
  const r = await h.chat({ id: 'cost-1', kind: 'explain', prompt: 'Explain computeTotal', prefer: 'cloud', files: [{ uri: ws.uri('src/a.ts') }] });
  assert.equal(r.decision.route, 'cloud');
  assert.equal(r.decision.model, 'claude-haiku-5-5');
  assert.equal(r.text, 'computeTotal sums the items.');
  const deltas = h.engine.received(ChatDeltaNotification, since);
  assert.ok(deltas.length >= 2, 'the answer arrives in pieces');
  assert.equal(deltas.map((d) => d.delta).join(''), r.text);
  assert.ok(deltas.every((d) => d.id === 'cost-1' && d.route === 'cloud'));
  // Haiku 5.5 (<=100K): $0.10 in, $0.50 out, $0.01 cache read, $0.125 5m write, $0.20 1h write per million.
  assert.equal(r.entry.costUsd, usd(1200 * 0.1 + 300 * 0.5 + 5000 * 0.01 + 1000 * 0.125 + 200 * 0.2));
  assert.equal(r.entry.costUsd, 0.000485);
  // The counterfactual is the same usage on Sonnet 5.5: $2 / $10 / $0.10 / $2.50 / $4.
  assert.equal(r.entry.counterfactualUsd, usd(1200 * 2 + 300 * 10 + 5000 * 0.1 + 1000 * 2.5 + 200 * 4));
  assert.deepEqual(r.entry.tokens, { input: 1200, output: 300, cacheRead: 5000, cacheWrite: 1200 });
  assert.ok(r.entry.ttftMs !== null && r.entry.ttftMs >= 0);
  const sent = h.fake.requests.at(-1)!;
  assert.equal(sent.body.max_tokens, 4096, 'max_tokens is always set');
  // SDK 1.11 sends the key as a bearer token (older versions used x-api-key).
  assert.ok(sent.headers['x-api-key'] === TEST_API_KEY || sent.headers.authorization === `Bearer ${TEST_API_KEY}`);
  assert.match(JSON.stringify(sent.body.messages), /File: src\/a.ts/);
  const note = await h.engine.waitFor(LedgerEntryNotification, (e) => e.id === r.entry.id, 5000, since);
  assert.equal(note.costUsd, 0.000485);
  assert.deepEqual(note.manifest?.files.map((f) => f.uri), [ws.uri('src/a.ts')]);
});

void test('with secrets set to redact, the secret is replaced before it leaves and the manifest records it', async () => {
  const r = await h.chat({ kind: 'chat', prompt: 'Is this config right?', prefer: 'cloud', files: [{ uri: ws.uri('src/config.ts') }] });
  assert.equal(r.decision.route, 'cloud');
  assert.ok(!h.fake.received().includes(FAKE_SECRETS.github), 'the secret never reached the API');
  const sent = JSON.stringify(h.fake.requests.at(-1)!.body);
  const placeholder = /\[REDACTED:github-pat#[0-9a-f]{8}\]/.exec(sent)?.[0];
  assert.ok(placeholder, sent);
  assert.deepEqual(r.entry.manifest!.redactions, [{ uri: ws.uri('src/config.ts'), line: 2, rule: 'github-pat', placeholder }]);
  assert.match(r.decision.reasons.map((r) => r.text).join(' '), /1 secret will be redacted/);
});

const faults: [string, Parameters<Harness['fake']['enqueue']>[0], RegExp][] = [
  ['429 with retry-after', { type: 'status', status: 429, errorType: 'rate_limit_error', retryAfter: 1 }, /rate-limiting .*429.*retry after 1 s \(at \d\d:\d\d:\d\d\)/],
  ['529 overloaded', { type: 'status', status: 529, errorType: 'overloaded_error' }, /overloaded right now \(529\)/],
  ['500 server error', { type: 'status', status: 500, errorType: 'api_error', message: 'Internal server error' }, /server error \(500\)/],
  ['an error event mid-stream', { type: 'error-event', text: 'Half an ans', errorType: 'overloaded_error' }, /overloaded/],
  ['a malformed stream', { type: 'malformed' }, /answer could not be read: the stream was malformed/],
  ['a stalled stream', { type: 'stall', text: 'Start of' }, /stalled: nothing arrived for 1\.5 s/],
  ['no answer at all (request timeout)', { type: 'hang' }, /did not answer within 3\.\d s/],
  ['a dropped connection', { type: 'drop' }, /Cannot reach the Anthropic API/],
  ['an invalid key (401)', { type: 'status', status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' }, /key was rejected \(401\)/],
  ['the spend limit (400)', { type: 'status', status: 400, errorType: 'invalid_request_error', message: 'You have reached your specified API usage limits.' }, /spend limit/],
];

for (const [name, behaviour, reason] of faults) {
  void test(`cloud failure (${name}) is answered by the local model, marked as a fallback with its reason`, async () => {
    h.fake.enqueue(behaviour);
    const since = h.engine.notifications.length;
    const r = await h.chat({ id: `fault-${name}`, kind: 'chat', prompt: 'What does computeTotal return?', prefer: 'cloud' });
    assert.equal(r.fallback?.from, 'cloud');
    assert.match(r.fallback!.reason.text, reason);
    assert.equal(r.entry.route, 'local');
    assert.equal(r.entry.fallback?.from, 'cloud');
    assert.ok(r.text.length > 0, 'the local model answered');
    const deltas = h.engine.received(ChatDeltaNotification, since);
    assert.ok(deltas.some((d) => d.route === 'local' && d.reset), 'the client is told to drop the partial cloud answer');
    // Breaker state must not leak into the next test: once a retry-after is over, a success resets it.
    if (behaviour.type === 'status' && behaviour.retryAfter) await delay(behaviour.retryAfter * 1000 + 50);
    h.fake.enqueue({ type: 'echo' });
    const ok = await h.chat({ kind: 'chat', prompt: 'ping', prefer: 'cloud' });
    assert.equal(ok.decision.route, 'cloud');
  });
}

void test('retries are configured once: maxRetries 1 means exactly two attempts, then success', async () => {
  const engine = await startHarness({ settings: testSettings({ cloud: { maxRetries: 1 } }), localModel: false });
  try {
    engine.fake.enqueue({ type: 'status', status: 529, errorType: 'overloaded_error' });
    const r = await engine.chat({ kind: 'chat', prompt: 'hello', prefer: 'cloud' });
    assert.equal(r.decision.route, 'cloud');
    assert.equal(r.fallback, undefined);
    assert.equal(engine.fake.requests.length, 2);
  } finally {
    await engine.close();
  }
});

void test('repeated failures open the circuit breaker: the next request stays local without touching the network', async () => {
  for (let i = 0; i < 3; i++) h.fake.enqueue({ type: 'status', status: 500, errorType: 'api_error' });
  for (let i = 0; i < 3; i++) await h.chat({ kind: 'chat', prompt: `try ${i}`, prefer: 'cloud' });
  const before = h.fake.requests.length;
  const d = await h.route({ kind: 'chat', prompt: 'and now?', prefer: 'cloud' });
  assert.equal(d.route, 'local');
  assert.equal(d.blockedBy, 'cloud-unavailable');
  assert.match(d.reasons.map((r) => r.text).join(' '), /failed 3 times in a row, so cloud requests are paused for \d+ s/);
  assert.equal(h.fake.requests.length, before);
});

void test('connection refused with no local model: a clear error that carries the prompt back, and the key is never logged', async () => {
  const dead = await startHarness({ baseUrl: await refusedUrl(), localModel: false });
  try {
    const e = await rejection(dead.chat({ kind: 'chat', prompt: 'my long question', prefer: 'cloud' }));
    assert.match(e.message, /Cannot reach the Anthropic API: this machine looks offline, or the connection was refused\. Check the network \(and any proxy\), then retry\. No local model is available to answer instead\. Your message was kept\./);
    assert.ok(e.data?.decision?.reasons.some((r) => r.code === 'cloud-unreachable'), 'the decision says Claude was unreachable, by code');
    assert.equal(e.data?.prompt, 'my long question');
    const ledger = await dead.ledger();
    assert.equal(ledger.entries.length, 1);
    assert.match(ledger.entries[0].error!, /Cannot reach/);
    const file = readFileSync(join(dead.engine.dataDir, 'ledger.jsonl'), 'utf8');
    assert.ok(!file.includes(TEST_API_KEY));
    assert.ok(!dead.engine.stderr.includes(TEST_API_KEY));
    assert.ok(!JSON.stringify(dead.engine.notifications).includes(TEST_API_KEY));
  } finally {
    await dead.close();
  }
});

void test('cancelling a streaming cloud answer stops it and closes the connection', async () => {
  h.fake.enqueue({ type: 'text', text: 'word '.repeat(200), chunks: 100, delayMs: 20 });
  const token = new CancellationTokenSource();
  const pending = h.engine.request(ChatRequest, { id: 'cancel-1', kind: 'chat', prompt: 'long answer please', prefer: 'cloud' }, token);
  await h.engine.waitFor(ChatDeltaNotification, (p: { id: string }) => p.id === 'cancel-1', 5000);
  token.cancel();
  const outcome = await pending.then(
    (r) => r.stopped,
    (e: { message: string }) => e.message,
  );
  assert.ok(outcome === 'cancelled' || /cancel/i.test(String(outcome)), String(outcome));
  await delay(100);
  const deltas = h.engine.received(ChatDeltaNotification).filter((d) => d.id === 'cancel-1');
  assert.ok(deltas.length < 100, `the stream stopped early (${deltas.length} of 100 pieces)`);
});

/** The promise, or a failure naming what took too long. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, delay(ms).then(() => Promise.reject(new Error(`${what} took longer than ${ms} ms`)))]);
}

void test('one deadline for all attempts: a retry-after longer than what is left goes straight to the local model, saying when the cloud is back', async () => {
  const d = await startHarness({ settings: testSettings({ cloud: { maxRetries: 2, deadlineMs: 3000 } }) });
  try {
    d.fake.enqueue({ type: 'status', status: 429, errorType: 'rate_limit_error', retryAfter: 3600 });
    const started = performance.now();
    const pending = d.chat({ id: 'limited', kind: 'chat', prompt: 'rate limited', prefer: 'cloud' });
    // The local answer starts well within the deadline (generating it takes what it takes on a busy machine).
    await within(d.engine.waitFor(ChatDeltaNotification, (p) => p.id === 'limited' && Boolean(p.reset), 30_000), 30_000, 'the fallback');
    const began = performance.now() - started;
    assert.ok(began < 3000 + 1000, `the fallback began after ${Math.round(began)} ms`);
    const r = await within(pending, 30_000, 'a 429 with retry-after: 3600');
    assert.equal(r.fallback?.from, 'cloud');
    assert.equal(r.fallback!.reason.code, 'cloud-deadline');
    assert.match(r.fallback!.reason.text, /rate-limiting this API key \(429\) and asks to wait 60 min, longer than the 3 s deadline allows; it can be called again at \d\d:\d\d:\d\d/);
    assert.equal(d.fake.requests.length, 1, 'no retry was made that could not be waited for');
    // The breaker remembers: nothing is sent before then.
    const next = await d.route({ kind: 'chat', prompt: 'and now?', prefer: 'cloud' });
    assert.equal(next.blockedBy, 'cloud-unavailable');
    assert.match(next.reasons.map((x) => x.text).join(' '), /asked not to be called again before \d\d:\d\d:\d\d, so cloud requests are paused until then \(3\d{3} s\)/);
    assert.equal(d.fake.requests.length, 1);
  } finally {
    await d.close();
  }
});

void test('one deadline for all attempts: attempts that do not answer end at the deadline, and the message states the time that passed', async () => {
  const d = await startHarness({ localModel: false, settings: testSettings({ cloud: { maxRetries: 5, requestTimeoutMs: 1200, deadlineMs: 3000 } }) });
  try {
    d.fake.enqueue({ type: 'hang' }, { type: 'hang' }, { type: 'hang' }, { type: 'hang' });
    const started = performance.now();
    const e = await within(rejection(d.chat({ kind: 'chat', prompt: 'anyone there?', prefer: 'cloud' })), 8000, 'requests that never answer');
    const passed = performance.now() - started;
    // Attempts of 1.2 s with 375-500 ms backoff between them: the second ends at 2.78-2.9 s, and the next backoff
    // (750-1000 ms) no longer fits, so the request ends there, or at the 3 s deadline.
    assert.ok(passed >= 2700 && passed < 3000 + 1000, `${passed} ms`);
    const m = /Claude did not start answering within (\d+\.\d) s \(the deadline is 3 s; (\d) attempts\)/.exec(e.message);
    assert.ok(m, e.message);
    assert.ok(Number(m[1]) >= 2.7 && Number(m[1]) <= passed / 1000 + 0.1, `${m[1]} s stated, ${passed} ms passed`);
    assert.ok(Number(m[2]) >= 2 && d.fake.requests.length === Number(m[2]));

    // Two attempts that each time out: the message says how long both took, not one attempt's timeout.
    const two = await startHarness({ localModel: false, settings: testSettings({ cloud: { maxRetries: 1, requestTimeoutMs: 1200, deadlineMs: 20_000 } }) });
    try {
      two.fake.enqueue({ type: 'hang' }, { type: 'hang' });
      const t = await rejection(two.chat({ kind: 'chat', prompt: 'anyone?', prefer: 'cloud' }));
      const stated = /did not answer within (\d+\.\d) s \(2 attempts\)/.exec(t.message);
      assert.ok(stated && Number(stated[1]) >= 2.4, t.message);
    } finally {
      await two.close();
    }
  } finally {
    await d.close();
  }
});

void test('overload retried within the deadline says how many attempts it took', async () => {
  const d = await startHarness({ localModel: false, settings: testSettings({ cloud: { maxRetries: 2, deadlineMs: 20_000 } }) });
  try {
    for (let i = 0; i < 3; i++) d.fake.enqueue({ type: 'status', status: 529, errorType: 'overloaded_error' });
    const e = await rejection(d.chat({ kind: 'chat', prompt: 'busy?', prefer: 'cloud' }));
    assert.match(e.message, /overloaded right now \(529, 3 attempts in \d+\.\d s\)/);
    assert.equal(d.fake.requests.length, 3);
  } finally {
    await d.close();
  }
});

void test('a stream that fails after the API billed input: the fallback entry records the cloud attempt and its cost', async () => {
  const h = await startHarness();
  after(() => h.close());
  h.fake.enqueue({ type: 'error-event', text: 'Half an answer', errorType: 'overloaded_error', inputTokens: 60 });
  const r = await h.chat({ kind: 'chat', prompt: 'What does computeTotal return?', prefer: 'cloud' });
  assert.equal(r.fallback?.from, 'cloud');
  assert.equal(r.entry.route, 'local');
  // Haiku 5.5: $0.10/M in, $0.50/M out; the 14 bytes streamed before the error count as at most 14 output tokens.
  const attempt = r.entry.cloudAttempt;
  assert.ok(attempt, 'the cloud attempt is in the entry');
  assert.equal(attempt.model, 'claude-haiku-5-5');
  assert.equal(attempt.tokens.input, 60);
  assert.equal(attempt.tokens.output, 14);
  assert.equal(attempt.costUsd, usd(60 * 0.1 + 14 * 0.5));
  assert.equal(r.entry.costUsd, attempt.costUsd, 'the local answer is free; the spend is the attempt');
  const ledger = await h.ledger();
  assert.equal(ledger.entries.find((e) => e.id === r.entry.id)?.costUsd, attempt.costUsd);
  assert.equal(ledger.today.costUsd, attempt.costUsd);
});
