import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEntry } from '../../src/shared/protocol.js';
import { Ledger } from '../../src/server/router/ledger.js';
import { dayKey, parseLedger, totalsOf } from '../../src/server/router/ledger-math.js';
import { SharedReservations, RESERVATIONS_FILE, LEASE_MS } from '../../src/server/router/reservations.js';

function entry(over: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    id: Math.random().toString(36).slice(2),
    time: new Date().toISOString(),
    kind: 'chat',
    route: 'cloud',
    model: 'claude-haiku-5-5',
    reasons: [{ code: 'note', text: 'You asked for Claude.' }],
    tokens: { input: 100, output: 50, cacheRead: 0, cacheWrite: 0 },
    costUsd: 0.01,
    counterfactualUsd: 0.02,
    ttftMs: 100,
    totalMs: 300,
    ...over,
  };
}

void test('a torn last line is skipped and never counted', () => {
  const good = [entry({ costUsd: 0.25 }), entry({ costUsd: 0.5, route: 'local', kind: 'explain' })];
  const text = good.map((e) => JSON.stringify(e) + '\n').join('') + JSON.stringify(entry({ costUsd: 99 })).slice(0, 40);
  const parsed = parseLedger(text);
  assert.equal(parsed.entries.length, 2);
  assert.ok(parsed.rest.length > 0);
  const t = totalsOf(parsed.entries, new Date());
  assert.equal(t.today.costUsd, 0.75);
  assert.equal(t.today.cloud, 1);
  assert.equal(t.today.local, 1);
  assert.equal(t.byKind.explain.costUsd, 0.5);
});

void test('corrupt and wrongly shaped lines are skipped, counted as skipped', () => {
  const text = ['{"id":"x"', 'not json', JSON.stringify({ ...entry(), costUsd: 'a lot' }), JSON.stringify(entry({ costUsd: 0.1 }))].join('\n') + '\n';
  const parsed = parseLedger(text);
  assert.equal(parsed.entries.length, 1);
  assert.equal(parsed.skipped, 3);
});

void test('totals by day and month use the local calendar', () => {
  const a = entry({ time: new Date(2026, 0, 31, 23, 0).toISOString(), costUsd: 1 });
  const b = entry({ time: new Date(2026, 1, 1, 1, 0).toISOString(), costUsd: 2 });
  const t = totalsOf([a, b], new Date(2026, 1, 1, 12));
  assert.equal(t.byDay['2026-01-31'].costUsd, 1);
  assert.equal(t.byMonth['2026-02'].costUsd, 2);
  assert.equal(t.today.costUsd, 2);
  assert.equal(t.month.costUsd, 2);
  assert.equal(dayKey(new Date(2026, 1, 1, 1)), '2026-02-01');
});

