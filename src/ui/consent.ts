// The engine asks before the first cloud use in a workspace without consent (tandem/askConsent). The answer
// "Always" or "Never" is kept per workspace (workspaceState) and reaches the engine as
// `tandem.privacy.cloudConsent` in the settings it pulls; no file in the user's repository is written.
import * as vscode from 'vscode';
import { CONSENT_STATE_KEY, type StoredConsent } from '../config';
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

  async set(choice: StoredConsent | undefined): Promise<void> {
    await this.workspaceState.update(CONSENT_STATE_KEY, choice);
    this.log.info(choice ? `Cloud consent for this workspace: ${choice}` : 'Cloud consent for this workspace was reset; Tandem will ask again.');
    this.onChange();
  }

  /** Handler for tandem/askConsent: a modal the user must answer. Dismissing it declines this request only (an error
   * answer: the engine sends nothing and asks again next time). */
  async ask(ask: ConsentAsk, token: vscode.CancellationToken): Promise<{ choice: ConsentChoice }> {
    const folder = vscode.workspace.name ? `"${vscode.workspace.name}"` : 'this window';
    const detail = [
      ask.reason,
      '',
      `Model: ${ask.model}. Worst-case cost of this request: ${formatUsd(ask.worstCaseUsd)}.`,
      `Code from ${folder} will be sent to Anthropic. Files marked local-only and detected secrets never leave your machine, and the routing panel lists exactly what was sent.`,
    ].join('\n');
    this.log.info(`Asking for cloud consent (${ask.model}, worst case ${formatUsd(ask.worstCaseUsd)}).`);
    const pick = await Promise.race([
      vscode.window.showWarningMessage(`Send this request to Claude?`, { modal: true, detail }, ALWAYS, ONCE, NEVER),
      new Promise<undefined>((resolve) => token.onCancellationRequested(() => resolve(undefined))),
    ]);
    this.log.info(`Cloud consent answer: ${pick ?? 'dismissed'}.`);
    if (pick === ALWAYS) {
      await this.set('always');
      return { choice: 'always' };
    }
    if (pick === NEVER) {
      await this.set('never');
      return { choice: 'never' };
    }
    if (pick === ONCE) return { choice: 'once' };
    // Dismissed: not a "never" the engine would remember, just no consent for this request.
    throw new Error('the consent question was dismissed, so this request stays off the cloud.');
  }
}
