// Payback of a local GPU: how many weeks of measured savings pay for it. Pure: no DOM.
// Weekly savings = (what the measured requests would have cost on the cloud − what they did cost) per week
// of the measured period. Weeks to break even = GPU price ÷ weekly savings.
import type { LedgerTotals } from '../../src/shared/protocol';
import { formatUsd } from '../shared/format';

/** Days with requests needed before a payback estimate means anything (one day of use says little about a year). */
export const MIN_PAYBACK_DAYS = 3;

export interface Payback {
  /** Days covered by the measurement (first day with requests through today, inclusive). */
  days: number;
  /** Days on which requests were measured. */
  measuredDays: number;
  /** At least MIN_PAYBACK_DAYS measured: the estimate is shown; before that, "not enough data yet". */
  enough: boolean;
  counterfactualUsd: number;
  actualUsd: number;
  savingsUsd: number;
  weeklySavingsUsd: number;
  gpuPriceUsd: number;
  /** Undefined when nothing is saved (no break-even at this usage). */
  weeks: number | undefined;
  /** The arithmetic in words, line by line. */
  steps: string[];
}

const money = formatUsd;

/** Whole days from `first` to `today` inclusive, from "YYYY-MM-DD" keys. */
export function daysBetween(first: string, today: string): number {
  const a = Date.UTC(+first.slice(0, 4), +first.slice(5, 7) - 1, +first.slice(8, 10));
  const b = Date.UTC(+today.slice(0, 4), +today.slice(5, 7) - 1, +today.slice(8, 10));
  return Math.max(1, Math.round((b - a) / 86_400_000) + 1);
}

export function computePayback(byDay: Record<string, LedgerTotals>, gpuPriceUsd: number, today: string): Payback | undefined {
  const days = Object.keys(byDay)
    .filter((k) => byDay[k] && byDay[k].requests > 0)
    .sort();
  if (days.length === 0 || !(gpuPriceUsd >= 0)) return undefined;
  const first = days[0] as string;
  const span = daysBetween(first, today >= first ? today : (days[days.length - 1] as string));
  let counterfactualUsd = 0;
  let actualUsd = 0;
  for (const key of days) {
    counterfactualUsd += byDay[key]?.counterfactualUsd ?? 0;
    actualUsd += byDay[key]?.costUsd ?? 0;
  }
  const savingsUsd = counterfactualUsd - actualUsd;
  const weeklySavingsUsd = (savingsUsd / span) * 7;
  const weeks = weeklySavingsUsd > 0 ? gpuPriceUsd / weeklySavingsUsd : undefined;
  const steps = [
    `Measured over ${span} day${span === 1 ? '' : 's'}: all-cloud ${money(counterfactualUsd)} − actual ${money(actualUsd)} = ${money(savingsUsd)} saved`,
    `Per week: ${money(savingsUsd)} ÷ ${span} × 7 = ${money(weeklySavingsUsd)}`,
    weeks === undefined
      ? `No break-even: this usage saves nothing per week`
      : `Break-even: ${money(gpuPriceUsd)} ÷ ${money(weeklySavingsUsd)} per week = ${weeks.toFixed(1)} weeks${weeks > 104 ? ` (${(weeks / 52).toFixed(1)} years)` : ''}`,
  ];
  return { days: span, measuredDays: days.length, enough: days.length >= MIN_PAYBACK_DAYS, counterfactualUsd, actualUsd, savingsUsd, weeklySavingsUsd, gpuPriceUsd, weeks, steps };
}
