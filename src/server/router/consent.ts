// Workspace consent for cloud use. The setting wins when it says always/never; with 'ask', the first cloud
// use asks the client (tandem/askConsent) and an always/never answer is remembered for the engine's life
// (the extension persists it per workspace) until tandem/resetConsent. A client that cannot answer means no: fail
// closed.
import type { CloudConsent } from '../../shared/settings.js';
import type { ConsentChoice, ConsentQuestion } from '../../shared/protocol.js';

export type Asker = (info: ConsentQuestion, signal: AbortSignal) => Promise<ConsentChoice>;

export const CONSENT_TIMEOUT_MS = 5 * 60_000;

export class Consent {
  private remembered: 'always' | 'never' | undefined;
  private pending: Promise<ConsentChoice | 'unanswered'> | undefined;

  constructor(
    private readonly ask: Asker,
    private readonly options: {
      /** What is consented to, in the answers' words. */
      subject: string;
      /** "This time" lasts for the engine's life (an inference server gets a completion per keystroke: asking
       * each time would be no answer at all). */
      oncePerSession?: boolean;
    } = { subject: 'cloud use' },
  ) {}

  effective(setting: CloudConsent): 'always' | 'never' | 'ask' {
    if (setting === 'always' || setting === 'never') return setting;
    return this.remembered ?? 'ask';
  }

  /** Forget the remembered answer (tandem/resetConsent): the next cloud use asks again. */
  reset(): void {
    this.remembered = undefined;
  }

  /** Asks once at a time (concurrent requests share the question). True when this request may go. */
  async obtain(info: ConsentQuestion, signal: AbortSignal): Promise<{ allowed: boolean; reason: string }> {
    const subject = this.options.subject;
    if (this.remembered === 'always') return { allowed: true, reason: `You allowed ${subject} for this workspace.` };
    if (this.remembered === 'never') return { allowed: false, reason: `You chose never to allow ${subject} in this workspace.` };
    this.pending ??= this.askBounded(info, signal).finally(() => (this.pending = undefined));
    const choice = await this.pending;
    if (choice === 'always' || choice === 'never') this.remembered = choice;
    if (choice === 'once' && this.options.oncePerSession) this.remembered = 'always';
    if (choice === 'unanswered') return { allowed: false, reason: `Consent to ${subject} could not be asked (the editor did not answer), so nothing was sent.` };
    if (choice === 'never') return { allowed: false, reason: `You chose never to allow ${subject} in this workspace.` };
    return { allowed: true, reason: choice === 'always' ? `You allowed ${subject} for this workspace.` : `You allowed ${subject} this time.` };
  }

  private async askBounded(info: ConsentQuestion, signal: AbortSignal): Promise<ConsentChoice | 'unanswered'> {
    const timeout = AbortSignal.timeout(CONSENT_TIMEOUT_MS);
    const both = AbortSignal.any([signal, timeout]);
    try {
      const choice = await Promise.race([
        this.ask(info, both),
        new Promise<never>((_, reject) => both.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
      ]);
      return choice === 'always' || choice === 'once' || choice === 'never' ? choice : 'unanswered';
    } catch {
      return 'unanswered';
    }
  }
}
