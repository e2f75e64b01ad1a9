// Runs chat questions against the engine and keeps the thread: streaming, stop, "ask Claude instead" /
// "answer locally", refactor previews, the per-workspace history (workspaceState, survives a reload), and the
// feedback the user gives on answers (thumbs, copies, inserts, asking the other side, applying, undoing).
// Editor access comes in through ChatSessionDeps, so this file has no runtime `vscode` import and unit tests
// drive it with a fake engine.
import type * as vscode from 'vscode';
import type { EngineApi } from '../client/engine-api';
import type { ContextFile, FeedbackSignal } from '../shared/protocol';
import type { AssistantTurn, ChatKind, ContextChip, HostToChat, RefusedFile, Turn, UserTurn } from '../shared/webview';
import { newId } from '../shared/webview';
import type { ApplyReport } from './refactor-edits';
import type { PendingRefactor } from './refactor-plan';
import { failedTurn, finishedTurn, historyBefore, MAX_TURNS, questionOf, reviveTurns, summarizeEdits } from './turns';

export const HISTORY_KEY = 'tandem.chat.turns';

export interface AskOptions {
  id?: string;
  prefer?: 'cloud' | 'local';
  rejectedLocal?: boolean;
  /** Files captured by the caller (Explain Selection); otherwise resolved from the chips. */
  files?: ContextFile[];
}

/** What the session needs from the editor. */
export interface ChatSessionDeps {
  engine: EngineApi;
  state: vscode.Memento;
  log: Pick<vscode.LogOutputChannel, 'warn'>;
  post(message: HostToChat): void;
  tokenSource(): vscode.CancellationTokenSource;
  /** Chips → files for the engine (reads open documents). */
  resolveFiles(chips: readonly ContextChip[]): ContextFile[];
  describe(uri: string): { label: string; description: string };
  /** Checks the edits again, opens the Refactor Preview and reports what the documents hold afterwards. */
  applyRefactor(pending: PendingRefactor): Promise<ApplyReport>;
  /** Calls `onUndone` when an undo soon after brings one of the changed files back. */
  watchUndo(changed: ApplyReport['changed'], onUndone: () => void): vscode.Disposable;
}

export class ChatSession implements vscode.Disposable {
  private turns: Turn[];
  private readonly running = new Map<string, vscode.CancellationTokenSource>();
  /** Context sent with each question, so a retry sends the same. */
  private readonly sentFiles = new Map<string, ContextFile[]>();
  /** Validated edits per answer, for "Review edits again" (not kept across reloads). */
  private readonly edits = new Map<string, PendingRefactor>();
  private readonly undoWatches = new Map<string, vscode.Disposable>();

  private readonly engine: EngineApi;
  private readonly post: (message: HostToChat) => void;

  constructor(private readonly deps: ChatSessionDeps) {
    this.engine = deps.engine;
    this.post = (message) => deps.post(message);
    this.turns = reviveTurns(deps.state.get(HISTORY_KEY));
  }

