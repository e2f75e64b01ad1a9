// The routing and cost panel (one instance; showing it again focuses it): live decisions from the ledger,
// totals, savings, chart, payback, manifests, CSV export through a save dialog, and the model report cards.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EngineApi } from '../client/engine-api';
import type { HostToPanel, PanelToHost } from '../shared/webview';
import { buildWebviewHtml, webviewOptions } from './html';

/** How far back the panel loads decisions, and how many at most. */
const HISTORY_DAYS = 90;
const ENTRY_LIMIT = 20_000;
/** Live updates re-read the totals at most this often. */
const REFRESH_MS = 750;

export class RoutingPanel implements vscode.Disposable {
  static readonly viewType = 'tandem.routing';
  private static current: RoutingPanel | undefined;
  /** The folder of the last export, offered again (for this window's life). */
  private static exportFolder: vscode.Uri | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private loading: Promise<void> | undefined;

  /** A report card was saved: the open panel shows it. */
  static refreshReportCards(): void {
    void RoutingPanel.current?.loadReportCards();
  }

  static show(extensionUri: vscode.Uri, engine: EngineApi): void {
    if (RoutingPanel.current) {
      RoutingPanel.current.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(RoutingPanel.viewType, 'Tandem: Routing and Cost', vscode.ViewColumn.Active, {
      ...webviewOptions(extensionUri),
      retainContextWhenHidden: true,
    });
    RoutingPanel.current = new RoutingPanel(panel, extensionUri, engine);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly engine: EngineApi,
  ) {
    panel.iconPath = {
      light: vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'routing-light.svg'),
      dark: vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'routing-dark.svg'),
    };
    panel.webview.html = buildWebviewHtml(panel.webview, extensionUri, 'panel', 'Tandem: Routing and Cost');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: PanelToHost) => this.onMessage(message)),
      engine.onLedgerEntry((entry) => {
        this.post({ type: 'entry', entry });
        this.scheduleRefresh();
      }),
      engine.onLedgerFeedback((feedback) => {
        this.post({ type: 'feedback', feedback });
        this.scheduleRefresh();
      }),
      engine.onDidChangeRunning((running) => {
        this.post({ type: 'engine', running });
        if (running) {
          this.scheduleRefresh();
          void this.loadReportCards();
        }
      }),
    );
  }

  dispose(): void {
    if (RoutingPanel.current === this) RoutingPanel.current = undefined;
    clearTimeout(this.refreshTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private onMessage(message: PanelToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        void this.load();
        void this.loadReportCards();
        return;
      case 'refresh':
        void this.load();
        void this.loadReportCards();
        return;
      case 'evaluate':
        void vscode.commands.executeCommand('tandem.evaluateLocalModel');
        return;
      case 'resetLearning':
        void Promise.resolve(vscode.commands.executeCommand('tandem.resetLearning')).then(() => this.load());
        return;
      case 'exportCsv':
        void this.exportCsv(message.id, message.csv, message.rows, message.suggestedName);
        return;
    }
  }

  private post(message: HostToPanel): void {
    if (!this.ready) return;
    this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      void this.load();
    }, REFRESH_MS);
  }

  private load(): Promise<void> {
    this.loading ??= (async () => {
      if (!this.engine.isRunning()) {
        this.post({ type: 'engine', running: false });
        return;
      }
      try {
        const since = new Date(Date.now() - HISTORY_DAYS * 86_400_000).toISOString();
        const [result, learned] = await Promise.all([this.engine.ledger({ since, limit: ENTRY_LIMIT }), this.engine.learned()]);
        this.post({ type: 'ledger', result });
        this.post({ type: 'learned', state: learned });
        this.post({ type: 'engine', running: true, message: result.entries.length >= ENTRY_LIMIT ? `Showing the newest ${ENTRY_LIMIT} decisions of the last ${HISTORY_DAYS} days.` : '' });
      } catch (error) {
        this.post({ type: 'engine', running: this.engine.isRunning(), message: `Could not read the ledger: ${error instanceof Error ? error.message : String(error)}` });
      }
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async loadReportCards(): Promise<void> {
    if (!this.engine.isRunning()) return;
    try {
      this.post({ type: 'reportCards', reports: await this.engine.evalReports() });
    } catch (error) {
      this.post({ type: 'reportCards', reports: [], error: `Could not read the report cards: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private async exportCsv(id: string, csv: string, rows: number, suggestedName: string): Promise<void> {
    // Suggested outside the workspace (a spend report is not part of the project): the last export's folder, else
    // Downloads, else the home folder. The user confirms or changes it in the save dialog.
    const downloads = join(homedir(), 'Downloads');
    const folder = RoutingPanel.exportFolder ?? vscode.Uri.file(existsSync(downloads) ? downloads : homedir());
    const target = await vscode.window.showSaveDialog({
      title: 'Export Tandem decisions as CSV',
      saveLabel: 'Export',
      filters: { 'CSV files': ['csv'] },
      defaultUri: vscode.Uri.joinPath(folder, suggestedName),
    });
    if (!target) {
      this.post({ type: 'exported', id, outcome: 'cancelled', message: 'Export cancelled.' });
      return;
    }
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(csv));
      RoutingPanel.exportFolder = vscode.Uri.joinPath(target, '..');
      this.post({ type: 'exported', id, outcome: 'saved', message: `Exported ${rows} decision${rows === 1 ? '' : 's'} to ${target.fsPath}.` });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.post({ type: 'exported', id, outcome: 'failed', message: `Export failed: ${message}` });
      void vscode.window.showErrorMessage(`Tandem: could not write ${target.fsPath}: ${message}`);
    }
  }
}
