// The ledger end to end: entries survive the engine being killed (kill -9) in the middle of a request with
// a torn last line, totals stay right, and the API key (set by tandem/setApiKey) is never written anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { ChatDeltaNotification, SetApiKeyNotification, type LedgerResult } from '../../src/shared/protocol.js';
import { delay } from '../support/lsp-client.js';
import { startHarness, testSettings, TEST_API_KEY } from '../fake-anthropic/harness.js';

const usd = (micro: number) => Math.round((micro / 1e6) * 1e8) / 1e8;

void test('the ledger survives kill -9 mid-request and a torn line; totals by day, month and kind stay exact', async () => {
  const first = await startHarness({ localModel: false });
  const dataDir = first.engine.dataDir;
  first.fake.enqueue(
    { type: 'text', text: 'one', usage: { input_tokens: 1000, output_tokens: 100 } },
    { type: 'text', text: 'two', usage: { input_tokens: 3000, output_tokens: 500, cache_read_input_tokens: 10_000 } },
    { type: 'text', text: 'never finishes '.repeat(100), chunks: 100, delayMs: 50 },
  );
  await first.chat({ kind: 'chat', prompt: 'first', prefer: 'cloud' });
  await first.chat({ kind: 'explain', prompt: 'second', prefer: 'cloud' });
  const exited = new Promise((resolve) => first.engine.process.once('exit', (_code, signal) => resolve(signal)));
  void first.chat({ id: 'killed', kind: 'chat', prompt: 'third', prefer: 'cloud' }).catch(() => undefined);
  await first.engine.waitFor(ChatDeltaNotification, (p: { id: string }) => p.id === 'killed', 5000);
  first.engine.process.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  first.engine.connection.dispose();
  await first.fake.close();
  // The crash also tore the line being written.
  appendFileSync(join(dataDir, 'ledger.jsonl'), '{"id":"torn","time":"2026-11-21T10:00:00.000Z","kind":"chat","route":"cloud","costUsd":12');

  const second = await startHarness({ localModel: false, dataDir });
  try {
    const haiku1 = usd(1000 * 0.1 + 100 * 0.5);
    const haiku2 = usd(3000 * 0.1 + 500 * 0.5 + 10_000 * 0.01);
    let ledger: LedgerResult = await second.ledger();
    assert.equal(ledger.entries.length, 2);
    assert.equal(ledger.skippedLines, 1);
    assert.equal(ledger.today.costUsd, usd(1000 * 0.1 + 100 * 0.5 + 3000 * 0.1 + 500 * 0.5 + 10_000 * 0.01));
    assert.equal(ledger.month.costUsd, ledger.today.costUsd);
    assert.equal(ledger.byKind.chat.costUsd, haiku1);
    assert.equal(ledger.byKind.explain.costUsd, haiku2);
    assert.equal(ledger.today.tokens.cacheRead, 10_000);
    assert.equal(Object.keys(ledger.byDay).length, 1);

    second.fake.enqueue({ type: 'text', text: 'four', usage: { input_tokens: 2000, output_tokens: 200 } });
    await second.chat({ kind: 'chat', prompt: 'fourth', prefer: 'cloud' });
    ledger = await second.ledger();
    assert.equal(ledger.entries.length, 3);
    assert.equal(ledger.skippedLines, 1, 'the torn line stays one skipped line; the new entry is intact');
    assert.equal(ledger.today.costUsd, usd(1000 * 0.1 + 100 * 0.5 + 3000 * 0.1 + 500 * 0.5 + 10_000 * 0.01 + 2000 * 0.1 + 200 * 0.5));
    const limited = await second.ledger({ limit: 1 });
    assert.equal(limited.entries.length, 1);
    assert.equal(limited.entries[0].tokens.input, 2000);

    for (const name of readdirSync(dataDir)) {
      const path = join(dataDir, name);
      try {
        assert.ok(!readFileSync(path, 'utf8').includes(TEST_API_KEY), `${name} holds no key`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
      }
    }
  } finally {
    await second.close();
  }
});

void test('tandem/setApiKey sets and clears the key; it is never logged', async () => {
  const h = await startHarness({ apiKey: false, localModel: false, settings: testSettings() });
  try {
    const without = await h.route({ kind: 'chat', prompt: 'hi', prefer: 'cloud' });
    assert.equal(without.blockedBy, 'no-api-key');
    assert.match(without.reasons.map((r) => r.text).join(' '), /No Anthropic API key is set/);
    await h.engine.notify(SetApiKeyNotification, { apiKey: TEST_API_KEY });
    await delay(50);
    const r = await h.chat({ kind: 'chat', prompt: 'hi', prefer: 'cloud' });
    assert.equal(r.entry.route, 'cloud');
    await h.engine.notify(SetApiKeyNotification, { apiKey: '' });
    await delay(50);
    assert.equal((await h.route({ kind: 'chat', prompt: 'hi', prefer: 'cloud' })).blockedBy, 'no-api-key');
    assert.ok(!h.engine.stderr.includes(TEST_API_KEY));
    assert.ok(!JSON.stringify(h.engine.notifications).includes(TEST_API_KEY));
    assert.ok(!readFileSync(join(h.engine.dataDir, 'ledger.jsonl'), 'utf8').includes(TEST_API_KEY));
  } finally {
    await h.close();
  }
});

void test('bad input gets a clear message and the prompt back', async () => {
  const h = await startHarness({ localModel: false });
  try {
    await assert.rejects(h.chat({ kind: 'completion' as 'chat', prompt: 'x' }), /Unknown request kind "completion": use explain, chat or refactor/);
    await assert.rejects(h.chat({ kind: 'chat', prompt: '   ' }), /no prompt/);
    const missing = await h.route({ kind: 'explain', prompt: 'explain', files: [{ uri: 'file:///nowhere/x.ts' }] });
    assert.match(missing.reasons.map((r) => r.text).join(' '), /\/nowhere\/x.ts was left out: it does not exist/);
  } finally {
    await h.close();
  }
});

void test('a ledger that cannot be written fails closed: the spend still counts, the cloud waits with the reason, and resumes once it can be written', async () => {
  const h = await startHarness({ localModel: false });
  const file = join(h.engine.dataDir, 'ledger.jsonl');
  try {
    h.fake.enqueue(
      { type: 'text', text: 'one', usage: { input_tokens: 1000, output_tokens: 100 } },
      { type: 'text', text: 'two '.repeat(20), chunks: 20, delayMs: 30, usage: { input_tokens: 3000, output_tokens: 500 } },
    );
    const first = await h.chat({ kind: 'chat', prompt: 'first', prefer: 'cloud' });
    const pending = h.chat({ id: 'unwritable', kind: 'chat', prompt: 'second', prefer: 'cloud' });
    await h.engine.waitFor(ChatDeltaNotification, (d) => d.id === 'unwritable', 5000);
    // While the answer streams, the ledger becomes unwritable (here: a folder where the file was; a full disk or
    // lost permissions alike).
    renameSync(file, `${file}.away`);
    mkdirSync(file);
    const second = await pending;
    assert.equal(second.entry.route, 'cloud', 'the answer itself arrived');
    const spent = usd(1000 * 0.1 + 100 * 0.5 + 3000 * 0.1 + 500 * 0.5);
    const ledger = await h.ledger();
    assert.equal(ledger.today.costUsd, spent, 'the unwritten spend still counts');
    const before = h.fake.requests.length;
    const blocked = await h.route({ kind: 'chat', prompt: 'third', prefer: 'cloud' });
    assert.notEqual(blocked.route, 'cloud');
    assert.equal(blocked.blockedBy, 'ledger-unavailable');
    assert.match(blocked.reasons.map((x) => x.text).join(' '), /The cost ledger \(.*ledger\.jsonl\) cannot be (written|read) .*cloud requests wait until it works again/);
    await assert.rejects(h.chat({ kind: 'chat', prompt: 'third', prefer: 'cloud' }), /cost ledger/);
    assert.equal(h.fake.requests.length, before, 'nothing was sent while the ledger could not count it');

    rmdirSync(file);
    renameSync(`${file}.away`, file);
    const again = await h.route({ kind: 'chat', prompt: 'fourth', prefer: 'cloud' });
    assert.equal(again.route, 'cloud');
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; route: string });
    assert.deepEqual(lines.slice(0, 2).map((l) => l.id), [first.entry.id, second.entry.id], 'the held entry was written once it could be');
    assert.deepEqual(lines.slice(2).map((l) => l.route), ['blocked'], 'followed by the refused request, once each');
    assert.equal((await h.ledger()).today.costUsd, spent, 'and is not counted twice');
  } finally {
    await h.close();
  }
});
