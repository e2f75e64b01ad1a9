// The ledger, its feedback, and what the router learned. Part of the protocol (src/shared/protocol.ts re-exports it).
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import { z } from 'zod';
import { type Confidence, FEEDBACK_SIGNALS, type Feedback, type LearnedState, type LedgerFeedback } from '../feedback';
import { UINT } from './schema';
import type { Destination, EgressManifest, Fallback, Reason, RequestKind, Route } from './router';

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface LedgerEntry {
  id: string;
  time: string;
  kind: RequestKind;
  route: Route;
  model: string;
  reasons: Reason[];
  tokens: TokenCounts;
  costUsd: number;
  /** What the same tokens would have cost on the cloud model the user would otherwise use. */
  counterfactualUsd: number;
  ttftMs: number | null;
  totalMs: number;
  fallback?: Fallback;
  /** A cloud attempt that failed before this answer or error: what it used (an upper bound where the API did not
   * report it) and cost. That money was spent: it is part of `costUsd`. */
  cloudAttempt?: { model: string; tokens: TokenCounts; costUsd: number };
  manifest?: EgressManifest;
  /** The request (or, for completions, the requests) went to this server on another machine. */
  destination?: Destination;
  error?: string;
  /** Requests this entry stands for (inline completions are ledgered per file and minute); absent: 1. */
  count?: number;
  /** Inline completions: the file they were made in. */
  uri?: string;
  /** The context the router learns in (kind, language, files, size, selection); feedback on this entry updates it. */
  context?: string;
  /** Local answers: the mean token log-probability of the answer and its level. */
  confidence?: { meanLogProb: number; level: Confidence['level'] };
  /** One side of a compare run: it never counts as savings (both sides ran). */
  compare?: { id: string; side: 'local' | 'cloud' };
}

/** Client → engine: what the user did with an answer or a suggestion. Validated: a malformed one is logged and
 * dropped. */
export const FeedbackNotification = new NotificationType<Feedback>('tandem/feedback');

export const FeedbackSchema = z.looseObject({
  entryId: z.string().min(1).max(100),
  signal: z.enum(FEEDBACK_SIGNALS),
  count: z.number().int().min(1).max(10_000).optional(),
  chars: UINT.optional(),
  applied: UINT.optional(),
  proposed: UINT.optional(),
}) satisfies z.ZodType<Feedback>;

/** Engine → client: feedback was written to the ledger. */
export const LedgerFeedbackNotification = new NotificationType<LedgerFeedback>('tandem/ledgerFeedback');

export interface LedgerTotals {
  costUsd: number;
  counterfactualUsd: number;
  requests: number;
  local: number;
  cloud: number;
  tokens: TokenCounts;
}

export interface LedgerQuery {
  /** ISO time; entries at or after it. */
  since?: string;
  limit?: number;
}

export interface LedgerResult {
  entries: LedgerEntry[];
  today: LedgerTotals;
  month: LedgerTotals;
  byDay: Record<string, LedgerTotals>;
  byMonth: Record<string, LedgerTotals>;
  byKind: Record<string, LedgerTotals>;
  budget: { dailyUsd: number; monthlyUsd: number; reservedUsd: number };
  /** Entries skipped because a line was torn or corrupt. */
  skippedLines: number;
  /** The feedback lines about the entries returned, oldest first. */
  feedback: LedgerFeedback[];
}

/** Client → engine: ledger entries and totals. */
export const LedgerRequest = new RequestType<LedgerQuery, LedgerResult, void>('tandem/ledger');

export const LedgerQuerySchema = z
  .looseObject({ since: z.string().optional(), limit: UINT.optional() })
  .nullish()
  .transform((q) => q ?? {}) satisfies z.ZodType<LedgerQuery>;

/** Engine → client: a new ledger entry was written. */
export const LedgerEntryNotification = new NotificationType<LedgerEntry>('tandem/ledgerEntry');

// ---------------------------------------------------------------------------------------------------
// What the router learned

/** Client → engine: what the router has learned. */
export const LearnedRequest = new RequestType<void, LearnedState, void>('tandem/learned');

/** Client → engine: forget everything learned (the ledger and its feedback are kept). */
export const ResetLearningRequest = new RequestType<void, LearnedState, void>('tandem/resetLearning');
