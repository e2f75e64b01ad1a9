// The model report card (HumanEval-Infilling; see docs/protocol.md and `npm run eval`). Part of the protocol
// (src/shared/protocol.ts re-exports it).
import { RequestType } from 'vscode-languageserver-protocol';
import { z } from 'zod';

export type EvalSetName = 'single-line' | 'multi-line';

/** One benchmark set's scores. Shares are 0..1. */
export interface EvalSetScore {
  set: EvalSetName;
  /** Problems scored (the stable subset), out of `of` in the set. */
  problems: number;
  of: number;
  exactMatch: number;
  /** Share whose tests passed; null when no Python 3 could run them. */
  passAt1: number | null;
  /** Share that got no suggestion at all. */
  noSuggestion: number;
  /** Test runs stopped by the time limit. */
  timedOut: number;
  /** From request to answer, per problem, in milliseconds. */
  latencyMs: { p50: number; p95: number };
  /** Generated tokens per second of decoding; null when unknown. */
  tokensPerS: number | null;
  costUsd: number;
}

/** How one problem went (kept in the report file, never sent by tandem/evalReports). */
export interface EvalProblemResult {
  taskId: string;
  set: EvalSetName;
  completion: string | null;
  exact: boolean;
  /** passed, failed, timeout, or not-run (no Python 3). */
  outcome: 'passed' | 'failed' | 'timeout' | 'not-run';
  /** The last line of the failure (e.g. "AssertionError"), at most 200 characters. */
  error?: string;
  latencyMs: number;
  generatedTokens: number;
}

export interface EvalReport {
  /** Local model name, Claude model id, or "oracle" (the canonical solutions: proves the harness). */
  model: string;
  side: 'local' | 'cloud' | 'oracle';
  /** ISO time the run finished. */
  time: string;
  /** Where it ran: "cpu", "cuda", ... and the machine ("4 cores, Intel(R) Xeon(R) ..."). */
  device: string;
  machine: string;
  sets: EvalSetScore[];
  /** Stable subset size per set (null: every problem). */
  limit: number | null;
  /** The completion settings the run used (the editor's, with multiline forced per set). */
  settings: { maxTokens: number; timeBudgetMs: number; maxPrefixLines: number; maxSuffixLines: number };
  /** How the tests ran: the network isolation used, the per-program time limit and the Python version (3.x.y). */
  sandbox: { network: 'namespace+guard' | 'guard'; timeoutS: number; python: string } | null;
  durationS: number;
  costUsd: number;
  /** Per problem: in bench/results/eval-<model>.json and the data dir's copy, not in tandem/evalReports. */
  results?: EvalProblemResult[];
}

/** Client → engine: the newest report card per model and side saved in the data dir (`<dataDir>/eval/`),
 * newest first, without per-problem results. */
export const EvalReportsRequest = new RequestType<void, EvalReport[], void>('tandem/evalReports');

export interface EvalCloudItem {
  /** Code before and after the gap. */
  prefix: string;
  suffix: string;
  set: EvalSetName;
}

export const EvalCloudItemSchema = z.looseObject({
  prefix: z.string(),
  suffix: z.string(),
  set: z.enum(['single-line', 'multi-line']),
}) satisfies z.ZodType<EvalCloudItem>;

export interface EvalCloudEstimateParams {
  model: string;
  items: EvalCloudItem[];
}

export const EvalCloudEstimateParamsSchema = z.looseObject({ model: z.string(), items: z.array(EvalCloudItemSchema) }) satisfies z.ZodType<EvalCloudEstimateParams>;

export interface EvalCloudEstimate {
  model: string;
  requests: number;
  inputTokens: number;
  /** Upper bound: every answer at its token cap. Shown and confirmed before anything is sent. */
  worstCaseUsd: number;
  /** Why the run would be refused now (no key, local-only mode, consent, budget, unknown price). */
  refusal?: string;
}

/** Client → engine: what a benchmark run on a Claude tier would cost at most, and whether it may run. */
export const EvalCloudEstimateRequest = new RequestType<EvalCloudEstimateParams, EvalCloudEstimate, void>('tandem/evalCloudEstimate');

export interface EvalCloudInfillParams extends EvalCloudItem {
  model: string;
  /** Benchmark task id, for the ledger's reason. */
  taskId: string;
}

export const EvalCloudInfillParamsSchema = EvalCloudItemSchema.extend({ model: z.string(), taskId: z.string() }) satisfies z.ZodType<EvalCloudInfillParams>;

export interface EvalCloudInfillResult {
  text: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  ttftMs: number | null;
  totalMs: number;
}

/** Client → engine: one benchmark gap filled by Claude through the egress gate (budget reserved first,
 * ledgered as a cloud completion); cancel with $/cancelRequest. Fails with the gate's or the budget's reason. */
export const EvalCloudInfillRequest = new RequestType<EvalCloudInfillParams, EvalCloudInfillResult, void>('tandem/evalCloudInfill');
