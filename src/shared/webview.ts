// Messages between the webviews (webview/chat, webview/panel) and the extension (src/views/), declared once
// and shared by both sides. Pure types: no `vscode` import, no DOM.
// Conventions: a request carries a webview-chosen `id`; the reply carries the same `id`; an answer streams
// as {type:'delta', id, delta} ... {type:'done', id, turn}.
import type { BlockedBy, Confidence, Destination, EgressManifest, EvalReport, Fallback, LearnedState, LedgerEntry, LedgerFeedback, LedgerResult, Reason, Route, SecretFinding } from './protocol';

export type ChatKind = 'chat' | 'explain' | 'refactor';

/** A piece of context attached to a question: the selection, the current file, or a file mentioned with @. */
export interface ContextChip {
  /** Unique per chip: `${kind}:${uri}` plus the range for a selection. */
  key: string;
  kind: 'selection' | 'file' | 'mention';
  uri: string;
  /** Short name shown on the chip, e.g. "utils.ts" or "utils.ts:12-20". */
  label: string;
  /** Workspace-relative path (or the full path outside the workspace). */
  description: string;
  /** Lines, 0-based and inclusive, for a selection. */
  range?: { startLine: number; endLine: number };
}

export interface UserTurn {
  role: 'user';
  id: string;
  time: string;
  text: string;
  kind: ChatKind;
  chips: ContextChip[];
  prefer?: 'cloud' | 'local';
  rejectedLocal?: boolean;
}

export interface RefactorFile {
  uri: string;
  label: string;
  description: string;
  edits: number;
  /** Why editing this file can run code: its edits start unticked in the Refactor Preview. */
  runsCode?: string;
}

/** A file Tandem would not edit (outside the workspace folders), with the edits proposed for it. */
export interface RefusedFile {
  label: string;
  description: string;
  edits: number;
  reason: string;
}

/** After Apply: what a file's document really holds, read back from it. */
export interface AppliedFile {
  uri: string;
  label: string;
  /** Edits the document now holds; null when it changed in a way that does not match the edits. */
  applied: number | null;
  of: number;
  saved: boolean;
  runsCode?: string;
}

export interface RefactorProposal {
  files: RefactorFile[];
  /** Edits the model proposed that could not be validated: shown, never applied. */
  errors: string[];
  /** Edits to files outside the workspace folders: shown, never applied. */
  refused?: RefusedFile[];
  /** stale: a file changed after the edits were proposed, so nothing was applied. */
  outcome: 'none' | 'previewing' | 'applied' | 'discarded' | 'failed' | 'stale';
  message?: string;
  /** After Apply: per file, the edits its document really holds. */
  applied?: AppliedFile[];
  /** The applied edits were undone (within 5 minutes). */
  undone?: boolean;
}

/** Everything the route badge and its manifest need, copied from the ChatResult and its ledger entry. */
export interface AnswerRoute {
  route: Route;
  model: string;
  reasons: Reason[];
  costUsd: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  ttftMs: number | null;
  totalMs: number;
  fallback?: Fallback;
  /** What left the machine; absent for a local answer from this machine. */
  manifest?: EgressManifest;
  /** A local answer from an inference server on another machine: where the manifest went. */
  destination?: Destination;
  /** The ledger entry of the answer: feedback on it is linked there. */
  entryId?: string;
  /** Local answers: how sure the local model was. */
  confidence?: Confidence;
  /** The rule that refused the cloud for this question, if one did: the cloud is not offered then. */
  blockedBy?: BlockedBy;
}

export interface AssistantTurn {
  role: 'assistant';
  id: string;
  /** The user turn this answers. */
  replyTo: string;
  time: string;
  kind: ChatKind;
  text: string;
  state: 'streaming' | 'done' | 'stopped' | 'error';
  /** Where the text streams from, known from the first delta. */
  streamingFrom?: { route: Route; model: string };
  answer?: AnswerRoute;
  stopped?: 'cancelled' | 'budget' | 'max-tokens';
  refactor?: RefactorProposal;
  /** `noLocal`: the local model cannot do this request (edits across files, too much context). */
  error?: { message: string; blockedBy?: ErrorCause; noLocal?: boolean };
  /** What looked like secrets and kept the question off the cloud: "Allow this value" can allow them. */
  blockedSecrets?: SecretFinding[];
  /** The user allowed those values: the cloud is no longer ruled out for this question. */
  allowed?: boolean;
  /** The user's thumbs on this answer. */
  rating?: 'up' | 'down';
}

/** Why an answer failed: the router's refusal, the engine not running, the cloud unreachable, or the cloud call
 * failing. */
export type ErrorCause = BlockedBy | 'engine' | 'cloud' | 'cloud-unreachable';

