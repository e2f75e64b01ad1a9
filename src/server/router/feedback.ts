// tandem/feedback: what the user did with an answer or an inline suggestion. Each signal (its shape checked by
// FeedbackSchema at the RPC boundary) must fit its entry; it is written to the ledger as a feedback line linked to
// the request's entry, and learned from. Inline-suggestion signals come often (every suggestion shown), so they
// are added up per entry and signal and written at most once a minute.
import { randomUUID } from 'node:crypto';
import { COMPLETION_SIGNALS } from '../../shared/feedback.js';
import type { Feedback, FeedbackSignal, LedgerEntry, LedgerFeedback } from '../../shared/protocol.js';
import { completionObservation, outcomeOf } from './learner.js';
import type { RouterService } from './service.js';

const COMPLETION = new Set<FeedbackSignal>(COMPLETION_SIGNALS);
const REFACTOR_SIGNALS = new Set<FeedbackSignal>(['refactor-applied', 'refactor-partly-applied', 'refactor-discarded', 'edits-undone']);

/** What the feedback service needs to know about an entry (a written one, or a completion bucket not written yet). */
export type KnownEntry = Pick<LedgerEntry, 'id' | 'kind' | 'route' | 'context' | 'confidence' | 'compare'>;

export class FeedbackService {
  /** Inline-suggestion signals added up per entry and signal until the next flush. */
  private readonly batched = new Map<string, LedgerFeedback>();
  private readonly entries = new Map<string, LedgerEntry>();
  private indexedEntries = 0;
  private readonly byEntry = new Map<string, LedgerFeedback[]>();
  private indexedFeedback = 0;

  constructor(
    private readonly state: RouterService,
    /** Entries not written yet (completion buckets of the current minute). */
    private readonly pendingEntry: (id: string) => KnownEntry | undefined,
    private readonly onWritten: (f: LedgerFeedback) => void,
  ) {}

  /** Records and learns from one signal (its shape checked by FeedbackSchema); returns why it was refused, if it was. */
  handle(f: Feedback): string | undefined {
    const entry = this.entry(f.entryId);
    if (!entry) return `Feedback for an unknown ledger entry (${f.entryId}) was dropped.`;
    const completion = COMPLETION.has(f.signal);
    if (completion !== (entry.kind === 'completion')) return `"${f.signal}" does not apply to a ${entry.kind} entry.`;
    if (f.signal.startsWith('compare-') && !entry.compare) return `"${f.signal}" applies only to compare runs.`;
    if (REFACTOR_SIGNALS.has(f.signal) && entry.kind !== 'refactor') return `"${f.signal}" applies only to refactors.`;
    const record: LedgerFeedback = {
      type: 'feedback',
      id: randomUUID(),
      time: new Date().toISOString(),
      entryId: f.entryId,
      signal: f.signal,
      count: f.count ?? 1,
      ...(f.chars !== undefined ? { chars: f.chars } : {}),
      ...(f.applied !== undefined ? { applied: f.applied } : {}),
      ...(f.proposed !== undefined ? { proposed: f.proposed } : {}),
    };
    if (completion) {
      this.learnCompletion(entry, record);
      const key = `${f.entryId}\u0000${f.signal}`;
      const batch = this.batched.get(key);
      if (batch) {
        batch.count += record.count;
        if (record.chars !== undefined) batch.chars = (batch.chars ?? 0) + record.chars;
      } else this.batched.set(key, record);
      return undefined;
    }
    this.learnAnswer(entry, record);
    this.write(record);
    return undefined;
  }

  /** Writes the batched inline-suggestion signals (once a minute, before the ledger is read, at shutdown). */
  flush(): void {
    const batch = [...this.batched.values()];
    this.batched.clear();
    for (const record of batch) this.write(record);
  }

  /** Feedback lines of an entry, oldest first. */
  feedbackOf(entryId: string): LedgerFeedback[] {
    this.index();
    return this.byEntry.get(entryId) ?? [];
  }

  private write(record: LedgerFeedback): void {
    // A line that cannot be written yet is kept and written with the next one (the ledger's own retry).
    if (!this.state.ledger.append(record)) this.state.ctx.log.error(`Ledger: ${this.state.ledger.problem ?? 'write failed'}; the feedback is written when it can be.`);
    this.onWritten(record);
  }

  private entry(id: string): KnownEntry | undefined {
    this.index();
    return this.entries.get(id) ?? this.pendingEntry(id);
  }

  /** Entries and feedback by id, read incrementally (another window may have appended). */
  private index(): void {
    const all = this.state.ledger.entries();
    const notes = this.state.ledger.feedback();
    if (all.length < this.indexedEntries || notes.length < this.indexedFeedback) {
      // The ledger was replaced: start over.
      this.entries.clear();
      this.byEntry.clear();
      this.indexedEntries = 0;
      this.indexedFeedback = 0;
    }
    for (; this.indexedEntries < all.length; this.indexedEntries++) {
      const e = all[this.indexedEntries] as LedgerEntry;
      this.entries.set(e.id, e);
    }
    for (; this.indexedFeedback < notes.length; this.indexedFeedback++) {
      const f = notes[this.indexedFeedback] as LedgerFeedback;
      const list = this.byEntry.get(f.entryId);
      if (list) list.push(f);
      else this.byEntry.set(f.entryId, [f]);
    }
  }

  private learnCompletion(entry: KnownEntry, record: LedgerFeedback): void {
    const observation = completionObservation(record.signal, record.count);
    if (observation && entry.context) this.state.learner.observe(entry.context, 'local', observation, 1, record.count);
  }

  /** An answer counts once: a stronger (or later, equally strong) signal replaces what it counted before. */
  private learnAnswer(entry: KnownEntry, record: LedgerFeedback): void {
    if (!entry.context || (entry.route !== 'local' && entry.route !== 'cloud')) return;
    const earlier = this.feedbackOf(entry.id);
    const before = outcomeOf(earlier);
    const after = outcomeOf([...earlier, record]);
    const level = entry.route === 'local' ? entry.confidence?.level : undefined;
    if (before) this.state.learner.observe(entry.context, entry.route, before, -1, 0, level);
    if (after) this.state.learner.observe(entry.context, entry.route, after, 1, 1, level);
  }
}
