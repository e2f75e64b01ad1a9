import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretScanner, chunksOf, redact } from '../../src/server/router/secrets.js';
import { findHighEntropy } from '../../src/server/router/entropy.js';
import { createLocalOnlyMatcher } from '../../src/server/router/local-only.js';
import { FAKE_SECRETS } from '../fake-anthropic/secrets.js';

const FAKE = FAKE_SECRETS;

void test('secretlint rules find provider tokens and redaction replaces exactly them', async () => {
  const scanner = new SecretScanner();
  const text = `const a = 1;\nconst claude = "${FAKE.anthropic}";\nconst gh = '${FAKE.github}';\nslack: ${FAKE.slack}\nconst b = 2;\n`;
  const findings = await scanner.scan(text);
  assert.deepEqual(
    findings.map((f) => f.rule),
    ['anthropic', 'github', 'slack'],
  );
  const out = redact(text, findings);
  for (const secret of [FAKE.anthropic, FAKE.github, FAKE.slack]) assert.ok(!out.includes(secret));
  assert.match(out, /const claude = "\[REDACTED:anthropic\]";/);
  assert.match(out, /const a = 1;\n/);
  assert.match(out, /const b = 2;\n$/);
});

void test('a private key block is found', async () => {
  const scanner = new SecretScanner();
  const body = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDWpzTbWcNhsf0vUf0qQqcGdQbLb3Y5fdd2nHxqXXXXXXAAAAJgAAAAAAAAA';
  const key = `-----BEGIN OPENSSH ${'PRIVATE'} KEY-----\n${body}\n-----END OPENSSH ${'PRIVATE'} KEY-----`;
  const findings = await scanner.scan(`x\n${key}\ny`);
  assert.equal(findings.length, 1);
  assert.equal(findings[0].rule, 'privatekey');
});

void test('high-entropy strings are found; identifiers, hashes, UUIDs and paths are not', () => {
  assert.equal(findHighEntropy(`const apiToken = "${FAKE.entropy}";`).length, 1);
  assert.equal(findHighEntropy(`TOKEN=aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW`).length, 1);
  for (const quiet of [
    'const x = "getElementByIdAndSomethingElse";',
    '"integrity": "sha512-abcdefGHIJKL0123456789abcdefGHIJKL0123456789+/ABCD=="',
    'commit = "3f786850e387550fdab836ed7e6dc881de23001b"',
    'const id = "550e8400-e29b-41d4-a716-446655440000";',
    'import { x } from "@scope/package-name-long/sub";',
    'const cls = "MyVeryLongClassName2Factory1Impl";',
  ])
    assert.equal(findHighEntropy(quiet).length, 0, quiet);
});

void test('scan results are cached per content: unchanged text is not scanned again', async () => {
  const scanner = new SecretScanner();
  const text = 'x'.repeat(10_000);
  await scanner.scan(text);
  await scanner.scan(text);
  assert.equal(scanner.scans, 1);
  await scanner.scan(text + 'y');
  assert.equal(scanner.scans, 2);
});

void test('local-only globs: built-in credential files and the user\'s own folders', () => {
  const m = createLocalOnlyMatcher(['proprietary/**', 'internal.ts'], ['/ws']);
  const yes = {
    'file:///ws/.env': '**/.env',
    'file:///ws/app/.env.production': '**/.env.*',
    '/ws/certs/server.pem': '**/*.pem',
    '/ws/deploy/id_rsa': '**/id_rsa*',
    '/ws/secrets/db.json': '**/secrets/**',
    '/home/u/.aws/credentials': '**/.aws/credentials',
    '/home/u/.config/gcloud/application_default_credentials.json': '**/gcloud/application_default_credentials.json',
    '/home/u/.azure/accessTokens.json': '**/.azure/**',
    '/ws/.npmrc': '**/.npmrc',
    '/home/u/.kube/config': '**/.kube/config',
    '/ws/proprietary/engine/core.ts': 'proprietary/**',
    '/ws/src/internal.ts': 'internal.ts',
  };
  for (const [path, glob] of Object.entries(yes)) assert.equal(m.match(path), glob, path);
  for (const path of ['/ws/src/env.ts', '/ws/src/keys.ts', '/ws/README.md', 'file:///ws/src/secretsManager.ts']) assert.equal(m.match(path), undefined, path);
});

