// Sample turns and ledger data for the webview tests, shaped like what the extension sends.
import type { EvalReport, LedgerEntry, LedgerResult, LedgerTotals } from '../../src/shared/protocol';
import type { AnswerRoute, AssistantTurn, UserTurn } from '../../src/shared/webview';
import { dayKey } from '../../webview/shared/format';

export const localAnswer: AnswerRoute = {
  route: 'local',
  model: 'qwen2.5-coder-7b',
  reasons: [{ code: 'note', text: 'explanations stay local' }, { code: 'note', text: 'context fits the local model (1.2k of 8k tokens)' }],
  costUsd: 0,
  tokens: { input: 1200, output: 310, cacheRead: 0, cacheWrite: 0 },
  ttftMs: 240,
  totalMs: 3100,
};

export const cloudAnswer: AnswerRoute = {
  route: 'cloud',
  model: 'claude-sonnet-4-5',
  reasons: [{ code: 'note', text: 'you asked for Claude' }, { code: 'note', text: 'multi-file context (3 files)' }],
  costUsd: 0.0123,
  tokens: { input: 3100, output: 420, cacheRead: 1800, cacheWrite: 0 },
  ttftMs: 820,
  totalMs: 5400,
  manifest: {
    files: [
      { uri: 'file:///work/app/src/billing.ts', ranges: [{ startLine: 9, endLine: 41 }], bytes: 2140 },
      { uri: 'file:///work/app/src/invoice.ts', ranges: [], bytes: 5120 },
    ],
    tokens: 3100,
    redactions: [{ uri: 'file:///work/app/src/billing.ts', line: 11, rule: 'aws-access-key' }],
  },
};

export function userTurn(id: string, text: string, extra: Partial<UserTurn> = {}): UserTurn {
  return { role: 'user', id, time: '2026-11-21T10:00:00.000Z', text, kind: 'chat', chips: [], ...extra };
}

export function answerTurn(id: string, replyTo: string, extra: Partial<AssistantTurn> = {}): AssistantTurn {
  return { role: 'assistant', id, replyTo, time: '2026-11-21T10:00:01.000Z', kind: 'chat', text: '', state: 'streaming', ...extra };
}

function entry(id: string, daysAgo: number, e: Partial<LedgerEntry>): LedgerEntry {
  // Today's entries a minute ago (but never before midnight); earlier days at noon.
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  let t = new Date(Math.max(midnight.getTime() + 1000, Date.now() - 60_000));
  if (daysAgo > 0) {
    t = new Date(midnight);
    t.setDate(t.getDate() - daysAgo);
    t.setHours(12);
  }
  return {
    id,
    time: t.toISOString(),
    kind: 'chat',
    route: 'local',
    model: 'qwen2.5-coder-7b',
    reasons: [{ code: 'note', text: 'local first' }],
    tokens: { input: 1000, output: 200, cacheRead: 0, cacheWrite: 0 },
    costUsd: 0,
    counterfactualUsd: 0.006,
    ttftMs: 200,
    totalMs: 2000,
    ...e,
  };
}

export const ENTRIES: LedgerEntry[] = [
  entry('e1', 0, { kind: 'completion', reasons: [{ code: 'note', text: 'completions stay local' }], counterfactualUsd: 0.002, ttftMs: 80, totalMs: 140, tokens: { input: 600, output: 20, cacheRead: 0, cacheWrite: 0 } }),
  entry('e2', 0, { kind: 'refactor', route: 'cloud', model: 'claude-sonnet-4-5', reasons: [{ code: 'note', text: 'multi-file refactor (4 files)' }], costUsd: 0.05, counterfactualUsd: 0.05, tokens: { input: 9000, output: 1500, cacheRead: 4000, cacheWrite: 0 }, ttftMs: 900, totalMs: 12000, manifest: cloudAnswer.manifest }),
  entry('e3', 1, { kind: 'chat', route: 'blocked', model: 'claude-sonnet-4-5', reasons: [{ code: 'note', text: 'a secret (aws-access-key) would have left the machine' }], counterfactualUsd: 0, ttftMs: null, totalMs: 3 }),
  entry('e4', 2, { kind: 'explain', reasons: [{ code: 'note', text: 'explanations stay local' }], counterfactualUsd: 0.01 }),
  entry('e5', 3, { kind: 'chat', route: 'local', reasons: [{ code: 'note', text: 'cloud unavailable (529 overloaded)' }], fallback: { from: 'cloud', reason: { code: 'cloud-failed', text: 'cloud overloaded (529)' } }, counterfactualUsd: 0.02 }),
  entry('e6', 6, { kind: 'chat', route: 'cloud', model: 'claude-haiku-4-5', reasons: [{ code: 'note', text: 'you asked for Claude' }], costUsd: 0.004, counterfactualUsd: 0.012, manifest: { files: [], tokens: 800, redactions: [] } }),
];

