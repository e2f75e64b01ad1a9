// The cost ledger: append-only JSONL in the data dir, one entry per request. Other engine processes
// (other windows) may append too, so reads pick up new bytes since the last read. A line torn by a crash
// is closed with a newline before the next append and counted as skipped, never as money.
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LedgerEntry, LedgerFeedback } from '../../shared/protocol.js';
import { parseLedger, totalsOf, type Totals } from './ledger-math.js';

export const LEDGER_FILE = 'ledger.jsonl';

export class Ledger {
  readonly file: string;
  private readonly all: LedgerEntry[] = [];
  private readonly notes: LedgerFeedback[] = [];
  private offset = 0;
  private pending = Buffer.alloc(0);
  skipped = 0;

  constructor(dataDir: string) {
    this.file = join(dataDir, LEDGER_FILE);
  }

  /** Reads what was appended since the last call (by this or another process). */
  sync(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return; // no ledger yet
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        // Replaced or truncated by hand: start over.
        this.all.length = 0;
        this.notes.length = 0;
        this.offset = 0;
        this.pending = Buffer.alloc(0);
        this.skipped = 0;
      }
      if (size === this.offset) return;
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
      this.all.push(...parsed.entries);
      this.notes.push(...parsed.feedback);
      this.skipped += parsed.skipped;
      this.pending = Buffer.from(bytes.subarray(lastNewline + 1));
    } finally {
      closeSync(fd);
    }
  }

  /** Appends one entry (or feedback line) as one write. A torn last line is closed first so it cannot swallow it. */
  append(entry: LedgerEntry | LedgerFeedback): void {
    mkdirSync(dirname(this.file), { recursive: true });
    this.sync();
    const line = JSON.stringify(entry) + '\n';
    appendFileSync(this.file, this.pending.length > 0 ? '\n' + line : line, { mode: 0o600 });
    this.sync();
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

  totals(now = new Date()): Totals {
    return totalsOf(this.entries(), now);
  }
}
