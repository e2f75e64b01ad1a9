// A server on another machine as an egress destination: the routing decision for local requests, the gate's
// filtering and re-check of completion payloads, and the completion manifests in the ledger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsentQuestion, Destination, LedgerEntry } from '../../src/shared/protocol.js';
import { mergeSettings } from '../../src/shared/settings.js';
import { EgressRefusedError, ServerLink } from '../../src/server/backends/link.js';
import type { FimInput } from '../../src/server/backends/types.js';
import { Consent } from '../../src/server/router/consent.js';
import { CompletionEgressLog, IDLE_MS, mergeRanges } from '../../src/server/router/egress-log.js';
import { createLocalOnlyMatcher, fileIdentity } from '../../src/server/router/local-only.js';
import { decide, type PolicyInput } from '../../src/server/router/policy.js';
import { SecretScanner } from '../../src/server/router/scan/scanner.js';
import { ServerGate } from '../../src/server/router/server-gate.js';
import { FAKE_SECRETS } from '../fake-anthropic/secrets.js';

const REMOTE: Destination = { kind: 'llama-server', url: 'http://gpu-box:8080', trusted: false };

function input(over: Partial<PolicyInput> = {}, settings: unknown = {}): PolicyInput {
  return {
    kind: 'explain',
    fileCount: 1,
    localTokens: 500,
    cloudTokens: 600,
    cloudTokensBound: 700,
    local: { name: 'qwen-coder', contextSize: 8192, server: REMOTE },
    settings: mergeSettings({ privacy: { cloudConsent: 'always' }, ...(settings as object) }),
    secrets: [],
    localOnlyFiles: [],
    consent: 'always',
    serverConsent: 'always',
    hasApiKey: true,
    spent: { today: 0, month: 0 },
    reservedUsd: 0,
    ...over,
  };
}

void test('a local request to an untrusted server on another machine gets the cloud\'s hard rules, naming the server', () => {
  const plain = decide(input());
  assert.equal(plain.route, 'local');
  assert.deepEqual(plain.destination, REMOTE);
  assert.ok(plain.reasons.some((r) => r.code === 'untrusted-server' && r.text.includes('http://gpu-box:8080') && /rules for code leaving this machine/.test(r.text)));

  const localOnlyFile = decide(input({ localOnlyFiles: [{ where: '.env', why: 'matches **/.env' }] }));
  assert.equal(localOnlyFile.route, 'blocked');
  assert.equal(localOnlyFile.blockedBy, 'local-only-file');
  assert.match(localOnlyFile.reasons.map((r) => r.text).join(' '), /\.env is local-only .* never goes to llama-server at http:\/\/gpu-box:8080/);

  const secret = { where: 'src/a.ts', uri: 'file:///w/src/a.ts', line: 2, rule: 'github', hash: 'h' };
  const blocked = decide(input({ secrets: [secret] }));
  assert.equal(blocked.route, 'blocked');
  assert.equal(blocked.blockedBy, 'secret');
  assert.match(blocked.reasons.map((r) => r.text).join(' '), /line 3 contains what looks like a secret \(github\)/);
  const redacted = decide(input({ secrets: [secret] }, { privacy: { secrets: 'redact', cloudConsent: 'always' } }));
  assert.equal(redacted.route, 'local');
  assert.equal(redacted.redact, true);

  const mode = decide(input({}, { privacy: { localOnly: true } }));
  assert.equal(mode.route, 'blocked');
  assert.equal(mode.blockedBy, 'local-only-mode');

  const never = decide(input({ serverConsent: 'never' }));
  assert.equal(never.blockedBy, 'consent');
  assert.match(never.reasons.map((r) => r.text).join(' '), /serverConsent is "never"/);
  const ask = decide(input({ serverConsent: 'ask' }));
  assert.equal(ask.route, 'local');
  assert.equal(ask.needsConsent, true);
});

void test('a trusted server, or one on this machine, is like this machine: local-only files and secrets may go', () => {
  const trusted = decide(input({ local: { name: 'q', contextSize: 8192, server: { ...REMOTE, trusted: true } }, localOnlyFiles: [{ where: '.env', why: 'matches **/.env' }], serverConsent: 'never' }));
  assert.equal(trusted.route, 'local');
  assert.equal(trusted.destination?.trusted, true);
  const here = decide(input({ local: { name: 'q', contextSize: 8192 }, localOnlyFiles: [{ where: '.env', why: 'matches **/.env' }] }));
  assert.equal(here.route, 'local');
  assert.equal(here.destination, undefined);
});