function totalsOf(entries: LedgerEntry[]): LedgerTotals {
  const t: LedgerTotals = { costUsd: 0, counterfactualUsd: 0, requests: 0, local: 0, cloud: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } };
  for (const e of entries) {
    t.costUsd += e.costUsd;
    t.counterfactualUsd += e.counterfactualUsd;
    t.requests += 1;
    if (e.route === 'local') t.local += 1;
    if (e.route === 'cloud') t.cloud += 1;
    t.tokens.input += e.tokens.input;
    t.tokens.output += e.tokens.output;
    t.tokens.cacheRead += e.tokens.cacheRead;
    t.tokens.cacheWrite += e.tokens.cacheWrite;
  }
  return t;
}

export function ledgerResult(entries: LedgerEntry[] = ENTRIES): LedgerResult {
  const byDay: Record<string, LedgerTotals> = {};
  const groups = new Map<string, LedgerEntry[]>();
  for (const e of entries) groups.set(dayKey(e.time), [...(groups.get(dayKey(e.time)) ?? []), e]);
  for (const [k, list] of groups) byDay[k] = totalsOf(list);
  const today = dayKey(new Date());
  const month = today.slice(0, 7);
  return {
    entries,
    today: totalsOf(entries.filter((e) => dayKey(e.time) === today)),
    month: totalsOf(entries.filter((e) => dayKey(e.time).startsWith(month))),
    byDay,
    byMonth: {},
    byKind: {},
    budget: { dailyUsd: 2, monthlyUsd: 40, reservedUsd: 0 },
    skippedLines: 0,
    feedback: [],
  };
}

function card(model: string, side: EvalReport['side'], device: string, sets: [EvalReport['sets'][number]['set'], number, number, number, number][]): EvalReport {
  return {
    model, side, device, time: new Date(Date.now() - 3_600_000).toISOString(), machine: '8 cores (Ryzen 7), 32 GB RAM', limit: 200, durationS: 300,
    costUsd: sets.reduce((n, s) => n + s[4], 0), settings: { maxTokens: 64, timeBudgetMs: 1500, maxPrefixLines: 60, maxSuffixLines: 20 },
    sandbox: { network: 'namespace+guard', timeoutS: 3, python: '3.11.7' },
    sets: sets.map(([set, problems, passAt1, exactMatch, costUsd]) => ({
      set, problems, of: set === 'single-line' ? 1033 : 5815, passAt1, exactMatch, noSuggestion: 0.015, timedOut: 0,
      latencyMs: { p50: 180, p95: 420 }, tokensPerS: side === 'cloud' ? 150 : 95, costUsd,
    })),
  };
}

/** Report cards as tandem/evalReports serves them: an oracle run, Claude, and the local model (newest last). */
export const REPORT_CARDS: EvalReport[] = [
  card('oracle', 'oracle', 'none', [['single-line', 50, 1, 1, 0]]),
  card('claude-haiku-5-5', 'cloud', 'cloud', [['single-line', 200, 0.81, 0.6, 0.04]]),
  card('qwen2.5-coder-1.5b', 'local', 'cuda', [['single-line', 200, 0.625, 0.55, 0], ['multi-line', 200, 0.31, 0.12, 0]]),
];
