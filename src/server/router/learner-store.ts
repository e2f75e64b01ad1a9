// The learner's state as a small file in the data dir (router-learner.json). Updates change memory at once (a few
// microseconds) and are written, debounced, with one atomic rename. Engines of other windows share the file: each
// keeps the changes it has not written yet as deltas and, before writing, adds them to what is on disk, so
// nobody's feedback is lost; a changed file is re-read before the next decision. A reset starts a new generation.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LearnedContext, LearnedState } from '../../shared/protocol.js';
import type { RoutingPolicy } from '../../shared/settings.js';
import { describeKey, levelNumber } from './learn-context.js';
import {
  addCounts,
  advise,
  armCounts,
  confidenceOf,
  decisionRecord,
  emptyData,
  estimate,
  noteConfidence,
  noteDecision,
  outcomeDelta,
  WINDOW,
  type Advice,
  type ConfidenceView,
  type Counts,
  type LearnerData,
  type Outcome,
  type SoftRoute,
} from './learner.js';

export const LEARNER_FILE = 'router-learner.json';
const WRITE_DELAY_MS = 250;
/** Contexts kept at most; those with the least evidence go first. */
const MAX_KEYS = 2000;

interface Pending {
  since: number;
  counts: Record<string, Counts>;
  events: number;
  scores: number[];
  routes: string[];
  confidence: Record<string, number[]>;
}

function noPending(): Pending {
  return { since: Date.now(), counts: {}, events: 0, scores: [], routes: [], confidence: {} };
}

function isData(value: unknown): value is LearnerData {
  const d = value as Partial<LearnerData> | null;
  return (
    !!d &&
    d.version === 1 &&
    typeof d.generation === 'string' &&
    typeof d.events === 'number' &&
    !!d.counts &&
    typeof d.counts === 'object' &&
    Array.isArray(d.scores) &&
    Array.isArray(d.routes) &&
    !!d.confidence &&
    typeof d.confidence === 'object'
  );
}

/** `pending` added to (a copy of) `base`. */
function withPending(base: LearnerData, pending: Pending): LearnerData {
  const out = structuredClone(base);
  addCounts(out.counts, pending.counts, true);
  out.events += pending.events;
  out.scores.push(...pending.scores);
  out.routes.push(...pending.routes);
  out.scores.splice(0, Math.max(0, out.scores.length - WINDOW));
  out.routes.splice(0, Math.max(0, out.routes.length - WINDOW));
  for (const [model, values] of Object.entries(pending.confidence)) for (const v of values) noteConfidence(out, model, v);
  return out;
}

function prune(data: LearnerData): void {
  const keys = Object.keys(data.counts);
  if (keys.length <= MAX_KEYS) return;
  const weight = (k: string) => {
    const c = data.counts[k] as Counts;
    return c.la + c.lr + c.ca + c.cr;
  };
  for (const k of keys.sort((a, b) => weight(a) - weight(b)).slice(0, keys.length - MAX_KEYS)) delete data.counts[k];
}

