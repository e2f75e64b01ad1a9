// The learned part of routing: an online estimate, per context, of "this side's answer will be accepted", from
// the feedback this user gives. Beta–Bernoulli counts per context with back-off to coarser contexts (each level's
// estimate is the prior of the finer one), a threshold calibrated so that at most `cloudShare` of the questions
// the rules keep local go to Claude (RouteLLM's calibrated threshold), and bounded exploration.
// Pure: the state comes in as data (LearnerData) and advice goes out as data; policy.decide applies the hard
// rules (privacy, consent, budget) after it, so nothing learned can override them.
import type { ArmCounts, FeedbackSignal, LedgerFeedback, Reason } from '../../shared/protocol.js';
import { confidenceKeys, levelsOf, subject } from './learn-context.js';

export interface Counts {
  /** Local accepted / rejected, cloud accepted / rejected (weighted). */
  la: number;
  lr: number;
  ca: number;
  cr: number;
}

export interface LearnerData {
  version: 1;
  /** Changes on every reset, so engines sharing the file drop what they learned before it. */
  generation: string;
  resetAt?: string;
  events: number;
  counts: Record<string, Counts>;
  /** Scores (estimated cloud − local acceptance) of recent eligible questions, oldest first: the calibration. */
  scores: number[];
  /** The learned route of recent questions: where the rules keep them local 'l' local, 'c' learned cloud,
   * 'e' explored cloud; multi-file refactors 'C' cloud, 'L' learned local, 'X' explored local. */
  routes: string[];
  /** Recent mean token log-probabilities of local answers, per local model. */
  confidence: Record<string, number[]>;
}

export const WINDOW = 200;
/** Pseudo-observations a level's estimate weighs as the prior of the level below. */
export const PRIOR_STRENGTH = 3;
/** Claude must be expected to do at least this much better before a question the rules keep local goes there. */
export const MIN_GAIN = 0.2;
/** Observations of local answers in a context before what was learned moves its questions. */
export const MIN_EVIDENCE = 3;
/** Explorations stay under this share of eligible questions (and under cloudShare). */
export const MAX_EXPLORE_SHARE = 0.05;
/** Multi-file refactors tried on the local model (no money at stake) stay under this share of them. */
export const MAX_EXPLORE_LOCAL_SHARE = 0.15;
/** Local evidence a context needs before the learner keeps a multi-file refactor local. */
export const MIN_LOCAL_EVIDENCE = 4;
/** The share cap is checked over at least this many recent eligible questions. */
const SHARE_WINDOW = 20;

export function emptyData(generation: string, resetAt?: string): LearnerData {
  return { version: 1, generation, ...(resetAt ? { resetAt } : {}), events: 0, counts: {}, scores: [], routes: [], confidence: {} };
}

/** What the rules alone would do with a question: the prior of every estimate. */
export type SoftRoute = 'local' | 'cloud';

const PRIOR: Record<SoftRoute, { local: number; cloud: number }> = {
  // Questions the rules keep local: both sides usually satisfy, Claude a little more often.
  local: { local: 0.7, cloud: 0.8 },
  // Multi-file refactors: the rules send them to Claude because local models often get them wrong.
  cloud: { local: 0.4, cloud: 0.8 },
};

export interface ArmEstimate {
  /** Probability that an answer from this side is accepted. */
  p: number;
  /** Observations at the finest level (the context itself). */
  n: number;
  /** Observations at the finest level that has any, and that level's counts (for the explanation). */
  evidence: number;
  accepted: number;
  key: string | undefined;
}

export interface Estimate {
  local: ArmEstimate;
  cloud: ArmEstimate;
}