void test('large texts are scanned per chunk: offsets stay exact and an edit rescans only its chunk', async () => {
  const scanner = new SecretScanner();
  const filler = Array.from({ length: 3000 }, (_, i) => `const value${i} = compute(${i});`).join('\n');
  const text = `${filler}\nconst gh = "${FAKE.github}";\n${filler}\n`;
  assert.ok(chunksOf(text).length > 20);
  const found = await scanner.scan(text);
  assert.equal(found.length, 1);
  assert.equal(text.slice(found[0].start, found[0].end), FAKE.github);
  const scansBefore = scanner.scans;
  const edited = text.replace('compute(2999);', 'compute(2999, true);');
  const again = await scanner.scan(edited);
  assert.equal(scanner.scans, scansBefore + 1, 'one run over the changed chunk only');
  assert.equal(edited.slice(again[0].start, again[0].end), FAKE.github);
});

void test('a private key block is never cut by a chunk boundary', async () => {
  const body = Array.from({ length: 60 }, () => 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW').join('\n');
  const key = `-----BEGIN OPENSSH ${'PRIVATE'} KEY-----\n${body}\n-----END OPENSSH ${'PRIVATE'} KEY-----`;
  const text = `${'// line\n'.repeat(450)}${key}\n${'// after\n'.repeat(450)}`;
  const parts = chunksOf(text);
  const begin = text.indexOf('-----BEGIN');
  const holder = parts.find((p) => p.start <= begin && begin < p.end)!;
  assert.ok(holder.end > text.indexOf('-----END'), 'the block ends in the chunk where it begins');
  const found = await new SecretScanner().scan(text);
  assert.deepEqual(found.map((f) => f.rule), ['privatekey']);
});

// An AWS secret key whose name ends one chunk and whose value begins the next. The value has low entropy, so
// only secretlint's AWS rule (which needs the name) can find it.
function acrossBoundary(): { text: string; value: string; valueChunk: number } {
  const value = 'AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDDDDDDD';
  const head = Array.from({ length: 130 }, (_, i) => `const value${i} = compute(${i});`).join('\n') + '\n';
  // The name's line runs past the chunk size, so the chunk ends right after it.
  const pad = '// ' + 'x'.repeat(4080 - head.length - 4) + '\n';
  const tail = Array.from({ length: 400 }, (_, i) => `export const item${i} = make(${i});`).join('\n') + '\n';
  const text = `${head}${pad}aws_secret_access_key =\n"${value}"\n${tail}`;
  const at = text.indexOf(value);
  const valueChunk = chunksOf(text).findIndex((c) => c.start <= at && at < c.end);
  assert.equal(chunksOf(text)[valueChunk].start, at - 1, 'the value opens a chunk; its name ends the one before');
  return { text, value, valueChunk };
}

void test('a secret cut by a chunk boundary is redacted whole, scanned cold and after an edit on either side', async () => {
  const { text, value, valueChunk } = acrossBoundary();
  const scanner = new SecretScanner();
  const cold = await scanner.scan(text);
  assert.ok(!redact(text, cold).includes(value.slice(-12)), 'cold scan');
  assert.ok(cold.some((f) => f.rule === 'aws'));
  const chunks = chunksOf(text);
  // An edit at the end of the value's chunk: that chunk is scanned again with the name in its halo.
  const valueEdit = chunks[valueChunk].end - 2;
  const edited = `${text.slice(0, valueEdit)} /* edit */${text.slice(valueEdit)}`;
  const scans = scanner.scans;
  const again = await scanner.scan(edited);
  assert.equal(scanner.scans, scans + 1, 'one window scanned again');
  assert.ok(!redact(edited, again).includes(value.slice(-12)), 'after an edit to the value\'s chunk');
  // An edit at the start of the name's chunk.
  const nameEdit = `// edit\n${text}`;
  assert.ok(!redact(nameEdit, await scanner.scan(nameEdit)).includes(value.slice(-12)), 'after an edit to the name\'s chunk');
});

void test('a finding never leaves part of a token behind', async () => {
  const value = 'AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDDDDDDD';
  const text = `const config = {\n  aws_secret_access_key: "${value}",\n};\n`;
  const found = await new SecretScanner().scan(text);
  assert.equal(redact(text, found), 'const config = {\n  [REDACTED:aws]",\n};\n');
});

void test('secretlint-disable comments do not let a secret out', async () => {
  const text = `// secretlint-disable\nconst gh = "${FAKE.github}"; // secretlint-disable-line\n`;
  const found = await new SecretScanner().scan(text);
  assert.deepEqual(found.map((f) => f.rule), ['github']);
});
