// Every custom request and notification between the extension (or any LSP client) and the engine.
// Declared once here, documented in docs/protocol.md. Pure types: no `vscode` import.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import { z } from 'zod';
import { FEEDBACK_SIGNALS, type Confidence, type Feedback, type LearnedState, type LedgerFeedback } from './feedback';

export type { ArmCounts, CompletionItemRef, Confidence, Feedback, FeedbackSignal, LearnedContext, LearnedState, LedgerFeedback } from './feedback';
import type { BackendKind } from './settings.js';

export type { BackendKind };

// Each message's params have a schema next to their type: the engine checks every message against it before a
// handler runs (src/server/rpc.ts), so a client that sends the wrong shape gets -32602 naming the field. The
// schemas check what the engine reads; fields they do not know pass through.

/** A line, character or count as LSP allows it: a non-negative integer up to 2^31 - 1. */
export const UINT = z.number().min(0).max(2 ** 31 - 1).int();
/** For requests without params: whatever a client sends is ignored. */
export const NO_PARAMS = z.unknown().transform(() => undefined);
const KINDS = ['completion', 'explain', 'chat', 'refactor'] as const;
const kindError = (allowed: string) => (issue: { input?: unknown }) => `Unknown request kind "${String(issue.input)}": use ${allowed}.`;

// ---------------------------------------------------------------------------------------------------
// Local model

export type ModelRole = 'completion' | 'chat';
export type Device = 'cuda' | 'vulkan' | 'metal' | 'cpu';

/** An inference server the local side runs on (tandem.local.backend other than embedded). */
export interface BackendInfo {
  kind: Exclude<BackendKind, 'embedded'>;
  /** Base URL, without credentials. */
  url: string;
  /** On another machine (not a loopback address): an egress destination of its own. */
  remote: boolean;
  /** tandem.local.trusted, or a server on this machine. */
  trusted: boolean;
  /** Parallel slots the server reported (llama-server `total_slots`). */
  slots?: number;
}

/** Why a server cannot do a role, as a code (the message says it in words). */
export type BackendProblem =
  | 'unreachable'
  | 'timeout'
  | 'server-error'
  | 'unauthorized'
  | 'wrong-model'
  | 'no-fim'
  | 'no-chat'
  | 'bad-url'
  /** The workspace did not consent to an untrusted server on another machine. */
  | 'consent'
  /** tandem.privacy.localOnly is on and the server is on another machine and not trusted. */
  | 'local-only-mode';

export type ModelState =
  /** No model can run for this role: none is set, or its download was cancelled. `recommended`: the preset for this
   * machine. */
  | { role: ModelRole; state: 'none'; message: string; recommended?: string }
  /** A model is set but not loaded: it loads on first use (`next: 'download'`: it is downloaded first). `name` is
   * absent until the engine has looked at the settings. */
  | { role: ModelRole; state: 'idle'; name?: string; next: 'load' | 'download'; message: string }
  | { role: ModelRole; state: 'downloading'; name: string; receivedBytes: number; totalBytes: number; percent: number }
  | { role: ModelRole; state: 'loading'; name: string; backend?: BackendInfo }
  | {
      role: ModelRole;
      state: 'ready';
      name: string;
      /** 'server': the model runs on `backend`. */
      device: Device | 'server';
      gpuLayers: number;
      contextSize: number;
      fim: boolean;
      backend?: BackendInfo;
    }
  | { role: ModelRole; state: 'error'; name?: string; message: string; problem?: BackendProblem; backend?: BackendInfo };

/** Engine → client: the state of a local model changed. */
export const ModelStateNotification = new NotificationType<ModelState>('tandem/modelState');

/** Client → engine: the current state of both local models. */
export const GetModelStateRequest = new RequestType<void, ModelState[], void>('tandem/getModelState');

export interface ModelPreset {
  id: string;
  role: ModelRole;
  label: string;
  url: string;
  fileName: string;
  sizeBytes: number;
  sha256?: string;
  /** Memory the model needs to run well (weights + context), in bytes. */
  minMemoryBytes: number;
}