function gateWith(settings: unknown = {}, answer: 'always' | 'once' | 'never' = 'always') {
  const value = mergeSettings({ privacy: { serverConsent: 'always' }, ...(settings as object) });
  const entries: LedgerEntry[] = [];
  const asked: ConsentQuestion[] = [];
  const consent = new Consent(async (q) => {
    asked.push(q);
    return answer;
  }, { subject: 'sending code to the inference server', oncePerSession: true });
  const gate = new ServerGate({
    settings: () => value,
    identity: (uri: string) => fileIdentity(uri, ['/w']),
    recentIdentity: (uri: string) => fileIdentity(uri, ['/w']),
    matcher: () => createLocalOnlyMatcher(value.privacy.localOnlyGlobs),
    scanner: new SecretScanner(),
    allows: () => false,
    tag: (v: string) => `tag${v.length}`,
    consent,
    workspaceFolders: ['/w'],
    record: (e) => entries.push(e),
    model: () => 'qwen-coder',
    log: { warn: () => undefined },
  });
  return { gate, entries, asked };
}

function fim(over: Partial<FimInput> = {}): FimInput {
  return {
    uri: 'file:///w/src/a.ts', path: 'src/a.ts', prefix: 'function add(a, b) {\n  return ', suffix: '\n}\n', startLine: 0, endLine: 3,
    context: [], maxTokens: 16, maxLines: 1, deadline: performance.now() + 1000, signal: new AbortController().signal, ...over,
  };
}

const chunk = (uri: string, text: string) => ({ uri, label: uri.replace('file:///w/', ''), startLine: 0, endLine: 3, text });

void test('completions to an untrusted server: local-only files refused, their chunks and chunks with secrets left out', async () => {
  const { gate } = gateWith();
  await assert.rejects(gate.prepareCompletion(fim({ uri: 'file:///w/.env', path: '.env' }), REMOTE), (e: unknown) => e instanceof EgressRefusedError && e.code === 'local-only-file');
  const prepared = await gate.prepareCompletion(
    fim({ context: [chunk('file:///w/src/b.ts', 'export const b = 1;'), chunk('file:///w/secrets/keys.ts', 'x'), chunk('file:///w/src/c.ts', `const t = "${FAKE_SECRETS.github}";`)] }),
    REMOTE,
  );
  assert.deepEqual(prepared.context.map((c) => c.label), ['src/b.ts']);
});