function arm(data: LearnerData, keys: string[], side: 'local' | 'cloud', prior: number): ArmEstimate {
  const levels = keys.map((key) => {
    const c = data.counts[key];
    const a = c ? (side === 'local' ? c.la : c.ca) : 0;
    return { key, a, n: c ? a + (side === 'local' ? c.lr : c.cr) : 0 };
  });
  // Coarsest first. A level's counts include those of the level below it, so the prior of a level is its parent
  // without it (the sibling contexts) on the parent's own prior: every observation counts once, however many
  // levels keep it.
  let levelPrior = prior;
  let parent: { a: number; n: number } | undefined;
  for (const level of [...levels].reverse()) {
    if (parent) levelPrior = (Math.max(0, parent.a - level.a) + PRIOR_STRENGTH * levelPrior) / (Math.max(0, parent.n - level.n) + PRIOR_STRENGTH);
    parent = level;
  }
  const finest = levels[0] ?? { a: 0, n: 0 };
  const p = (finest.a + PRIOR_STRENGTH * levelPrior) / (finest.n + PRIOR_STRENGTH);
  // The explanation quotes the finest level with a few observations (else the coarsest with any).
  const seen = levels.filter((l) => l.n > 0);
  const quoted = seen.find((l) => l.n >= MIN_EVIDENCE) ?? seen[seen.length - 1];
  return { p, n: finest.n, evidence: quoted?.n ?? 0, accepted: quoted?.a ?? 0, key: quoted?.key };
}

export function estimate(data: LearnerData, key: string, soft: SoftRoute): Estimate {
  const keys = levelsOf(key);
  return { local: arm(data, keys, 'local', PRIOR[soft].local), cloud: arm(data, keys, 'cloud', PRIOR[soft].cloud) };
}

/** Nearest-rank quantile of `values` (q in 0..1). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export interface Advice {
  route: SoftRoute;
  /** Present when what was learned decided, or explains the decision. */
  reason?: Reason;
  /** Estimated cloud − local acceptance: kept for the calibration when the question runs. */
  score: number;
  /** The route window's mark (see LearnerData.routes). */
  mark?: string;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

function record(e: ArmEstimate, who: string): string {
  return `${who} were accepted ${Math.round(e.accepted)} of ${Math.round(e.evidence)} times`;
}

/** Local answers' record in words: "Local explanations of TypeScript were accepted 18 of 20 times". */
function localRecord(e: ArmEstimate, key: string): string {
  return record(e, `Local ${subject(e.key ?? key)}`);
}

/**
 * What the learner advises for a question, given what the rules alone would do (`soft`). Deterministic: the
 * same state gives the same advice, so a dry run shows what a real run does.
 */
export function advise(data: LearnerData, key: string, soft: SoftRoute, cloudShare: number): Advice {
  const share = Math.min(1, Math.max(0, Number.isFinite(cloudShare) ? cloudShare : 0));
  const est = estimate(data, key, soft);
  const score = est.cloud.p - est.local.p;
  const learnedLocal = est.local.evidence > 0;
  if (soft === 'cloud') return adviseMultiFile(data, key, est, score);
  const window = data.routes.slice(-WINDOW).filter((r) => r === 'l' || r === 'c' || r === 'e');
  const cloudSoFar = window.filter((r) => r !== 'l').length;
  const underShare = (cloudSoFar + 1) / Math.max(window.length + 1, SHARE_WINDOW) <= share;
  const threshold = Math.max(MIN_GAIN, data.scores.length >= SHARE_WINDOW ? quantile(data.scores.slice(-WINDOW), 1 - share) : MIN_GAIN);
  const claudeRecord = est.cloud.evidence > 0 ? ` and Claude's ${Math.round(est.cloud.accepted)} of ${Math.round(est.cloud.evidence)}` : '';
  if (share > 0 && score > threshold && est.local.evidence >= MIN_EVIDENCE) {
    if (underShare) {
      return {
        route: 'cloud',
        score,
        mark: 'c',
        reason: { code: 'learned-cloud', text: `${localRecord(est.local, key)}${claudeRecord}, so this goes to Claude (tandem.routing.cloudShare allows ${pct(share)} of such questions).` },
      };
    }
    return {
      route: 'local',
      score,
      mark: 'l',
      reason: { code: 'learned-local', text: `${localRecord(est.local, key)}${claudeRecord}, but ${pct(share)} of recent questions already went to Claude, the share tandem.routing.cloudShare allows, so this stays local.` },
    };
  }
  // Exploration: where local answers disappoint but not by enough for the calibrated threshold, and Claude has
  // hardly been tried, try Claude now and then, so its side of the context gets evidence too.
  const explored = window.filter((r) => r === 'e').length;
  const exploreCap = Math.min(MAX_EXPLORE_SHARE, share / 2);
  if (share > 0 && est.local.evidence >= MIN_EVIDENCE && est.local.p < 0.6 && est.cloud.evidence < 2 && underShare && (explored + 1) / Math.max(window.length + 1, SHARE_WINDOW) <= exploreCap) {
    return {
      route: 'cloud',
      score,
      mark: 'e',
      reason: { code: 'explore-cloud', text: `${localRecord(est.local, key)} and Claude has hardly been tried here, so Tandem tries Claude this once (at most ${pct(exploreCap)} of questions are such tries).` },
    };
  }
  if (!learnedLocal) return { route: 'local', score, mark: 'l' };
  return { route: 'local', score, mark: 'l', reason: { code: 'learned-local', text: `${localRecord(est.local, key)}${claudeRecord}, so this stays local.` } };
}

