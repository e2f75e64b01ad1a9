// A user without a local model is told once, in a notification with what to do: download the recommended models
// (their size and where they come from), pick a GGUF file already on this machine, or use a team's server.
// Afterwards the status bar ("No model") and its menu still offer the same.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { formatBytes } from '../client/completion-gate';
import type { ModelState } from '../shared/protocol';
import { pickModelFile, recommendedPresets } from './model-commands';

const SHOWN_KEY = 'tandem.noModelNoticeShown';
/** Where a team's server is set: today the model settings, which take an http(s) URL of a GGUF file on it. */
export const TEAM_SERVER_SETTINGS = 'tandem.model';

export class NoModelNotice implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private asked = false;

  constructor(private readonly ctx: Ctx) {
    this.subscription = ctx.engine.onModelState((state) => this.onModelState(state));
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private onModelState(state: ModelState): void {
    if (state.state !== 'none' || this.asked || this.ctx.extension.globalState.get(SHOWN_KEY)) return;
    this.asked = true;
    void this.show().catch((error: unknown) => this.ctx.log.warn(`No-model notice: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async show(): Promise<void> {
    await this.ctx.extension.globalState.update(SHOWN_KEY, true);
    const wanted = recommendedPresets(await this.ctx.engine.listPresets());
    const bytes = wanted.reduce((n, w) => n + w.preset.sizeBytes, 0);
    const what = wanted.length
      ? `Download ${wanted.map((w) => `${w.preset.label} (${formatBytes(w.preset.sizeBytes)}, ${w.preset.url})`).join(' and ')}, `
      : '';
    const download = `Download (${formatBytes(bytes)})`;
    const message =
      'Tandem has no local model yet, so there are no inline suggestions and the chat cannot answer on this machine. ' +
      `${what}pick a GGUF file you already have, or use a model from your team's server (its URL in the model settings).`;
    this.ctx.log.info(`No local model: offered ${wanted.map((w) => w.preset.url).join(', ') || 'no preset'}.`);
    const actions = [...(wanted.length ? [download] : []), 'Pick GGUF File…', 'Use a Team Server…'];
    const pick = await vscode.window.showWarningMessage(message, ...actions);
    if (pick === download) await vscode.commands.executeCommand('tandem.downloadRecommendedModel');
    if (pick === 'Pick GGUF File…') await pickModelFile();
    if (pick === 'Use a Team Server…') await vscode.commands.executeCommand('workbench.action.openSettings', TEAM_SERVER_SETTINGS);
  }
}
