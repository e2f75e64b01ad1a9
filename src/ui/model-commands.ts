// "Select Local Model" and "Download Recommended Model": quick picks over the engine's presets, downloads with
// cancellable progress fed by tandem/modelState, and the `tandem.model.*` settings they write.
import * as vscode from 'vscode';
import { readSettings, updateSetting } from '../config';
import type { Ctx } from '../ctx';
import type { DownloadModelParams, DownloadModelResult, ModelPreset, ModelRole, PresetsResult } from '../shared/protocol';
import { formatBytes } from '../client/completion-gate';
import { EngineNotRunningError } from '../client/engine-api';
import { waitForEngine } from './engine-wait';

const ROLE_LABEL: Record<ModelRole, string> = { completion: 'inline completions', chat: 'chat and explanations' };

/** Download with a cancellable notification; resolves undefined when the user cancelled or it failed (the failure,
 * offline included, is shown with what to do next). */
export async function downloadWithProgress(
  ctx: Ctx,
  params: DownloadModelParams,
  label: string,
): Promise<DownloadModelResult | undefined> {
  try {
    return await downloadShowingProgress(ctx, params, label);
  } catch (error) {
    if (error instanceof vscode.CancellationError) return undefined;
    if (error instanceof EngineNotRunningError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    ctx.log.error(`Download of ${label} failed: ${message}`);
    const pick = await vscode.window.showErrorMessage(`Tandem: could not download ${label}. ${message}`, 'Retry', 'Pick GGUF File…', 'Show Log');
    if (pick === 'Retry') return downloadWithProgress(ctx, params, label);
    if (pick === 'Pick GGUF File…') await pickModelFile();
    if (pick === 'Show Log') ctx.log.show(true);
    return undefined;
  }
}

async function downloadShowingProgress(ctx: Ctx, params: DownloadModelParams, label: string): Promise<DownloadModelResult | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Tandem: downloading ${label}`, cancellable: true },
    async (progress, token) => {
      let reported = 0;
      const sub = ctx.engine.onModelState((state) => {
        if (state.role !== params.role || state.state !== 'downloading') return;
        const percent = Math.min(100, Math.max(0, state.percent));
        if (percent <= reported) return;
        progress.report({
          increment: percent - reported,
          message: `${Math.floor(percent)}% of ${formatBytes(state.totalBytes)}`,
        });
        reported = percent;
      });
      try {
        const result = await ctx.engine.downloadModel(params, token);
        ctx.log.info(`Model for ${params.role} ${result.cached ? 'already downloaded' : 'downloaded'}: ${result.path}`);
        return result;
      } catch (error) {
        if (error instanceof vscode.CancellationError || token.isCancellationRequested) {
          ctx.log.info(`Download of ${label} cancelled.`);
          void vscode.window.showInformationMessage(`Tandem: download of ${label} cancelled.`);
          return undefined;
        }
        throw error;
      } finally {
        sub.dispose();
      }
    },
  );
}

function presetItem(preset: ModelPreset, presets: PresetsResult, current: string): vscode.QuickPickItem & { preset: ModelPreset } {
  const recommended = presets.recommended[preset.role] === preset.id;
  const memory = presets.hardware.gpu ? Math.max(presets.hardware.vramBytes, presets.hardware.ramBytes) : presets.hardware.ramBytes;
  const fits = memory <= 0 || preset.minMemoryBytes <= memory;
  const active = current !== '' && (current === preset.url || current.endsWith(preset.fileName));
  const notes = [formatBytes(preset.sizeBytes)];
  if (recommended) notes.push('recommended for this machine');
  if (!fits) notes.push(`needs ${formatBytes(preset.minMemoryBytes)} of memory`);
  return {
    label: `${active ? '$(check) ' : fits ? '' : '$(warning) '}${preset.label}`,
    description: notes.join(' · '),
    detail: preset.fileName,
    preset,
  };
}

async function pickRole(title: string): Promise<ModelRole[] | undefined> {
  const items: (vscode.QuickPickItem & { roles: ModelRole[] })[] = [
    { label: 'Inline completions', description: 'needs fill-in-the-middle tokens', roles: ['completion'] },
    { label: 'Chat and explanations', roles: ['chat'] },
    { label: 'Both', roles: ['completion', 'chat'] },
  ];
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Use this model for…' });
  return pick?.roles;
}

async function useModel(roles: ModelRole[], value: string, label: string): Promise<void> {
  for (const role of roles) await updateSetting(`model.${role}`, value);
  void vscode.window.showInformationMessage(`Tandem will use ${label} for ${roles.map((r) => ROLE_LABEL[r]).join(' and ')}.`);
}

/** The model files only matter with the embedded backend: with a server set, say so and offer to switch back. */
async function embeddedOrSwitch(): Promise<boolean> {
  const { backend, url } = readSettings().local;
  if (backend === 'embedded') return true;
  const pick = await vscode.window.showInformationMessage(
    `Tandem's local model runs on ${backend}${url ? ` at ${url}` : ''} (tandem.local.backend), which serves its own model. The model files chosen here are used by the embedded backend.`,
    'Use the Embedded Model',
    'Choose Anyway',
  );
  if (pick === 'Use the Embedded Model') await updateSetting('local.backend', 'embedded');
  return pick !== undefined;
}

