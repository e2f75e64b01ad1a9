// tandem/chat: route, run (cloud through the gate, or local), fall back both ways, validate refactor edits,
// ledger the request. Cloud failures are answered locally; a local failure goes to the cloud only where the
// policy allows; otherwise a clear error that carries the prompt back.
import { randomUUID } from 'node:crypto';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import type { BlockedBy, ChatErrorData, ChatParams, ChatResult, Confidence, Fallback, LedgerEntry, Reason, Route, RouteDecision } from '../../shared/protocol.js';
import { LocalUnavailableError } from '../context.js';
import { fmt } from './budget.js';
import { CloudError, describeFailure, unreachable } from './errors.js';
import { EDITS_TOOL, LOCAL_REFACTOR_SUFFIX, buildMessages, systemPrompt } from './prompts.js';
import { costOf, priceFor, roundUsd, tokenCounts, type Usage } from './prices.js';
import { LOCAL_ANSWER_TOKENS, localCannot, type Decision } from './policy.js';
import { outcomeFromText, outcomeFromTool, type RefactorOutcome } from './refactor.js';
import type { LearnedDecision, Prepared, RouterService } from './service.js';

export type Emit = (delta: { id: string; delta: string; route: Route; model: string; reset?: boolean }) => void;

interface Run {
  state: RouterService;
  params: ChatParams;
  prepared: Prepared;
  signal: AbortSignal;
  emit: Emit;
  /** When the request's clock started; moved forward by the time the consent question waited for the user. */
  started: number;
  onEntry(entry: LedgerEntry): void;
  /** The learning context of the request (kept on its ledger entries). */
  context?: string;
  /** Set when a cloud attempt failed after the API billed something: recorded with whatever answers instead. */
  cloudAttempt?: LedgerEntry['cloudAttempt'];
}

/** A cloud attempt that produced no answer: why (its code is the blockedBy that refused it, or cloud-failed). */
type CloudOutcome = { result: ChatResult } | { failed: Reason; blockedBy?: BlockedBy; spentUsd: number };

const ZERO: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };

export function publicDecision(d: Decision): RouteDecision {
  const { redact: _r, needsConsent: _n, context: _c, advice: _a, ...rest } = d as LearnedDecision;
  return rest;
}

const COMPARE_REASON: Reason = {
  code: 'compare',
  text: 'A compare run: the same question goes to both sides, neither falls back to the other, and it does not count as savings.',
};

function counterfactual(run: Run, usage: Usage): number {
  const s = run.state.ctx.settings.value;
  const price = priceFor(s.cloud.counterfactualModel, s.cloud.prices);
  return price ? costOf(price, usage) : 0;
}

function record(run: Run, d: RouteDecision, fields: Partial<LedgerEntry> & { usage: Usage }): LedgerEntry {
  const { usage, ...rest } = fields;
  const entry: LedgerEntry = {
    id: randomUUID(),
    time: new Date().toISOString(),
    kind: run.params.kind,
    route: d.route,
    model: d.model,
    reasons: d.reasons,
    tokens: tokenCounts(usage),
    costUsd: 0,
    counterfactualUsd: counterfactual(run, usage),
    ttftMs: null,
    totalMs: Math.round(performance.now() - run.started),
    ...(run.context ? { context: run.context } : {}),
    ...rest,
  };
  // Whole milliseconds: sub-millisecond digits are noise in the panel and the CSV.
  if (entry.ttftMs !== null) entry.ttftMs = Math.round(entry.ttftMs);
  // The cloud's own entries (an answer, a cut) price their usage themselves; any other end of the request carries
  // what a failed attempt spent.
  if (run.cloudAttempt && fields.costUsd === undefined) {
    entry.cloudAttempt = run.cloudAttempt;
    entry.costUsd = roundUsd(entry.costUsd + run.cloudAttempt.costUsd);
  }
  if (run.params.compare) {
    // Both sides ran, so neither saved anything: the local side counts nothing, the cloud side its real cost only.
    entry.compare = { id: run.params.compare, side: run.params.prefer === 'cloud' ? 'cloud' : 'local' };
    entry.counterfactualUsd = entry.costUsd;
  }
  // An entry that cannot be written still counts (in memory) and is written again later; meanwhile the
  // router keeps cloud requests back (the ledger's problem is a routing reason).
  if (!run.state.ledger.append(entry)) run.state.ctx.log.error(`Ledger: ${run.state.ledger.problem ?? 'write failed'}; cloud requests wait until it can be written.`);
  run.onEntry(entry);
  return entry;
}

function failure(run: Run, d: RouteDecision, message: string, fallback?: Fallback): never {
  const entry = record(run, d, { usage: ZERO, error: message, ...(fallback ? { fallback } : {}) });
  const data: ChatErrorData = { prompt: run.params.prompt, decision: d, entry };
  throw new ResponseError(LSPErrorCodes.RequestFailed, `${message} Your message was kept.`, data);
}

