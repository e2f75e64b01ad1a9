import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type PolicyInput } from '../../src/server/router/policy.js';
import { mergeSettings } from '../../src/shared/settings.js';

function input(over: Partial<PolicyInput> = {}, settings: unknown = {}): PolicyInput {
  return {
    kind: 'chat',
    fileCount: 1,
    localTokens: 500,
    cloudTokens: 600,
    cloudTokensBound: over.cloudTokensBound ?? over.cloudTokens ?? 600,
    local: { name: 'qwen-coder', contextSize: 8192 },
    settings: mergeSettings({ privacy: { cloudConsent: 'always' }, ...(settings as object) }),
    secrets: [],
    localOnlyFiles: [],
    consent: 'always',
    hasApiKey: true,
    spent: { today: 0, month: 0 },
    reservedUsd: 0,
    ...over,
  };
}

void test('completions always stay local, with a reason', () => {
  const d = decide(input({ kind: 'completion', prefer: 'cloud' }));
  assert.equal(d.route, 'local');
  assert.match(d.reasons[0]!.text, /Inline completions always run on the local model/);
  assert.equal(d.worstCaseUsd, 0);
});

void test('explain and chat stay local by default', () => {
  for (const kind of ['explain', 'chat'] as const) {
    const d = decide(input({ kind }));
    assert.equal(d.route, 'local');
    assert.equal(d.model, 'qwen-coder');
    assert.match(d.reasons[0]!.text, /stay on the local model by default/);
  }
});

void test('a multi-file refactor goes to the cloud at a tier that fits, with the worst case before running', () => {
  const d = decide(input({ kind: 'refactor', fileCount: 3, cloudTokens: 10_000 }));
  assert.equal(d.route, 'cloud');
  assert.equal(d.model, 'claude-sonnet-5-5', 'multi-file refactors need the second tier');
  assert.match(d.reasons.map((r) => r.text).join(' '), /touches 3 files/);
  assert.equal(d.worstCaseUsd, (10_000 * 2 + 4096 * 10) / 1e6);
  const many = decide(input({ kind: 'refactor', fileCount: 7, cloudTokens: 10_000 }));
  assert.equal(many.model, 'claude-opus-5-5');
});

