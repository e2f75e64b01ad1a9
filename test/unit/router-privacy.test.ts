import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretScanner, redact } from '../../src/server/router/secrets.js';
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