const texts = (reasons: readonly Reason[]): string => reasons.map((r) => r.text).join(' ');

async function runLocal(run: Run, d: Decision, fallback?: Fallback): Promise<ChatResult> {
  const { state, params, prepared } = run;
  const local = params.kind === 'refactor';
  const model = state.local.modelName() ?? d.model;
  const server = state.local.destination();
  const decision: RouteDecision = { ...publicDecision(d), route: 'local', model, worstCaseUsd: 0, ...(server ? { destination: server } : {}) };
  if (fallback) run.emit({ id: params.id, delta: '', route: 'local', model, reset: true });
  // An untrusted server on another machine: the workspace's consent first, secrets redacted as decided.
  const untrusted = server && !server.trusted;
  let consented = false;
  if (untrusted && d.needsConsent) {
    const answer = await state.serverConsent.obtain(state.serverGate.question(server, 'Local chat and explanations'), run.signal);
    if (!answer.allowed) failure(run, { ...decision, route: 'blocked', blockedBy: 'consent' }, answer.reason);
    consented = true;
  }
  const redacting = Boolean(untrusted && d.redact);
  const manifest = server ? (d.manifest ?? state.manifest(prepared, d)) : undefined;
  const { prompt, history } = state.talk(prepared, redacting);
  const r = await state.local.chat({
    kind: params.kind,
    system: systemPrompt(params.kind, true),
    messages: buildMessages(prompt, state.promptFiles(prepared, redacting), history, local ? LOCAL_REFACTOR_SUFFIX : ''),
    maxTokens: LOCAL_ANSWER_TOKENS,
    signal: run.signal,
    onText: (delta) => run.emit({ id: params.id, delta, route: 'local', model }),
    ...(manifest ? { sources: manifest.files, redactions: manifest.redactions, consented } : {}),
  });
  const usage = { ...ZERO, input: r.promptTokens, output: r.outputTokens };
  const outcome = params.kind === 'refactor' && !run.signal.aborted ? await outcomeFromText(state.ctx, r.text, prepared) : undefined;
  const confidence = r.meanLogProb !== undefined && !run.signal.aborted ? localConfidence(run, model, r.meanLogProb) : undefined;
  const sent: RouteDecision = manifest ? { ...decision, manifest } : decision;
  const entry = record(run, sent, {
    usage,
    ttftMs: r.ttftMs,
    ...(manifest ? { manifest, destination: server } : {}),
    ...(fallback ? { fallback } : {}),
    ...(confidence ? { confidence: { meanLogProb: confidence.meanLogProb, level: confidence.level } } : {}),
  });
  return {
    ...(confidence ? { confidence } : {}),
    id: params.id,
    text: outcome ? outcome.summary : r.text,
    decision: sent,
    entry,
    ...(fallback ? { fallback } : {}),
    ...(outcome ? refactorFields(outcome) : {}),
    ...(run.signal.aborted ? { stopped: 'cancelled' as const } : {}),
  };
}

/** How sure the local model was, against its own recent answers and what the learner knows about such answers. */
function localConfidence(run: Run, model: string, meanLogProb: number): Confidence {
  const { learner } = run.state;
  const view = learner.confidence(model, meanLogProb, run.context ?? run.params.kind);
  learner.noteConfidence(model, meanLogProb);
  return { meanLogProb: Math.round(meanLogProb * 1000) / 1000, ...view };
}