void test('explicit "ask Claude", a rejected local answer and a context larger than the local window go to the cheapest tier', () => {
  assert.equal(decide(input({ prefer: 'cloud' })).model, 'claude-haiku-5-5');
  assert.equal(decide(input({ rejectedLocal: true })).route, 'cloud');
  const big = decide(input({ localTokens: 9000, cloudTokens: 10_000 }));
  assert.equal(big.route, 'cloud');
  assert.match(big.reasons[0]!.text, /larger than the local model's window/);
  assert.equal(decide(input({ prefer: 'local', localTokens: 9000 })).route, 'local');
});

void test('sensitivity comes first: secrets, local-only files, local-only mode and consent keep it local', () => {
  const secret = decide(input({ prefer: 'cloud', secrets: [{ where: 'src/config.ts', uri: 'file:///w/src/config.ts', line: 4, rule: 'aws', hash: 'h' }] }));
  assert.equal(secret.route, 'local');
  assert.equal(secret.blockedBy, 'secret');
  assert.match(secret.reasons.map((r) => r.text).join(' '), /src\/config.ts line 5 contains what looks like a secret \(aws\)/);

  const file = decide(input({ prefer: 'cloud', localOnlyFiles: [{ where: '.env', why: 'matches **/.env' }] }));
  assert.equal(file.blockedBy, 'local-only-file');
  assert.match(file.reasons.map((r) => r.text).join(' '), /\.env is local-only \(matches \*\*\/\.env\)/);

  // Settings that could not be trusted: nothing leaves, and the reason says why, with its code.
  const broken = decide(input({ prefer: 'cloud', settingsProblem: 'tandem.privacy.localOnly should be true or false, not "yes"' }));
  assert.equal(broken.blockedBy, 'settings');
  const why = broken.reasons.find((r) => r.code === 'settings');
  assert.match(why?.text ?? '', /should be true or false, not "yes"\. Nothing leaves this machine until valid settings arrive/);

  const mode = decide(input({ prefer: 'cloud' }, { privacy: { localOnly: true, cloudConsent: 'always' } }));
  assert.equal(mode.blockedBy, 'local-only-mode');

  const never = decide(input({ prefer: 'cloud', consent: 'never' }));
  assert.equal(never.blockedBy, 'consent');

  const ask = decide(input({ prefer: 'cloud', consent: 'ask' }));
  assert.equal(ask.route, 'cloud');
  assert.equal(ask.needsConsent, true);
});

void test('with secrets set to redact, the cloud route is kept and says what will be redacted', () => {
  const d = decide(
    input({ prefer: 'cloud', secrets: [{ where: 'a.ts', uri: 'file:///a.ts', line: 0, rule: 'github', hash: 'h' }] }, { privacy: { secrets: 'redact', cloudConsent: 'always' } }),
  );
  assert.equal(d.route, 'cloud');
  assert.equal(d.redact, true);
  assert.match(d.reasons.map((r) => r.text).join(' '), /1 secret will be redacted/);
});

void test('no local model and no cloud: blocked with both reasons', () => {
  const d = decide(input({ local: {}, hasApiKey: false }));
  assert.equal(d.route, 'blocked');
  assert.equal(d.blockedBy, 'no-api-key');
  assert.match(d.reasons.map((r) => r.text).join(' '), /No local chat model/);
  assert.match(d.reasons.map((r) => r.text).join(' '), /No Anthropic API key/);
});

void test('cost third: the budget refuses a request whose worst case does not fit, or caps its output', () => {
  const none = decide(input({ prefer: 'cloud' }, { budget: { dailyUsd: 0, monthlyUsd: 20 }, privacy: { cloudConsent: 'always' } }));
  assert.equal(none.route, 'local');
  assert.equal(none.blockedBy, 'budget');
  assert.match(none.reasons.map((r) => r.text).join(' '), /daily cloud budget is \$0/);

  // Haiku: 600 tokens in ($0.00006) + 4096 out ($0.002048) = $0.002108 worst case; $0.001 left caps the output.
  const capped = decide(input({ prefer: 'cloud', spent: { today: 0.999, month: 1 } }, { budget: { dailyUsd: 1, monthlyUsd: 20 }, privacy: { cloudConsent: 'always' } }));
  assert.equal(capped.route, 'cloud');
  assert.equal(capped.maxTokens, Math.floor((0.001 * 1e6 - 600 * 0.1) / 0.5));
  assert.ok(capped.worstCaseUsd <= 0.001);
  assert.match(capped.reasons.map((r) => r.text).join(' '), /capped at 1880 tokens/);

  const reserved = decide(input({ prefer: 'cloud', reservedUsd: 1.9999 }, { budget: { dailyUsd: 2, monthlyUsd: 20 }, privacy: { cloudConsent: 'always' } }));
  assert.equal(reserved.blockedBy, 'budget');
  assert.match(reserved.reasons.map((r) => r.text).join(' '), /reserved by requests in flight/);

  const unlimited = decide(input({ prefer: 'cloud', spent: { today: 1000, month: 1000 } }, { budget: { dailyUsd: -1, monthlyUsd: -1 }, privacy: { cloudConsent: 'always' } }));
  assert.equal(unlimited.route, 'cloud');
});

void test('a paused cloud (circuit breaker) keeps requests local and says why', () => {
  const d = decide(input({ prefer: 'cloud', cloudPaused: 'Claude failed 3 times in a row, so cloud requests are paused for 30 s.' }));
  assert.equal(d.route, 'local');
  assert.equal(d.blockedBy, 'cloud-unavailable');
});

void test('a context no tier can hold is refused as too large', () => {
  const d = decide(input({ prefer: 'cloud', cloudTokens: 400_000 }));
  assert.equal(d.blockedBy, 'too-large');
  assert.match(d.reasons.map((r) => r.text).join(' '), /do not fit/);
});

void test('every reason is a code with text: each route says why by code, and a refusal names its cause by code', () => {
  const codes = (d: ReturnType<typeof decide>) => d.reasons.map((r) => r.code);
  assert.deepEqual(codes(decide(input({ kind: 'completion' }))), ['completion-local']);
  assert.deepEqual(codes(decide(input({ kind: 'explain' }))), ['kind-local']);
  assert.deepEqual(codes(decide(input({ prefer: 'local' }))), ['asked-local']);
  assert.deepEqual(codes(decide(input({ kind: 'refactor', fileCount: 1 }))), ['single-file-refactor']);
  assert.deepEqual(codes(decide(input({ kind: 'refactor', fileCount: 3, cloudTokens: 10_000 }))), ['multi-file-refactor', 'tier']);
  const asking = decide({ ...input({ prefer: 'cloud' }), consent: 'ask' });
  assert.deepEqual(codes(asking), ['asked-cloud', 'tier', 'consent-ask']);
  const secret = { where: 'a.ts', uri: 'file:///w/a.ts', line: 0, rule: 'github', hash: 'h' };
  const refusals: [Partial<PolicyInput>, unknown, string][] = [
    [{ settingsProblem: 'the settings should be an object' }, {}, 'settings'],
    [{ secrets: [secret] }, {}, 'secret'],
    [{ localOnlyFiles: [{ where: '.env', why: 'matches **/.env' }] }, {}, 'local-only-file'],
    [{}, { privacy: { localOnly: true } }, 'local-only-mode'],
    [{ consent: 'never' }, {}, 'consent'],
    [{ hasApiKey: false }, {}, 'no-api-key'],
    [{ cloudPaused: 'paused' }, {}, 'cloud-unavailable'],
    [{}, { cloud: { tiers: [] } }, 'too-large'],
    [{}, { budget: { dailyUsd: 0 } }, 'budget'],
  ];
  for (const [over, settings, cause] of refusals) {
    const d = decide(input({ prefer: 'cloud', ...over }, settings));
    assert.equal(d.blockedBy, cause);
    assert.deepEqual(codes(d), ['asked-cloud', cause, 'stays-local'], cause);
    const none = decide(input({ prefer: 'cloud', local: {}, ...over }, settings));
    assert.deepEqual(codes(none), ['asked-cloud', cause, 'nothing-sent', 'no-local-model'], `${cause} without a local model`);
    assert.ok(none.reasons.every((r) => r.text.length > 0));
  }
});

void test('a refused cloud route falls back to the local model only where it can do the job', () => {
  // Multi-file edits and a context beyond the local window cannot be done locally: refused means nothing runs.
  for (const over of [{ kind: 'refactor' as const, fileCount: 3 }, { localTokens: 9000, cloudTokens: 9000 }]) {
    const d = decide(input({ ...over, hasApiKey: false }));
    assert.equal(d.route, 'blocked', JSON.stringify(over));
    assert.equal(d.blockedBy, 'no-api-key');
    assert.equal(d.reasons.at(-1)?.code, 'nothing-sent');
    assert.match(d.reasons.at(-1)?.text ?? '', /The local model cannot (write edits across several files|take this much context)/);
  }
  // A single-file refactor or a question the user asked Claude for still stays local when the cloud is refused.
  assert.equal(decide(input({ kind: 'refactor', fileCount: 1, prefer: 'cloud', hasApiKey: false })).route, 'local');
  assert.equal(decide(input({ prefer: 'cloud', hasApiKey: false })).route, 'local');
  // Asking for the local model explicitly is honoured.
  assert.equal(decide(input({ kind: 'refactor', fileCount: 3, prefer: 'local', hasApiKey: false })).route, 'local');
});

void test('learned advice moves only the open choice; privacy, consent and budget still refuse the cloud', () => {
  const learnedCloud = { route: 'cloud' as const, reason: { code: 'learned-cloud' as const, text: 'Local explanations of Rust were accepted 1 of 9 times, so this goes to Claude.' } };
  const moved = decide(input({ kind: 'explain', learned: learnedCloud }));
  assert.equal(moved.route, 'cloud');
  assert.deepEqual(moved.reasons.map((r) => r.code).slice(0, 2), ['learned-cloud', 'tier']);
  const cases: [Partial<PolicyInput>, object, string][] = [
    [{ localOnlyFiles: [{ where: '.env', why: 'matches **/.env' }] }, {}, 'local-only-file'],
    [{ settingsProblem: 'the settings should be an object' }, {}, 'settings'],
    [{ consent: 'never' }, {}, 'consent'],
    [{}, { privacy: { localOnly: true } }, 'local-only-mode'],
    [{}, { budget: { dailyUsd: 0, monthlyUsd: 20 } }, 'budget'],
    [{ hasApiKey: false }, {}, 'no-api-key'],
  ];
  for (const [over, settings, blockedBy] of cases) {
    const d = decide(input({ kind: 'explain', learned: learnedCloud, ...over }, settings));
    assert.equal(d.route, 'local', `learned cloud advice overrode ${blockedBy}`);
    assert.equal(d.blockedBy, blockedBy);
    assert.equal(d.reasons[0]?.code, 'learned-cloud', 'the refusal still says what was learned');
  }
  // Forced routes are not the learner's: the user's choice, a context too large, a completion.
  assert.equal(decide(input({ kind: 'explain', prefer: 'local', learned: learnedCloud })).route, 'local');
  assert.equal(decide(input({ kind: 'completion', learned: learnedCloud })).route, 'local');
  const learnedLocal = { route: 'local' as const, reason: { code: 'learned-local' as const, text: 'Local multi-file refactors were accepted 9 of 10 times.' } };
  const kept = decide(input({ kind: 'refactor', fileCount: 3, learned: learnedLocal }));
  assert.equal(kept.route, 'local');
  assert.deepEqual(kept.reasons.map((r) => r.code), ['learned-local']);
  assert.equal(decide(input({ kind: 'refactor', fileCount: 3, prefer: 'cloud', learned: learnedLocal })).route, 'cloud', 'an explicit "ask Claude" wins over what was learned');
  assert.equal(decide(input({ kind: 'chat', localTokens: 9000, learned: learnedLocal })).route, 'cloud', 'a context larger than the local window is not a learned choice');
});
