import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EgressGate, egressRefusal, type Outgoing } from '../../src/server/router/gate.js';
import { CloudError } from '../../src/server/router/errors.js';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createLocalOnlyMatcher, fileIdentity } from '../../src/server/router/local-only.js';
import { SecretScanner } from '../../src/server/router/scan/scanner.js';
import { mergeSettings } from '../../src/shared/settings.js';
import { FAKE_SECRETS } from '../fake-anthropic/secrets.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

void test('only cloud.ts imports the Anthropic SDK, only gate.ts imports cloud.ts, and nothing calls count_tokens', () => {
  const files = [...sources('src'), ...sources('webview')];
  const sdk = files.filter((f) => /from ['"]@anthropic-ai\/sdk|require\(['"]@anthropic-ai\/sdk|import\(['"]@anthropic-ai\/sdk/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(sdk, [join('src', 'server', 'router', 'cloud.ts')]);
  const cloud = files.filter((f) => /from ['"]\.\/cloud\.js['"]|router\/cloud\.js['"]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(cloud, [join('src', 'server', 'router', 'gate.ts')]);
  const counting = files.filter((f) => /messages\.countTokens|count_tokens/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(counting, []);
});

function gate(settings: unknown, apiKey = 'test-key', folders = ['/w']) {
  const value = mergeSettings(settings);
  const manifests: unknown[] = [];
  const g = new EgressGate({
    settings: () => value,
    apiKey: () => apiKey || undefined,
    identity: (uri) => fileIdentity(uri, folders),
    matcher: () => createLocalOnlyMatcher(value.privacy.localOnlyGlobs),
    scanner: new SecretScanner(),
    allows: () => false,
    onManifest: (m) => manifests.push(m),
  });
  return { g, manifests };
}

function outgoing(over: Partial<Outgoing> = {}): Outgoing {
  return {
    model: 'claude-haiku-5-5',
    maxTokens: 100,
    system: 'system',
    messages: [{ role: 'user', content: 'File: src/a.ts\n```\nconst a = 1;\n```\n\nexplain' }],
    sources: [{ uri: 'file:///w/src/a.ts', ranges: [{ startLine: 0, endLine: 0 }], bytes: 12 }],
    redactions: [],
    tokens: 20,
    consented: true,
    allowed: new Set(),
    ...over,
  };
}

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof CloudError && e.failure.kind === 'blocked' && pattern.test(e.message));
}

void test('the gate refuses, before any network use, whatever the hard rules forbid', async () => {
  // The SDK would fail on this URL; a refusal must come first, so no network error can appear.
  process.env.ANTHROPIC_BASE_URL = 'http://127.0.0.1:9';
  const signal = new AbortController().signal;
  const h = { signal, onText: () => undefined };
  await refused(gate({ privacy: { localOnly: true } }).g.send(outgoing(), h), /local-only mode/);
  await refused(gate({}).g.send(outgoing({ consented: false }), h), /not consented/);
  await refused(gate({}, '').g.send(outgoing(), h), /no API key/);
  await refused(gate({}).g.send(outgoing({ sources: [{ uri: 'file:///w/.env', ranges: [], bytes: 1 }] }), h), /local-only file \(matches \*\*\/\.env\)/);
  await refused(gate({}).g.send(outgoing({ sources: [{ uri: 'file:///w/config/.ENV', ranges: [], bytes: 1 }] }), h), /local-only file \(matches \*\*\/\.env\)/);
  await refused(gate({ privacy: { localOnlyGlobs: ['src/**'] } }).g.send(outgoing(), h), /local-only file \(matches src\/\*\*\)/);
  const withSecret = outgoing({ messages: [{ role: 'user', content: `token = "${FAKE_SECRETS.github}"` }] });
  const { g, manifests } = gate({});
  await refused(g.send(withSecret, h), /still contains a secret \(github-pat\)/);
  await refused(g.send(outgoing({ system: `key ${FAKE_SECRETS.anthropic}` }), h), /secret \(anthropic-api-key\)/);
  assert.equal(g.sent, 0);
  assert.equal(manifests.length, 0);
});

void test('the gate matches a source by its real path: a link to .env and a linked folder into secrets/ are refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tandem-gate-'));
  const outside = mkdtempSync(join(tmpdir(), 'tandem-gate-out-'));
  mkdirSync(join(outside, 'secrets'));
  writeFileSync(join(outside, 'secrets', 'db.json'), '{}');
  writeFileSync(join(root, '.env'), 'A=1');
  symlinkSync(join(root, '.env'), join(root, 'app.config'));
  symlinkSync(join(outside, 'secrets'), join(root, 'conf'));
  const h = { signal: new AbortController().signal, onText: () => undefined };
  const { g } = gate({}, 'test-key', [root]);
  const source = (rel: string) => [{ uri: pathToFileURL(join(root, rel)).href, ranges: [], bytes: 1 }];
  await refused(g.send(outgoing({ sources: source('app.config') }), h), /local-only file \(its real path .*\.env matches \*\*\/\.env\)/);
  await refused(g.send(outgoing({ sources: source('conf/db.json') }), h), /local-only file \(its real path .*secrets\/db\.json matches \*\*\/secrets\/\*\*\)/);
  assert.equal(g.sent, 0);
});

void test('egressRefusal is a function of the exact payload: any destination can be held to it; allowed values pass', async () => {
  const settings = mergeSettings({ privacy: { cloudConsent: 'always' } });
  const allowedValue = FAKE_SECRETS.entropy;
  const deps = {
    settings: () => settings,
    identity: (uri: string) => fileIdentity(uri, ['/w']),
    matcher: () => createLocalOnlyMatcher([]),
    scanner: new SecretScanner(),
    allows: (value: string, allowed: ReadonlySet<string>) => allowed.has(`hash:${value}`),
  };
  const check = (payload: string, allowed: string[] = []) => egressRefusal({ payload, sources: [], consented: true, allowed: new Set(allowed) }, deps);
  assert.equal(await check('explain this code'), undefined);
  assert.match((await check(`the value ${allowedValue} is odd`))?.reason ?? '', /still contains a secret \(high-entropy\)/);
  assert.equal(await check(`the value ${allowedValue} is odd`, [`hash:${allowedValue}`]), undefined);
  assert.match((await check(`the value ${allowedValue} and ${FAKE_SECRETS.github}`, [`hash:${allowedValue}`]))?.reason ?? '', /github-pat/);
});