export class Learner {
  readonly file: string;
  private base: LearnerData;
  private view: LearnerData;
  private pending = noPending();
  private stamp = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    dataDir: string,
    private readonly log: { warn(message: string): void },
  ) {
    this.file = join(dataDir, LEARNER_FILE);
    this.base = this.read() ?? emptyData(randomUUID());
    this.view = structuredClone(this.base);
  }

  /** The current state (re-read first when another engine wrote the file). */
  data(): LearnerData {
    this.refresh();
    return this.view;
  }

  advise(key: string, soft: SoftRoute, cloudShare: number): Advice {
    return advise(this.data(), key, soft, cloudShare);
  }

  /** A question ran: keep its score and learned route for the calibration. */
  noteDecision(advice: Advice, finalRoute: 'local' | 'cloud' | 'blocked'): void {
    const record = decisionRecord(advice, finalRoute);
    if (!record) return;
    noteDecision(this.view, record);
    if (record.score !== undefined) this.pending.scores.push(record.score);
    this.pending.routes.push(record.mark);
    this.schedule();
  }

  confidence(model: string, meanLogProb: number, key: string): ConfidenceView {
    return confidenceOf(this.data(), model, meanLogProb, key);
  }

  noteConfidence(model: string, meanLogProb: number): void {
    noteConfidence(this.view, model, meanLogProb);
    (this.pending.confidence[model] ??= []).push(meanLogProb);
    this.schedule();
  }

  /** Adds (sign 1) or takes back (sign -1) an answer's outcome; `events` feedback events were used. */
  observe(key: string, side: 'local' | 'cloud', outcome: Outcome, sign: 1 | -1, events: number, confidenceLevel?: string): void {
    const delta = outcomeDelta(key, side, outcome, sign, confidenceLevel);
    addCounts(this.view.counts, delta, true);
    addCounts(this.pending.counts, delta, false);
    this.view.events += events;
    this.pending.events += events;
    this.schedule();
  }

  /** Forgets everything learned, for every engine sharing the data dir. */
  reset(): void {
    this.pending = noPending();
    this.base = emptyData(randomUUID(), new Date().toISOString());
    this.view = structuredClone(this.base);
    this.write(this.base);
  }

  /** What was learned, for the routing panel. */
  state(policy: RoutingPolicy, cloudShare: number): LearnedState {
    const data = this.data();
    const contexts: LearnedContext[] = Object.entries(data.counts)
      .map(([key, c]) => {
        const soft: SoftRoute = key.startsWith('refactor-n') ? 'cloud' : 'local';
        const est = estimate(data, key.split('#')[0] as string, soft);
        return {
          key,
          label: describeKey(key),
          level: levelNumber(key),
          local: armCounts(c, 'local'),
          cloud: armCounts(c, 'cloud'),
          estimate: { local: Math.round(est.local.p * 1000) / 1000, cloud: Math.round(est.cloud.p * 1000) / 1000 },
        };
      })
      .filter((c) => c.local.accepted + c.local.rejected + c.cloud.accepted + c.cloud.rejected > 0)
      .sort((a, b) => b.local.accepted + b.local.rejected + b.cloud.accepted + b.cloud.rejected - (a.local.accepted + a.local.rejected + a.cloud.accepted + a.cloud.rejected))
      .slice(0, 200);
    return { policy, cloudShare, events: Math.round(data.events), ...(data.resetAt ? { resetAt: data.resetAt } : {}), contexts };
  }

  /** Writes what is pending now (shutdown, tests). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    if (Object.keys(pending.counts).length === 0 && pending.events === 0 && pending.scores.length === 0 && Object.keys(pending.confidence).length === 0) return;
    const disk = this.read();
    // What was learned before another engine's reset is dropped with the rest.
    const resetElsewhere = disk !== undefined && disk.generation !== this.base.generation && disk.resetAt !== undefined && Date.parse(disk.resetAt) > pending.since;
    const next = resetElsewhere ? disk : withPending(disk ?? this.base, pending);
    prune(next);
    this.pending = noPending();
    this.base = next;
    this.view = structuredClone(next);
    this.write(next);
  }

  dispose(): void {
    this.flush();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      try {
        this.flush();
      } catch (error) {
        this.log.warn(`Router learning: could not write ${this.file}: ${String(error)}`);
      }
    }, WRITE_DELAY_MS);
    this.timer.unref?.();
  }

  private refresh(): void {
    const stamp = this.currentStamp();
    if (stamp === this.stamp) return;
    const disk = this.read();
    if (!disk) return;
    if (disk.generation !== this.base.generation && disk.resetAt) this.pending = noPending();
    this.base = disk;
    this.view = withPending(disk, this.pending);
  }

  private currentStamp(): string {
    try {
      const st = statSync(this.file);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return '';
    }
  }

  /** The file's state; undefined when there is none. A corrupt file is set aside (never lost) and reported. */
  private read(): LearnerData | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      this.stamp = '';
      return undefined;
    }
    this.stamp = this.currentStamp();
    try {
      const value: unknown = JSON.parse(text);
      if (isData(value)) return value;
    } catch {
      // handled below
    }
    const aside = `${this.file}.corrupt-${Date.now()}`;
    try {
      renameSync(this.file, aside);
      this.log.warn(`Router learning: ${this.file} was unreadable; it was moved to ${aside} and learning starts over.`);
    } catch (error) {
      this.log.warn(`Router learning: ${this.file} is unreadable and could not be moved aside: ${String(error)}`);
    }
    this.stamp = '';
    return undefined;
  }

  private write(data: LearnerData): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.stamp = this.currentStamp();
  }
}
