// What the user does with inline suggestions, for the engine's ledger and learner: shown, accepted whole (VS Code
// runs the item's command), accepted by word or by line (the accept inserts a part of the suggestion at the
// cursor in one edit), dismissed (the user typed something else, moved away or edited elsewhere), and retention:
// whether accepted text is still in the document 30 s and 5 min later. VS Code 1.99 offers no stable event for
// shown / partial accept / rejection (those hooks are a proposed API), so this reads them from the document and
// cursor events it does offer. Pure: no `vscode` import; the wiring feeds it events.
import type { Feedback, FeedbackSignal } from '../shared/protocol';

export interface Suggestion {
  entryId: string;
  uri: string;
  /** Document offset of the cursor the suggestion was made for. */
  offset: number;
  text: string;
}

export interface DocumentChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

export interface FeedbackTrackerDeps {
  send(feedback: Feedback): void;
  /** The document's current text, or undefined when it cannot be read. */
  textOf(uri: string): Promise<string | undefined>;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** When to check that accepted text is still there (default 30 s and 5 min). */
  retentionMs?: readonly [number, number];
}

/** Shown and dismissed counts are sent in batches at most this often. */
export const BATCH_MS = 5000;
const RETENTION_MS: readonly [number, number] = [30_000, 300_000];
const MAX_TRACKED = 200;
/** How far around its place accepted text is looked for (lines above may have been added or removed). */
const SLACK_CHARS = 400;

interface Current extends Suggestion {
  /** Part of it was accepted already: dropping the rest is not a dismissal. */
  partlyAccepted: boolean;
}

interface Tracked {
  entryId: string;
  uri: string;
  offset: number;
  text: string;
  timers: unknown[];
}

/** Whether accepted text survives: all of it near its place, or most of its non-blank lines. */
export function isRetained(documentText: string, offset: number, accepted: string): boolean {
  const wanted = accepted.trim();
  if (!wanted) return true;
  const window = documentText.slice(Math.max(0, offset - SLACK_CHARS), offset + accepted.length + SLACK_CHARS);
  if (window.includes(wanted)) return true;
  const lines = wanted.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2) return false;
  return lines.filter((l) => window.includes(l)).length / lines.length >= 0.7;
}

export class CompletionFeedback {
  private current: Current | undefined;
  private readonly batch = new Map<string, number>();
  private batchTimer: unknown;
  private readonly tracked = new Set<Tracked>();
  /** Whole accepts already counted from the edit, so the item's command does not count them again. */
  private readonly counted = new Set<string>();
  /** The last suggestion counted as dismissed, in case the whole-accept command for it follows the edit. */
  private lastDropped: { entryId: string; at: number } | undefined;
  private disposed = false;

  constructor(private readonly deps: FeedbackTrackerDeps) {}

  /** A suggestion came back for the cursor and VS Code shows it. */
  offered(s: Suggestion): void {
    const cur = this.current;
    // The same suggestion continuing after typed-through characters (the engine answers the rest from its cache).
    if (cur && cur.entryId === s.entryId && cur.uri === s.uri && cur.offset === s.offset && cur.text === s.text) return;
    this.current = { ...s, partlyAccepted: false };
    this.count(s.entryId, 'completion-shown');
  }

  /** The item's command ran: VS Code inserted the whole suggestion. */
  acceptedWhole(ref: { entryId: string; text: string }): void {
    const key = `${ref.entryId}\u0000${ref.text}`;
    if (this.counted.delete(key)) return;
    // VS Code inserted the suggestion in a shape this did not recognise (and counted as a dismissal): undo that.
    if (this.lastDropped?.entryId === ref.entryId && Date.now() - this.lastDropped.at < 1000) this.uncount(ref.entryId, 'completion-dismissed');
    this.lastDropped = undefined;
    const cur = this.current;
    if (cur && cur.entryId === ref.entryId) this.accept(cur, cur.text, 'completion-accepted');
    else this.deps.send({ entryId: ref.entryId, signal: 'completion-accepted', chars: ref.text.length });
    this.current = undefined;
  }

