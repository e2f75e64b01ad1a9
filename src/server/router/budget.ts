// Daily and monthly cloud budgets: what is left and why a request does not fit. Pure. Requests reserve their worst
// case before sending (reservations.ts, shared by every engine on the data dir), so concurrent requests cannot
// overspend together; the reservation is released when the request's cost is ledgered.
import { roundUsd } from './prices.js';

export interface BudgetLimits {
  /** USD per day; 0 = no cloud spend allowed, negative = no limit. */
  dailyUsd: number;
  monthlyUsd: number;
}

export interface Spent {
  today: number;
  month: number;
}

/** What is left to spend now, after what was spent and what is reserved. Infinity = no limit. */
export function remainingUsd(limits: BudgetLimits, spent: Spent, reserved: number): { usd: number; limitedBy: 'daily' | 'monthly' | null } {
  const daily = limits.dailyUsd < 0 ? Infinity : limits.dailyUsd - spent.today - reserved;
  const monthly = limits.monthlyUsd < 0 ? Infinity : limits.monthlyUsd - spent.month - reserved;
  if (daily === Infinity && monthly === Infinity) return { usd: Infinity, limitedBy: null };
  return daily <= monthly ? { usd: roundUsd(Math.max(0, daily)), limitedBy: 'daily' } : { usd: roundUsd(Math.max(0, monthly)), limitedBy: 'monthly' };
}

/** Why a request of `worstCase` USD may not be sent, in words, or undefined when it fits. */
export function budgetRefusal(limits: BudgetLimits, spent: Spent, reserved: number, worstCase: number): string | undefined {
  const left = remainingUsd(limits, spent, reserved);
  if (worstCase <= left.usd) return undefined;
  const which = left.limitedBy === 'monthly' ? 'monthly' : 'daily';
  const limit = which === 'monthly' ? limits.monthlyUsd : limits.dailyUsd;
  if (limit === 0) return `Your ${which} cloud budget is $0 (tandem.budget.${which}Usd), so nothing is sent to Claude.`;
  const spentNow = which === 'monthly' ? spent.month : spent.today;
  const inFlight = reserved > 0 ? `, $${fmt(reserved)} reserved by requests in flight` : '';
  return (
    `This request could cost up to $${fmt(worstCase)}, but only $${fmt(left.usd)} of your ${which} budget of ` +
    `$${fmt(limit)} is left ($${fmt(spentNow)} spent${inFlight}).`
  );
}

export function fmt(usd: number): string {
  if (usd === 0) return '0';
  return usd >= 0.01 ? usd.toFixed(2) : usd.toPrecision(2);
}
