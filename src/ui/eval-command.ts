// "Tandem: Evaluate Local Model": the report card. HumanEval-Infilling through the engine's own inline
// completion path (an evaluation engine of its own, so typing is never disturbed), with cancellable progress,
// optionally the same problems on a Claude tier after a modal showed the cost; saved in the data dir, where the
// routing panel's report card reads it. The benchmark files are downloaded on first use (SHA-256 checked).
import { join } from 'node:path';
import * as vscode from 'vscode';
import { engineEnv } from '../client/engine-env';
import { API_KEY_SECRET, errorText, type Ctx } from '../ctx';
import { evaluate, saveReport, type Phase } from '../eval/run';
import { resolveDataDir } from '../server/context';
import { EVAL_REPORT_DIR, evalReportFileName, summaryLine } from '../shared/eval-report';
import type { EvalCloudEstimate, EvalReport, EvalSetName } from '../shared/protocol';
import { RoutingPanel } from '../views/routing-panel';

/** Arguments for scripted runs (tests, keybindings): no quick picks. */
export interface EvalCommandArgs {
  limit?: number | null;
  sets?: EvalSetName[];
  /** Folder with the benchmark files: used offline, nothing downloaded. */
  data?: string;
  cloudModel?: string;
  /** Answer to the cost modal. */
  confirmCloud?: boolean;
}

/** Scripted arguments, not whatever a menu passes (a resource URI from the explorer, for example). */
export function isEvalArgs(value: unknown): value is EvalCommandArgs {
  if (!value || typeof value !== 'object' || value instanceof vscode.Uri) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => ['limit', 'sets', 'data', 'cloudModel', 'confirmCloud'].includes(k));
}

type SizeItem = vscode.QuickPickItem & { limit: number | null };
type CloudItem = vscode.QuickPickItem & { model?: string };

async function pickOptions(ctx: Ctx): Promise<EvalCommandArgs | undefined> {
  const sizes: SizeItem[] = [
    { label: 'Quick check', description: '50 problems per set', detail: 'Minutes even on a CPU: a first look.', limit: 50 },
    { label: 'Standard', description: '200 problems per set', detail: 'Steadier numbers: compare models with this one.', limit: 200 },
    { label: 'Full benchmark', description: 'all 1,033 single-line and 5,815 multi-line problems', detail: 'Can take hours without a GPU.', limit: null },
  ];
  const size = await vscode.window.showQuickPick(sizes, {
    title: 'Tandem: Evaluate Local Model (HumanEval-Infilling)',
    // The model's answers are code that runs: say how before the user starts it.
    placeHolder: 'How many problems? Each answer runs with its tests in a sandboxed Python 3 (no network, temp folder, 3 s).',
  });
  if (!size) return undefined;
  const settings = ctx.settings;
  const hasKey = Boolean(await ctx.extension.secrets.get(API_KEY_SECRET));
  if (settings.privacy.localOnly || !hasKey || settings.cloud.tiers.length === 0) return { limit: size.limit };
  const clouds: CloudItem[] = [
    { label: 'Local model only', description: 'free' },
    ...settings.cloud.tiers.map((model) => ({ label: `Also ${model}`, description: 'costs money: the cost is shown before anything is sent', model })),
  ];
  const cloud = await vscode.window.showQuickPick(clouds, { title: 'Compare with Claude on the same problems?', placeHolder: 'Local and cloud quality per dollar, side by side' });
  if (!cloud) return undefined;
  return { limit: size.limit, cloudModel: cloud.model };
}

async function confirmCost(estimate: EvalCloudEstimate, scripted: boolean | undefined): Promise<boolean> {
  if (scripted !== undefined) return scripted;
  const spend = `Spend up to $${estimate.worstCaseUsd.toFixed(2)}`;
  const pick = await vscode.window.showWarningMessage(
    `Evaluate ${estimate.model} on ${estimate.requests.toLocaleString('en-US')} problems?`,
    {
      modal: true,
      detail:
        `At most $${estimate.worstCaseUsd.toFixed(4)} (about ${estimate.inputTokens.toLocaleString('en-US')} input tokens, every answer at its cap), ` +
        'counted against your Tandem budget. Only public benchmark code is sent, nothing from your workspace, through Tandem\'s egress gate; ' +
        'every request appears in the routing panel.',
    },
    spend,
  );
  return pick === spend;
}

