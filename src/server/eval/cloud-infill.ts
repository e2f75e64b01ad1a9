// The report card's Claude side: one benchmark gap filled by a Claude tier. Everything the router's rules ask
// of a cloud request applies: local-only mode, the API key, workspace consent, the circuit breaker, the budget
// (the worst case reserved before sending) and the egress gate, which scans the payload and writes the
// manifest. Each request is ledgered as a cloud completion whose counterfactual is its own cost, so an
// evaluation never shows up as savings.
import { randomUUID } from 'node:crypto';
import type { EvalCloudEstimate, EvalCloudEstimateParams, EvalCloudInfillParams, EvalCloudInfillResult, EvalCloudItem, LedgerEntry } from '../../shared/protocol.js';
import { budgetRefusal } from '../router/budget.js';
import { CloudError } from '../router/errors.js';
import { cloudTokenBound, estimateCloudTokens } from '../router/prompts.js';
import { costOf, priceFor, roundUsd, tokenCounts, worstCaseUsd, type Usage } from '../router/prices.js';
import type { RouterService } from '../router/service.js';

/** Output caps: one line, or a block of lines (the longest multi-line gap is ~400 tokens). */
const MAX_TOKENS: Record<EvalCloudItem['set'], number> = { 'single-line': 128, 'multi-line': 640 };

const SYSTEM =
  'You fill a gap in a Python file. You get the code before the gap and the code after it. Reply with only the code that ' +
  'goes in the gap, with its indentation, and nothing else: no explanation, no Markdown fences, no code from before or after the gap.';

export class EvalRefusedError extends Error {
  override readonly name = 'EvalRefusedError';
}

export function infillPrompt(item: EvalCloudItem): { system: string; user: string; maxTokens: number } {
  const gap = item.set === 'single-line' ? 'The gap is exactly one line.' : 'The gap is one or more whole lines.';
  return {
    system: `${SYSTEM} ${gap}`,
    user: `<code_before_gap>\n${item.prefix}</code_before_gap>\n<code_after_gap>\n${item.suffix}</code_after_gap>`,
    maxTokens: MAX_TOKENS[item.set],
  };
}

