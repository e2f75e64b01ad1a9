// The adversarial paths of the privacy gate, end to end (engine over stdio, fake Messages API): symlinks to
// secrets, names in another case, files outside the workspace and untitled buffers, credential stores by
// content, refactor callers the engine gathers by itself (the dry run must list what the real request sends),
// odd workspace/configuration answers, "Allow this value", and stable redaction placeholders.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RouteDecision } from '../../src/shared/protocol.js';
import { delay } from '../support/lsp-client.js';
import { rejection, routeAndChat, startHarness, testSettings, workspace, type Harness } from '../fake-anthropic/harness.js';
import { Rand } from '../privacy/formats.js';

const r = new Rand(11);
const GH = `ghp_${r.alnum(36)}`;
const PASSWORD = `${r.alnum(10)}!#${r.alnum(3)}`;
const UNKNOWN = r.alnum(40);
const KEY_BODY = Array.from({ length: 6 }, () => r.b64(64)).join('\n');
const PEM = `-----BEGIN ${'PRIVATE'} KEY-----\n${KEY_BODY}\n-----END ${'PRIVATE'} KEY-----\n`;

const outside = mkdtempSync(join(tmpdir(), 'tandem-outside-'));
mkdirSync(join(outside, 'secrets'));
writeFileSync(join(outside, 'secrets', 'db.json'), `{ "password": "${PASSWORD}" }\n`);
writeFileSync(join(outside, '.env'), `DB_PASSWORD=${PASSWORD}\n`);
const ws = workspace({
  '.env': `DB_PASSWORD=${PASSWORD}\n`,
  'config/.ENV': `DB_PASSWORD=${PASSWORD}\n`,
  'src/a.ts': 'export function computeTotal(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\nexport function leakyHelper() {\n  return 1;\n}\n',
  'src/b.ts': 'import { computeTotal } from "./a";\nexport const t = computeTotal([1, 2]);\n',
  'lib/d.ts': 'import { computeTotal } from "../src/a";\nconsole.log(computeTotal([]));\n',
  'lib/caller.ts': `import { leakyHelper } from "../src/a";\nconst token = "${GH}";\nleakyHelper();\n`,
  'deploy/cluster.yaml': `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: ${r.b64(300)}\n`,
  'deploy/app.settings': 'NODE_ENV=production\nPORT=8080\nDB_USER=app\nDB_PASSWORD=correcthorsebatterystaple\n',
});
symlinkSync(join(ws.root, '.env'), join(ws.root, 'app.config'));
symlinkSync(join(outside, 'secrets'), join(ws.root, 'conf'));

let h: Harness;
void before(async () => {
  h = await startHarness({ workspace: ws.root, localModel: false, settings: testSettings() });
});
void after(async () => h.close());

void test('a symlink to .env, a linked folder into secrets/ and .ENV in upper case never leave, by their real path', async () => {
  const before = h.fake.requests.length;
  for (const [path, why] of [
    ['app.config', /app\.config is local-only \(its real path .*\/\.env matches \*\*\/\.env\)/],
    ['conf/db.json', /conf\/db\.json is local-only \(its real path .*\/secrets\/db\.json matches \*\*\/secrets\/\*\*\)/],
    ['config/.ENV', /config\/\.ENV is local-only \(matches \*\*\/\.env\)/],
  ] as const) {
    const { route, chat } = await routeAndChat(h, { kind: 'chat', prompt: 'Is this right?', prefer: 'cloud', files: [{ uri: ws.uri(path) }] });
    assert.deepEqual(chat, route, `${path}: the dry run and the request agree`);
    assert.equal(chat.blockedBy, 'local-only-file', path);
    assert.match(chat.reasons.map((x) => x.text).join(' '), why);
  }
  assert.equal(h.fake.requests.length, before);
  assert.ok(!h.fake.received().includes(PASSWORD));
});

