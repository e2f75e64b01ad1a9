import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costOf, maxTokensWithin, priceFor, usageFromApi, worstCaseUsd } from '../../src/server/router/prices.js';

void test('Sonnet 5.5: input, output, cache writes by TTL and cache reads priced from usage (input excludes cache)', () => {
  const price = priceFor('claude-sonnet-5-5')!;
  const usage = usageFromApi({
    input_tokens: 1000,
    output_tokens: 500,
    cache_read_input_tokens: 20_000,
    cache_creation_input_tokens: 3000,
    cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 1000 },
  });
  // $2/M in, $10/M out, $0.10/M read, 5m write 1.25 x 2 = $2.50/M, 1h write 2 x 2 = $4/M
  const expected = (1000 * 2 + 500 * 10 + 20_000 * 0.1 + 2000 * 2.5 + 1000 * 4) / 1e6;
  assert.equal(costOf(price, usage), Math.round(expected * 1e8) / 1e8);
  assert.equal(costOf(price, usage), 0.018);
});

void test('Haiku 5.5 above 100K input tokens: the higher band applies to every token, output included', () => {
  const price = priceFor('claude-haiku-5-5')!;
  const small = costOf(price, { input: 100_000, output: 1000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 });
  assert.equal(small, (100_000 * 0.1 + 1000 * 0.5) / 1e6);
  // 90K fresh + 20K cache read = 110K input: every token at $0.50 / $2.50 / $0.05
  const big = costOf(price, { input: 90_000, output: 1000, cacheRead: 20_000, cacheWrite5m: 0, cacheWrite1h: 0 });
  assert.equal(big, Math.round(((90_000 * 0.5 + 1000 * 2.5 + 20_000 * 0.05) / 1e6) * 1e8) / 1e8);
});

void test('A cache write without a TTL split counts as 5-minute writes', () => {
  const u = usageFromApi({ input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 400 });
  assert.deepEqual([u.cacheWrite5m, u.cacheWrite1h], [400, 0]);
});

void test('Worst case is prompt tokens x input price + max_tokens x output price', () => {
  const price = priceFor('claude-opus-5-5')!;
  assert.equal(worstCaseUsd(price, 10_000, 4096), (10_000 * 4 + 4096 * 20) / 1e6);
  const fit = maxTokensWithin(price, 10_000, 0.05);
  assert.equal(fit, Math.floor((0.05 * 1e6 - 10_000 * 4) / 20));
  assert.ok(worstCaseUsd(price, 10_000, fit) <= 0.05);
  assert.equal(maxTokensWithin(price, 100_000, 0.01), 0);
});

void test('User overrides replace table prices; unknown models need input and output', () => {
  const over = priceFor('claude-sonnet-5-5', { 'claude-sonnet-5-5': { input: 1, output: 5 } })!;
  assert.equal(over.input, 1);
  assert.equal(over.output, 5);
  assert.equal(over.cacheRead, 0.1, 'fields not overridden keep the table value');
  assert.match(over.source, /settings/);
  assert.equal(priceFor('my-proxy-model'), undefined);
  assert.equal(priceFor('my-proxy-model', { 'my-proxy-model': { input: 3 } }), undefined);
  const custom = priceFor('my-proxy-model', { 'my-proxy-model': { input: 3, output: 15 } })!;
  assert.deepEqual([custom.cacheWrite5m, custom.cacheWrite1h, custom.cacheRead], [3.75, 6, 0.3]);
  assert.equal(priceFor('claude-sonnet-5-5', { 'claude-sonnet-5-5': { input: -1 } })!.input, 2, 'negative prices are ignored');
});

void test('Dated model ids share the family price', () => {
  assert.equal(priceFor('claude-haiku-4-5-20251001')!.input, 1);
  assert.equal(priceFor('claude-fable-5-2')!.output, 50);
});
