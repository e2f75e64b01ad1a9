// The compare view (one editor panel, reused): the latest compare run, local and Claude side by side.
import * as vscode from 'vscode';
import type { EngineApi } from '../client/engine-api';
import type { CompareToHost, HostToCompare } from '../shared/webview';
import { CompareSession, type CompareRequest } from './compare-session';
import { buildWebviewHtml, webviewOptions } from './html';

export class ComparePanel implements vscode.Disposable {
  static readonly viewType = 'tandem.compare';
  private static current: ComparePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly session: CompareSession;
  private ready = false;
  private readonly queue: HostToCompare[] = [];

  /** Opens (or reveals) the compare view and runs `request` in it. */
  static async run(extensionUri: vscode.Uri, engine: EngineApi, log: vscode.LogOutputChannel, request: CompareRequest): Promise<void> {
    let view = ComparePanel.current;
    if (view) view.panel.reveal(undefined, false);
    else {
      const panel = vscode.window.createWebviewPanel(ComparePanel.viewType, 'Tandem: Local vs Claude', vscode.ViewColumn.Beside, {
        ...webviewOptions(extensionUri),
        retainContextWhenHidden: true,
      });
      view = new ComparePanel(panel, extensionUri, engine, log);
      ComparePanel.current = view;
    }
    await view.session.start(request);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    engine: EngineApi,
    log: vscode.LogOutputChannel,
  ) {
    panel.iconPath = {
      light: vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'routing-light.svg'),
      dark: vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'routing-dark.svg'),
    };
    panel.webview.html = buildWebviewHtml(panel.webview, extensionUri, 'compare', 'Tandem: Local vs Claude');
    this.session = new CompareSession({ engine, log, post: (m) => this.post(m), tokenSource: () => new vscode.CancellationTokenSource() });
    this.disposables.push(
      this.session,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: CompareToHost) => this.onMessage(message)),
      engine.onDidChangeRunning((running) => this.post({ type: 'engine', running })),
    );
  }

  dispose(): void {
    if (ComparePanel.current === this) ComparePanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private onMessage(message: CompareToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        for (const m of this.queue.splice(0)) this.send(m);
        return;
      case 'pick':
        this.session.pick(message.id, message.side);
        return;
      case 'stop':
        this.session.stop(message.id);
        return;
      case 'copy':
        void vscode.env.clipboard.writeText(message.text).then(() => this.post({ type: 'notice', message: 'Copied.' }));
        return;
    }
  }

  private post(message: HostToCompare): void {
    if (!this.ready) {
      // Until the page listens, keep only what it needs: the latest run (deltas are in it).
      if (message.type === 'run') this.queue.splice(0, this.queue.length, message);
      return;
    }
    this.send(message);
  }

  private send(message: HostToCompare): void {
    this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }
}
