// An inference server on another machine is an egress destination of its own. TANDEM_LOOPBACK_IS_REMOTE makes the
// engine treat the fake server on 127.0.0.1 as another machine, so what would leave is exactly what the fake
// records. Also: chat falls back to Claude when the server is down, where policy allows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AskConsentRequest, ChatRequest, GetStatsRequest, ModelStateNotification, type ConsentQuestion, type LedgerEntry } from '../../src/shared/protocol.js';
import { delay, startEngine, type EngineClient } from '../support/lsp-client.js';
import { startFakeInference, type FakeInference } from '../support/fake-inference.js';
import { startHarness, testSettings, workspace } from '../fake-anthropic/harness.js';
import { FAKE_SECRETS } from '../fake-anthropic/secrets.js';

const MODEL = 'qwen2.5-coder:1.5b-base';
const MARKER = 'PROPRIETARY_MARKER_5d21';
const ws = workspace({
  'src/a.ts': 'export function add(a: number, b: number): number {\n  return \n}\n',
  'src/keys.ts': `export const github = "${FAKE_SECRETS.github}";\nexport const region = \n`,
  '.env': `DATABASE_URL=postgres://${MARKER}@db/prod\nPORT=\n`,
});

const sent = (fake: FakeInference) => JSON.stringify(fake.requests.map((r) => r.body));

void describe('an untrusted server on another machine', () => {
  let fake: FakeInference;
  let engine: EngineClient;
  before(async () => {
    fake = await startFakeInference({ models: [MODEL] });
    engine = await startEngine({
      workspace: ws.root,
      settings: { local: { backend: 'ollama', url: fake.url, model: MODEL }, privacy: { serverConsent: 'always' } },
      env: { TANDEM_LOOPBACK_IS_REMOTE: '1' },
    });
    await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'ready');
  });
  after(async () => {
    await engine.shutdown();
    await fake.stop();
  });

  void it('is shown as another machine, not trusted', async () => {
    const ready = await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'ready');
    assert.ok(ready.state === 'ready');
    assert.deepEqual(ready.backend, { kind: 'ollama', url: fake.url, remote: true, trusted: false });
  });

  void it('local-only files and code with a secret at the cursor get no completion from it, and nothing of them is sent', async () => {
    await engine.open(ws.uri('.env'), 'dotenv', readFileSync(join(ws.root, '.env'), 'utf8'));
    assert.equal(await engine.inlineCompletion(ws.uri('.env'), { line: 1, character: 5 }), null);
    await engine.open(ws.uri('src/keys.ts'), 'typescript', readFileSync(join(ws.root, 'src/keys.ts'), 'utf8'));
    assert.equal(await engine.inlineCompletion(ws.uri('src/keys.ts'), { line: 1, character: 22 }), null);
    const stats = await engine.request(GetStatsRequest);
    assert.equal(stats.skipped['local-only-file'], 1);
    assert.equal(stats.skipped.secret, 1);
    assert.equal(fake.requests.filter((r) => r.path === '/api/generate').length, 0);
    // Another file still completes, and neither the local-only file nor the secret rides along as context.
    await engine.open(ws.uri('src/a.ts'), 'typescript', readFileSync(join(ws.root, 'src/a.ts'), 'utf8'));
    assert.equal((await engine.inlineCompletion(ws.uri('src/a.ts'), { line: 1, character: 9 }))?.items[0]?.insertText, 'a + b;');
    await delay(1200); // the context ring takes the other files in after a quiet second
    await engine.inlineCompletion(ws.uri('src/a.ts'), { line: 1, character: 9 });
    assert.ok(!sent(fake).includes(MARKER), 'the local-only file was sent');
    assert.ok(!sent(fake).includes(FAKE_SECRETS.github), 'the secret was sent');
  });

  void it('chat with a local-only file is refused before anything is sent; other chat carries a manifest naming the server', async () => {
    const before = fake.requests.length;
    await assert.rejects(engine.request(ChatRequest, { id: 'p1', kind: 'explain', prompt: 'What is this?', files: [{ uri: ws.uri('.env') }] }), (e: { message: string }) =>
      /\.env is local-only .* never goes to ollama at http:\/\/127\.0\.0\.1:\d+, another machine not marked trusted/.test(e.message),
    );
    assert.equal(fake.requests.length, before);
    const r = await engine.request(ChatRequest, { id: 'p2', kind: 'explain', prompt: 'What does add do?', files: [{ uri: ws.uri('src/a.ts') }] });
    assert.equal(r.decision.route, 'local');
    assert.deepEqual(r.entry.destination, { kind: 'ollama', url: fake.url, trusted: false });
    assert.deepEqual(r.entry.manifest?.files.map((f) => f.uri), [ws.uri('src/a.ts')]);
  });

  void it('the completions sent are written to the ledger as one manifest when the engine stops', async () => {
    await engine.shutdown();
    const entries = readFileSync(join(engine.dataDir, 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LedgerEntry);
    const completions = entries.filter((e) => e.kind === 'completion');
    assert.equal(completions.length, 1, 'one entry for the file (its minute)');
    const [entry] = completions;
    assert.equal(entry.destination?.url, fake.url);
    // Answered requests are counted; the manifest covers every request sent (a warm-up too).
    const generates = fake.requests.filter((r) => r.path === '/api/generate').length;
    assert.ok(entry.count! >= 1 && entry.count! <= generates, `${entry.count} answered of ${generates} sent`);
    assert.equal(entry.reasons.find((r) => r.code === 'completion-egress')?.code, 'completion-egress');
    assert.deepEqual(entry.manifest?.files.map((f) => f.uri), [ws.uri('src/a.ts')]);
  });
});

