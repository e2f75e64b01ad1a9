// Values the user said are not secrets: `tandem.privacy.allow` (regexes between slashes for values, globs for
// files whose findings are fine) and the "Allow this value" answers, kept as salted SHA-256 hashes in
// `<dataDir>/allowed-values.json` (mode 0600), never the values. The salt is made once per data dir, so the
// hashes mean nothing elsewhere; the same salted hash tags redaction placeholders, so one secret gets one
// placeholder. Engines of several windows share the file: it is read again when it changes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { globMatcher } from '../../../shared/glob.js';

export const ALLOW_FILE = 'allowed-values.json';
const HASH = /^[0-9a-f]{64}$/;
const MAX_HASHES = 10_000;

interface Stored {
  salt: string;
  hashes: string[];
}

export interface AllowRules {
  /** Value regexes from the setting (`/…/flags`). */
  values: RegExp[];
  /** File globs from the setting. */
  files: string[];
  /** Entries that could not be used, in words. */
  problems: string[];
}

/** Splits `tandem.privacy.allow` into value regexes and file globs. A bad regex is reported, never fatal. */
export function allowRules(entries: readonly unknown[]): AllowRules {
  const out: AllowRules = { values: [], files: [], problems: [] };
  for (const entry of entries) {
    if (typeof entry !== 'string' || !entry.trim()) continue;
    const m = /^\/(.+)\/([a-z]*)$/s.exec(entry.trim());
    if (!m) {
      out.files.push(entry.trim());
      continue;
    }
    try {
      out.values.push(new RegExp(m[1], m[2].replace(/[gy]/g, '')));
    } catch (error) {
      out.problems.push(`tandem.privacy.allow: ${entry} is not a valid regular expression (${(error as Error).message}).`);
    }
  }
  return out;
}

export class AllowList {
  private stored: Stored | undefined;
  private hashes = new Set<string>();
  private mtime = -1;
  private checked = 0;
  private readonly file: string;

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, ALLOW_FILE);
  }

  /** The salted hash of a value: what "Allow this value" stores, and the tag of its placeholder. */
  hash(value: string): string {
    return createHash('sha256').update(this.load().salt).update('\0').update(value).digest('hex');
  }

  /** Allowed by an "Allow this value" answer, a value regex, or a file glob matching one of `paths`. */
  allows(value: string, rules: AllowRules, paths: readonly (string | undefined)[] = []): boolean {
    if (rules.values.some((re) => re.test(value))) return true;
    if (rules.files.length && paths.length && globMatcher(rules.files, { nocase: true })(paths)) return true;
    this.load();
    return this.hashes.size > 0 && this.hashes.has(this.hash(value));
  }

  /** Stores salted hashes the client got with a decision; returns how many are new. */
  add(hashes: readonly unknown[]): number {
    const stored = this.load(true);
    let added = 0;
    for (const h of hashes) {
      if (typeof h !== 'string' || !HASH.test(h) || this.hashes.has(h)) continue;
      this.hashes.add(h);
      stored.hashes.push(h);
      added++;
    }
    if (stored.hashes.length > MAX_HASHES) stored.hashes.splice(0, stored.hashes.length - MAX_HASHES);
    if (added && !this.write(stored)) throw new Error(`could not write ${this.file}`);
    return added;
  }

  private load(force = false): Stored {
    const now = Date.now();
    // Another window may have allowed a value: look at the file at most once a second.
    if (this.stored && !force && now - this.checked < 1000) return this.stored;
    this.checked = now;
    let mtime = 0;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch {
      // No file yet: a salt is made below.
    }
    if (this.stored && mtime === this.mtime) return this.stored;
    let next: Stored | undefined;
    if (mtime) {
      try {
        const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Stored>;
        if (typeof raw.salt === 'string' && raw.salt.length >= 32) {
          next = { salt: raw.salt, hashes: Array.isArray(raw.hashes) ? raw.hashes.filter((h): h is string => typeof h === 'string' && HASH.test(h)) : [] };
        }
      } catch {
        // A corrupt file allows nothing (fail closed); it is rewritten on the next "Allow this value".
      }
    }
    if (!next) {
      const fresh = !this.stored;
      next = this.stored ?? { salt: randomBytes(32).toString('hex'), hashes: [] };
      if (fresh && !mtime) this.write(next);
    }
    this.stored = next;
    this.hashes = new Set(next.hashes);
    this.mtime = mtime || this.mtime;
    return next;
  }

  private write(stored: Stored): boolean {
    try {
      mkdirSync(this.dataDir, { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(stored) + '\n', { mode: 0o600 });
      renameSync(tmp, this.file);
      this.mtime = statSync(this.file).mtimeMs;
      return true;
    } catch {
      // Read-only data dir: the salt lives for this engine only and nothing can be allowed for good.
      return false;
    }
  }
}
