// tandem/testApiKey: one tiny request that shows whether the Anthropic API key works, and what that cost. It goes
// through the egress gate and the budget like every cloud request, carries no workspace content, and is ledgered.
import { randomUUID } from 'node:crypto';
import type { LedgerEntry, TestApiKeyResult } from '../../shared/protocol.js';
import { CloudError, unreachable } from './errors.js';
import { costOf, priceFor, tokenCounts, worstCaseUsd } from './prices.js';
import { cloudTokenBound } from './prompts.js';
import type { RouterService } from './service.js';

const PROMPT = 'Reply with the word OK.';
const SYSTEM = 'You check that an API key works. Answer with one word.';
/** An upper bound on the prompt's tokens (its bytes and the API's overhead): the worst case must never be low. */
const PROMPT_TOKENS = cloudTokenBound(Buffer.byteLength(SYSTEM) + Buffer.byteLength(PROMPT), 1);

export async function testApiKey(state: RouterService, signal: AbortSignal, onEntry: (entry: LedgerEntry) => void): Promise<TestApiKeyResult> {
  const settings = state.ctx.settings.value;
  if (!state.ctx.settings.apiKey) return { ok: false, problem: 'no-key', reason: 'No Anthropic API key is set. Run "Tandem: Set Anthropic API Key" first.' };
  if (settings.privacy.localOnly) {
    return { ok: false, problem: 'refused', reason: 'Local-only mode is on (tandem.privacy.localOnly): Tandem sends nothing to Anthropic, not even a key test.' };
  }
  if (state.ledger.problem) {
    return { ok: false, problem: 'refused', reason: `${state.ledger.problem}: cloud requests, a key test included, wait until the ledger works again.` };
  }
  if (state.consent.effective(settings.privacy.cloudConsent) === 'never') {
    return { ok: false, problem: 'refused', reason: 'This workspace does not allow cloud use (tandem.privacy.cloudConsent is "never"), so the key was not tested.' };
  }
  const model = settings.cloud.tiers.find((t) => priceFor(t, settings.cloud.prices));
  const price = model ? priceFor(model, settings.cloud.prices) : undefined;
  if (!model || !price) return { ok: false, problem: 'refused', reason: 'No cloud tier with a known price is configured (tandem.cloud.tiers).' };
  const worst = worstCaseUsd(price, PROMPT_TOKENS, 1);
  const reservation = randomUUID();
  const refusal = await state.reservations.tryReserve(reservation, worst, settings.budget);
  if (refusal) return { ok: false, problem: 'refused', reason: refusal };
  const started = performance.now();
  try {
    const result = await state.gate.send(
      // The user asked for this call and it carries nothing from the workspace: asking for workspace consent
      // first would ask about code that is not sent.
      { model, maxTokens: 1, system: SYSTEM, messages: [{ role: 'user', content: PROMPT }], sources: [], redactions: [], tokens: PROMPT_TOKENS, consented: true, allowed: new Set() },
      { signal, onText: () => undefined },
    );
    state.breaker.success();
    const ms = Math.round(performance.now() - started);
    const costUsd = costOf(price, result.usage);
    const entry: LedgerEntry = {
      id: randomUUID(),
      time: new Date().toISOString(),
      kind: 'chat',
      route: 'cloud',
      model,
      reasons: [{ code: 'key-test', text: 'A one-token request to check the Anthropic API key (no code was sent).' }],
      tokens: tokenCounts(result.usage),
      costUsd,
      counterfactualUsd: 0,
      ttftMs: result.ttftMs === null ? null : Math.round(result.ttftMs),
      totalMs: ms,
      manifest: result.manifest,
    };
    // An entry that cannot be written still counts (the ledger keeps it and writes it again later).
    if (!state.ledger.append(entry)) state.ctx.log.error(`Ledger: ${state.ledger.problem ?? 'write failed'}; cloud requests wait until it can be written.`);
    onEntry(entry);
    return { ok: true, model, costUsd, ms };
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    const f = error.failure;
    if (f.kind === 'auth') return { ok: false, problem: 'rejected', reason: 'Anthropic rejected this key (401). Check that you copied the whole key, or create a new one at console.anthropic.com.' };
    if (unreachable(f)) return { ok: false, problem: 'unreachable', reason: error.message };
    return { ok: false, problem: 'failed', reason: error.message };
  } finally {
    await state.reservations.release(reservation);
  }
}