async function runCloud(run: Run, d: Decision, fallback?: Fallback): Promise<CloudOutcome> {
  const { state, params, prepared } = run;
  const settings = state.ctx.settings.value;
  const price = priceFor(d.model, settings.cloud.prices);
  if (!price) return { failed: { code: 'too-large', text: `No price is known for ${d.model}.` }, blockedBy: 'too-large', spentUsd: 0 };
  // Check and reserve in one step under the data dir's lock: concurrent requests, in this window or another,
  // cannot overspend together.
  const reservation = randomUUID();
  const refusal = await state.reservations.tryReserve(reservation, d.worstCaseUsd, settings.budget);
  if (refusal) return { failed: { code: 'budget', text: refusal }, blockedBy: 'budget', spentUsd: 0 };
  const cap = new AbortController();
  let capped = false;
  let corrected = false;
  let usage: Usage = ZERO;
  try {
    let consented = state.consent.effective(settings.privacy.cloudConsent) === 'always';
    if (!consented && d.needsConsent) {
      const reason = texts(d.reasons.filter((r) => r.code !== 'consent-ask')) || 'Send this request to Claude?';
      const asked = performance.now();
      const manifest = d.manifest ?? state.manifest(prepared, d);
      const answer = await state.consent.obtain({ reason, model: d.model, worstCaseUsd: d.worstCaseUsd, manifest }, run.signal);
      // The request's time starts when the user has answered: reading the question is not the request's latency.
      run.started += performance.now() - asked;
      if (!answer.allowed) return { failed: { code: 'consent', text: answer.reason }, blockedBy: 'consent', spentUsd: 0 };
      consented = true;
    }
    const files = state.promptFiles(prepared, d.redact);
    const { prompt, history } = state.talk(prepared, d.redact);
    const manifest = d.manifest ?? state.manifest(prepared, d);
    const refactor = params.kind === 'refactor';
    const result = await state.gate.send(
      {
        model: d.model,
        maxTokens: d.maxTokens ?? settings.cloud.maxOutputTokens,
        system: systemPrompt(params.kind, false),
        messages: buildMessages(prompt, files, history),
        ...(refactor ? { tools: [EDITS_TOOL], toolChoice: EDITS_TOOL.name } : {}),
        sources: manifest.files,
        redactions: manifest.redactions,
        tokens: d.promptTokens,
        consented,
        allowed: prepared.allowed,
      },
      {
        signal: AbortSignal.any([run.signal, cap.signal]),
        onText: (delta) => run.emit({ id: params.id, delta, route: 'cloud', model: d.model }),
        onUsage: (u) => {
          usage = { ...u, output: Math.min(u.output, d.maxTokens ?? u.output) };
          // The reported input replaces the bound: what is reserved beyond it goes back to the budget.
          if (!corrected) {
            corrected = true;
            void state.reservations.lower(reservation, costOf(price, { ...u, output: d.maxTokens ?? settings.cloud.maxOutputTokens }));
          }
          // The worst case was reserved; a stream that would cost more (a prompt larger than estimated) is cut.
          if (!capped && costOf(price, usage) > d.worstCaseUsd) {
            capped = true;
            cap.abort();
          }
        },
      },
    );
    state.breaker.success();
    const outcome = refactor ? await outcomeFromTool(state.ctx, result.toolInputs, result.text, prepared) : undefined;
    const decision: RouteDecision = { ...publicDecision(d), manifest: result.manifest };
    const stopped = result.stopReason === 'max_tokens' ? ('max-tokens' as const) : undefined;
    const entry = record(run, decision, {
      usage: result.usage,
      costUsd: costOf(price, result.usage),
      counterfactualUsd: counterfactual(run, result.usage),
      ttftMs: result.ttftMs,
      manifest: result.manifest,
      ...(fallback ? { fallback } : {}),
    });
    return {
      result: {
        id: params.id,
        text: outcome ? outcome.summary : result.text,
        decision,
        entry,
        ...(fallback ? { fallback } : {}),
        ...(outcome ? refactorFields(outcome) : {}),
        ...(stopped ? { stopped } : {}),
      },
    };
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    // What the attempt used before it failed is spent (an upper bound where the API did not report it).
    const used = error.failure.usage ?? usage;
    const spentUsd = costOf(price, used);
    if (capped || error.failure.kind === 'cancelled') {
      const why: Reason = capped
        ? { code: 'stopped-budget', text: `Stopped: the answer would have cost more than the $${fmt(d.worstCaseUsd)} reserved for it within your budget.` }
        : { code: 'cancelled', text: 'Cancelled.' };
      const decision: RouteDecision = { ...publicDecision(d), reasons: [...d.reasons, why] };
      const entry = record(run, decision, { usage, costUsd: spentUsd, error: why.text, ...(fallback ? { fallback } : {}) });
      return { result: { id: params.id, text: '', decision, entry, stopped: capped ? 'budget' : 'cancelled' } };
    }
    if (spentUsd > 0) run.cloudAttempt = { model: d.model, tokens: tokenCounts(used), costUsd: spentUsd };
    state.breaker.failure(error.failure);
    state.ctx.log.warn(`Cloud request failed: ${describeFailure(error.failure)}${error.failure.requestId ? ` (request id ${error.failure.requestId})` : ''}`);
    const late = error.failure.deadline || error.failure.waitTooLong;
    return { failed: { code: late ? 'cloud-deadline' : unreachable(error.failure) ? 'cloud-unreachable' : 'cloud-failed', text: error.message }, spentUsd };
  } finally {
    await state.reservations.release(reservation);
  }
}

function refactorFields(o: RefactorOutcome): Pick<ChatResult, 'edits' | 'editErrors' | 'editTargets' | 'refusedEdits'> {
  return { edits: o.edits, editErrors: o.editErrors, editTargets: o.editTargets, refusedEdits: o.refusedEdits };
}

function withFailure(d: Decision, reason: Reason, spentUsd: number): Decision {
  return { ...d, reasons: [...d.reasons, reason], worstCaseUsd: roundUsd(spentUsd) };
}