  get all(): Turn[] {
    return this.turns;
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  async ask(text: string, kind: ChatKind, chips: ContextChip[], options: AskOptions = {}): Promise<void> {
    if (this.busy) {
      this.post({ type: 'notice', message: 'Wait for the current answer or stop it first.' });
      return;
    }
    const user: UserTurn = { role: 'user', id: newId('u'), time: new Date().toISOString(), text, kind, chips, prefer: options.prefer, rejectedLocal: options.rejectedLocal };
    const answer: AssistantTurn = { role: 'assistant', id: options.id ?? newId('a'), replyTo: user.id, time: user.time, kind, text: '', state: 'streaming' };
    const history = historyBefore(this.turns, user.id);
    this.add(user);
    this.add(answer);
    let files: ContextFile[];
    try {
      files = options.files ?? this.deps.resolveFiles(chips);
    } catch (error) {
      this.finish(failedTurn(answer, error, false));
      return;
    }
    this.sentFiles.set(user.id, files);
    const source = this.deps.tokenSource();
    this.running.set(answer.id, source);
    try {
      const result = await this.engine.chat(
        { id: answer.id, kind, prompt: text, files, history, prefer: options.prefer, rejectedLocal: options.rejectedLocal },
        ({ delta, route, model, reset }) => {
          // reset: the cloud failed mid-answer and the local fallback starts over.
          answer.text = reset ? delta : answer.text + delta;
          this.post({ type: 'delta', id: answer.id, delta, route, model, ...(reset ? { reset } : {}) });
        },
        source.token,
      );
      const specs = result.edits ?? [];
      const done = finishedTurn(answer, result, summarizeEdits(specs, result.editTargets ?? [], (uri) => this.deps.describe(uri)), (uri) => this.deps.describe(uri));
      this.finish(done);
      if (specs.length && done.state !== 'error') this.edits.set(done.id, { specs, targets: result.editTargets ?? [], prompt: text });
    } catch (error) {
      if (!source.token.isCancellationRequested) this.deps.log.warn(`Chat request failed: ${error instanceof Error ? error.message : String(error)}`);
      this.finish(failedTurn(answer, error, source.token.isCancellationRequested));
    } finally {
      this.running.delete(answer.id);
      source.dispose();
    }
    // The answer is complete: the chat takes new questions while the Refactor Preview is open.
    if (this.edits.has(answer.id)) await this.preview(answer.id);
  }

  /** Ask the question answered by `of` again: on the other route, or (no `prefer`) as it was asked. */
  async retry(of: string, prefer: 'cloud' | 'local' | undefined, id?: string): Promise<void> {
    const question = questionOf(this.turns, of);
    if (!question) {
      this.post({ type: 'notice', message: 'That question is no longer in the history.' });
      return;
    }
    if (!this.busy) this.feedback(of, 'asked-other-side');
    await this.ask(question.text, question.kind, question.chips, {
      id,
      prefer: prefer ?? question.prefer,
      rejectedLocal: prefer === 'cloud' ? true : prefer ? undefined : question.rejectedLocal,
      files: this.sentFiles.get(question.id),
    });
  }

  stop(id: string): void {
    this.running.get(id)?.cancel();
  }

  /** "Allow this value": the engine stores the salted hashes of what kept answer `id` off the cloud. */
  async allowValues(id: string): Promise<void> {
    const turn = this.assistant(id);
    const hashes = turn?.blockedSecrets?.map((s) => s.hash) ?? [];
    if (!turn || !hashes.length) return;
    try {
      await this.engine.allowValues(hashes);
    } catch (error) {
      this.post({ type: 'notice', message: `Could not allow ${hashes.length === 1 ? 'the value' : 'the values'}: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    this.replace({ ...turn, allowed: true });
    this.post({ type: 'notice', message: `Allowed. Tandem keeps only a salted hash, never the value. Use "Ask Claude instead" to send the question again.` });
  }

  /** The question of answer `of` with the files it was sent with (for a compare run). */
  questionOf(of: string): { text: string; kind: UserTurn['kind']; chips: ContextChip[]; files: ContextFile[] } | undefined {
    const question = questionOf(this.turns, of);
    if (!question) return undefined;
    return { text: question.text, kind: question.kind, chips: question.chips, files: this.sentFiles.get(question.id) ?? this.deps.resolveFiles(question.chips) };
  }

  /** Thumbs on an answer: kept on the turn and sent to the engine. */
  rate(id: string, rating: 'up' | 'down'): void {
    const turn = this.assistant(id);
    if (!turn?.answer?.entryId || turn.rating === rating) return;
    this.replace({ ...turn, rating });
    this.feedback(id, rating === 'up' ? 'thumbs-up' : 'thumbs-down');
  }

  /** A code block (or the whole answer) was copied or inserted. */
  used(id: string | undefined, signal: 'code-copied' | 'code-inserted' | 'answer-copied'): void {
    if (id) this.feedback(id, signal);
  }

  /** Opens VS Code's Refactor Preview for an answer's edits and records the outcome in the thread. */
  async preview(id: string): Promise<void> {
    const turn = this.assistant(id);
    const pending = this.edits.get(id);
    if (!turn?.refactor) return;
    if (!pending) {
      this.post({ type: 'notice', message: 'These edits are no longer available (the window was reloaded). Ask again to get fresh edits.' });
      return;
    }
    this.replace({ ...turn, refactor: { ...turn.refactor, outcome: 'previewing', message: undefined, applied: undefined, undone: undefined } });
    let report: ApplyReport;
    try {
      report = await this.deps.applyRefactor(pending);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log.warn(`Applying refactor edits failed: ${message}`);
      this.replace({ ...turn, refactor: { ...turn.refactor, outcome: 'failed', message } });
      return;
    }
    // Files refused now (a symlink swapped in since the answer) join those the engine refused.
    const refused: RefusedFile[] = [...(turn.refactor.refused ?? [])];
    for (const r of report.refused) if (!refused.some((x) => x.description === r.description)) refused.push(r);
    this.replace({ ...turn, refactor: { ...turn.refactor, outcome: report.outcome, message: report.message, applied: report.applied, refused } });
    this.refactorFeedback(id, report);
  }

  clear(): void {
    for (const source of this.running.values()) source.cancel();
    this.turns = [];
    this.edits.clear();
    this.sentFiles.clear();
    this.persist();
    this.post({ type: 'init', turns: [], chips: [], running: this.engine.isRunning() });
  }

  dispose(): void {
    for (const source of this.running.values()) source.cancel();
    for (const watch of this.undoWatches.values()) watch.dispose();
  }

  /** What the user did in the preview, as the documents show it (a stale or refused apply says nothing about the
   * answer); an undo of what was written within 5 minutes takes it back. */
  private refactorFeedback(id: string, report: ApplyReport): void {
    if (report.outcome !== 'applied' && report.outcome !== 'discarded') return;
    // A file changed beyond the edits (null) counts as written: the user kept it.
    const written = report.applied.reduce((n, f) => n + (f.applied ?? f.of), 0);
    const proposed = report.applied.reduce((n, f) => n + f.of, 0);
    const signal: FeedbackSignal = report.outcome === 'discarded' || written === 0 ? 'refactor-discarded' : written >= proposed ? 'refactor-applied' : 'refactor-partly-applied';
    this.feedback(id, signal, { applied: written, proposed });
    this.undoWatches.get(id)?.dispose();
    this.undoWatches.delete(id);
    if (written === 0 || report.changed.length === 0) return;
    this.undoWatches.set(
      id,
      this.deps.watchUndo(report.changed, () => {
        this.undoWatches.delete(id);
        const now = this.assistant(id);
        if (now?.refactor) this.replace({ ...now, refactor: { ...now.refactor, undone: true } });
        this.feedback(id, 'edits-undone');
      }),
    );
  }

  private assistant(id: string): AssistantTurn | undefined {
    return this.turns.find((t): t is AssistantTurn => t.id === id && t.role === 'assistant');
  }

  /** Sends feedback on answer `id` to the engine (answers without a ledger entry have none to link). */
  private feedback(id: string, signal: FeedbackSignal, extra: { applied?: number; proposed?: number } = {}): void {
    const entryId = this.assistant(id)?.answer?.entryId;
    if (entryId) this.engine.feedback({ entryId, signal, ...extra });
  }

  private add(turn: Turn): void {
    this.turns.push(turn);
    if (this.turns.length > MAX_TURNS) this.turns.splice(0, this.turns.length - MAX_TURNS);
    this.post({ type: 'turn', turn });
    this.persist();
  }

  private replace(turn: AssistantTurn): void {
    const i = this.turns.findIndex((t) => t.id === turn.id);
    if (i >= 0) this.turns[i] = turn;
    this.post({ type: 'turn', turn });
    this.persist();
  }

  private finish(turn: AssistantTurn): void {
    const i = this.turns.findIndex((t) => t.id === turn.id);
    if (i >= 0) this.turns[i] = turn;
    this.post({ type: 'done', id: turn.id, turn });
    this.persist();
  }

  private persist(): void {
    this.deps.state.update(HISTORY_KEY, this.turns).then(undefined, (error: unknown) => {
      this.deps.log.warn(`Could not save the chat history: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
