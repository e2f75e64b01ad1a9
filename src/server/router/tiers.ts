// Which cloud tier fits a request: the cheapest configured tier whose size rules and context window allow
// it. Pure.
import type { RequestKind } from '../../shared/protocol.js';
import type { ModelPriceOverride } from '../../shared/settings.js';
import { priceFor, type ModelPrice } from './prices.js';

/** Context windows in tokens. Not in the reference notes: 200K is the long-standing window of the line. */
const DEFAULT_CONTEXT_WINDOW = 200_000;

export function contextWindow(_model: string): number {
  return DEFAULT_CONTEXT_WINDOW;
}

/** Size rules: a refactor of this many files, or a prompt this large, needs at least tier index `tier`. */
export const TIER_RULES = {
  manyFiles: { files: 2, tier: 1 },
  veryManyFiles: { files: 6, tier: 2 },
  largePrompt: { tokens: 50_000, tier: 1 },
  hugePrompt: { tokens: 120_000, tier: 2 },
};

export interface TierRequest {
  kind: RequestKind;
  fileCount: number;
  promptTokens: number;
  maxTokens: number;
}

export type TierChoice =
  | { ok: true; model: string; price: ModelPrice; reason: string; notes: string[] }
  | { ok: false; reason: string };

export function pickTier(tiers: string[], req: TierRequest, prices: Record<string, Partial<ModelPriceOverride>>): TierChoice {
  const list = tiers.filter((t) => typeof t === 'string' && t.trim());
  if (list.length === 0) return { ok: false, reason: 'No cloud model is configured (tandem.cloud.tiers is empty).' };
  let min = 0;
  let why = 'the cheapest of your cloud tiers';
  const last = list.length - 1;
  const need = (tier: number, reason: string) => {
    if (Math.min(tier, last) > min) {
      min = Math.min(tier, last);
      why = reason;
    }
  };
  if (req.kind === 'refactor' && req.fileCount >= TIER_RULES.manyFiles.files)
    need(TIER_RULES.manyFiles.tier, `a refactor across ${req.fileCount} files needs a stronger model than the smallest tier`);
  if (req.kind === 'refactor' && req.fileCount >= TIER_RULES.veryManyFiles.files)
    need(TIER_RULES.veryManyFiles.tier, `a refactor across ${req.fileCount} files needs your strongest tier`);
  if (req.promptTokens >= TIER_RULES.largePrompt.tokens)
    need(TIER_RULES.largePrompt.tier, `a large context (~${kTokens(req.promptTokens)} tokens) needs a stronger model`);
  if (req.promptTokens >= TIER_RULES.hugePrompt.tokens)
    need(TIER_RULES.hugePrompt.tier, `a huge context (~${kTokens(req.promptTokens)} tokens) needs your strongest tier`);
  const notes: string[] = [];
  for (let i = min; i < list.length; i++) {
    const model = list[i];
    const price = priceFor(model, prices);
    if (!price) {
      notes.push(`${model} was skipped: its price is unknown (add it to tandem.cloud.prices).`);
      continue;
    }
    if (req.promptTokens + req.maxTokens > contextWindow(model)) {
      notes.push(`${model} was skipped: ~${kTokens(req.promptTokens)} tokens do not fit its ${kTokens(contextWindow(model))}-token window.`);
      continue;
    }
    const reason = i === min ? `Using ${model}: ${why}.` : `Using ${model}: the cheapest tier that fits.`;
    return { ok: true, model, price, reason, notes };
  }
  return { ok: false, reason: notes.join(' ') || 'No cloud tier fits this request.' };
}

export function kTokens(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}K` : n >= 1000 ? `${(n / 1000).toFixed(1)}K` : String(n);
}