void it('with consent "ask", the first completion asks (naming the server) and nothing is sent until the answer', async () => {
  const fake = await startFakeInference({ models: [MODEL] });
  const engine = await startEngine({ settings: { local: { backend: 'ollama', url: fake.url, model: MODEL } }, env: { TANDEM_LOOPBACK_IS_REMOTE: '1' } });
  const asked: ConsentQuestion[] = [];
  engine.connection.onRequest(AskConsentRequest, async (q) => {
    asked.push(q);
    await delay(300);
    return { choice: 'always' };
  });
  try {
    await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'ready');
    const uri = 'file:///w/src/m.ts';
    await engine.open(uri, 'typescript', 'const x = \n');
    assert.equal(await engine.inlineCompletion(uri, { line: 0, character: 10 }), null);
    const waiting = await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'error');
    assert.ok(waiting.state === 'error' && waiting.problem === 'consent');
    assert.equal(fake.requests.filter((r) => r.path === '/api/generate').length, 0);
    await delay(500);
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0].destination, { kind: 'ollama', url: fake.url, trusted: false });
    assert.ok((await engine.inlineCompletion(uri, { line: 0, character: 10 }))?.items.length, 'answered after consent');
  } finally {
    await engine.shutdown();
    await fake.stop();
  }
});

void it('chat falls back to Claude when the server is down, where policy allows, and says why', async () => {
  const h = await startHarness({ localModel: false, settings: testSettings({ local: { backend: 'llama-server', url: 'http://127.0.0.1:9', requestTimeoutMs: 2000 } }) });
  try {
    const r = await h.chat({ kind: 'chat', prompt: 'What is a closure?' });
    assert.equal(r.entry.route, 'cloud');
    assert.equal(r.fallback?.from, 'local');
    assert.equal(r.fallback!.reason.code, 'local-unavailable');
    assert.match(r.fallback!.reason.text, /Nothing answers at http:\/\/127\.0\.0\.1:9\/health \(connection refused\)/);
    assert.ok(r.text.length > 0);
    assert.equal(h.fake.requests.length, 1);
  } finally {
    await h.close();
  }
});