/**
 * Multi-file refactors (the rules send them to Claude): kept local once Claude is not expected to do MIN_GAIN better
 * (the bar a question must pass to leave the local model) on enough local evidence; tried locally now and then
 * while the local model might be good enough (its estimate's upper bound reaches that bar), which costs no money.
 */
function adviseMultiFile(data: LearnerData, key: string, est: Estimate, score: number): Advice {
  const claude = est.cloud.evidence > 0 ? ` (Claude's ${Math.round(est.cloud.accepted)} of ${Math.round(est.cloud.evidence)})` : '';
  if (est.local.evidence >= MIN_LOCAL_EVIDENCE && score <= MIN_GAIN) {
    return { route: 'local', score, mark: 'L', reason: { code: 'learned-local', text: `${localRecord(est.local, key)}${claude}, so this one stays local.` } };
  }
  const window = data.routes.slice(-WINDOW).filter((r) => r === 'C' || r === 'L' || r === 'X');
  const explored = window.filter((r) => r === 'X').length;
  // Only for a user who rates Claude's refactors (so a try will be rated too), never on a brand-new install.
  const upper = est.local.p + 2 * Math.sqrt((est.local.p * (1 - est.local.p)) / (est.local.n + PRIOR_STRENGTH));
  if (est.cloud.evidence >= MIN_EVIDENCE && upper >= est.cloud.p - MIN_GAIN && (explored + 1) / Math.max(window.length + 1, SHARE_WINDOW) <= MAX_EXPLORE_LOCAL_SHARE) {
    const sofar = est.local.evidence > 0 ? `${localRecord(est.local, key)} so far${claude}` : `The local model has not answered ${subject(key)} yet${claude}`;
    return {
      route: 'local',
      score,
      mark: 'X',
      reason: { code: 'explore-local', text: `${sofar}; Tandem tries it on this one to learn whether it can do them (at most ${pct(MAX_EXPLORE_LOCAL_SHARE)} of them are such tries). Use "Ask Claude instead" if it falls short.` },
    };
  }
  return { route: 'cloud', score, mark: 'C' };
}

/** What a question that ran adds to the calibration and the route window (nothing for unlearned routes). */
export function decisionRecord(advice: Advice, finalRoute: 'local' | 'cloud' | 'blocked'): { score?: number; mark: string } | undefined {
  if (!advice.mark) return undefined;
  const multi = advice.mark === 'C' || advice.mark === 'L' || advice.mark === 'X';
  // A route the hard rules (or a failure) changed did not happen as learned.
  if (multi) return { mark: advice.mark !== 'C' && finalRoute !== 'local' ? 'C' : advice.mark };
  // The calibration is over the questions the rules keep local.
  return { score: advice.score, mark: advice.mark !== 'l' && finalRoute !== 'cloud' ? 'l' : advice.mark };
}

