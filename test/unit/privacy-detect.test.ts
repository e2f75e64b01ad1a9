// The layers of detection beyond the formats: random-looking tokens anywhere (thresholds per alphabet), the
// keyword-assignment rule, the decoders (base64, hex, URL-encoding, concatenation, continuation, wrapping), and
// what must stay quiet (identifiers, hashes, ids, paths).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detect } from '../../src/server/router/scan/detect.js';
import { expectedEntropy, looksRandom } from '../../src/server/router/scan/entropy.js';
import { redact } from '../../src/server/router/scan/scanner.js';
import { Rand } from '../privacy/formats.js';

const r = new Rand(7);
const covered = (text: string, secret: string) => {
  const out = redact(text, detect(text), () => 't');
  return !out.includes(secret.slice(4, 16)) && !out.includes(secret.slice(-12));
};

void test('tokens typed into a message are found wherever they stand, not only after = or in quotes', () => {
  const tokens = [
    `sk_live_${r.alnum(24)}`,
    `AIza${r.urlsafe(35)}`,
    `SK${r.hex(32)}`,
    `SG.${r.urlsafe(22)}.${r.urlsafe(43)}`,
    `eyJhbGciOiJIUzI1NiJ9.eyJ${r.urlsafe(40)}.${r.urlsafe(43)}`,
    r.b64(40),
    `${r.digits(9)}:AA${r.urlsafe(33)}`,
  ];
  for (const token of tokens) {
    const message = `hi, why does ${token} fail when I call the API?`;
    assert.ok(detect(message).length > 0, token);
    assert.ok(covered(message, token), token);
  }
});

void test('random-looking tokens are judged against what a random string of their alphabet and length would have', () => {
  // The expected entropy of random text, exactly: 20 alphanumerics ≈ 4.03 bits, 32 hex ≈ 3.61, 40 base64 ≈ 4.78.
  assert.ok(Math.abs(expectedEntropy(20, 62) - 4.03) < 0.01);
  assert.ok(Math.abs(expectedEntropy(32, 16) - 3.61) < 0.01);
  assert.ok(Math.abs(expectedEntropy(40, 64) - 4.78) < 0.01);
  let found = 0;
  for (let i = 0; i < 200; i++) if (looksRandom(r.alnum(32), { context: false })) found++;
  assert.ok(found >= 190, `${found} of 200 random 32-character tokens`);
  // Hex and lower-case tokens count only near a secret word: ids and hashes look the same.
  const hex = r.hex(64);
  assert.equal(looksRandom(hex, { context: false }), false);
  assert.equal(looksRandom(hex, { context: true }), true);
  assert.ok(detect(`DIGITALOCEAN_TOKEN=${hex}`).length === 1, 'a lower-case hex token in an assignment');
  assert.ok(detect(`my token: ${r.lower(40)}`).length === 1, 'a lower-case token after a secret word');
});

void test('the keyword-assignment rule takes values of any punctuation given to secret-looking names', () => {
  const cases = [
    'DB_PASSWORD=Tr0ub4dor&3!',
    'password = "S3cr3t!#Pass"',
    "export API_KEY='k3y-W1th.Punct/u@tion'",
    '  client_secret: Zq!9vT#2mL$x',
    '"smtpPassword": "hunter2!x"',
    'set PGPASSWORD=p@ss:w0rd',
  ];
  for (const line of cases) assert.equal(detect(line).length, 1, line);
  const found = detect('DB_PASSWORD=Tr0ub4dor&3!');
  assert.equal(found[0].rule, 'password-assignment');
  assert.equal(redact('DB_PASSWORD=Tr0ub4dor&3!', found, () => 't'), 'DB_PASSWORD=[REDACTED:password-assignment#t]');
});

void test('decoders reveal secrets hidden in base64, hex, URL-encoding, concatenation, continuations and wrapped lines', () => {
  const gh = `ghp_${r.alnum(36)}`;
  const cases: [string, string][] = [
    ['base64', `const blob = "${Buffer.from(`token=${gh}`).toString('base64')}";`],
    ['base64', `cfg=${Buffer.from(`{"user":"ci","pat":"${gh}"}`).toString('base64url')}`],
    ['hex', `payload: ${Buffer.from(gh).toString('hex')}`],
    ['url-encoded', `https://acme.dev/cb?state=${encodeURIComponent(`{"t":"${gh}"}`)}`],
    ['joined', `const t = "${gh.slice(0, 14)}" + "${gh.slice(14)}";`],
    ['joined', `token = ("${gh.slice(0, 20)}"\n         "${gh.slice(20)}")`],
    ['joined', `const t = '${gh.slice(0, 10)}' +\n  '${gh.slice(10, 25)}' +\n  '${gh.slice(25)}';`],
    ['joined', `TOKEN=${gh.slice(0, 22)}\\\n${gh.slice(22)}`],
    ['joined', `here is the key:\n${gh.slice(0, 24)}\n${gh.slice(24)}\nthanks`],
  ];
  for (const [via, text] of cases) {
    const found = detect(text);
    assert.ok(found.some((f) => f.rule === 'github-pat' && f.via === via), `${via}: ${text} → ${JSON.stringify(found)}`);
    assert.ok(covered(text, gh), `${via} redacted whole: ${text}`);
  }
});

void test('code, hashes, ids, paths and public keys stay quiet', () => {
  const quiet = [
    'const x = "getElementByIdAndSomethingElse";',
    'const cls = "MyVeryLongClassName2Factory1Impl";',
    'type T = BetaToolBash20241022 | COMPRESSED_RGBA_ASTC_10x5_KHR;',
    '"integrity": "sha512-abcdefGHIJKL0123456789abcdefGHIJKL0123456789+/ABCD=="',
    'commit = "3f786850e387550fdab836ed7e6dc881de23001b"',
    'const id = "550e8400-e29b-41d4-a716-446655440000";',
    'import { x } from "@scope/package-name-long/sub";',
    'const msg = { id: "msg_01XFDUDYJgAACzvnptvVoYEL", type: "message" };',
    'const token = tokens[index]; const passwordLength = 12; password: string;',
    'const key = Object.keys(map)[0]; const secretName = "db-password";',
    'autocomplete: "current-password", placeholder: "Password"',
    'const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1bWZ6g3hYm9FkYV5lq8R0nQ2wJ8m0Qe1x7s9kTzP4u dev@laptop',
    `-----BEGIN CERTIFICATE-----\n${r.b64(64)}\n${r.b64(64)}\n-----END CERTIFICATE-----`,
    'See https://docs.google.com/document/d/12HVmFxYj5Jc-eJr5OmWsa2bqTJsbgGLKI6ZIyx0_wpA/edit',
    'postgres://user:password@localhost:5432/db',
    `-----BEGIN ${'PRIVATE'} KEY----- ... -----END ${'PRIVATE'} KEY-----`,
  ];
  for (const text of quiet) assert.deepEqual(detect(text), [], text);
});
