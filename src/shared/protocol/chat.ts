// Chat, explain and refactor: requests, streamed deltas, results, consent, allowed values. Part of the protocol
// (src/shared/protocol.ts re-exports it).
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import { z } from 'zod';
import type { Confidence } from '../feedback';
import { kindError } from './schema';
import { routeFields, type Destination, type EgressManifest, type Fallback, type RequestKind, type Route, type RouteDecision, type RouteParams } from './router';
import type { LedgerEntry } from './ledger';

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
