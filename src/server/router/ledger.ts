// The cost ledger: append-only JSONL in the data dir, one entry per request, and feedback lines about them (their own
// record type: never a request, never money). Other engine processes
// (other windows) may append too, so reads pick up new bytes since the last read. A line torn by a crash
// is closed with a newline before the next append and counted as skipped, never as money.
// Totals by day, month and kind are kept running as entries arrive (from this engine or another), so a routing
// decision reads two numbers instead of adding up the whole file. The budget fails closed: an entry that cannot
// be written still counts (in memory), is written again at the next chance, and until it is, `problem` says
// why cloud requests must wait.
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LedgerEntry, LedgerFeedback, LedgerTotals } from '../../shared/protocol.js';
import { addTo, dayKey, emptyTotals, monthKey, parseLedger, type Totals } from './ledger-math.js';

export const LEDGER_FILE = 'ledger.jsonl';

const isFeedbackLine = (e: LedgerEntry | LedgerFeedback): e is LedgerFeedback => (e as Partial<LedgerFeedback>).type === 'feedback';

export class Ledger {
  readonly file: string;
  private readonly all: LedgerEntry[] = [];
  private readonly notes: LedgerFeedback[] = [];
  private byDay: Record<string, LedgerTotals> = {};
  private byMonth: Record<string, LedgerTotals> = {};
  private byKind: Record<string, LedgerTotals> = {};
  private offset = 0;
  private pending = Buffer.alloc(0);
  /** Records counted here but not yet in the file: written again before the next one. */
  private readonly unwritten: (LedgerEntry | LedgerFeedback)[] = [];
  /** Ids counted so far: an entry counted before it reached the file, or written twice by a retry after a partial
   * write, is not counted again when read back. */
  private readonly seen = new Set<string>();
  private writeError: string | undefined;
  private readError: string | undefined;
  skipped = 0;

  constructor(dataDir: string) {
    this.file = join(dataDir, LEDGER_FILE);
  }

  /** Why the ledger cannot be trusted to count cloud spend right now, or undefined. */
  get problem(): string | undefined {
    if (this.writeError) return `The cost ledger (${this.file}) cannot be written (${this.writeError}), so spend could go uncounted`;
    if (this.readError) return `The cost ledger (${this.file}) cannot be read (${this.readError}), so what was spent is unknown`;
    return undefined;
  }

  /** Reads what was appended since the last call (by this or another process). */
  sync(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        this.readError = undefined;
        if (this.offset > 0) this.reset();
      } else this.readError = code ?? String(error);
      return;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
      const size = st.size;
      // Replaced or truncated by hand: start over.
      if (size < this.offset) this.reset();
      if (size > this.offset) this.readFrom(fd, size);
      this.readError = undefined;
    } catch (error) {
      this.readError = (error as NodeJS.ErrnoException).code ?? String(error);
    } finally {
      closeSync(fd);
    }
  }

  private reset(): void {
    this.all.length = 0;
    this.notes.length = 0;
    this.byDay = {};
    this.byMonth = {};
    this.byKind = {};
    this.offset = 0;
    this.pending = Buffer.alloc(0);
    this.skipped = 0;
    this.seen.clear();
    // What never reached the file still counts.
    for (const e of this.unwritten) this.count(e);
  }

  private readFrom(fd: number, size: number): void {
    const chunk = Buffer.alloc(size - this.offset);
    let read = 0;
    while (read < chunk.length) {
      const n = readSync(fd, chunk, read, chunk.length - read, this.offset + read);
      if (n === 0) break;
      read += n;
    }
    this.offset += read;
    const bytes = Buffer.concat([this.pending, chunk.subarray(0, read)]);
    const lastNewline = bytes.lastIndexOf(0x0a);
    const parsed = parseLedger(bytes.subarray(0, lastNewline + 1).toString('utf8'));
    for (const e of parsed.entries) if (!this.seen.has(e.id)) this.count(e);
    for (const f of parsed.feedback) if (!this.seen.has(f.id)) this.count(f);
    this.skipped += parsed.skipped;
    this.pending = Buffer.from(bytes.subarray(lastNewline + 1));
  }

  private count(e: LedgerEntry | LedgerFeedback): void {
    this.seen.add(e.id);
    if (isFeedbackLine(e)) {
      this.notes.push(e);
      return;
    }
    this.all.push(e);
    addTo((this.byDay[dayKey(e.time)] ??= emptyTotals()), e);
    addTo((this.byMonth[monthKey(e.time)] ??= emptyTotals()), e);
    addTo((this.byKind[e.kind] ??= emptyTotals()), e);
  }

  /** Appends one entry or feedback line as one write (after any that could not be written before). A torn last line
   * is closed first so it cannot swallow it. Never throws: false when it is counted but not yet in the file. */
  append(entry: LedgerEntry | LedgerFeedback): boolean {
    this.sync();
    this.count(entry);
    this.unwritten.push(entry);
    return this.flush();
  }

  /** Writes the entries that could not be written before; true when none is left. */
  flush(): boolean {
    if (this.unwritten.length === 0) return true;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const lines = this.unwritten.map((e) => JSON.stringify(e) + '\n').join('');
      appendFileSync(this.file, this.pending.length > 0 ? '\n' + lines : lines, { mode: 0o600 });
      this.unwritten.length = 0;
      this.writeError = undefined;
    } catch (error) {
      this.writeError = (error as NodeJS.ErrnoException).code ?? String(error);
      return false;
    }
    this.sync();
    return true;
  }

  entries(): LedgerEntry[] {
    this.sync();
    return this.all;
  }

  /** Feedback lines, oldest first. */
  feedback(): LedgerFeedback[] {
    this.sync();
    return this.notes;
  }

  /** Skipped lines, counting a torn tail that no newline has closed yet. */
  skippedLines(): number {
    return this.skipped + (this.pending.length > 0 ? 1 : 0);
  }

  /** The running totals (no pass over the entries). */
  totals(now = new Date()): Totals {
    this.sync();
    return {
      today: this.byDay[dayKey(now)] ?? emptyTotals(),
      month: this.byMonth[monthKey(now)] ?? emptyTotals(),
      byDay: this.byDay,
      byMonth: this.byMonth,
      byKind: this.byKind,
    };
  }
}
