// What "Set Anthropic API Key" accepts and says, and how a key test's cost reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiKeyProblem, keyHint, preciseUsd } from '../../src/ui/key-format.js';

void test('"not-a-key" and other text that cannot be an Anthropic key is refused with what to do; real-shaped keys pass', () => {
  assert.match(apiKeyProblem('not-a-key') ?? '', /not an Anthropic API key: those start with "sk-ant-"/);
  assert.match(apiKeyProblem('') ?? '', /"Tandem: Clear Anthropic API Key"/);
  assert.match(apiKeyProblem('sk-ant-api03 abc') ?? '', /no spaces/);
  assert.match(apiKeyProblem('sk-ant-short') ?? '', /cut off or mistyped/);
  assert.match(apiKeyProblem('sk-ant-api03-abc$%^&*()defghijklmnopqrstuvwxyz') ?? '', /cut off or mistyped/);
  assert.equal(apiKeyProblem(`sk-ant-api03-${'Ab9_-'.repeat(19)}AA`), undefined);
  assert.equal(apiKeyProblem('  sk-ant-admin01-0123456789abcdefghijXYZ  '), undefined);
});

void test('a stored key is named by its last four characters only; a test cost keeps its digits', () => {
  assert.equal(keyHint('sk-ant-api03-secretsecretWXYZ'), '…WXYZ');
  assert.equal(preciseUsd(0.0000069), '$0.0000069');
  assert.equal(preciseUsd(0.00042), '$0.00042');
  assert.equal(preciseUsd(0.0123), '$0.0123');
  assert.equal(preciseUsd(0), '$0');
});
