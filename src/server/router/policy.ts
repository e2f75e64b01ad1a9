// The routing decision. Sensitivity first (fails closed), complexity second, cost third, local first.
// Pure: everything the decision needs comes in as data, so it can be tested and called from anywhere.
import { LOCAL_CANNOT_CODES, type BlockedBy, type Destination, type Reason, type ReasonCode, type RequestKind, type RouteDecision, type SecretFinding } from '../../shared/protocol.js';
import type { TandemSettings } from '../../shared/settings.js';
import { budgetRefusal, fmt, remainingUsd, type Spent } from './budget.js';
import { maxTokensWithin, worstCaseUsd } from './prices.js';
import { onServer } from './server-policy.js';
import { kTokens, pickTier } from './tiers.js';

/** A secret found in what would leave: where, its line, its format, how it was hidden, its salted hash. */
export type SecretHit = SecretFinding;

export interface PolicyInput {
  kind: RequestKind;
  prefer?: 'cloud' | 'local';
  rejectedLocal?: boolean;
  /** Distinct files in the request. */
  fileCount: number;
  /** Prompt size with the local model's tokenizer, and the estimate for the cloud (chars / 3). */
  localTokens: number;
  cloudTokens: number;
  /** An upper bound on the cloud prompt's tokens (UTF-8 bytes and the API's overhead): the budget is checked on it. */
  cloudTokensBound: number;
  /** `server`: the local model runs on a server on another machine (an egress destination of its own). */
  local: { name?: string; contextSize?: number; server?: Destination };
  settings: TandemSettings;
  secrets: SecretHit[];
  /** Files that never leave, and why in words ("matches **\/.env", "its content is a kubeconfig"). */
  localOnlyFiles: { where: string; why: string }[];
  /** Set while the settings cannot be trusted (wrong shape, unreadable): the reason. */
  settingsProblem?: string;
  /** Effective consent: the setting, or the answer remembered for this engine's life. */
  consent: 'always' | 'never' | 'ask';
  /** The same for an untrusted inference server on another machine (tandem.privacy.serverConsent). */
  serverConsent?: 'always' | 'never' | 'ask';
  hasApiKey: boolean;
  /** Set while the circuit breaker keeps the cloud paused: the reason in words. */
  cloudPaused?: string;
  /** Set while the cost ledger cannot be written or read: why, in words. Spend must never go uncounted. */
  ledgerProblem?: string;
  spent: Spent;
  reservedUsd: number;
  /** What the learner advises (tandem.routing.policy "learned"); weighed only where the rules leave the choice
   * open (softRoute), and always before the hard rules, which can still refuse the cloud. */
  learned?: LearnedAdvice;
}

export interface LearnedAdvice {
  route: 'local' | 'cloud';
  reason?: Reason;
}

export interface Decision extends RouteDecision {
  /** Cloud requests, and local ones to an untrusted server on another machine: secrets are redacted before sending. */
  redact: boolean;
  /** The same requests: the user must be asked first. */
  needsConsent: boolean;
}

/** Tokens the local model needs for its answer on top of the prompt. */
export const LOCAL_ANSWER_TOKENS = 1024;
/** A cloud answer capped below this to fit the budget is not worth sending. */
export const MIN_CLOUD_OUTPUT = 256;

/** Reasons for the cloud that also say the local model cannot do the request: such a request is never handed to
 * the local model instead (it would only fail, or answer from a truncated context). */
const LOCAL_CANNOT: Record<(typeof LOCAL_CANNOT_CODES)[number], string> = {
  'multi-file-refactor': 'The local model cannot write edits across several files.',
  'context-exceeds-local': "The local model cannot take this much context (it is larger than the model's window).",
};

/** Why the local model cannot do a request with these reasons, in a sentence; undefined when it can. */
export function localCannot(reasons: readonly Reason[]): string | undefined {
  const code = reasons.map((r) => r.code).find((c): c is keyof typeof LOCAL_CANNOT => c in LOCAL_CANNOT);
  return code && LOCAL_CANNOT[code];
}

const LABEL: Record<RequestKind, string> = { completion: 'Completions', explain: 'Explanations', chat: 'Chat questions', refactor: 'Refactors' };

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function why(code: ReasonCode, text: string): Reason {
  return { code, text };
}