/** Why the other route cannot be offered right now (undefined: it can). */
export interface ChatAbilities {
  cloudUnavailable?: string;
  localUnavailable?: string;
}

export type Turn = UserTurn | AssistantTurn;

/** Chat webview → extension. */
export type ChatToHost =
  | { type: 'ready' }
  | { type: 'send'; id: string; text: string; kind: ChatKind; chips: ContextChip[] }
  /** Ask the question answered by `of` again: "Ask Claude instead" / "Answer locally", or (no `prefer`) "Retry" as
   * it was asked. */
  | { type: 'retry'; id: string; of: string; prefer?: 'cloud' | 'local' }
  | { type: 'stop'; id: string }
  /** `from`: the answer copied from (a code block, or the whole answer). */
  | { type: 'copy'; text: string; from?: string; what?: 'code' | 'answer' }
  | { type: 'insert'; text: string; from?: string }
  | { type: 'rate'; id: string; rating: 'up' | 'down' }
  /** Run the question answered by `of` on both sides, side by side. */
  | { type: 'compare'; of: string }
  | { type: 'mentionQuery'; id: string; query: string }
  /** Open VS Code's refactor preview again for the edits of answer `id`. */
  | { type: 'applyEdits'; id: string }
  /** "Allow this value": the values that kept answer `id` off the cloud are not secrets. */
  | { type: 'allowValues'; id: string }
  | { type: 'openFile'; uri: string; line?: number }
  /** A link in an answer was clicked: `text` is what it showed. The extension decides whether to ask first. */
  | { type: 'openLink'; href: string; text: string };

/** Extension → chat webview. */
export type HostToChat =
  | { type: 'init'; turns: Turn[]; chips: ContextChip[]; running: boolean }
  /** A turn was added or replaced (same id). */
  | { type: 'turn'; turn: Turn }
  | { type: 'delta'; id: string; delta: string; route?: Route; model?: string; reset?: boolean }
  | { type: 'done'; id: string; turn: AssistantTurn }
  /** The editor's context changed: current file and selection chips. */
  | { type: 'context'; chips: ContextChip[] }
  | { type: 'mentionResults'; id: string; items: ContextChip[] }
  | { type: 'engine'; running: boolean }
  /** Which other route the answers may offer now. */
  | { type: 'abilities'; abilities: ChatAbilities }
  | { type: 'notice'; message: string }
  | { type: 'focus' };

/** Routing panel webview → extension. */
export type PanelToHost =
  | { type: 'ready' }
  | { type: 'refresh' }
  /** Runs "Tandem: Reset Router Learning" (it asks first). */
  | { type: 'resetLearning' }
  | { type: 'exportCsv'; id: string; csv: string; rows: number; suggestedName: string }
  /** Run "Tandem: Evaluate Local Model" (the report card's button). */
  | { type: 'evaluate' };

/** Extension → routing panel webview. */
export type HostToPanel =
  | { type: 'ledger'; result: LedgerResult }
  | { type: 'entry'; entry: LedgerEntry }
  | { type: 'feedback'; feedback: LedgerFeedback }
  | { type: 'learned'; state: LearnedState }
  | { type: 'exported'; id: string; outcome: 'saved' | 'cancelled' | 'failed'; message: string }
  | { type: 'engine'; running: boolean; message?: string }
  /** The saved report cards, newest first; `error` when they could not be read. */
  | { type: 'reportCards'; reports: EvalReport[]; error?: string };

/** One side of a compare run. */
export interface CompareSide {
  route: 'local' | 'cloud';
  state: 'waiting' | 'streaming' | 'done' | 'stopped' | 'error';
  text: string;
  model?: string;
  answer?: AnswerRoute;
  error?: { message: string; blockedBy?: ErrorCause };
}

/** The same question on both sides, side by side. */
export interface CompareRun {
  id: string;
  kind: 'chat' | 'explain';
  prompt: string;
  /** What went with the question, in words ("greet.ts:3-9"). */
  context: string[];
  local: CompareSide;
  cloud: CompareSide;
  picked?: 'local' | 'cloud';
}

/** Compare webview → extension. */
export type CompareToHost =
  | { type: 'ready' }
  | { type: 'pick'; id: string; side: 'local' | 'cloud' }
  | { type: 'stop'; id: string }
  | { type: 'copy'; text: string };

/** Extension → compare webview. */
export type HostToCompare =
  | { type: 'run'; run: CompareRun }
  | { type: 'delta'; id: string; side: 'local' | 'cloud'; delta: string; model?: string; reset?: boolean }
  | { type: 'notice'; message: string }
  | { type: 'engine'; running: boolean };

/** Ids for requests and turns; unique enough within one window. */
export function newId(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
