// The engine asks before the first cloud use in a workspace without consent (tandem/askConsent). The answer
// "Always" or "Never" is kept per workspace (workspaceState) and reaches the engine as
// `tandem.privacy.cloudConsent` in the settings it pulls; no file in the user's repository is written.
import * as vscode from 'vscode';
import { CONSENT_STATE_KEY, SERVER_CONSENT_STATE_KEY, type StoredConsent } from '../config';
import type { ConsentChoice } from '../shared/protocol';
import { formatUsd } from '../status-text';
import type { ConsentAsk } from '../client/engine';

const ALWAYS = 'Always for This Workspace';
const ONCE = 'This Time';
const NEVER = 'Never for This Workspace';

export class ConsentStore {
  constructor(
    private readonly workspaceState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    /** Called after the stored answer changed, so the engine re-reads its settings. */
    private readonly onChange: () => void,
  ) {}

  async set(choice: StoredConsent | undefined, server = false): Promise<void> {
    await this.workspaceState.update(server ? SERVER_CONSENT_STATE_KEY : CONSENT_STATE_KEY, choice);
    const what = server ? 'Inference server consent' : 'Cloud consent';
    this.log.info(choice ? `${what} for this workspace: ${choice}` : `${what} for this workspace was reset; Tandem will ask again.`);
    this.onChange();
  }

  /** Handler for tandem/askConsent: a modal the user must answer. Dismissing it declines this request only (an error
   * answer: the engine sends nothing and asks again next time). */
  async ask(ask: ConsentAsk, token: vscode.CancellationToken): Promise<{ choice: ConsentChoice }> {
    const folder = vscode.workspace.name ? `"${vscode.workspace.name}"` : 'this window';
    const server = ask.destination;
    const detail = server
      ? [
          ask.reason,
          '',
          `Model: ${ask.model} on ${server.url}.`,
          `Code from ${folder} will be sent to that machine. Files marked local-only and detected secrets never go there (set tandem.local.trusted if it is your team's own server), and the routing panel lists what was sent. "This Time" lasts until the editor restarts.`,
        ].join('\n')
      : [
          ask.reason,
          '',
          `Model: ${ask.model}. Worst-case cost of this request: ${formatUsd(ask.worstCaseUsd)}.`,
          `Code from ${folder} will be sent to Anthropic. Files marked local-only and detected secrets never leave your machine, and the routing panel lists exactly what was sent.`,
        ].join('\n');
    const title = server ? `Send code to the inference server at ${server.url}?` : 'Send this request to Claude?';
    this.log.info(server ? `Asking for consent to use the inference server ${server.url}.` : `Asking for cloud consent (${ask.model}, worst case ${formatUsd(ask.worstCaseUsd)}).`);
    const pick = await Promise.race([
      vscode.window.showWarningMessage(title, { modal: true, detail }, ALWAYS, ONCE, NEVER),
      new Promise<undefined>((resolve) => token.onCancellationRequested(() => resolve(undefined))),
    ]);
    this.log.info(`${server ? 'Inference server' : 'Cloud'} consent answer: ${pick ?? 'dismissed'}.`);
    if (pick === ALWAYS) {
      await this.set('always', Boolean(server));
      return { choice: 'always' };
    }
    if (pick === NEVER) {
      await this.set('never', Boolean(server));
      return { choice: 'never' };
    }
    if (pick === ONCE) return { choice: 'once' };
    // Dismissed: not a "never" the engine would remember, just no consent for this request.
    throw new Error(`the consent question was dismissed, so this request stays off ${server ? 'the server' : 'the cloud'}.`);
  }
}
