// Completion statistics. Part of the protocol (src/shared/protocol.ts re-exports it).
import { RequestType } from 'vscode-languageserver-protocol';
import { z } from 'zod';
import { UINT } from './schema';

export interface StageStats {
  p50: number;
  p90: number;
  count: number;
}

export interface CompletionStats {
  requests: number;
  /** Requests answered from the typed-ahead cache, with no model call. */
  cacheHits: number;
  generations: number;
  cancelled: number;
  skipped: Record<string, number>;
  /** Milliseconds per stage. */
  stages: {
    wait: StageStats;
    context: StageStats;
    prefill: StageStats;
    firstToken: StageStats;
    decode: StageStats;
    postProcess: StageStats;
    total: StageStats;
  };
  /** Prompt tokens evaluated by the model per request (after KV-cache reuse). */
  tokensEvaluated: StageStats;
  promptTokens: StageStats;
  /** The latest requests, oldest first (100 unless `recent` asks for more, at most 2000). */
  recent: CompletionRecord[];
}

/** One inline completion request as the engine saw it (times in milliseconds). */
export interface CompletionRecord {
  /** Engine-side sequence number, in arrival order. */
  seq: number;
  uri: string;
  /** model: generated; cache: typed-ahead hit, no model call; skipped: see `reason`; cancelled: a newer request
   * or $/cancelRequest won; error: see `reason`. */
  source: 'model' | 'cache' | 'skipped' | 'cancelled' | 'error';
  reason?: string;
  waitMs: number;
  contextMs: number;
  prefillMs: number;
  firstTokenMs: number;
  decodeMs: number;
  postProcessMs: number;
  totalMs: number;
  promptTokens: number;
  /** Prompt tokens actually evaluated (the rest came from the KV cache). */
  evaluatedTokens: number;
  generatedTokens: number;
  /** Characters shown (0: nothing shown). */
  chars: number;
  /** Why generation stopped: eog, lines, max-tokens, time, abort. */
  stop?: string;
}

export interface GetStatsParams {
  /** How many recent records to return (default 100, at most 2000). */
  recent?: number;
}

/** Client → engine: completion statistics since the engine started. */
export const GetStatsRequest = new RequestType<GetStatsParams | void, CompletionStats, void>('tandem/stats');

export const GetStatsParamsSchema = z.looseObject({ recent: UINT.optional() }).nullish().transform((p) => p ?? undefined) satisfies z.ZodType<GetStatsParams | void>;