export interface HardwareInfo {
  gpu: Device | false;
  vramBytes: number;
  ramBytes: number;
  cores: number;
}

export interface PresetsResult {
  hardware: HardwareInfo;
  presets: ModelPreset[];
  /** Preset ids chosen for this machine, per role. */
  recommended: Record<ModelRole, string>;
}

/** Client → engine: the model presets and which fit this machine. */
export const ListPresetsRequest = new RequestType<void, PresetsResult, void>('tandem/listPresets');

export interface DownloadModelParams {
  role: ModelRole;
  /** A preset id, or a URL. Neither: the recommended preset for the role. */
  preset?: string;
  url?: string;
  /** Expected SHA-256 (hex) of the file; the download is refused when it differs. */
  sha256?: string;
  /** Expected size in bytes; the download is refused when the server offers another size. */
  sizeBytes?: number;
}

export interface DownloadModelResult {
  path: string;
  /** True when the file was already complete in the data dir and nothing was fetched. */
  cached: boolean;
}

/** Client → engine: download (or resume) a model into the data dir; cancel with $/cancelRequest. Progress
 * arrives as tandem/modelState `downloading`. */
export const DownloadModelRequest = new RequestType<DownloadModelParams, DownloadModelResult, void>('tandem/downloadModel');

/** Inline completion items carry this command (VS Code runs it when the whole suggestion is accepted) with one
 * CompletionItemRef argument: the client learns which ledger entry a suggestion belongs to from it. */
export const COMPLETION_ACCEPTED_COMMAND = 'tandem.completionAccepted';

export const DownloadModelParamsSchema = z.looseObject({
  role: z.enum(['completion', 'chat']),
  preset: z.string().optional(),
  url: z.string().optional(),
  sha256: z.string().optional(),
  sizeBytes: z.number().int().min(0).optional(),
}) satisfies z.ZodType<DownloadModelParams>;

// ---------------------------------------------------------------------------------------------------
// Completion statistics

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

// ---------------------------------------------------------------------------------------------------
// Router

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

