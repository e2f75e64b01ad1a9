// When the engine process dies unexpectedly: restart it, but not forever. Pure (time is passed in) so it can be
// unit-tested; the same rule as vscode-languageclient's default handler: at most 4 restarts in 3 minutes.

export interface CrashDecision {
  restart: boolean;
  /** 1-based number of this crash within the window. */
  crashes: number;
  /** For the user: what happened and what happens next. */
  message: string;
}

export class CrashPolicy {
  private readonly crashes: number[] = [];

  constructor(
    private readonly maxRestarts = 4,
    private readonly windowMs = 3 * 60 * 1000,
  ) {}

  /** Record a crash at `now` (ms) and decide whether to restart. */
  onCrash(now: number): CrashDecision {
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - this.crashes[0] > this.windowMs) this.crashes.shift();
    const crashes = this.crashes.length;
    if (crashes <= this.maxRestarts) {
      return {
        restart: true,
        crashes,
        message: `The Tandem engine stopped unexpectedly and is restarting (restart ${crashes} of ${this.maxRestarts} allowed in ${this.windowMinutes()} minutes).`,
      };
    }
    return {
      restart: false,
      crashes,
      message: `The Tandem engine crashed ${crashes} times in the last ${this.windowMinutes()} minutes and was not restarted. Inline completions and chat are off until you restart it.`,
    };
  }

  /** A restart the user asked for starts a fresh count. */
  reset(): void {
    this.crashes.length = 0;
  }

  private windowMinutes(): number {
    return Math.round(this.windowMs / 60_000);
  }
}
