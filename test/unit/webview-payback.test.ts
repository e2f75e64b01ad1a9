import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LedgerTotals } from '../../src/shared/protocol';
import { computePayback, daysBetween, MIN_PAYBACK_DAYS } from '../../webview/panel/payback';

const day = (costUsd: number, counterfactualUsd: number, requests = 10): LedgerTotals => ({
  costUsd,
  counterfactualUsd,
  requests,
  local: requests,
  cloud: 0,
  tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
});

void describe('GPU payback', () => {
  void it('counts calendar days inclusively across month ends', () => {
    assert.equal(daysBetween('2026-11-21', '2026-11-21'), 1);
    assert.equal(daysBetween('2026-10-30', '2026-11-02'), 4);
  });

  void it('weekly savings = (all-cloud − actual) ÷ days × 7; weeks = price ÷ weekly savings', () => {
    // 14 days measured (Nov 8 .. Nov 21): $30 all-cloud, $2 actual → $28 saved → $14 a week.
    const p = computePayback({ '2026-11-08': day(1, 10), '2026-11-15': day(1, 12), '2026-11-21': day(0, 8) }, 700, '2026-11-21');
    assert.ok(p);
    assert.equal(p.days, 14);
    assert.equal(p.savingsUsd, 28);
    assert.equal(p.weeklySavingsUsd, 14);
    assert.equal(p.weeks, 50);
    assert.deepEqual(p.steps, [
      'Measured over 14 days: all-cloud $30.00 − actual $2.00 = $28.00 saved',
      'Per week: $28.00 ÷ 14 × 7 = $14.00',
      'Break-even: $700.00 ÷ $14.00 per week = 50.0 weeks',
    ]);
  });

  void it('says there is no break-even when nothing is saved, and needs at least one request', () => {
    const none = computePayback({ '2026-11-21': day(5, 5) }, 1000, '2026-11-21');
    assert.equal(none?.weeks, undefined);
    assert.match(none?.steps[2] ?? '', /No break-even/);
    assert.equal(computePayback({}, 1000, '2026-11-21'), undefined);
    assert.equal(computePayback({ '2026-11-21': day(0, 0, 0) }, 1000, '2026-11-21'), undefined);
    assert.equal(computePayback({ '2026-11-21': day(0, 1) }, Number.NaN, '2026-11-21'), undefined);
  });

  void it('adds years for long paybacks', () => {
    const p = computePayback({ '2026-11-21': day(0, 0.01) }, 2000, '2026-11-21');
    assert.match(p?.steps[2] ?? '', /weeks \(\d+\.\d years\)$/);
  });

  void it('needs a few days of use before it estimates anything', () => {
    const one = computePayback({ '2026-11-21': day(0, 0.01) }, 2000, '2026-11-21');
    assert.deepEqual([one?.measuredDays, one?.enough], [1, false]);
    const two = computePayback({ '2026-11-20': day(0, 1), '2026-11-21': day(0, 1) }, 2000, '2026-11-21');
    assert.equal(two?.enough, false);
    const three = computePayback({ '2026-11-08': day(0, 1), '2026-11-15': day(0, 1), '2026-11-21': day(0, 1) }, 2000, '2026-11-21');
    assert.deepEqual([three?.measuredDays, three?.enough, MIN_PAYBACK_DAYS], [3, true, 3]);
  });
});
