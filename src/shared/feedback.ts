// What the user did with answers and suggestions, and what the router learned from it: the types of the
// feedback and learning messages declared in protocol.ts (documented in docs/protocol.md). Pure types.

/** Local confidence in an answer: the mean log-probability of its tokens, and how it ranks among this model's
 * recent answers. */
export interface Confidence {
  /** Mean natural-log probability of the generated tokens (0 = certain; more negative = less sure). */
  meanLogProb: number;
  level: 'high' | 'medium' | 'low';
  /** The cloud may do better: the client offers "Ask Claude" before the user asks. */
  suggestCloud: boolean;
  /** Why, in words (what the router learned about answers this sure, or how this one ranks). */
  text: string;
}

export interface CompletionItemRef {
  /** The ledger entry (per file and minute) this suggestion is counted in. */
  entryId: string;
  /** The suggestion's text. */
  text: string;
}

/** Signals about inline suggestions (counted per ledger entry, written at most once a minute). */
export const COMPLETION_SIGNALS = [
  'completion-shown',
  'completion-accepted',
  'completion-accepted-word',
  'completion-accepted-line',
  'completion-dismissed',
  /** Accepted text still in the document 30 s / 5 min later, or gone. */
  'completion-retained-30s',
  'completion-lost-30s',
  'completion-retained-5m',
  'completion-lost-5m',
] as const;

/** Signals about chat, explain and refactor answers. */
export const ANSWER_SIGNALS = [
  'thumbs-up',
  'thumbs-down',
  'code-copied',
  'code-inserted',
  'answer-copied',
  /** "Ask Claude instead" on a local answer, "Answer locally" on a cloud one: the other side was wanted. */
  'asked-other-side',
  'refactor-applied',
  'refactor-partly-applied',
  'refactor-discarded',
  /** Applied edits were undone within 5 minutes. */
  'edits-undone',
  /** Compare runs: the user picked this side's answer, or the other one. */
  'compare-preferred',
  'compare-not-preferred',
] as const;

export const FEEDBACK_SIGNALS = [...COMPLETION_SIGNALS, ...ANSWER_SIGNALS] as const;

/** What the user did with an answer or an inline suggestion. */
export type FeedbackSignal = (typeof FEEDBACK_SIGNALS)[number];

export interface Feedback {
  /** The ledger entry of the request: ChatResult.entry.id, or an inline suggestion's entry id. */
  entryId: string;
  signal: FeedbackSignal;
  /** How many times (completion signals are sent in batches); absent: 1. */
  count?: number;
  /** Characters concerned (accepted or retained text). */
  chars?: number;
  /** Refactors: edits written, of edits proposed. */
  applied?: number;
  proposed?: number;
}

/** A feedback line of the ledger (its own record type: never counted as a request or as money). */
export interface LedgerFeedback extends Feedback {
  type: 'feedback';
  id: string;
  time: string;
  count: number;
}

export interface ArmCounts {
  /** Weighted count of accepted answers (a thumbs up counts 1, a copied code block 0.5). */
  accepted: number;
  rejected: number;
}

export interface LearnedContext {
  /** Context key: kind|language|files|size|selection (coarser levels leave parts out). */
  key: string;
  /** The same in words: "explanations of TypeScript, 1 file, under 1k tokens, a selection". */
  label: string;
  /** 1 = finest routing context … 3 = the kind alone. */
  level: number;
  local: ArmCounts;
  cloud: ArmCounts;
  /** Estimated chance that an answer is accepted, with back-off to coarser contexts. */
  estimate: { local: number; cloud: number };
}

export interface LearnedState {
  policy: 'learned' | 'fixed';
  cloudShare: number;
  /** Feedback events the learner has used since it was created or reset. */
  events: number;
  resetAt?: string;
  /** Contexts with feedback, most observed first (at most 200). */
  contexts: LearnedContext[];
}
