// The router: request kinds, reasons, decisions, the dry run (tandem/route), settings and keys. Part of the protocol
// (src/shared/protocol.ts re-exports it).
import { RequestType } from 'vscode-languageserver-protocol';
import { z } from 'zod';
import type { BackendKind } from '../settings.js';
import { KINDS, UINT, kindError } from './schema';
import type { ChatMessage } from './chat';

export type RequestKind = 'completion' | 'explain' | 'chat' | 'refactor';
export type Route = 'local' | 'cloud' | 'blocked';

/** Why the cloud was refused (`RouteDecision.blockedBy`); each is also the code of the reason that says so. */
export type BlockedBy =
  /** The settings could not be read or had the wrong shape: nothing leaves until valid ones arrive. */
  | 'settings'
  | 'secret'
  | 'local-only-file'
  | 'consent'
  | 'local-only-mode'
  | 'budget'
  | 'no-api-key'
  | 'local-unavailable'
  /** The cloud failed repeatedly and is paused for a while (circuit breaker). */
  | 'cloud-unavailable'
  /** No configured tier has a context window large enough (nor a known price). */
  | 'too-large'
  /** The cost ledger cannot be written or read, so spend could go uncounted. */
  | 'ledger-unavailable';

/** What a routing reason says, for programs: code decides, text informs (docs/protocol.md lists each code). */
export type ReasonCode =
  | BlockedBy
  // Where the request belongs
  | 'completion-local'
  | 'kind-local'
  | 'single-file-refactor'
  | 'asked-local'
  | 'asked-cloud'
  | 'rejected-local'
  | 'multi-file-refactor'
  | 'context-exceeds-local'
  | 'no-local-model'
  // What the router learned from this user's feedback (tandem.routing.policy "learned")
  | 'learned-local'
  | 'learned-cloud'
  | 'explore-cloud'
  | 'explore-local'
  /** A compare run: the same prompt on both sides (no fallback to the other side). */
  | 'compare'
  // After a refusal
  | 'stays-local'
  | 'nothing-sent'
  // The cloud route
  | 'tier'
  | 'tier-skipped'
  | 'answer-capped'
  | 'redact'
  | 'consent-ask'
  // The local model on an inference server on another machine
  | 'trusted-server'
  | 'untrusted-server'
  | 'server-consent-ask'
  /** A ledger entry for completions sent to a server on another machine. */
  | 'completion-egress'
  // What happened while it ran
  | 'file-left-out'
  | 'cloud-failed'
  /** The cloud could not be reached (offline, connection refused, no answer in time). */
  | 'cloud-unreachable'
  /** Claude could not start answering within tandem.cloud.deadlineMs, or asked to wait longer than it leaves. */
  | 'cloud-deadline'
  | 'stopped-budget'
  | 'cancelled'
  /** A one-token request that checked the API key (tandem/testApiKey). */
  | 'key-test'
  /** A report card run on a Claude tier, asked for by the user (tandem/evalCloudInfill). */
  | 'model-evaluation'
  /** A reason written by an older version as text only. */
  | 'note';

/** Reasons for the cloud that also say the local model cannot do the request (edits across files, a context
 * beyond its window): such a request never falls back to the local model, and no client offers "answer locally". */
export const LOCAL_CANNOT_CODES = ['multi-file-refactor', 'context-exceeds-local'] as const satisfies readonly ReasonCode[];

export interface Reason {
  code: ReasonCode;
  /** One plain-language sentence for the user. */
  text: string;
}

/** Why an answer came from the other route than the decided one. */
export interface Fallback {
  from: Route;
  reason: Reason;
}

export interface ContextFile {
  uri: string;
  /** Full text, or the text of `range` when given. Absent: the engine reads the file (open document or disk). */
  text?: string;
  range?: { startLine: number; endLine: number };
  languageId?: string;
}

export interface RouteParams {
  kind: RequestKind;
  prompt: string;
  files?: ContextFile[];
  /** Earlier turns of the conversation (they leave with the request, so they are scanned too). */
  history?: ChatMessage[];
  /** The user asked for Claude explicitly, or for the local model. */
  prefer?: 'cloud' | 'local';
  /** The user rejected the local answer to this question. */
  rejectedLocal?: boolean;
}

export interface RouteDecision {
  route: Route;
  /** Local model name, or the cloud model id. */
  model: string;
  /** Reasons, most important first. */
  reasons: Reason[];
  /** Worst-case cost in USD before anything runs (0 for local). */
  worstCaseUsd: number;
  promptTokens: number;
  /** Cloud routes: an upper bound on the prompt's tokens (its UTF-8 bytes plus the API's overhead); the worst case
   * is priced on it, so a prompt that tokenizes worse than estimated (CJK, long numbers) cannot overspend. */
  promptTokensBound?: number;
  /** Set when route is blocked, or when a cloud route had to be refused. */
  blockedBy?: BlockedBy;
  /** Cloud routes: the max_tokens the request is sent with (may be lowered to fit the budget). */
  maxTokens?: number;
  /** What would leave the machine on a cloud route, or on a local route to a server on another machine. */
  manifest?: EgressManifest;
  /** Local routes whose model runs on a server on another machine. */
  destination?: Destination;
  /** Secrets found in what would leave (blocked or redacted), each with the salted hash that tandem/allowValues
   * takes to allow it. */
  secrets?: SecretFinding[];
}

/** A server on another machine that requests went to (the cloud is not one: its entries name the model). */
export interface Destination {
  kind: Exclude<BackendKind, 'embedded'>;
  url: string;
  trusted: boolean;
}

export interface SecretFinding {
  /** The file's path as shown, "Your message" or "Message N of the conversation". */
  where: string;
  uri: string;
  /** 0-based line. */
  line: number;
  /** The format (`github-pat`, `password-assignment`, `high-entropy`, …). */
  rule: string;
  /** How it was hidden when a decoder revealed it: `base64`, `hex`, `url-encoded`, `joined`. */
  via?: string;
  /** SHA-256 of the value with a salt kept in the engine's data dir: never the value. */
  hash: string;
}

/** Client → engine: the decision for a request, without running anything (dry run). */
export const RouteRequest = new RequestType<RouteParams, RouteDecision, void>('tandem/route');

export const ContextFileSchema = z.looseObject({
  uri: z.string(),
  text: z.string().optional(),
  range: z.looseObject({ startLine: UINT, endLine: UINT }).optional(),
  languageId: z.string().optional(),
}) satisfies z.ZodType<ContextFile>;

/** The fields a chat request shares with the dry run (tandem/route). */
export const routeFields = {
  prompt: z.string(),
  files: z.array(ContextFileSchema).optional(),
  history: z.array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.string() })).optional(),
  prefer: z.enum(['cloud', 'local']).optional(),
  rejectedLocal: z.boolean().optional(),
};

export const RouteParamsSchema = z.looseObject({
  kind: z.enum(KINDS, { error: kindError('completion, explain, chat or refactor') }),
  ...routeFields,
}) satisfies z.ZodType<RouteParams>;

export interface EgressManifest {
  files: { uri: string; ranges: { startLine: number; endLine: number }[]; bytes: number }[];
  tokens: number;
  /** Each secret replaced before sending, with the placeholder that stands for it in what was sent. */
  redactions: { uri: string; line: number; rule: string; placeholder?: string }[];
}