export async function runChat(state: RouterService, params: ChatParams, signal: AbortSignal, emit: Emit, onEntry: (e: LedgerEntry) => void): Promise<ChatResult> {
  const started = performance.now();
  // The same gathering as the dry run (tandem/route): what it listed is what is sent.
  const prepared = await state.gather(params, signal);
  const run: Run = { state, params, prepared, signal, emit, started, onEntry };
  const d = state.decide(prepared);
  run.context = d.context;
  let route: Route = 'blocked';
  try {
    const result = params.compare ? await runCompareSide(run, d) : await runDecided(run, d);
    route = result.decision.route;
    return result;
  } finally {
    // The calibration and the share of learned cloud routes count questions that ran, never dry runs.
    if (d.advice) state.learner.noteDecision(d.advice, route);
  }
}

async function runDecided(run: Run, d: LearnedDecision): Promise<ChatResult> {
  const { state } = run;
  if (d.route === 'blocked') failure(run, publicDecision(d), texts(d.reasons));
  if (d.route === 'cloud') {
    const cloud = await runCloud(run, d);
    if ('result' in cloud) return cloud.result;
    const failed = publicDecision(withFailure(d, cloud.failed, cloud.spentUsd));
    // The local model answers instead only where it can do the job (it cannot write edits across files).
    const cannot = localCannot(d.reasons);
    if (cannot) failure(run, failed, `${cloud.failed.text} ${cannot} Nothing was sent to it.`);
    if (!state.local.modelName()) failure(run, failed, `${cloud.failed.text} No local model is available to answer instead.`);
    // The local model on an untrusted server on another machine gets its own rules, decided as for a local route.
    const server = state.local.destination();
    const local = server && !server.trusted ? state.decide({ ...run.prepared, params: { ...run.prepared.params, prefer: 'local' } }) : d;
    if (local.route === 'blocked') {
      const rule = local.reasons.find((r) => r.code === local.blockedBy);
      failure(run, publicDecision(withFailure(local, cloud.failed, cloud.spentUsd)), `${cloud.failed.text} ${rule?.text ?? ''}`.trim());
    }
    return runLocalOr(run, { ...local, blockedBy: cloud.blockedBy }, { from: 'cloud', reason: cloud.failed });
  }
  return runLocalOr(run, d);
}

/** One side of a compare run: that side or nothing. The cloud side runs only where the gate lets content leave. */
async function runCompareSide(run: Run, decided: LearnedDecision): Promise<ChatResult> {
  const side = run.params.prefer;
  const d: LearnedDecision = { ...decided, reasons: [COMPARE_REASON, ...decided.reasons] };
  if (side === 'cloud') {
    if (d.route !== 'cloud') {
      const why = d.reasons.filter((r) => r.code !== 'compare' && r.code !== 'asked-cloud' && r.code !== 'stays-local' && r.code !== 'nothing-sent');
      failure(run, { ...publicDecision(d), route: 'blocked' }, `Claude was not asked: ${texts(why)}`);
    }
    const cloud = await runCloud(run, d);
    if ('result' in cloud) return cloud.result;
    failure(run, publicDecision(withFailure(d, cloud.failed, cloud.spentUsd)), `Claude could not answer: ${cloud.failed.text}`);
  }
  if (d.route === 'blocked') failure(run, publicDecision(d), texts(d.reasons));
  try {
    return await runLocal(run, d);
  } catch (error) {
    if (!(error instanceof LocalUnavailableError)) throw error;
    failure(run, publicDecision(d), `The local model is unavailable: ${error.message}`);
  }
}

/** The local model answers; if it cannot, the cloud answers where the policy allows. */
async function runLocalOr(run: Run, d: Decision, fallback?: Fallback): Promise<ChatResult> {
  try {
    return await runLocal(run, d, fallback);
  } catch (error) {
    if (!(error instanceof LocalUnavailableError)) throw error;
    const reason: Reason = { code: 'local-unavailable', text: `The local model is unavailable: ${error.message}` };
    if (fallback) failure(run, publicDecision(d), `${fallback.reason.text} ${reason.text}`);
    const again = run.state.decide(run.prepared, false);
    if (again.route !== 'cloud') {
      const why = again.reasons.filter((r) => r.code !== 'no-local-model' && r.code !== 'nothing-sent');
      failure(run, publicDecision(again), `${reason.text} It cannot go to Claude instead: ${texts(why)}`);
    }
    // Whatever the local model streamed before it failed is void: the cloud's answer replaces it.
    run.emit({ id: run.params.id, delta: '', route: 'cloud', model: again.model, reset: true });
    const cloud = await runCloud(run, again, { from: 'local', reason });
    if ('result' in cloud) return cloud.result;
    failure(run, publicDecision(again), `${reason.text} Claude could not answer either: ${cloud.failed.text}`);
  }
}
