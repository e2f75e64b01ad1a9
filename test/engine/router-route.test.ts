// tandem/route (dry run) and the privacy rules, end to end: the engine over stdio, the fake Anthropic API,
// and the fixture model for local answers. What matters: what the fake received.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES } from '../support/lsp-client.js';
import { rejection, startHarness, testSettings, workspace, type Harness } from '../fake-anthropic/harness.js';
import { FAKE_SECRETS } from '../fake-anthropic/secrets.js';
import { failedTurn } from '../../src/views/turns.js';
import { errorTitle } from '../../webview/chat/format.js';

const MARKER = 'PROPRIETARY_MARKER_93c1';
const ws = workspace({
  'src/a.ts': 'export function computeTotal(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n',
  'src/b.ts': 'import { computeTotal } from "./a";\nexport const t = computeTotal([1, 2]);\n',
  'src/config.ts': `export const config = {\n  region: "eu",\n  github: "${FAKE_SECRETS.github}",\n};\n`,
  '.env': `DATABASE_URL=postgres://${MARKER}@db/prod\n`,
  'proprietary/engine.ts': `export const secretSauce = "${MARKER}";\n`,
});

let h: Harness;
void before(async () => {
  h = await startHarness({ workspace: ws.root, settings: testSettings({ privacy: { localOnlyGlobs: ['proprietary/**'] } }) });
});
void after(async () => h.close());

void test('tandem/route: completions stay local with a reason; nothing runs and nothing is sent', async () => {
  const d = await h.route({ kind: 'completion', prompt: 'const x = ', prefer: 'cloud' });
  assert.equal(d.route, 'local');
  assert.equal(d.model, 'tiny');
  assert.match(d.reasons[0]!.text, /Inline completions always run on the local model/);
  const explain = await h.route({ kind: 'explain', prompt: 'What does this do?', files: [{ uri: ws.uri('src/a.ts') }] });
  assert.equal(explain.route, 'local');
  assert.match(explain.reasons[0]!.text, /stay on the local model by default/);
  assert.equal(h.fake.requests.length, 0);
});

void test('tandem/route: a two-file refactor goes to a cloud tier with the worst case and a manifest, before anything runs', async () => {
  const d = await h.route({ kind: 'refactor', prompt: 'Extract the reducer into a helper', files: [{ uri: ws.uri('src/a.ts') }, { uri: ws.uri('src/b.ts') }] });
  assert.equal(d.route, 'cloud');
  assert.equal(d.model, 'claude-sonnet-5-5');
  assert.match(d.reasons.map((r) => r.text).join(' '), /touches 2 files/);
  // Worst case on the upper bound of the prompt's tokens (its UTF-8 bytes), never the estimate.
  assert.ok(d.promptTokensBound! >= d.promptTokens);
  assert.equal(d.worstCaseUsd, Math.round(((d.promptTokensBound! * 2 + 4096 * 10) / 1e6) * 1e8) / 1e8);
  assert.deepEqual(
    d.manifest!.files.map((f) => f.uri),
    [ws.uri('src/a.ts'), ws.uri('src/b.ts')],
  );
  assert.equal(h.fake.requests.length, 0, 'a dry run sends nothing');
});

void test('a file with a secret never reaches the cloud: the request is answered locally and says why', async () => {
  const before = h.fake.requests.length;
  const r = await h.chat({ kind: 'chat', prompt: 'Is this config right?', prefer: 'cloud', files: [{ uri: ws.uri('src/config.ts') }] });
  assert.equal(r.decision.route, 'local');
  assert.equal(r.decision.blockedBy, 'secret');
  assert.match(r.decision.reasons.map((r) => r.text).join(' '), /src\/config.ts line 3 contains what looks like a secret \(github\)/);
  assert.equal(r.entry.route, 'local');
  assert.equal(h.fake.requests.length, before);
  assert.ok(!h.fake.received().includes(FAKE_SECRETS.github));
});

void test('a secret typed into the message blocks the cloud too', async () => {
  const before = h.fake.requests.length;
  const d = await h.route({ kind: 'chat', prompt: `why does ${FAKE_SECRETS.anthropic} fail?`, prefer: 'cloud' });
  assert.equal(d.blockedBy, 'secret');
  assert.match(d.reasons.map((r) => r.text).join(' '), /Your message line 1/);
  assert.equal(h.fake.requests.length, before);
});

void test('local-only files (.env by default, proprietary/** by setting) never leave, even when asked for Claude', async () => {
  for (const path of ['.env', 'proprietary/engine.ts']) {
    const r = await h.chat({ kind: 'explain', prompt: 'Explain this', prefer: 'cloud', files: [{ uri: ws.uri(path) }, { uri: ws.uri('src/a.ts') }] });
    assert.equal(r.decision.route, 'local');
    assert.equal(r.decision.blockedBy, 'local-only-file');
    assert.match(r.decision.reasons.map((r) => r.text).join(' '), new RegExp(`${path.replace('.', '\\.')} is local-only`));
  }
  assert.ok(!h.fake.received().includes(MARKER));
});

void test('a broken local model falls back to Claude only where the rules allow; otherwise a clear error keeps the prompt', async () => {
  const broken = await startHarness({ workspace: ws.root, env: { TANDEM_MODEL: join(FIXTURES, 'corrupt.gguf') } });
  try {
    const ok = await broken.chat({ kind: 'explain', prompt: 'Explain computeTotal', files: [{ uri: ws.uri('src/a.ts') }] });
    assert.equal(ok.decision.route, 'cloud');
    assert.equal(ok.fallback?.from, 'local');
    assert.match(ok.fallback!.reason.text, /local model is unavailable/);
    assert.match(ok.text, /Echo from claude-haiku-5-5/);
    const before = broken.fake.requests.length;
    const e = await rejection(broken.chat({ kind: 'explain', prompt: 'Explain the config', files: [{ uri: ws.uri('src/config.ts') }] }));
    assert.match(e.message, /The local model is unavailable: .* It cannot go to Claude instead: .*src\/config.ts line 3 contains what looks like a secret/);
    assert.match(e.message, /Your message was kept\./);
    assert.equal(e.data?.prompt, 'Explain the config');
    assert.equal(broken.fake.requests.length, before, 'the secret never left');
    // The chat view reads the cause from the engine's real error data: a privacy block, not "the request failed",
    // and no "Ask Claude instead" (the cloud is ruled out).
    assert.equal(e.data?.decision?.blockedBy, 'secret');
    assert.ok(e.data?.decision?.reasons.some((r) => r.code === 'secret'));
    const turn = failedTurn({ role: 'assistant', id: 'a', replyTo: 'u', time: '', kind: 'explain', text: '', state: 'streaming' }, e, false);
    assert.equal(turn.error?.blockedBy, 'secret');
    assert.match(errorTitle(turn.error?.blockedBy), /Blocked by privacy/);
  } finally {
    await broken.close();
  }
});