void test('a secret next to the cursor: refused by default, redacted (and listed) with tandem.privacy.secrets "redact"', async () => {
  const withSecret = fim({ prefix: `const token = "${FAKE_SECRETS.github}";\nconst x = `, startLine: 10 });
  await assert.rejects(gateWith().gate.prepareCompletion(withSecret, REMOTE), (e: unknown) => e instanceof EgressRefusedError && e.code === 'secret' && /secrets to "redact"/.test(e.message));
  const { gate } = gateWith({ privacy: { secrets: 'redact', serverConsent: 'always' } });
  const prepared = await gate.prepareCompletion(withSecret, REMOTE);
  assert.ok(!prepared.prefix.includes(FAKE_SECRETS.github));
  assert.match(prepared.prefix, /\[REDACTED:github-pat#tag40\]/);
  assert.deepEqual(prepared.redactions, [{ uri: 'file:///w/src/a.ts', line: 10, rule: 'github-pat' }]);
});

void test('consent: "never" refuses, "ask" asks once in the background and refuses until answered; "This Time" lasts the session', async () => {
  await assert.rejects(gateWith({ privacy: { serverConsent: 'never' } }).gate.prepareCompletion(fim(), REMOTE), (e: unknown) => e instanceof EgressRefusedError && e.code === 'consent');
  const { gate, asked } = gateWith({ privacy: { serverConsent: 'ask' } }, 'once');
  await assert.rejects(gate.prepareCompletion(fim(), REMOTE), (e: unknown) => e instanceof EgressRefusedError && e.code === 'consent');
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(asked.length, 1);
  assert.deepEqual(asked[0].destination, REMOTE);
  assert.match(asked[0].reason, /Inline completions run on llama-server at http:\/\/gpu-box:8080/);
  await gate.prepareCompletion(fim(), REMOTE);
  await gate.prepareCompletion(fim(), REMOTE);
  assert.equal(asked.length, 1, 'asked once');
  const mode = gateWith({ privacy: { localOnly: true, serverConsent: 'always' } });
  await assert.rejects(mode.gate.prepareCompletion(fim(), REMOTE), (e: unknown) => e instanceof EgressRefusedError && e.code === 'local-only-mode');
});

void test('the gate re-checks the exact payload: a local-only source or a secret is refused even when the caller missed it', async () => {
  const { gate, entries } = gateWith();
  const out = { kind: 'completion' as const, destination: REMOTE, sources: [{ uri: 'file:///w/src/a.ts', ranges: [{ startLine: 0, endLine: 3 }], bytes: 20 }], texts: ['const a = 1;'], tokens: 5, redactions: [] };
  await gate.allow(out);
  await assert.rejects(gate.allow({ ...out, sources: [{ uri: 'file:///w/.env', ranges: [], bytes: 1 }] }), (e: unknown) => e instanceof EgressRefusedError && e.code === 'local-only-file');
  await assert.rejects(gate.allow({ ...out, texts: [`k = "${FAKE_SECRETS.slack}"`] }), (e: unknown) => e instanceof EgressRefusedError && e.code === 'secret');
  // A trusted server gets everything; its completions are still recorded.
  await gate.allow({ ...out, destination: { ...REMOTE, trusted: true }, texts: [`k = "${FAKE_SECRETS.slack}"`] });
  gate.completions.flush();
  assert.equal(entries.length, 1, 'one entry for the burst to that server');
  assert.equal(entries[0].count, 2, 'the refused requests are not in it');
  assert.equal(entries[0].destination?.url, REMOTE.url);
});

void test('only link.ts sends HTTP for the backends; a request with content to another machine without a gate is refused before the network', async () => {
  const dir = join('src', 'server', 'backends');
  const files = readdirSync(dir).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
  const senders = files.filter((f) => /\bHttpClient\b/.test(readFileSync(f, 'utf8'))).map((f) => f.split(/[\\/]/).pop());
  assert.deepEqual(senders.sort(), ['http.ts', 'link.ts']);
  // In the engine, only the backends' HTTP client (through link.ts) and the model downloader (no user code) open
  // HTTP connections; the Anthropic SDK is reached only through gate.ts (router-gate.test.ts).
  const engine = join('src', 'server');
  for (const f of [...readdirSync(engine, { recursive: true })].map(String).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(engine, f), 'utf8');
    if (/node:http|node:https|\bfetch\(/.test(text)) assert.ok(/^backends[\\/]http\.ts$|^local[\\/]download\.ts$/.test(f), `${f} opens HTTP connections itself`);
  }
  const link = new ServerLink(new URL('http://127.0.0.1:9'), () => undefined, REMOTE, () => undefined);
  await assert.rejects(link.json({ kind: 'completion', sources: [], texts: ['x'], tokens: 1, redactions: [] }, '/infill', {}, { timeoutMs: 1000 }), (e: unknown) => e instanceof EgressRefusedError);
  link.dispose();
});

void test('completion manifests: a burst to one server is one ledger entry with every file and merged ranges', () => {
  let now = 1_000_000;
  const entries: LedgerEntry[] = [];
  const log = new CompletionEgressLog((e) => entries.push(e), () => 'qwen', () => now);
  const out = (uri: string, startLine: number, endLine: number) => ({ kind: 'completion' as const, destination: REMOTE, sources: [{ uri, ranges: [{ startLine, endLine }], bytes: 100 }], texts: [], tokens: 30, redactions: [] });
  log.egress(out('file:///w/a.ts', 0, 20));
  log.egress(out('file:///w/a.ts', 5, 25));
  log.egress(out('file:///w/b.ts', 40, 60));
  now += IDLE_MS / 2;
  log.egress(out('file:///w/a.ts', 30, 40));
  log.egress({ ...out('file:///w/a.ts', 0, 1), destination: { ...REMOTE, url: 'http://other:8080' } });
  log.flush();
  assert.equal(entries.length, 2);
  const [first] = entries;
  assert.equal(first.count, 4);
  assert.equal(first.kind, 'completion');
  assert.equal(first.tokens.input, 120);
  assert.deepEqual(first.manifest?.files, [
    { uri: 'file:///w/a.ts', ranges: [{ startLine: 0, endLine: 25 }, { startLine: 30, endLine: 40 }], bytes: 300 },
    { uri: 'file:///w/b.ts', ranges: [{ startLine: 40, endLine: 60 }], bytes: 100 },
  ]);
  assert.equal(first.reasons[0].code, 'completion-egress');
  assert.match(first.reasons[0].text, /4 requests carried the code listed/);
  assert.deepEqual(mergeRanges([{ startLine: 5, endLine: 9 }, { startLine: 0, endLine: 5 }]), [{ startLine: 0, endLine: 9 }]);
});
