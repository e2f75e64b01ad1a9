// Budget reservations shared by every engine on the data dir (each VS Code window runs one): a request reserves
// its worst case before sending, under an advisory lock on <dataDir>/reservations.json, against the ledger and
// every live reservation of every engine; the reservation is released after the request's cost is ledgered.
// An engine killed mid-request cannot hold budget forever: a reservation is a lease that its engine renews while
// the request runs, and one whose engine is gone (same host, no such process) or whose lease ran out is dropped.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { budgetRefusal, type BudgetLimits } from './budget.js';
import type { Ledger } from './ledger.js';
import { roundUsd } from './prices.js';

export const RESERVATIONS_FILE = 'reservations.json';
/** How long a reservation lives without being renewed; renewed every third of it while its request runs. */
export const LEASE_MS = 30_000;
/** A lock not refreshed for this long belongs to a dead engine (proper-lockfile's smallest allowed value). */
const LOCK_STALE_MS = 2000;

interface Held {
  id: string;
  /** The engine instance that holds it. */
  owner: string;
  host: string;
  pid: number;
  usd: number;
  expiresAt: number;
}

const HOST = hostname();

function alive(h: Held, now: number): boolean {
  if (h.expiresAt <= now) return false;
  if (h.host !== HOST || h.pid === process.pid) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isHeld(v: unknown): v is Held {
  const h = v as Held;
  return !!h && typeof h.id === 'string' && typeof h.owner === 'string' && typeof h.usd === 'number' && Number.isFinite(h.usd) && typeof h.expiresAt === 'number' && typeof h.pid === 'number';
}

export class SharedReservations {
  readonly file: string;
  private readonly mine = new Map<string, number>();
  private readonly owner = randomUUID();
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly ledger: Ledger,
    private readonly log: (message: string) => void,
  ) {
    this.file = join(dataDir, RESERVATIONS_FILE);
  }

  private read(now = Date.now()): Held[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter(isHeld).filter((h) => alive(h, now)) : [];
    } catch {
      return [];
    }
  }

  private write(held: Held[]): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(held), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  /** Runs `fn` holding the lock; a lock that cannot be had (another engine stuck, a read-only data dir) throws. */
  private async locked<T>(fn: () => T): Promise<T> {
    mkdirSync(this.dataDir, { recursive: true });
    // A lock whose holder died is taken over once it is `stale` (the holder refreshes it while alive; it holds it for
    // milliseconds). The retries outlast `stale`, so an engine killed while holding the lock (kill -9 in the middle
    // of a reservation) delays the next request by about two seconds instead of refusing it.
    const release = await lockfile.lock(this.file, { realpath: false, stale: LOCK_STALE_MS, retries: { retries: 70, factor: 1, minTimeout: 50, maxTimeout: 50 } });
    try {
      return fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  private ours(h: Held): boolean {
    return h.owner === this.owner;
  }

  /** The file as it should be: every other engine's live reservations, and this engine's, with a fresh lease. */
  private sync(): void {
    const expiresAt = Date.now() + LEASE_MS;
    const others = this.read().filter((h) => !this.ours(h));
    this.write([...others, ...[...this.mine].map(([id, usd]) => ({ id, owner: this.owner, host: HOST, pid: process.pid, usd, expiresAt }))]);
  }

  private othersUsd(): number {
    return this.read().reduce((n, h) => (this.ours(h) ? n : n + h.usd), 0);
  }

  private mineUsd(except?: string): number {
    let n = 0;
    for (const [id, usd] of this.mine) if (id !== except) n += usd;
    return n;
  }

  /** USD reserved by requests in flight in every engine on the data dir: this engine's as it holds them (also
   * those still on their way into the file), the others' as the file says (a snapshot, read without the lock). */
  get total(): number {
    return roundUsd(this.othersUsd() + this.mineUsd());
  }

  /** Reserves `usd` under `id` if it fits the budget with everything spent and reserved; the refusal otherwise.
   * The hold counts in this engine at once (a decision made right after sees it); then it is checked again, and
   * written, under the lock, against every other engine. */
  async tryReserve(id: string, usd: number, limits: BudgetLimits): Promise<string | undefined> {
    const spent = () => {
      const t = this.ledger.totals();
      return { today: t.today.costUsd, month: t.month.costUsd };
    };
    const quick = budgetRefusal(limits, spent(), this.total, usd);
    if (quick) return quick;
    this.mine.set(id, usd);
    let refusal: string | undefined;
    try {
      refusal = await this.locked(() => {
        const late = budgetRefusal(limits, spent(), roundUsd(this.othersUsd() + this.mineUsd(id)), usd);
        if (!late) this.sync();
        return late;
      });
    } catch (error) {
      this.log(`Budget reservation failed: ${String(error)}`);
      refusal = `The budget could not be checked against the other Tandem windows (${(error as NodeJS.ErrnoException).code ?? String(error)} on ${this.file}), so nothing was sent.`;
    }
    if (refusal) this.mine.delete(id);
    else this.renewWhileHeld();
    return refusal;
  }

  /** Lowers a reservation once the API reported what the prompt really costs (never raises it). */
  async lower(id: string, usd: number): Promise<void> {
    const current = this.mine.get(id);
    if (current === undefined || usd >= current) return;
    this.mine.set(id, usd);
    await this.locked(() => this.sync()).catch(() => undefined);
  }

  /** Drops the reservation: its request's cost is in the ledger now (or it never ran). */
  async release(id: string): Promise<void> {
    this.mine.delete(id);
    if (this.mine.size === 0) {
      clearInterval(this.renewal);
      this.renewal = undefined;
    }
    // A release that fails leaves a reservation that expires with its lease: too much held for a while, never too little.
    await this.locked(() => this.sync()).catch((error: unknown) => this.log(`Budget reservation not released: ${String(error)}`));
  }

  /** Renews this engine's leases while it holds any, and puts back one another engine dropped meanwhile. */
  private renewWhileHeld(): void {
    if (this.renewal) return;
    this.renewal = setInterval(() => void this.locked(() => this.sync()).catch(() => undefined), LEASE_MS / 3);
    this.renewal.unref();
  }
}