void test('files outside the workspace, untitled buffers and credential stores by content are local-only', async () => {
  const untitled = 'untitled:Untitled-3';
  await h.engine.open(untitled, 'plaintext', `here is the key\n${PEM}`);
  const cases: [string, RegExp][] = [
    [pathToFileURL(join(outside, '.env')).href, /\.env is local-only \(matches \*\*\/\.env\)/],
    [untitled, /Untitled-3 is local-only \(its content is a private key\)/],
    [ws.uri('deploy/cluster.yaml'), /deploy\/cluster\.yaml is local-only \(its content is a kubeconfig\)/],
    [ws.uri('deploy/app.settings'), /deploy\/app\.settings is local-only \(its content is an environment file with secrets\)/],
  ];
  for (const [uri, why] of cases) {
    const { route, chat } = await routeAndChat(h, { kind: 'chat', prompt: 'Explain this file', prefer: 'cloud', files: [{ uri }] });
    assert.deepEqual(chat, route);
    assert.equal(chat.blockedBy, 'local-only-file', uri);
    assert.match(chat.reasons.map((x) => x.text).join(' '), why);
  }
  await h.engine.close(untitled);
  assert.ok(!h.fake.received().includes(KEY_BODY.slice(0, 40)));
});

void test('one gathering: the dry run lists the callers a rename gathers, exactly as the real request sends them', async () => {
  // Two files given, a third gathered by the engine (lib/d.ts): the dry run said 2 before, the request sent 3.
  const clean = await routeAndChat(h, { kind: 'refactor', prompt: 'Rename computeTotal to sumAll', files: [{ uri: ws.uri('src/a.ts') }, { uri: ws.uri('src/b.ts') }] });
  assert.equal(clean.route.route, 'cloud', clean.route.reasons.map((x) => x.text).join(' '));
  assert.deepEqual(clean.route.manifest?.files.map((f) => f.uri).sort(), [ws.uri('lib/d.ts'), ws.uri('src/a.ts'), ws.uri('src/b.ts')].sort());
  assert.deepEqual(clean.chat, clean.route);
  assert.deepEqual(clean.sent, clean.route.manifest, 'what left is what the dry run listed');
  // A caller that carries a secret: both refuse, naming the gathered file.
  const before = h.fake.requests.length;
  const leaky = await routeAndChat(h, { kind: 'refactor', prompt: 'Rename leakyHelper to helper', files: [{ uri: ws.uri('src/a.ts') }] });
  assert.deepEqual(leaky.chat, leaky.route);
  assert.equal(leaky.route.blockedBy, 'secret');
  assert.match(leaky.route.reasons.map((x) => x.text).join(' '), /lib\/caller\.ts line 2 contains what looks like a secret \(github-pat\)/);
  assert.equal(h.fake.requests.length, before);
  assert.ok(!h.fake.received().includes(GH));
});

void test('"Allow this value": a value the user allowed goes through; only its salted hash is stored', async () => {
  const params = { kind: 'chat' as const, prompt: `Why is ${UNKNOWN} rejected by our server?`, prefer: 'cloud' as const };
  const blocked = await h.route(params);
  assert.equal(blocked.blockedBy, 'secret');
  assert.deepEqual(blocked.secrets?.map((s) => [s.where, s.rule]), [['Your message', 'high-entropy']]);
  assert.equal(await rejection(h.chat(params)).then((e) => e.data?.decision?.blockedBy), 'secret');
  const { added } = await h.allowValues(blocked.secrets!.map((s) => s.hash));
  assert.equal(added, 1);
  const allowed = await routeAndChat(h, params);
  assert.equal(allowed.route.route, 'cloud', allowed.route.reasons.map((x) => x.text).join(' '));
  assert.deepEqual(allowed.chat, allowed.route);
  assert.ok(h.fake.received().includes(UNKNOWN), 'the allowed value was sent');
  const stored = readFileSync(join(h.engine.dataDir, 'allowed-values.json'), 'utf8');
  assert.ok(!stored.includes(UNKNOWN) && stored.includes(blocked.secrets![0].hash));
});