  /** Edits of a document (in the order VS Code reports them). */
  changed(uri: string, changes: readonly DocumentChange[]): void {
    for (const t of this.tracked) if (t.uri === uri) t.offset = shifted(t.offset, changes);
    const cur = this.current;
    if (!cur || cur.uri !== uri) return;
    const only = changes.length === 1 ? changes[0] : undefined;
    if (!only || only.rangeLength !== 0 || only.rangeOffset !== cur.offset || !only.text || !cur.text.startsWith(only.text)) {
      this.drop();
      return;
    }
    const inserted = only.text;
    if (inserted === cur.text) {
      // Partial accepts that happen to take everything run no command: keep the set small.
      if (this.counted.size > 50) this.counted.clear();
      this.counted.add(`${cur.entryId}\u0000${cur.text}`);
      this.accept(cur, inserted, 'completion-accepted');
      this.current = undefined;
      return;
    }
    if (inserted.length > 1) {
      // Accept Word / Accept Line: one edit that inserts a part of the suggestion.
      const rest = cur.text.slice(inserted.length);
      const byLine = /\n$/.test(inserted) || /^\r?\n/.test(rest);
      this.accept(cur, inserted, byLine ? 'completion-accepted-line' : 'completion-accepted-word');
      cur.partlyAccepted = true;
    }
    // One typed character that matches: the suggestion stays on screen with the rest.
    cur.offset += inserted.length;
    cur.text = cur.text.slice(inserted.length);
  }

  /** The cursor moved (or the active editor changed): a suggestion left behind was dismissed. */
  cursorAt(uri: string | undefined, offset: number | undefined): void {
    const cur = this.current;
    if (cur && (uri !== cur.uri || offset !== cur.offset)) this.drop();
  }

  /** Sends what is batched and stops the retention checks. */
  dispose(): void {
    this.disposed = true;
    this.flush();
    for (const t of this.tracked) for (const timer of t.timers) this.deps.clearTimer(timer);
    this.tracked.clear();
  }

  /** Sends the batched counts now. */
  flush(): void {
    if (this.batchTimer !== undefined) this.deps.clearTimer(this.batchTimer);
    this.batchTimer = undefined;
    for (const [key, count] of this.batch) {
      const [entryId, signal] = key.split('\u0000') as [string, FeedbackSignal];
      this.deps.send({ entryId, signal, count });
    }
    this.batch.clear();
  }

  private drop(): void {
    const cur = this.current;
    this.current = undefined;
    if (cur && !cur.partlyAccepted) {
      this.count(cur.entryId, 'completion-dismissed');
      this.lastDropped = { entryId: cur.entryId, at: Date.now() };
    }
  }

  private uncount(entryId: string, signal: FeedbackSignal): void {
    const key = `${entryId}\u0000${signal}`;
    const n = (this.batch.get(key) ?? 0) - 1;
    if (n > 0) this.batch.set(key, n);
    else this.batch.delete(key);
  }

  private count(entryId: string, signal: FeedbackSignal): void {
    const key = `${entryId}\u0000${signal}`;
    this.batch.set(key, (this.batch.get(key) ?? 0) + 1);
    if (this.batchTimer === undefined && !this.disposed) this.batchTimer = this.deps.setTimer(() => this.flush(), BATCH_MS);
  }

  private accept(cur: Current, text: string, signal: FeedbackSignal): void {
    this.deps.send({ entryId: cur.entryId, signal, chars: text.length });
    if (this.disposed || this.tracked.size >= MAX_TRACKED || !text.trim()) return;
    const tracked: Tracked = { entryId: cur.entryId, uri: cur.uri, offset: cur.offset, text, timers: [] };
    const [first, second] = this.deps.retentionMs ?? RETENTION_MS;
    const check = (retained: FeedbackSignal, lost: FeedbackSignal, last: boolean) => async () => {
      if (last) this.tracked.delete(tracked);
      const now = await this.deps.textOf(tracked.uri);
      if (now === undefined || this.disposed) return;
      const kept = isRetained(now, tracked.offset, tracked.text);
      this.deps.send({ entryId: tracked.entryId, signal: kept ? retained : lost, chars: tracked.text.length });
    };
    tracked.timers.push(
      this.deps.setTimer(() => void check('completion-retained-30s', 'completion-lost-30s', false)(), first),
      this.deps.setTimer(() => void check('completion-retained-5m', 'completion-lost-5m', true)(), second),
    );
    this.tracked.add(tracked);
  }
}

/** Where an offset ends up after edits (edits after it leave it; edits before it move it). */
function shifted(offset: number, changes: readonly DocumentChange[]): number {
  let out = offset;
  for (const c of changes) {
    if (c.rangeOffset + c.rangeLength <= out) out += c.text.length - c.rangeLength;
    else if (c.rangeOffset < out) out = c.rangeOffset + c.text.length;
  }
  return out;
}