/** Keeps the calibration and the route window: once per question that ran (never for dry runs). */
export function noteDecision(data: LearnerData, record: { score?: number; mark: string }): void {
  if (record.score !== undefined) data.scores.push(record.score);
  data.routes.push(record.mark);
  if (data.scores.length > WINDOW) data.scores.splice(0, data.scores.length - WINDOW);
  if (data.routes.length > WINDOW) data.routes.splice(0, data.routes.length - WINDOW);
}

// ---------------------------------------------------------------------------------------------------
// Feedback → observations

/** One answer's outcome: accepted with probability `value`, weighing `weight` observations. */
export interface Outcome {
  value: number;
  weight: number;
}

/** How much each signal says, and which wins when one answer gets several (higher priority, then latest). */
const SIGNALS: Partial<Record<FeedbackSignal, { value: number; weight: number; priority: number }>> = {
  'thumbs-up': { value: 1, weight: 1, priority: 3 },
  'thumbs-down': { value: 0, weight: 1, priority: 3 },
  // The user compared both answers side by side and picked: the strongest signal there is.
  'compare-preferred': { value: 1, weight: 1.5, priority: 3 },
  'compare-not-preferred': { value: 0, weight: 1.5, priority: 3 },
  'edits-undone': { value: 0, weight: 1, priority: 2.5 },
  'refactor-applied': { value: 1, weight: 1, priority: 2 },
  'refactor-partly-applied': { value: 0.5, weight: 1, priority: 2 },
  'refactor-discarded': { value: 0, weight: 1, priority: 2 },
  'asked-other-side': { value: 0, weight: 1, priority: 2 },
  'code-copied': { value: 1, weight: 0.5, priority: 1 },
  'code-inserted': { value: 1, weight: 0.5, priority: 1 },
  'answer-copied': { value: 1, weight: 0.5, priority: 1 },
};

/** The outcome of an answer from all the feedback it got (in the order given), or undefined. */
export function outcomeOf(feedback: readonly Pick<LedgerFeedback, 'signal' | 'applied' | 'proposed'>[]): Outcome | undefined {
  let best: { value: number; weight: number; priority: number } | undefined;
  for (const f of feedback) {
    const s = SIGNALS[f.signal];
    if (!s) continue;
    let value = s.value;
    if (f.signal === 'refactor-partly-applied' && f.proposed && f.applied !== undefined) value = Math.min(1, Math.max(0, f.applied / f.proposed));
    if (!best || s.priority >= best.priority) best = { ...s, value };
  }
  return best ? { value: best.value, weight: best.weight } : undefined;
}

/** Observations of inline suggestions (display only: completions never leave the local model). */
export function completionObservation(signal: FeedbackSignal, count: number): Outcome | undefined {
  switch (signal) {
    case 'completion-accepted':
      return { value: 1, weight: count };
    case 'completion-accepted-word':
    case 'completion-accepted-line':
      return { value: 1, weight: count / 2 };
    case 'completion-dismissed':
      return { value: 0, weight: count };
    case 'completion-lost-30s':
      return { value: 0, weight: count / 2 };
    default:
      return undefined;
  }
}

/** The change to every level of the context (and its confidence keys for local answers) that `sign` × the
 * outcome makes. Negative parts undo an outcome an answer had before a stronger signal replaced it. */
export function outcomeDelta(key: string, side: 'local' | 'cloud', outcome: Outcome, sign: 1 | -1, confidenceLevel?: string): Record<string, Counts> {
  const keys = levelsOf(key);
  if (side === 'local' && confidenceLevel) keys.push(...confidenceKeys(key, confidenceLevel));
  const accepted = sign * outcome.value * outcome.weight;
  const rejected = sign * (1 - outcome.value) * outcome.weight;
  const delta: Record<string, Counts> = {};
  for (const k of keys) delta[k] = side === 'local' ? { la: accepted, lr: rejected, ca: 0, cr: 0 } : { la: 0, lr: 0, ca: accepted, cr: rejected };
  return delta;
}