export async function selectLocalModel(ctx: Ctx): Promise<void> {
  if (!(await embeddedOrSwitch())) return;
  const settings = readSettings();
  type Item = vscode.QuickPickItem & { preset?: ModelPreset; action?: 'browse' | 'url' };
  const items: Item[] = [];
  let presets: PresetsResult | undefined;
  if (await waitForEngine(ctx, 15_000)) {
    presets = await ctx.engine.listPresets();
    for (const role of ['completion', 'chat'] as const) {
      const forRole = presets.presets.filter((p) => p.role === role);
      if (!forRole.length) continue;
      items.push({ label: role === 'completion' ? 'Inline completion models' : 'Chat models', kind: vscode.QuickPickItemKind.Separator });
      items.push(...forRole.map((p) => presetItem(p, presets as PresetsResult, settings.model[role])));
    }
  } else {
    items.push({ label: 'Presets unavailable: the Tandem engine is not running', kind: vscode.QuickPickItemKind.Separator });
  }
  items.push({ label: 'Other', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: '$(folder-opened) Browse for GGUF file…', action: 'browse' });
  items.push({ label: '$(link) Enter URL…', action: 'url' });

  const pick = await vscode.window.showQuickPick(items, {
    title: 'Tandem: Select Local Model',
    placeHolder: presets ? `Models that fit this machine (${describeHardware(presets)})` : 'Choose a GGUF file or URL',
    matchOnDescription: true,
  });
  if (!pick) return;

  if (pick.preset) {
    const preset = pick.preset;
    const result = await downloadWithProgress(ctx, { role: preset.role, preset: preset.id }, preset.label);
    if (result) await useModel([preset.role], result.path, preset.label);
    return;
  }
  if (pick.action === 'browse') await pickModelFile();
  if (pick.action === 'url') await enterUrl(ctx);
}

/** A GGUF file already on this machine, for the roles the user picks. */
export async function pickModelFile(): Promise<void> {
  const files = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Use Model',
    filters: { 'GGUF models': ['gguf'] },
    title: 'Tandem: choose a GGUF model',
  });
  const file = files?.[0];
  if (!file) return;
  const roles = await pickRole(`Use ${file.path.split('/').pop()} for`);
  if (roles) await useModel(roles, file.fsPath, file.path.split('/').pop() ?? file.fsPath);
}

/** The recommended preset of each role for this machine, without repeats. */
export function recommendedPresets(presets: PresetsResult): { role: ModelRole; preset: ModelPreset }[] {
  const byId = new Map(presets.presets.map((p) => [p.id, p]));
  const wanted: { role: ModelRole; preset: ModelPreset }[] = [];
  for (const role of ['completion', 'chat'] as const) {
    const preset = byId.get(presets.recommended[role]);
    if (preset && !wanted.some((w) => w.preset.id === preset.id)) wanted.push({ role, preset });
  }
  return wanted;
}

async function enterUrl(ctx: Ctx): Promise<void> {
  const url = await vscode.window.showInputBox({
    title: 'Tandem: model URL',
    prompt: 'An http(s) URL of a GGUF file. Tandem downloads it into its storage folder (resumable).',
    placeHolder: 'https://huggingface.co/…/resolve/main/model.gguf',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        const parsed = new URL(value.trim());
        return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : 'Use an http:// or https:// URL.';
      } catch {
        return 'This is not a URL.';
      }
    },
  });
  if (!url) return;
  const trimmed = url.trim();
  const name = decodeURIComponent(new URL(trimmed).pathname.split('/').pop() || trimmed);
  const roles = await pickRole(`Use ${name} for`);
  if (!roles) return;
  if (!ctx.engine.isRunning()) {
    // The engine downloads a URL setting itself when it starts.
    await useModel(roles, trimmed, name);
    return;
  }
  const result = await downloadWithProgress(ctx, { role: roles[0], url: trimmed }, name);
  if (result) await useModel(roles, result.path, name);
}

function describeHardware(presets: PresetsResult): string {
  const { hardware } = presets;
  const gpu = hardware.gpu ? `${hardware.gpu.toUpperCase()} GPU, ${formatBytes(hardware.vramBytes)} VRAM` : 'no GPU';
  return `${gpu}, ${formatBytes(hardware.ramBytes)} RAM`;
}

export async function downloadRecommendedModel(ctx: Ctx): Promise<void> {
  if (!(await embeddedOrSwitch())) return;
  const wanted = recommendedPresets(await ctx.engine.listPresets());
  if (!wanted.length) {
    void vscode.window.showWarningMessage('Tandem found no recommended model for this machine. Use "Tandem: Select Local Model" to choose one.');
    return;
  }
  const done: { role: ModelRole; preset: ModelPreset; path: string }[] = [];
  for (const { role, preset } of wanted) {
    const result = await downloadWithProgress(ctx, { role, preset: preset.id }, preset.label);
    if (!result) return;
    done.push({ role, preset, path: result.path });
  }
  // Empty model settings mean "the recommended preset": only settings that name another model need changing.
  const settings = readSettings();
  const overridden = (['completion', 'chat'] as const).filter((role) => settings.model[role] !== '');
  const names = done.map((d) => d.preset.label).join(' and ');
  if (!overridden.length) {
    void vscode.window.showInformationMessage(`Tandem: ${names} ready. Suggestions appear as you type once the model has loaded.`);
    return;
  }
  const pick = await vscode.window.showInformationMessage(
    `Tandem: ${names} downloaded, but your settings name other models for ${overridden.map((r) => ROLE_LABEL[r]).join(' and ')}.`,
    'Use Recommended',
    'Keep My Settings',
  );
  if (pick === 'Use Recommended') {
    for (const role of overridden) await updateSetting(`model.${role}`, undefined);
  }
}
