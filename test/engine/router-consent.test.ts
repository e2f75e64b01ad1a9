// What the user is asked and told around the cloud: the consent question lists the files about to leave (with
// bytes), the time spent answering it is not the request's time, "Reset Cloud Consent" is one notification that
// leaves the engine (and its loaded model) running, and an API key test goes through the gate for a tiny cost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AskConsentRequest, ResetConsentNotification, TestApiKeyRequest, type ConsentChoice, type ConsentQuestion } from '../../src/shared/protocol.js';
import { delay } from '../support/lsp-client.js';
import { startHarness, testSettings, workspace, type Harness } from '../fake-anthropic/harness.js';

const ws = workspace({
  'src/a.ts': 'export function computeTotal(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n',
  'src/b.ts': 'import { computeTotal } from "./a";\nexport const t = computeTotal([1, 2]);\n',
});

let h: Harness;
const questions: ConsentQuestion[] = [];
let answer: ConsentChoice = 'once';
let thinkMs = 0;

void before(async () => {
  h = await startHarness({ workspace: ws.root, localModel: false, settings: testSettings({ privacy: { cloudConsent: 'ask' } }) });
  h.engine.connection.onRequest(AskConsentRequest, async (question) => {
    questions.push(question);
    // The user reads the dialog before answering.
    await delay(thinkMs);
    return { choice: answer };
  });
});
void after(async () => h.close());

void test('the consent question lists each file about to leave with its bytes, and its wait is not the request time', async () => {
  thinkMs = 1500;
  answer = 'once';
  const r = await h.chat({ kind: 'explain', prompt: 'Explain computeTotal', prefer: 'cloud', files: [{ uri: ws.uri('src/a.ts') }, { uri: ws.uri('src/b.ts') }] });
  assert.equal(r.entry.route, 'cloud');
  assert.equal(questions.length, 1);
  const files = questions[0].manifest?.files ?? [];
  assert.deepEqual(files.map((f) => f.uri).sort(), [ws.uri('src/a.ts'), ws.uri('src/b.ts')].sort());
  assert.ok(files.every((f) => f.bytes > 0), `bytes per file: ${JSON.stringify(files)}`);
  assert.equal(files.find((f) => f.uri === ws.uri('src/a.ts'))?.bytes, Buffer.byteLength('export function computeTotal(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n'));
  assert.ok(r.entry.totalMs < thinkMs, `the request took ${r.entry.totalMs} ms, but the user alone took ${thinkMs} ms to answer`);
});

void test('"always" is remembered; tandem/resetConsent makes the next cloud use ask again, with the same engine process', async () => {
  thinkMs = 0;
  answer = 'always';
  const pid = h.engine.process.pid;
  await h.chat({ kind: 'chat', prompt: 'first', prefer: 'cloud' });
  const asked = questions.length;
  await h.chat({ kind: 'chat', prompt: 'second', prefer: 'cloud' });
  assert.equal(questions.length, asked, '"always" was asked again');
  answer = 'once';
  await h.engine.notify(ResetConsentNotification);
  const r = await h.chat({ kind: 'chat', prompt: 'third', prefer: 'cloud' });
  assert.equal(r.entry.route, 'cloud');
  assert.equal(questions.length, asked + 1, 'after the reset the next cloud use asks again');
  assert.equal(h.engine.process.pid, pid);
  assert.equal(h.engine.exitCode, undefined, 'the engine kept running');
});

void test('an API key test sends one tiny request without workspace content, ledgers its cost, and names a rejected key', async () => {
  const sent = h.fake.requests.length;
  const ok = await h.engine.request(TestApiKeyRequest, undefined);
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.equal(ok.model, 'claude-haiku-5-5');
  assert.ok(ok.costUsd > 0 && ok.costUsd < 0.0001, `cost ${ok.costUsd}`);
  assert.equal(h.fake.requests.length, sent + 1);
  const body = h.fake.requests.at(-1)!.body;
  assert.equal(body.max_tokens, 1);
  assert.ok(!JSON.stringify(body).includes('computeTotal'), 'the key test carried workspace content');
  const ledger = await h.ledger();
  const entry = ledger.entries.at(-1)!;
  assert.deepEqual(entry.reasons.map((r) => r.code), ['key-test']);
  assert.equal(entry.costUsd, ok.costUsd);

  h.fake.enqueue({ type: 'status', status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' });
  const rejected = await h.engine.request(TestApiKeyRequest, undefined);
  assert.equal(rejected.ok, false);
  assert.equal(!rejected.ok && rejected.problem, 'rejected');
  assert.match(!rejected.ok ? rejected.reason : '', /rejected this key \(401\)/);
});