const routeFields = {
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

// ---------------------------------------------------------------------------------------------------
// Chat, explain, refactor

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatParams extends RouteParams {
  /** Client-chosen id; stream notifications carry it. */
  id: string;
  kind: Exclude<RequestKind, 'completion'>;
  /** One side of a compare run (same id on both sides, with `prefer` naming the side): no fallback to the other
   * side, the cloud side only where the gate allows it, and the ledger marks both entries. */
  compare?: string;
}

export interface TextEditSpec {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}

/** A file a refactor's edits change, as the engine read it: the edit ranges hold for exactly this text. */
export interface EditTarget {
  uri: string;
  /** SHA-256 (hex) of the whole text the ranges were computed against; a client applies nothing to other text. */
  sha256: string;
  /** Why editing this file can run code (a task, hook, build or install script), when it can: never pre-selected. */
  runsCode?: string;
}

/** Edits the model proposed to a file Tandem does not edit: its real path is not inside a workspace folder. */
export interface RefusedEdit {
  /** The path the model gave. */
  path: string;
  uri: string;
  edits: number;
  reason: string;
}

export interface ChatResult {
  id: string;
  text: string;
  decision: RouteDecision;
  /** Present when the answer did not come from the decided route. */
  fallback?: Fallback;
  /** Refactors: validated edits, not applied. */
  edits?: TextEditSpec[];
  /** Refactors: edits the model proposed that could not be validated, with the reason. */
  editErrors?: string[];
  /** Refactors: every file `edits` touch, with the hash of the text they were made for. */
  editTargets?: EditTarget[];
  /** Refactors: edits refused because their file is outside the workspace folders (the other edits stand). */
  refusedEdits?: RefusedEdit[];
  entry: LedgerEntry;
  stopped?: 'cancelled' | 'budget' | 'max-tokens';
  /** Local answers: how sure the local model was. */
  confidence?: Confidence;
}

/** The `data` of a tandem/chat error: the message to give back to the user, and when the router got that far,
 * its decision (with `blockedBy` and the reasons) and the ledger entry written for the request. */
export interface ChatErrorData {
  prompt?: string;
  decision?: RouteDecision;
  entry?: LedgerEntry;
}

/** Client → engine: run a chat/explain/refactor request through the router; cancel with $/cancelRequest. Errors
 * carry ChatErrorData. */
export const ChatRequest = new RequestType<ChatParams, ChatResult, ChatErrorData>('tandem/chat');

export const ChatParamsSchema = z.looseObject({
  id: z.string().min(1, 'tandem/chat needs an id'),
  kind: z.enum(['explain', 'chat', 'refactor'], { error: kindError('explain, chat or refactor') }),
  ...routeFields,
  compare: z.string().min(1, 'a compare run needs an id').optional(),
}) satisfies z.ZodType<ChatParams>;

/** Engine → client: streamed answer text for a tandem/chat request. */
export interface ChatDelta {
  id: string;
  delta: string;
  route: Route;
  model: string;
  /** The text streamed so far for this id is void (the cloud failed mid-answer, a fallback answer follows). */
  reset?: boolean;
}

export const ChatDeltaNotification = new NotificationType<ChatDelta>('tandem/chatDelta');

export type ConsentChoice = 'always' | 'once' | 'never';

export interface ConsentQuestion {
  reason: string;
  model: string;
  worstCaseUsd: number;
  /** Set when the question is about an untrusted inference server on another machine, not the cloud. */
  destination?: Destination;
  /** What this request would send: the files (with ranges and bytes), tokens and redactions. */
  manifest?: EgressManifest;
}

/** Engine → client: the first cloud use (or use of an untrusted server on another machine) in a workspace without
 * consent asks the user. */
export const AskConsentRequest = new RequestType<ConsentQuestion, { choice: ConsentChoice }, void>('tandem/askConsent');

/** Client → engine: forget the remembered always/never answer, so the next cloud use asks again (the model stays
 * loaded; nothing restarts). */
export const ResetConsentNotification = new NotificationType<void>('tandem/resetConsent');

export interface AllowValuesParams {
  /** Salted hashes from RouteDecision.secrets of a blocked or redacted request. */
  hashes: string[];
}

export interface AllowValuesResult {
  /** Hashes newly stored (already allowed ones are not counted). */
  added: number;
}

/** Client → engine: "Allow this value": the values behind these hashes are not secrets. The engine stores the
 * salted hashes in its data dir (never a value); later requests treat those values as allowed. */
export const AllowValuesRequest = new RequestType<AllowValuesParams, AllowValuesResult, void>('tandem/allowValues');

export const AllowValuesParamsSchema = z.looseObject({
  hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'a hash is 64 hex digits')).max(1000),
}) satisfies z.ZodType<AllowValuesParams>;

/** Client → engine: the Anthropic API key from SecretStorage (empty string clears it). Never logged. */
export const SetApiKeyNotification = new NotificationType<{ apiKey: string }>('tandem/setApiKey');

export const SetApiKeyParamsSchema = z.looseObject({ apiKey: z.string() }) satisfies z.ZodType<{ apiKey: string }>;

/** Client → engine: the inference server's API key from SecretStorage (empty string clears it). Never logged.
 * Params: SetApiKeyParamsSchema. */
export const SetServerApiKeyNotification = new NotificationType<{ apiKey: string }>('tandem/setServerApiKey');
export type TestApiKeyResult =
  | { ok: true; model: string; costUsd: number; ms: number }
  /** `reason`: what went wrong, in words that say what to do. */
  | { ok: false; problem: 'no-key' | 'rejected' | 'unreachable' | 'refused' | 'failed'; reason: string };

/** Client → engine: a one-token request to the cheapest cloud tier, through the egress gate and the budget, to
 * check the API key the engine holds. It carries no workspace content; its cost is ledgered like any other. */
export const TestApiKeyRequest = new RequestType<void, TestApiKeyResult, void>('tandem/testApiKey');

// ---------------------------------------------------------------------------------------------------
// Ledger

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

// ---------------------------------------------------------------------------------------------------
// Model report card (HumanEval-Infilling, see docs/protocol.md and `npm run eval`)

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