/** Adds `delta` into `counts`; with `clamp`, no count goes below zero. */
export function addCounts(counts: Record<string, Counts>, delta: Record<string, Counts>, clamp: boolean): void {
  const fix = (x: number) => (clamp ? Math.max(0, x) : x);
  for (const [k, d] of Object.entries(delta)) {
    const c = (counts[k] ??= { la: 0, lr: 0, ca: 0, cr: 0 });
    c.la = fix(c.la + d.la);
    c.lr = fix(c.lr + d.lr);
    c.ca = fix(c.ca + d.ca);
    c.cr = fix(c.cr + d.cr);
  }
}

export function armCounts(c: Counts | undefined, side: 'local' | 'cloud'): ArmCounts {
  const round = (x: number) => Math.round(x * 100) / 100;
  if (!c) return { accepted: 0, rejected: 0 };
  return side === 'local' ? { accepted: round(c.la), rejected: round(c.lr) } : { accepted: round(c.ca), rejected: round(c.cr) };
}

// ---------------------------------------------------------------------------------------------------
// Local confidence

/** Below this many answers of a model, fixed thresholds place an answer (nats per token). */
const CONFIDENCE_HISTORY_MIN = 20;
const FIXED_LOW = -1.2;
const FIXED_HIGH = -0.4;
const CONFIDENCE_PRIOR: Record<string, number> = { low: 0.45, medium: 0.65, high: 0.8 };

export interface ConfidenceView {
  level: 'high' | 'medium' | 'low';
  suggestCloud: boolean;
  text: string;
}

/** How sure the local model was, relative to its own recent answers, and whether Claude should be offered. */
export function confidenceOf(data: LearnerData, model: string, meanLogProb: number, key: string): ConfidenceView {
  const history = data.confidence[model] ?? [];
  let level: ConfidenceView['level'];
  let rank = '';
  if (history.length >= CONFIDENCE_HISTORY_MIN) {
    const below = history.filter((v) => v < meanLogProb).length / history.length;
    level = below < 0.2 ? 'low' : below >= 0.6 ? 'high' : 'medium';
    rank = `, surer than ${pct(below)} of its recent answers`;
  } else {
    level = meanLogProb < FIXED_LOW ? 'low' : meanLogProb > FIXED_HIGH ? 'high' : 'medium';
  }
  const keys = confidenceKeys(key, level);
  const est = arm(data, keys, 'local', CONFIDENCE_PRIOR[level] as number);
  // Offered for unsure answers; for medium ones only where such answers were mostly rejected.
  const suggestCloud = level === 'low' ? est.p < 0.6 : level === 'medium' ? est.p < 0.4 : false;
  const measured = `mean token log-probability ${meanLogProb.toFixed(2)}${rank}`;
  const learned = est.evidence > 0 ? ` ${level === 'low' ? 'Low' : level === 'high' ? 'High' : 'Medium'}-confidence local ${subject(key)} were accepted ${Math.round(est.accepted)} of ${Math.round(est.evidence)} times.` : '';
  const text =
    level === 'low'
      ? `The local model was unsure of this answer (${measured}).${learned}${suggestCloud ? ' Claude may answer better.' : ''}`
      : `The local model's confidence in this answer is ${level} (${measured}).${learned}${suggestCloud ? ' Claude may answer better.' : ''}`;
  return { level, suggestCloud, text };
}

/** Keeps a local answer's mean log-probability in its model's history (real answers only). */
export function noteConfidence(data: LearnerData, model: string, meanLogProb: number): void {
  const list = data.confidence[model] ?? [];
  // Re-inserted, so the key order is the order of last use.
  delete data.confidence[model];
  data.confidence[model] = list;
  list.push(Math.round(meanLogProb * 1000) / 1000);
  if (list.length > WINDOW) list.splice(0, list.length - WINDOW);
  const models = Object.keys(data.confidence);
  // A few models at most: the oldest-used go first.
  if (models.length > 4) delete data.confidence[models[0] as string];
}