export async function evaluateLocalModel(ctx: Ctx, scripted?: EvalCommandArgs): Promise<void> {
  const args = scripted ?? (await pickOptions(ctx));
  if (!args) return;
  const storage = ctx.extension.globalStorageUri.fsPath;
  const dataDir = resolveDataDir(storage);
  const sets = args.sets ?? ['single-line', 'multi-line'];
  const limit = args.limit === undefined ? 50 : args.limit;
  ctx.log.info(`Evaluating the local model on HumanEval-Infilling (${sets.join(', ')}, ${limit ?? 'all'} problems per set${args.cloudModel ? `, and ${args.cloudModel}` : ''}).`);
  const notices: string[] = [];
  const reports = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Tandem: Evaluating', cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort(new vscode.CancellationError()));
      const consentToken = new vscode.CancellationTokenSource();
      let shown = 0;
      const onPhase = (phase: Phase) => {
        if (phase.phase !== 'problems') return progress.report({ message: phase.message });
        const p = phase.progress;
        const pass = p.done ? ` · pass@1 ${Math.round((p.passed / p.done) * 100)}%` : '';
        // The bar covers one set at a time: it restarts for the next set and for Claude.
        const percent = p.total ? (p.done / p.total) * 100 : 0;
        if (percent < shown) shown = 0;
        progress.report({ message: `${phase.model} ${p.set}: ${p.done}/${p.total}${pass}`, increment: percent - shown });
        shown = percent;
      };
      try {
        return await evaluate({
          sets,
          limit,
          dataDir: args.data ?? join(storage, 'human-eval-infilling'),
          offline: Boolean(args.data),
          engine: {
            serverPath: vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'server.mjs').fsPath,
            settings: ctx.settings,
            dataDir,
            env: engineEnv(process.env),
            apiKey: (await ctx.extension.secrets.get(API_KEY_SECRET)) || undefined,
            askConsent: async (ask) => (await ctx.consent.ask(ask, consentToken.token)).choice,
          },
          cloudModel: args.cloudModel,
          confirmCloud: (estimate) => confirmCost(estimate, args.confirmCloud),
          signal: controller.signal,
          onPhase,
          onNotice: (message) => {
            notices.push(message);
            ctx.log.warn(`Evaluation: ${message}`);
          },
        });
      } catch (error) {
        if (token.isCancellationRequested) {
          ctx.log.info('Evaluation cancelled; nothing was saved.');
          void vscode.window.showInformationMessage('Tandem: evaluation cancelled; nothing was saved.');
          throw new vscode.CancellationError();
        }
        throw error;
      } finally {
        cancel.dispose();
        consentToken.cancel();
        consentToken.dispose();
      }
    },
  );
  const files: string[] = [];
  for (const report of reports) {
    const file = join(dataDir, EVAL_REPORT_DIR, evalReportFileName(report.model));
    await saveReport(report, [file]);
    files.push(file);
    ctx.log.info(`Report card ${report.model} (${report.side}): ${summaryLine(report)}. Saved to ${file}.`);
  }
  RoutingPanel.refreshReportCards();
  for (const notice of notices) void vscode.window.showWarningMessage(`Tandem: ${notice}`);
  // Not awaited: the command is done when the card is saved, whether or not anyone clicks the message.
  void showResult(ctx, reports, files);
}

async function showResult(ctx: Ctx, reports: EvalReport[], files: string[]): Promise<void> {
  const text = reports.map((r) => `${r.model}: ${summaryLine(r)}`).join(' — ');
  const pick = await vscode.window.showInformationMessage(`Tandem report card: ${text}`, 'Open Routing Panel', 'Open Report File');
  try {
    if (pick === 'Open Routing Panel') await vscode.commands.executeCommand('tandem.openRoutingPanel');
    if (pick === 'Open Report File') await vscode.window.showTextDocument(vscode.Uri.file(files[0]));
  } catch (error) {
    ctx.log.warn(`Opening the report: ${errorText(error)}`);
  }
}
