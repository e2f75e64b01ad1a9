// Cloud failures in words a user understands, and which of them count toward the circuit breaker. Pure.

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
  | 'unknown';

export interface CloudFailure {
  kind: FailureKind;
  status?: number;
  retryAfterS?: number;
  /** The API's own message (never the request). */
  apiMessage?: string;
  requestId?: string;
  /** Seconds for timeouts and stalls. */
  seconds?: number;
}

export class CloudError extends Error {
  override readonly name = 'CloudError';
  constructor(readonly failure: CloudFailure) {
    super(describeFailure(failure));
  }
}

export function describeFailure(f: CloudFailure): string {
  const api = f.apiMessage ? ` (${f.apiMessage.slice(0, 200)})` : '';
  switch (f.kind) {
    case 'rate-limit':
      return `Claude is rate-limiting this API key (429)${f.retryAfterS !== undefined ? `; it asks to retry after ${f.retryAfterS} s` : ''}.`;
    case 'overloaded':
      return 'Claude is overloaded right now (529). Try again in a minute.';
    case 'server':
      return `The Anthropic API failed with a server error${f.status ? ` (${f.status})` : ''}${api}.`;
    case 'timeout':
      return `The Anthropic API did not answer within ${f.seconds ?? '?'} s.`;
    case 'stalled':
      return `Claude's answer stalled: nothing arrived for ${f.seconds ?? '?'} s, so it was stopped.`;
    case 'offline':
      return 'Cannot reach the Anthropic API: this machine looks offline, or the connection was refused. Check the network (and any proxy), then retry.';
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
  return ['rate-limit', 'overloaded', 'server', 'timeout', 'stalled', 'offline'].includes(f.kind);
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

  /** Words for the policy while paused, else undefined. */
  pausedReason(): string | undefined {
    const left = this.openUntil - this.now();
    if (left <= 0) return undefined;
    const last = this.lastFailure ? ` The last error: ${describeFailure(this.lastFailure)}` : '';
    return `Claude failed ${this.failures} times in a row, so cloud requests are paused for ${Math.ceil(left / 1000)} s.${last}`;
  }

  success(): void {
    this.failures = 0;
    this.trips = 0;
    this.openUntil = 0;
  }

  failure(f: CloudFailure): void {
    if (!countsForBreaker(f)) return;
    this.lastFailure = f;
    this.failures++;
    if (this.failures >= this.threshold) {
      const retryAfterMs = (f.retryAfterS ?? 0) * 1000;
      this.openUntil = this.now() + Math.max(retryAfterMs, Math.min(this.maxMs, this.baseMs * 2 ** this.trips));
      this.trips++;
    }
  }
}
