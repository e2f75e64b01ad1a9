// What the views need from the running engine. Implemented by the language client wrapper (src/client/);
// used by the chat view and the routing panel (src/views/). Every call fails with EngineNotRunningError
// when the engine is stopped or restarting.
import type * as vscode from 'vscode';
import type {
  ChatDelta,
  ChatParams,
  ChatResult,
  Feedback,
  LearnedState,
  EvalReport,
  LedgerEntry,
  LedgerFeedback,
  LedgerQuery,
  LedgerResult,
  ModelState,
  RouteDecision,
  RouteParams,
} from '../shared/protocol';

export interface EngineApi {
  isRunning(): boolean;
  /** Runs a chat/explain/refactor request; deltas (with the route they stream from) go to `onDelta`;
   * cancelling the token cancels it. */
  chat(params: ChatParams, onDelta: (delta: ChatDelta) => void, token: vscode.CancellationToken): Promise<ChatResult>;
  route(params: RouteParams): Promise<RouteDecision>;
  ledger(query: LedgerQuery): Promise<LedgerResult>;
  /** What the user did with an answer or a suggestion; dropped (never queued) while the engine is stopped. */
  feedback(feedback: Feedback): void;
  learned(): Promise<LearnedState>;
  resetLearning(): Promise<LearnedState>;
  /** The report cards saved in the data dir (newest per model and side). */
  evalReports(): Promise<EvalReport[]>;
  onLedgerEntry(listener: (entry: LedgerEntry) => void): vscode.Disposable;
  onLedgerFeedback(listener: (feedback: LedgerFeedback) => void): vscode.Disposable;
  onModelState(listener: (state: ModelState) => void): vscode.Disposable;
  /** Fires when the engine (re)starts or stops. */
  onDidChangeRunning(listener: (running: boolean) => void): vscode.Disposable;
}

export class EngineNotRunningError extends Error {
  override readonly name = 'EngineNotRunningError';
  constructor() {
    super('The Tandem engine is not running. Run "Tandem: Restart Engine" or open the log for details.');
  }
}
