// Cloud failures in words a user understands, and which of them count toward the circuit breaker. Pure.
import type { Usage } from './prices.js';

export type FailureKind =
  | 'rate-limit'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'stalled'
  | 'offline'
  | 'auth'
  | 'spend-limit'
  | 'bad-request'
  | 'cancelled'
  | 'blocked'
  /** The stream could not be parsed. */
  | 'malformed'
  | 'unknown';

export interface CloudFailure {
  kind: FailureKind;
  status?: number;
  retryAfterS?: number;
  /** The API's own message (never the request). */
  apiMessage?: string;
  requestId?: string;
  /** Seconds without a byte, for stalls. */
  seconds?: number;
  /** Attempts made and the time that really passed over all of them, in milliseconds. */
  attempts?: number;
  elapsedMs?: number;
  /** The request's deadline (tandem.cloud.deadlineMs) in seconds; `deadline` when it is what ended the request. */
  deadlineS?: number;
  deadline?: boolean;
  /** The API asked to wait longer than the deadline had left. */
  waitTooLong?: boolean;
  /** When the API said the cloud may be called again (epoch milliseconds), from its retry-after. */
  availableAt?: number;
  /** What the attempt used before it failed (an upper bound): it is spent, and ledgered. */
  usage?: Usage;
}

export class CloudError extends Error {
  override readonly name = 'CloudError';
  constructor(readonly failure: CloudFailure) {
    super(describeFailure(failure));
  }
}

/** Seconds with one decimal: "5.4 s". */
function secs(ms: number | undefined): string {
  return ms === undefined ? '? s' : `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
}

/** A wall-clock time in the engine's time zone: "14:05:33". */
export function clock(epochMs: number): string {
  return new Date(epochMs).toTimeString().slice(0, 8);
}

function wait(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
}

export function describeFailure(f: CloudFailure): string {
  const api = f.apiMessage ? ` (${f.apiMessage.slice(0, 200)})` : '';
  const tries = f.attempts && f.attempts > 1 ? `, ${f.attempts} attempts in ${secs(f.elapsedMs)}` : '';
  const again = f.availableAt ? `; it can be called again at ${clock(f.availableAt)}` : '';
  switch (f.kind) {
    case 'rate-limit':
      if (f.waitTooLong && f.retryAfterS !== undefined)
        return `Claude is rate-limiting this API key (429) and asks to wait ${wait(f.retryAfterS)}, longer than the ${f.deadlineS ?? '?'} s deadline allows${again}.`;
      return `Claude is rate-limiting this API key (429${tries})${f.retryAfterS !== undefined ? `; it asks to retry after ${wait(f.retryAfterS)}` : ''}${f.availableAt ? ` (at ${clock(f.availableAt)})` : ''}.`;
    case 'overloaded':
      return `Claude is overloaded right now (529${tries})${again || '. Try again in a minute'}.`;
    case 'server':
      return `The Anthropic API failed with a server error${f.status ? ` (${f.status}${tries})` : ''}${api}${again}.`;
    case 'timeout':
      if (f.deadline) return `Claude did not start answering within ${secs(f.elapsedMs)} (the deadline is ${f.deadlineS ?? '?'} s${tries ? `; ${f.attempts} attempts` : ''}).`;
      return `The Anthropic API did not answer within ${secs(f.elapsedMs)}${f.attempts && f.attempts > 1 ? ` (${f.attempts} attempts)` : ''}.`;
    case 'stalled':
      return `Claude's answer stalled: nothing arrived for ${f.seconds ?? '?'} s, so it was stopped.`;
    case 'offline':
      return `Cannot reach the Anthropic API: this machine looks offline, or the connection was refused${tries}. Check the network (and any proxy), then retry.`;
    case 'auth':
      return 'The Anthropic API key was rejected (401). Set a valid key with "Tandem: Set Anthropic API Key".';
    case 'spend-limit':
      return `Your Anthropic account has reached its spend limit (400)${api}. Raise it in the Anthropic console.`;
    case 'bad-request':
      return `The Anthropic API refused the request${f.status ? ` (${f.status})` : ''}${api}.`;
    case 'cancelled':
      return 'The request was cancelled.';
    case 'blocked':
      return `The egress gate refused to send the request${api}.`;
    case 'malformed':
      return `Claude's answer could not be read: the stream was malformed${api}.`;
    default:
      return `The Anthropic API call failed${f.status ? ` (${f.status})` : ''}${api}.`;
  }
}

/** Failures where Claude could not be reached at all: nothing to fix but the connection, so a retry may work. */
export function unreachable(f: CloudFailure): boolean {
  return f.kind === 'offline' || f.kind === 'timeout';
}

/** Failures that say the service is unhealthy (not the user's key, input or account). */
export function countsForBreaker(f: CloudFailure): boolean {
  return ['rate-limit', 'overloaded', 'server', 'timeout', 'stalled', 'offline', 'malformed'].includes(f.kind);
}

/** Classify an HTTP status and the API's error type into a failure kind. */
export function kindOf(status: number | undefined, errorType: string | undefined, message: string | undefined): FailureKind {
  if (errorType === 'overloaded_error' || status === 529) return 'overloaded';
  if (errorType === 'rate_limit_error' || status === 429) return 'rate-limit';
  if (errorType === 'authentication_error' || status === 401) return 'auth';
  if (errorType === 'timeout_error' || status === 504 || status === 408) return 'timeout';
  if (status === 400 && /spend|credit|billing|limit/i.test(message ?? '')) return 'spend-limit';
  if (errorType === 'billing_error' || status === 402) return 'spend-limit';
  if (errorType === 'api_error' || (status !== undefined && status >= 500)) return 'server';
  if (status !== undefined && status >= 400) return 'bad-request';
  return 'unknown';
}

/** After repeated failures the cloud is paused, growing from `baseMs` to `maxMs`; one trial call reopens it. */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trips = 0;
  lastFailure: CloudFailure | undefined;

  constructor(
    private readonly threshold = 3,
    private readonly baseMs = 30_000,
    private readonly maxMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Set when the pause is the API's own retry-after: until then every call would be refused anyway. */
  private askedUntil = 0;

  /** Words for the policy while paused, else undefined. */
  pausedReason(): string | undefined {
    const left = this.openUntil - this.now();
    if (left <= 0) return undefined;
    const last = this.lastFailure ? ` The last error: ${describeFailure(this.lastFailure)}` : '';
    if (this.askedUntil >= this.openUntil)
      return `Claude asked not to be called again before ${clock(this.openUntil)}, so cloud requests are paused until then (${Math.ceil(left / 1000)} s).${last}`;
    return `Claude failed ${this.failures} times in a row, so cloud requests are paused for ${Math.ceil(left / 1000)} s.${last}`;
  }

  success(): void {
    this.failures = 0;
    this.trips = 0;
    this.openUntil = 0;
    this.askedUntil = 0;
  }

  failure(f: CloudFailure): void {
    // A retry-after the request could not wait for is remembered whatever the count: calling earlier only fails.
    if (f.availableAt && f.availableAt > this.now()) {
      this.lastFailure = f;
      this.askedUntil = Math.max(this.askedUntil, f.availableAt);
      this.openUntil = Math.max(this.openUntil, f.availableAt);
    }
    if (!countsForBreaker(f)) return;
    this.lastFailure = f;
    this.failures++;
    if (this.failures >= this.threshold) {
      const until = this.now() + Math.min(this.maxMs, this.baseMs * 2 ** this.trips);
      if (until > this.openUntil) this.openUntil = until;
      this.trips++;
    }
  }
}