/** The answer as a completion: fences and surrounding blank lines removed; one line for the single-line set. */
export function cleanInfill(text: string, set: EvalCloudItem['set']): string {
  let body = text.replace(/\r\n?/g, '\n');
  const fenced = /^\s*```[\w-]*\n([\s\S]*?)\n?```\s*$/.exec(body);
  if (fenced) body = fenced[1];
  const lines = body.split('\n').map((l) => l.trimEnd());
  while (lines.length && !lines[0].trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  return set === 'single-line' ? (lines[0] ?? '') : lines.join('\n');
}

/** Why no evaluation request may go to `model` now, in words with what to do, or undefined. */
function refusal(state: RouterService, model: string): string | undefined {
  const settings = state.ctx.settings.value;
  if (settings.privacy.localOnly) return 'Local-only mode is on (tandem.privacy.localOnly), so nothing is sent to Claude.';
  if (!settings.cloud.tiers.includes(model)) return `${model} is not one of your Claude tiers (tandem.cloud.tiers: ${settings.cloud.tiers.join(', ')}).`;
  if (!priceFor(model, settings.cloud.prices)) return `No price is known for ${model}: add it to tandem.cloud.prices.`;
  if (!state.ctx.settings.apiKey) return 'No Anthropic API key is set: run "Tandem: Set Anthropic API Key" (standalone: set ANTHROPIC_API_KEY).';
  if (state.consent.effective(settings.privacy.cloudConsent) === 'never') return 'Cloud use is turned off for this workspace (tandem.privacy.cloudConsent).';
  if (state.ledger.problem) return `${state.ledger.problem}: nothing is sent to Claude until it works again.`;
  return state.breaker.pausedReason();
}

/** The budget is checked on an upper bound of the prompt's tokens (its UTF-8 bytes), never the estimate. */
function boundOf(p: { system: string; user: string }): number {
  return cloudTokenBound(Buffer.byteLength(p.system) + Buffer.byteLength(p.user), 1);
}

export function estimateInfills(state: RouterService, params: EvalCloudEstimateParams): EvalCloudEstimate {
  const settings = state.ctx.settings.value;
  const price = priceFor(params.model, settings.cloud.prices);
  let inputTokens = 0;
  let worst = 0;
  for (const item of params.items) {
    const p = infillPrompt(item);
    inputTokens += estimateCloudTokens(p.system.length + p.user.length);
    if (price) worst += worstCaseUsd(price, boundOf(p), p.maxTokens);
  }
  const worstCaseUsdTotal = roundUsd(worst);
  let why = refusal(state, params.model);
  if (!why) {
    const totals = state.ledger.totals();
    const over = budgetRefusal(settings.budget, { today: totals.today.costUsd, month: totals.month.costUsd }, state.reservations.total, worstCaseUsdTotal);
    if (over) why = `The run does not fit your budget. ${over.replace(/^This request/, 'It')}`;
  }
  return { model: params.model, requests: params.items.length, inputTokens, worstCaseUsd: worstCaseUsdTotal, ...(why ? { refusal: why } : {}) };
}

export async function runInfill(state: RouterService, params: EvalCloudInfillParams, signal: AbortSignal, onEntry: (e: LedgerEntry) => void): Promise<EvalCloudInfillResult> {
  const why = refusal(state, params.model);
  if (why) throw new EvalRefusedError(why);
  const settings = state.ctx.settings.value;
  const price = priceFor(params.model, settings.cloud.prices)!;
  const prompt = infillPrompt(params);
  const tokens = estimateCloudTokens(prompt.system.length + prompt.user.length);
  const worst = worstCaseUsd(price, boundOf(prompt), prompt.maxTokens);
  const started = performance.now();
  const reservation = randomUUID();
  const over = await state.reservations.tryReserve(reservation, worst, settings.budget);
  if (over) throw new EvalRefusedError(over);
  const cap = new AbortController();
  let usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
  try {
    if (state.consent.effective(settings.privacy.cloudConsent) === 'ask') {
      const reason = 'Evaluate Claude on the HumanEval-Infilling benchmark (public code, nothing from this workspace).';
      const answer = await state.consent.obtain({ reason, model: params.model, worstCaseUsd: worst }, signal);
      if (!answer.allowed) throw new EvalRefusedError(answer.reason);
    }
    const result = await state.gate.send(
      {
        model: params.model,
        maxTokens: prompt.maxTokens,
        system: prompt.system,
        messages: [{ role: 'user', content: prompt.user }],
        sources: [],
        redactions: [],
        tokens,
        consented: true,
      },
      {
        signal: AbortSignal.any([signal, cap.signal]),
        onText: () => undefined,
        onUsage: (u) => {
          usage = u;
          // The worst case was reserved: an answer that would cost more is cut.
          if (costOf(price, usage) > worst) cap.abort();
        },
      },
    );
    state.breaker.success();
    const entry = ledger(state, params, result.usage, price, started, onEntry, { ttftMs: result.ttftMs, manifest: result.manifest });
    return {
      text: cleanInfill(result.text, params.set),
      inputTokens: result.usage.input + result.usage.cacheRead + result.usage.cacheWrite5m + result.usage.cacheWrite1h,
      outputTokens: result.usage.output,
      costUsd: entry.costUsd,
      ttftMs: result.ttftMs,
      totalMs: entry.totalMs,
    };
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    // A stream cut by the user or by the cap has cost what it used: that is ledgered too.
    if (usage.input || usage.output) ledger(state, params, usage, price, started, onEntry, { error: error.message });
    if (cap.signal.aborted) throw new EvalRefusedError(`Stopped: the answer would have cost more than the $${worst} reserved for it.`);
    if (error.failure.kind !== 'cancelled' && error.failure.kind !== 'blocked') state.breaker.failure(error.failure);
    throw error;
  } finally {
    await state.reservations.release(reservation);
  }
}

function ledger(
  state: RouterService,
  params: EvalCloudInfillParams,
  usage: Usage,
  price: NonNullable<ReturnType<typeof priceFor>>,
  started: number,
  onEntry: (e: LedgerEntry) => void,
  extra: Partial<LedgerEntry>,
): LedgerEntry {
  const costUsd = costOf(price, usage);
  const entry: LedgerEntry = {
    id: randomUUID(),
    time: new Date().toISOString(),
    kind: 'completion',
    route: 'cloud',
    model: params.model,
    reasons: [{ code: 'model-evaluation', text: `Model evaluation: ${params.taskId} (HumanEval-Infilling) on ${params.model}, asked for by you.` }],
    tokens: tokenCounts(usage),
    costUsd,
    counterfactualUsd: costUsd,
    ttftMs: null,
    totalMs: Math.round(performance.now() - started),
    ...extra,
  };
  try {
    state.ledger.append(entry);
    onEntry(entry);
  } catch (error) {
    state.ctx.log.error(`Ledger: could not write ${state.ledger.file}: ${String(error)}`);
  }
  return entry;
}