void test('after a crash left a torn line, the next append starts on its own line and totals stay right', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-ledger-'));
  try {
    const ledger = new Ledger(dir);
    ledger.append(entry({ costUsd: 0.1 }));
    appendFileSync(ledger.file, JSON.stringify(entry({ costUsd: 50 })).slice(0, 60)); // torn by a crash
    const reopened = new Ledger(dir);
    assert.equal(reopened.totals().today.costUsd, 0.1);
    assert.equal(reopened.skippedLines(), 1);
    reopened.append(entry({ costUsd: 0.2 }));
    assert.equal(reopened.totals().today.costUsd, 0.3);
    assert.equal(reopened.totals().today.requests, 2);
    assert.equal(reopened.skippedLines(), 1);
    const lines = readFileSync(ledger.file, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 3);
    assert.doesNotThrow(() => JSON.parse(lines[2]));
    // Another process appends: a later read picks it up.
    appendFileSync(ledger.file, JSON.stringify(entry({ costUsd: 0.4 })) + '\n');
    assert.equal(reopened.totals().today.costUsd, 0.7);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a ledger replaced by hand is read again from the start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-ledger-'));
  try {
    const ledger = new Ledger(dir);
    ledger.append(entry({ costUsd: 1 }));
    ledger.append(entry({ costUsd: 1 }));
    writeFileSync(ledger.file, JSON.stringify(entry({ costUsd: 0.5 })) + '\n');
    assert.equal(ledger.totals().today.costUsd, 0.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('two engines appending to one ledger keep the same running totals, each counting every entry once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-ledger-'));
  try {
    const a = new Ledger(dir);
    const b = new Ledger(dir);
    for (let i = 0; i < 50; i++) (i % 2 ? a : b).append(entry({ costUsd: 0.01, kind: i % 3 ? 'chat' : 'explain' }));
    for (const ledger of [a, b, new Ledger(dir)]) {
      const t = ledger.totals();
      assert.equal(t.today.requests, 50);
      assert.equal(t.today.costUsd, 0.5);
      assert.equal(t.byKind.explain.requests, 17);
      assert.deepEqual(t, totalsOf(ledger.entries(), new Date()), 'running totals equal a full recount');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('reservations: concurrent requests of two engines on one data dir cannot reserve more than the budget together', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-reserve-'));
  try {
    const ledger = new Ledger(dir);
    ledger.append(entry({ costUsd: 0.2 }));
    const a = new SharedReservations(dir, new Ledger(dir), () => undefined);
    const b = new SharedReservations(dir, new Ledger(dir), () => undefined);
    const limits = { dailyUsd: 1, monthlyUsd: 10 };
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).tryReserve(`r${i}`, 0.3, limits)));
    assert.equal(results.filter((x) => x === undefined).length, 2, '0.2 spent + 2 x 0.3 fits in $1, a third does not, whichever engine asks');
    assert.match(results.find((x) => x !== undefined)!, /could cost up to \$0.30, but only \$0(\.20)? of your daily budget of \$1.00 is left/);
    assert.equal(a.total, 0.6);
    const granted = results.map((x, i) => (x === undefined ? `r${i}` : undefined)).filter((x): x is string => !!x);
    await (Number(granted[0].slice(1)) % 2 ? a : b).release(granted[0]);
    assert.equal(b.total, 0.3);
    assert.equal(await a.tryReserve('r9', 0.3, limits), undefined);
    // A reservation lowered once the API reported the real prompt gives the rest back.
    await a.lower('r9', 0.1);
    assert.equal(b.total, 0.4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('reservations of an engine that died, or whose lease ran out, are dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-reserve-'));
  try {
    const now = Date.now();
    const held = [
      { id: 'dead', owner: 'a', host: hostname(), pid: 2 ** 22 + 12345, usd: 5, expiresAt: now + LEASE_MS },
      { id: 'expired', owner: 'b', host: 'other-host', pid: 1, usd: 5, expiresAt: now - 1 },
      { id: 'live', owner: 'c', host: 'other-host', pid: 1, usd: 0.25, expiresAt: now + LEASE_MS },
    ];
    writeFileSync(join(dir, RESERVATIONS_FILE), JSON.stringify(held));
    assert.equal(new SharedReservations(dir, new Ledger(dir), () => undefined).total, 0.25);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a lock left by an engine killed while holding it is taken over: the next reservation waits, it is not refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-reserve-'));
  try {
    // What proper-lockfile leaves when its holder is killed: the lock folder, as fresh as the moment of the kill.
    mkdirSync(join(dir, `${RESERVATIONS_FILE}.lock`));
    const started = Date.now();
    const refusal = await new SharedReservations(dir, new Ledger(dir), () => undefined).tryReserve('after-crash', 0.1, { dailyUsd: 1, monthlyUsd: 10 });
    assert.equal(refusal, undefined);
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('feedback lines are their own record: never requests, never money; completion entries count their requests', () => {
  const completions = entry({ kind: 'completion', route: 'local', costUsd: 0, counterfactualUsd: 0.004, count: 37 });
  const chat = entry({ costUsd: 0.25 });
  const feedback = { type: 'feedback', id: 'f1', time: new Date().toISOString(), entryId: chat.id, signal: 'thumbs-up', count: 1 };
  const parsed = parseLedger([completions, chat, feedback].map((e) => JSON.stringify(e) + '\n').join(''));
  assert.equal(parsed.skipped, 0);
  assert.equal(parsed.entries.length, 2);
  assert.deepEqual(parsed.feedback.map((f) => f.signal), ['thumbs-up']);
  const totals = totalsOf(parsed.entries, new Date());
  assert.equal(totals.today.requests, 38);
  assert.equal(totals.today.local, 37);
  assert.equal(totals.today.costUsd, 0.25);
  assert.equal(totals.byKind.completion?.counterfactualUsd, 0.004);
  // A bad count reads as one request.
  const odd = parseLedger(JSON.stringify({ ...completions, count: -3 }) + '\n');
  assert.equal(totalsOf(odd.entries, new Date()).today.requests, 1);
});
