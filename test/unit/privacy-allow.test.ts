// "Allow this value" and tandem.privacy.allow: salted hashes in the data dir (never the value), value regexes,
// file globs; one placeholder tag per secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_FILE, AllowList, allowRules } from '../../src/server/router/scan/allow.js';

const value = 'Zx8Kp2Qw9LmN4vB7' + 'tR1yU6sD3fG5hJ0k';
const none = allowRules([]);

void test('an allowed value is stored as a salted hash, survives a restart and is seen by another engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-allow-'));
  const first = new AllowList(dir);
  assert.equal(first.allows(value, none), false);
  const hash = first.hash(value);
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(first.add([hash, 'not-a-hash', 42]), 1);
  assert.equal(first.add([hash]), 0, 'already allowed');
  assert.equal(first.allows(value, none), true);
  const file = readFileSync(join(dir, ALLOW_FILE), 'utf8');
  assert.ok(!file.includes(value), 'the value itself is never written');
  assert.equal(statSync(join(dir, ALLOW_FILE)).mode & 0o777, 0o600);
  const second = new AllowList(dir);
  assert.equal(second.allows(value, none), true, 'another engine (window) sharing the data dir');
  assert.equal(second.hash(value), hash, 'one salt per data dir');
  const elsewhere = new AllowList(mkdtempSync(join(tmpdir(), 'tandem-allow-')));
  assert.notEqual(elsewhere.hash(value), hash, 'another data dir, another salt');
});

void test('the setting allows values by regex and files by glob; a bad regex is reported, not fatal', () => {
  const list = new AllowList(mkdtempSync(join(tmpdir(), 'tandem-allow-')));
  const rules = allowRules(['/^pk_test_/', 'test/fixtures/**', '/([/']);
  assert.equal(rules.problems.length, 1);
  assert.match(rules.problems[0], /not a valid regular expression/);
  assert.equal(list.allows('pk_test_abc123', rules), true);
  assert.equal(list.allows(value, rules), false);
  assert.equal(list.allows(value, rules, ['test/fixtures/keys.json', '/w/test/fixtures/keys.json']), true);
  assert.equal(list.allows(value, rules, ['src/keys.json']), false);
});
