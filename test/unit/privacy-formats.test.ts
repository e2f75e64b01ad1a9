// Every format the gate knows, generated from its description (test/privacy/formats.ts) with several seeds:
// found under its own name, redacted whole, and credential stores marked as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detect, RULES, STRUCTURAL_FORMATS } from '../../src/server/router/scan/detect.js';
import { redact } from '../../src/server/router/scan/scanner.js';
import { FORMATS, fragments, samples } from '../privacy/formats.js';

/** Formats whose sample holds a second format that wins the name (both are reported). */
const NAMED_AS: Record<string, string[]> = { 'aws-credentials-file': ['aws-secret-access-key'] };

void test('the scanner knows at least 150 formats, and the corpus describes every one of them', () => {
  const ids = [...RULES.map((r) => r.id), ...STRUCTURAL_FORMATS];
  assert.ok(ids.length >= 150, `${ids.length} formats`);
  assert.equal(new Set(ids).size, ids.length, 'format ids are unique');
  assert.deepEqual(ids.filter((id) => !(id in FORMATS)), [], 'formats without a corpus description');
  assert.deepEqual(Object.keys(FORMATS).filter((id) => !ids.includes(id)), [], 'descriptions of no format');
});

void test('every format is found under its name and redacted whole (three seeds)', () => {
  const problems: string[] = [];
  for (const seed of [1, 2, 3]) {
    for (const s of samples(seed)) {
      const found = detect(s.text);
      const names = found.map((f) => f.rule);
      if (!names.includes(s.rule) && !(NAMED_AS[s.rule] ?? []).some((n) => names.includes(n))) problems.push(`${s.rule} (seed ${seed}) found as [${names.join(', ')}]`);
      const out = redact(s.text, found, () => 'tag');
      if (fragments(s.secret).some((f) => out.includes(f))) problems.push(`${s.rule} (seed ${seed}) left part of the secret: ${out.slice(0, 120)}`);
      if (Boolean(s.store) !== found.some((f) => f.store)) problems.push(`${s.rule} (seed ${seed}) store mark ${found.some((f) => f.store)}`);
    }
  }
  assert.deepEqual(problems, []);
});

void test('secretlint\'s recommended formats are all covered, the AWS access key ID included', () => {
  // The rules of @secretlint/secretlint-rule-preset-recommend that apply to text (filter-comments is a CI switch,
  // deliberately not honoured; gcp's .p12 check needs a binary file).
  const secretlint: Record<string, string[]> = {
    aws: ['aws-access-key-id', 'aws-secret-access-key', 'aws-account-id'],
    gcp: ['gcp-service-account-key-id', 'private-key'],
    npm: ['npm-access-token', 'npmrc-auth', 'github-oauth-url'],
    slack: ['slack-bot-token', 'slack-user-token', 'slack-app-token', 'slack-legacy-token', 'slack-webhook'],
    basicauth: ['url-basic-auth'],
    openai: ['openai-api-key', 'openai-legacy-key'],
    anthropic: ['anthropic-api-key'],
    groq: ['groq-api-key'],
    huggingface: ['huggingface-token'],
    linear: ['linear-api-key'],
    notion: ['notion-integration-token'],
    privatekey: ['private-key', 'rsa-private-key', 'ec-private-key', 'dsa-private-key', 'openssh-private-key', 'pgp-private-key'],
    sendgrid: ['sendgrid-api-key'],
    shopify: ['shopify-access-token', 'shopify-custom-app-token', 'shopify-private-app-token', 'shopify-shared-secret'],
    github: ['github-pat', 'github-oauth-token', 'github-user-token', 'github-server-token', 'github-refresh-token', 'github-fine-grained-pat', 'github-app-installation-token'],
    gitlab: ['gitlab-pat'],
    grafana: ['grafana-cloud-token', 'grafana-service-account-token'],
    '1password': ['onepassword-service-account-token'],
    'database-connection-string': ['postgres-connection-string', 'mysql-connection-string', 'mongodb-connection-string'],
    'hashicorp-vault': ['vault-service-token', 'vault-batch-token', 'vault-recovery-token'],
    vercel: ['vercel-token'],
    databricks: ['databricks-token'],
    docker: ['docker-pat'],
    figma: ['figma-pat'],
  };
  const ids = new Set([...RULES.map((r) => r.id), ...STRUCTURAL_FORMATS]);
  for (const [rule, formats] of Object.entries(secretlint)) for (const f of formats) assert.ok(ids.has(f), `${rule}: ${f}`);
});