/**
 * Where the rules alone would send a question when nothing forces the route: 'local' (explanations, chat,
 * single-file refactors) or 'cloud' (multi-file refactors). Undefined when the route is forced: a completion, the
 * user's explicit choice, a rejected local answer, a context too large for the local model, no local model. Only
 * these open choices are learned.
 */
export function softRoute(input: Pick<PolicyInput, 'kind' | 'prefer' | 'rejectedLocal' | 'fileCount' | 'localTokens' | 'local'>): 'local' | 'cloud' | undefined {
  if (input.kind === 'completion' || input.prefer || input.rejectedLocal || !input.local.name) return undefined;
  const window = input.local.contextSize;
  if (window && input.localTokens + LOCAL_ANSWER_TOKENS > window) return undefined;
  return input.kind === 'refactor' && input.fileCount >= 2 ? 'cloud' : 'local';
}

export const COMPLETION_REASON: Reason = why(
  'completion-local',
  'Inline completions always run on the local model: they must be instant and your code stays on this machine.',
);

export function decide(input: PolicyInput): Decision {
  const d = decideRoute(input);
  return d.route === 'local' && input.local.server ? onServer(d, input, input.local.server) : d;
}

function decideRoute(input: PolicyInput): Decision {
  const localName = input.local.name;
  const base = { promptTokens: input.localTokens, worstCaseUsd: 0, redact: false, needsConsent: false };
  if (input.kind === 'completion') {
    return {
      ...base,
      route: localName ? 'local' : 'blocked',
      model: localName ?? 'none',
      reasons: [COMPLETION_REASON],
      ...(localName ? {} : { blockedBy: 'local-unavailable' as const }),
    };
  }

  // Complexity: does this request want the cloud?
  const wants: Reason[] = [];
  const window = input.local.contextSize;
  if (input.prefer === 'local') {
    // The user asked for the local model: honour it even when the context is large.
  } else if (input.prefer === 'cloud') wants.push(why('asked-cloud', 'You asked for Claude.'));
  else {
    if (input.rejectedLocal) wants.push(why('rejected-local', "You rejected the local model's answer."));
    if (input.kind === 'refactor' && input.fileCount >= 2)
      wants.push(why('multi-file-refactor', `This refactor touches ${input.fileCount} files; multi-file refactors go to Claude.`));
    if (window && input.localTokens + LOCAL_ANSWER_TOKENS > window)
      wants.push(
        why('context-exceeds-local', `The context (~${kTokens(input.localTokens)} tokens) is larger than the local model's window (${kTokens(window)} tokens).`),
      );
    if (!localName) wants.push(why('no-local-model', 'No local chat model is available.'));
  }
  // What was learned, inside the open choice only.
  const soft = softRoute(input);
  const learned = soft ? input.learned : undefined;
  let learnedLocal: Reason | undefined;
  if (learned?.route === 'cloud' && soft === 'local' && learned.reason) wants.push(learned.reason);
  else if (learned?.route === 'local') {
    if (soft === 'cloud') wants.length = 0;
    learnedLocal = learned.reason;
  }
  const local = (reasons: Reason[]): Decision =>
    localName
      ? { ...base, route: 'local', model: localName, reasons }
      : {
          ...base,
          route: 'blocked',
          model: 'none',
          reasons: [...reasons, why('no-local-model', 'No local chat model is available either.')],
          blockedBy: 'local-unavailable',
        };

  if (wants.length === 0) {
    const reason =
      input.prefer === 'local'
        ? why('asked-local', 'You asked for the local model.')
        : input.kind === 'refactor'
          ? why('single-file-refactor', 'A single-file refactor fits the local model; your code stays on this machine.')
          : why('kind-local', `${LABEL[input.kind]} stay on the local model by default; your code stays on this machine.`);
    if (learnedLocal) return local(soft === 'cloud' ? [learnedLocal] : [learnedLocal, reason]);
    return local([reason]);
  }

  const refuse = (blockedBy: BlockedBy, text: string, extra: Partial<Decision> = {}): Decision => {
    // A refusal falls back to the local model only where it can do the job; otherwise nothing runs.
    if (localCannot(wants)) {
      const reasons = [...wants, why(blockedBy, text), why('nothing-sent', `${localCannot(wants)} Nothing was sent.`)];
      return { ...base, ...extra, route: 'blocked', model: 'none', reasons, blockedBy };
    }
    const after = localName ? why('stays-local', 'So it stays on the local model.') : why('nothing-sent', 'Nothing was sent.');
    const d = local([...wants, why(blockedBy, text), after]);
    return { ...d, ...extra, blockedBy };
  };

  // Sensitivity: hard rules, checked before anything else about the cloud.
  const s = input.settings;
  if (input.settingsProblem) return refuse('settings', `${input.settingsProblem}. Nothing leaves this machine until valid settings arrive.`);
  if (s.privacy.localOnly) return refuse('local-only-mode', 'Local-only mode is on (tandem.privacy.localOnly): nothing leaves this machine.');
  if (input.localOnlyFiles.length > 0) {
    const f = input.localOnlyFiles[0];
    const more = input.localOnlyFiles.length > 1 ? ` (and ${plural(input.localOnlyFiles.length - 1, 'other file')})` : '';
    return refuse('local-only-file', `${f.where}${more} is local-only (${f.why}) and never leaves this machine.`);
  }
  const redact = input.secrets.length > 0 && s.privacy.secrets === 'redact';
  if (input.secrets.length > 0 && !redact) {
    const h = input.secrets[0];
    const more = input.secrets.length > 1 ? ` (${plural(input.secrets.length, 'secret')} in all)` : '';
    const hidden = h.via ? `, ${h.via}` : '';
    return refuse(
      'secret',
      `${h.where} line ${h.line + 1} contains what looks like a secret (${h.rule}${hidden})${more}. ` +
        'Set tandem.privacy.secrets to "redact" to send it with secrets removed, or use "Allow this value" if it is not a secret.',
    );
  }
  if (input.consent === 'never') return refuse('consent', 'This workspace does not allow cloud use (tandem.privacy.cloudConsent is "never").');
  if (!input.hasApiKey) return refuse('no-api-key', 'No Anthropic API key is set (run "Tandem: Set Anthropic API Key").');
  if (input.cloudPaused) return refuse('cloud-unavailable', input.cloudPaused);
  if (input.ledgerProblem)
    return refuse('ledger-unavailable', `${input.ledgerProblem}: cloud requests wait until it works again (details in "Tandem: Show Log").`);

  const tier = pickTier(s.cloud.tiers, { kind: input.kind, fileCount: input.fileCount, promptTokens: input.cloudTokens, maxTokens: s.cloud.maxOutputTokens }, s.cloud.prices);
  if (!tier.ok) return refuse('too-large', tier.reason);

  // Cost: the worst case must fit what is left of the budgets, else the answer is shortened or refused.
  let maxTokens = Math.max(1, s.cloud.maxOutputTokens);
  // Money is checked against the bound, never the estimate: what is reserved must cover what can be billed.
  const bound = Math.max(input.cloudTokens, input.cloudTokensBound);
  let worst = worstCaseUsd(tier.price, bound, maxTokens);
  const notes = tier.notes.map((n) => why('tier-skipped', n));
  const refusal = budgetRefusal(s.budget, input.spent, input.reservedUsd, worst);
  if (refusal) {
    const left = remainingUsd(s.budget, input.spent, input.reservedUsd);
    const fit = maxTokensWithin(tier.price, bound, left.usd);
    if (fit < Math.min(MIN_CLOUD_OUTPUT, maxTokens)) return refuse('budget', refusal, { worstCaseUsd: worst });
    maxTokens = fit;
    worst = worstCaseUsd(tier.price, bound, maxTokens);
    notes.push(why('answer-capped', `The answer is capped at ${maxTokens} tokens to stay within your ${left.limitedBy} budget ($${fmt(left.usd)} left).`));
  }
  const reasons = [...wants, why('tier', tier.reason), ...notes];
  if (redact) reasons.push(why('redact', `${plural(input.secrets.length, 'secret')} will be redacted before sending (tandem.privacy.secrets is "redact").`));
  const needsConsent = input.consent === 'ask';
  if (needsConsent) reasons.push(why('consent-ask', 'This is the first cloud use in this workspace: you will be asked before anything is sent.'));
  return {
    route: 'cloud',
    model: tier.model,
    reasons,
    worstCaseUsd: worst,
    promptTokens: input.cloudTokens,
    promptTokensBound: bound,
    maxTokens,
    redact,
    needsConsent,
  };
}