void test('redaction: one secret has one placeholder wherever it occurs, and the manifest names it', async () => {
  const redacting = await startHarness({ workspace: ws.root, localModel: false, settings: testSettings({ privacy: { secrets: 'redact' } }) });
  try {
    const params = { kind: 'chat' as const, prompt: `The token ${GH} fails here:`, prefer: 'cloud' as const, files: [{ uri: ws.uri('lib/caller.ts') }] };
    const { route, chat, sent } = await routeAndChat(redacting, params);
    assert.deepEqual(chat, route);
    assert.equal(route.route, 'cloud');
    const body = redacting.fake.received();
    assert.ok(!body.includes(GH));
    const marks = body.match(/\[REDACTED:github-pat#[0-9a-f]{8}\]/g) ?? [];
    assert.equal(marks.length, 2);
    assert.equal(new Set(marks).size, 1, 'the same secret in the message and the file has the same placeholder');
    assert.deepEqual(sent?.redactions.map((x) => x.placeholder), [marks[0], marks[0]]);
  } finally {
    await redacting.close();
  }
});

void test('odd workspace/configuration answers: read when the meaning is clear, otherwise nothing leaves and the reason says why', async () => {
  const cases: [unknown, (d: RouteDecision) => boolean, RegExp][] = [
    [{ 'privacy.localOnly': true }, (d) => d.blockedBy === 'local-only-mode', /Local-only mode is on/],
    [[{ privacy: { localOnly: true } }], (d) => d.blockedBy === 'settings', /wrong shape: the settings should be an object, not a list\. Nothing leaves this machine/],
    [{ settings: { privacy: { cloudConsent: 'always' } } }, (d) => d.blockedBy === 'settings', /none of the keys \(settings\) is a Tandem setting/],
    [{ privacy: { localOnly: 'no', cloudConsent: 'always' } }, (d) => d.blockedBy === 'settings', /tandem\.privacy\.localOnly should be true or false, not "no"/],
  ];
  for (const [configuration, expected, reason] of cases) {
    const odd = await startHarness({ workspace: ws.root, localModel: false, settings: testSettings(), configuration });
    try {
      // The engine pulls workspace/configuration once initialized: wait for the answer to take effect.
      let d = await odd.route({ kind: 'chat', prompt: 'hello', prefer: 'cloud' });
      for (let i = 0; i < 50 && !expected(d); i++) {
        await delay(50);
        d = await odd.route({ kind: 'chat', prompt: 'hello', prefer: 'cloud' });
      }
      assert.ok(expected(d), `${JSON.stringify(configuration)}: ${d.blockedBy} ${d.reasons.map((x) => x.text).join(' ')}`);
      assert.match(d.reasons.map((x) => x.text).join(' '), reason);
      assert.equal(odd.fake.requests.length, 0);
    } finally {
      await odd.close();
    }
  }
});

void test('cold equals warm: the first decision knows the local window from the GGUF, before the model loads', async () => {
  const local = await startHarness({ workspace: ws.root, settings: testSettings() });
  try {
    // The fixture model has a 4096-token window and one token per byte: about 6 KB does not fit.
    const big = { kind: 'chat' as const, prompt: 'Summarize this', files: [{ uri: 'untitled:big', text: 'const values = [1, 2, 3];\n'.repeat(240) }] };
    const cold = await local.route(big);
    assert.equal(cold.route, 'cloud', cold.reasons.map((x) => x.text).join(' '));
    assert.match(cold.reasons.map((x) => x.text).join(' '), /larger than the local model's window \(4.1K tokens\)/);
    // Load the model with a small local answer, then decide again.
    await local.chat({ kind: 'chat', prompt: 'hi', prefer: 'local' });
    const warm = await local.route(big);
    assert.deepEqual(warm, cold);
  } finally {
    await local.close();
  }
});
