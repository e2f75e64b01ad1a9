// The engine asks before the first cloud use in a workspace without consent (tandem/askConsent). The answer
// "Always" or "Never" is kept per workspace (workspaceState) and reaches the engine as
// `tandem.privacy.cloudConsent` in the settings it pulls; no file in the user's repository is written.
// The dialog lists what would leave (each file with its lines and bytes) and defaults to the narrowest answer.
import * as vscode from 'vscode';
import { CONSENT_STATE_KEY, SERVER_CONSENT_STATE_KEY, type StoredConsent } from '../config';
import { linesLabel } from '../shared/lines';
import type { ConsentChoice, ConsentQuestion, EgressManifest } from '../shared/protocol';
import { formatBytes } from '../client/completion-gate';
import { formatUsd } from '../status-text';

// The first button is the dialog's default (Enter): the answer that allows the least.
const ONCE = 'Allow Once';
const ALWAYS = 'Always for This Workspace';
const NEVER = 'Never for This Workspace';
/** Files listed by name in the dialog; the rest are counted. */
const LISTED_FILES = 12;

/** What would leave, one line per file: "src/pricing.ts (lines 1-42, 1.2 KB)". */
export function manifestLines(manifest: EgressManifest | undefined, relative: (uri: string) => string): string[] {
  if (!manifest) return [];
  const files = manifest.files.map((f) => {
    const ranges = f.ranges.map((r) => linesLabel(r.startLine, r.endLine)).join(', ');
    return `  ${relative(f.uri)} (${ranges ? `${ranges}, ` : ''}${formatBytes(f.bytes)})`;
  });
  const shown = files.slice(0, LISTED_FILES);
  if (files.length > shown.length) shown.push(`  … and ${files.length - shown.length} more`);
  const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  const head =
    manifest.files.length === 0
      ? 'Your message is sent, with no file from the workspace.'
      : `Your message and ${manifest.files.length === 1 ? 'this file' : `these ${manifest.files.length} files`} (${formatBytes(bytes)}) would be sent:`;
  const redacted = manifest.redactions.length ? [`${manifest.redactions.length} detected secret${manifest.redactions.length === 1 ? ' is' : 's are'} replaced by placeholders first.`] : [];
  return [head, ...shown, ...redacted];
}

function relativePath(uri: string): string {
  try {
    return vscode.workspace.asRelativePath(vscode.Uri.parse(uri), false);
  } catch {
    return uri;
  }
}

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
  async ask(ask: ConsentQuestion, token: vscode.CancellationToken): Promise<{ choice: ConsentChoice }> {
    const folder = vscode.workspace.name ? `"${vscode.workspace.name}"` : 'this window';
    const server = ask.destination;
    const detail = server
      ? [
          ask.reason,
          '',
          ...manifestLines(ask.manifest, relativePath),
          '',
          `Model: ${ask.model} on ${server.url}.`,
          `Code from ${folder} will be sent to that machine. Files marked local-only and detected secrets never go there (set tandem.local.trusted if it is your team's own server), and the routing panel lists what was sent. "This Time" lasts until the editor restarts.`,
        ].join('\n')
      : [
          ask.reason,
          '',
          ...manifestLines(ask.manifest, relativePath),
          '',
          `Model: ${ask.model}. Worst-case cost of this request: ${formatUsd(ask.worstCaseUsd)}.`,
          `Files marked local-only and detected secrets never leave your machine, and the routing panel lists exactly what was sent from ${folder}.`,
        ].join('\n');
    const title = server ? `Send code to the inference server at ${server.url}?` : 'Send this request to Claude?';
    this.log.info(
      server
        ? `Asking for consent to use the inference server ${server.url}.`
        : `Asking for cloud consent (${ask.model}, worst case ${formatUsd(ask.worstCaseUsd)}, ${ask.manifest?.files.length ?? 0} file(s)).`,
    );
    const pick = await Promise.race([
      vscode.window.showWarningMessage(title, { modal: true, detail }, ONCE, ALWAYS, NEVER),
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
