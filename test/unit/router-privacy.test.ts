import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretScanner, chunksOf, redact } from '../../src/server/router/scan/scanner.js';
import { FAKE_SECRETS } from '../fake-anthropic/secrets.js';
import { Rand } from '../privacy/formats.js';

const FAKE = FAKE_SECRETS;
const tag = () => 't';

void test('provider tokens are found by their format and redaction replaces exactly them, with a stable tag', () => {
  const scanner = new SecretScanner();
  const text = `const a = 1;\nconst claude = "${FAKE.anthropic}";\nconst gh = '${FAKE.github}';\nslack: ${FAKE.slack}\nconst b = 2;\n`;
  const findings = scanner.scan(text);
  assert.deepEqual(
    findings.map((f) => f.rule),
    ['anthropic-api-key', 'github-pat', 'slack-bot-token'],
  );
  const out = redact(text, findings, (value) => (value === FAKE.github ? 'gh1' : 'other'));
  for (const secret of [FAKE.anthropic, FAKE.github, FAKE.slack]) assert.ok(!out.includes(secret));
  assert.match(out, /const claude = "\[REDACTED:anthropic-api-key#other\]";/);
  assert.match(out, /const gh = '\[REDACTED:github-pat#gh1\]';/);
  assert.match(out, /const a = 1;\n/);
  assert.match(out, /const b = 2;\n$/);
});

void test('a private key block is found whole, whatever its body looks like', () => {
  const scanner = new SecretScanner();
  const body = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDWpzTbWcNhsf0vUf0qQqcGdQbLb3Y5fdd2nHxqXXXXXXAAAAJgAAAAAAAAA';
  const key = `-----BEGIN OPENSSH ${'PRIVATE'} KEY-----\n${body}\n-----END OPENSSH ${'PRIVATE'} KEY-----`;
  const findings = scanner.scan(`x\n${key}\ny`);
  assert.equal(findings.length, 1);
  assert.equal(findings[0].rule, 'openssh-private-key');
  assert.equal(redact(`x\n${key}\ny`, findings, tag), 'x\n[REDACTED:openssh-private-key#t]\ny');
  // A body with odd lines and characters, and a block cut off before its END line: still keys.
  const odd = `-----BEGIN RSA ${'PRIVATE'} KEY-----\nProc-Type: 4,ENCRYPTED\nshort\n!!odd line of text that is not base64 at all!!\n-----END RSA ${'PRIVATE'} KEY-----`;
  assert.deepEqual(scanner.scan(odd).map((f) => f.rule), ['rsa-private-key']);
  const cut = `-----BEGIN EC ${'PRIVATE'} KEY-----\n${new Rand(3).b64(64)}\n${new Rand(4).b64(12)}`;
  assert.equal(redact(cut, scanner.scan(cut), tag), '[REDACTED:ec-private-key#t]');
});

void test('scan results are cached per content: unchanged text is not scanned again', () => {
  const scanner = new SecretScanner();
  const text = 'x'.repeat(10_000);
  scanner.scan(text);
  scanner.scan(text);
  assert.equal(scanner.scans, 1);
  scanner.scan(text + 'y');
  assert.equal(scanner.scans, 2);
});

void test('large texts are scanned per chunk: offsets stay exact and an edit rescans only its chunk', () => {
  const scanner = new SecretScanner();
  const filler = Array.from({ length: 3000 }, (_, i) => `const value${i} = compute(${i});`).join('\n');
  const text = `${filler}\nconst gh = "${FAKE.github}";\n${filler}\n`;
  assert.ok(chunksOf(text).length > 20);
  const found = scanner.scan(text);
  assert.equal(found.length, 1);
  assert.equal(text.slice(found[0].start, found[0].end), FAKE.github);
  const scansBefore = scanner.scans;
  const edited = text.replace('compute(2999);', 'compute(2999, true);');
  const again = scanner.scan(edited);
  assert.equal(scanner.scans, scansBefore + 1, 'one run over the changed chunk only');
  assert.equal(edited.slice(again[0].start, again[0].end), FAKE.github);
});

void test('a private key block is never cut by a chunk boundary', () => {
  const body = Array.from({ length: 60 }, () => 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW').join('\n');
  const key = `-----BEGIN OPENSSH ${'PRIVATE'} KEY-----\n${body}\n-----END OPENSSH ${'PRIVATE'} KEY-----`;
  const text = `${'// line\n'.repeat(450)}${key}\n${'// after\n'.repeat(450)}`;
  const parts = chunksOf(text);
  const begin = text.indexOf('-----BEGIN');
  const holder = parts.find((p) => p.start <= begin && begin < p.end)!;
  assert.ok(holder.end > text.indexOf('-----END'), 'the block ends in the chunk where it begins');
  const found = new SecretScanner().scan(text);
  assert.deepEqual(found.map((f) => f.rule), ['openssh-private-key']);
});

// An AWS secret key whose name ends one chunk and whose value begins the next. The value has low entropy, so
// only the AWS rule (which needs the name) can find it.
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

void test('a secret cut by a chunk boundary is redacted whole, scanned cold and after an edit on either side', () => {
  const { text, value, valueChunk } = acrossBoundary();
  const scanner = new SecretScanner();
  const cold = scanner.scan(text);
  assert.ok(!redact(text, cold, tag).includes(value.slice(-12)), 'cold scan');
  assert.ok(cold.some((f) => f.rule === 'aws-secret-access-key'));
  const chunks = chunksOf(text);
  // An edit at the end of the value's chunk: that chunk is scanned again with the name in its halo.
  const valueEdit = chunks[valueChunk].end - 2;
  const edited = `${text.slice(0, valueEdit)} /* edit */${text.slice(valueEdit)}`;
  const scans = scanner.scans;
  const again = scanner.scan(edited);
  assert.equal(scanner.scans, scans + 1, 'one window scanned again');
  assert.ok(!redact(edited, again, tag).includes(value.slice(-12)), 'after an edit to the value\'s chunk');
  // An edit at the start of the name's chunk.
  const nameEdit = `// edit\n${text}`;
  assert.ok(!redact(nameEdit, scanner.scan(nameEdit), tag).includes(value.slice(-12)), 'after an edit to the name\'s chunk');
});

void test('a finding never leaves part of a token behind', () => {
  const value = 'AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDDDDDDD';
  const text = `const config = {\n  aws_secret_access_key: "${value}",\n};\n`;
  const found = new SecretScanner().scan(text);
  assert.equal(redact(text, found, tag), 'const config = {\n  aws_secret_access_key: "[REDACTED:aws-secret-access-key#t]",\n};\n');
});

void test('secretlint-disable comments do not let a secret out', () => {
  const text = `// secretlint-disable\nconst gh = "${FAKE.github}"; // secretlint-disable-line\n`;
  const found = new SecretScanner().scan(text);
  assert.deepEqual(found.map((f) => f.rule), ['github-pat']);
});
