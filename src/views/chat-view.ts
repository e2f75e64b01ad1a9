// The chat view (webview view "tandem.chat", declared in the "tandem" activity-bar container and moved to the
// secondary side bar on first run): wires the webview's messages to the chat session, keeps the editor-context
// chips current and the offered routes current, and offers Explain Selection and Clear Conversation.
import * as vscode from 'vscode';
import type { EngineApi } from '../client/engine-api';
import { lineSpan } from '../shared/lines';
import type { ChatAbilities, ChatToHost, HostToChat } from '../shared/webview';
import type { CompareRequest } from './compare-session';
import { chipsToFiles, describeUri, editorChips, MentionIndex, selectionLines } from './chat-context';
import { ChatSession } from './chat-session';
import { buildWebviewHtml, webviewOptions } from './html';
import { linkDecision } from './link-policy';
import { applyRefactor, watchUndo } from './refactor-edits';

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'tandem.chat';

  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly session: ChatSession;
  private readonly mentions = new MentionIndex();
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];
  private contextTimer: ReturnType<typeof setTimeout> | undefined;
  private abilities: ChatAbilities = {};
  /** Opens a compare run (set by the owner: the compare panel lives outside the chat view). */
  onCompare: ((request: CompareRequest) => Promise<void>) | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engine: EngineApi,
    workspaceState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.session = new ChatSession({
      engine,
      state: workspaceState,
      log,
      post: (message) => this.post(message),
      tokenSource: () => new vscode.CancellationTokenSource(),
      resolveFiles: chipsToFiles,
      describe: describeUri,
      applyRefactor,
      watchUndo,
    });
    this.disposables.push(
      this.session,
      vscode.window.onDidChangeActiveTextEditor(() => this.scheduleContext()),
      vscode.window.onDidChangeTextEditorSelection(() => this.scheduleContext()),
      engine.onDidChangeRunning((running) => this.post({ type: 'engine', running })),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    for (const d of this.viewDisposables) d.dispose();
    this.view = view;
    this.ready = false;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = buildWebviewHtml(view.webview, this.extensionUri, 'chat', 'Tandem Chat');
    this.viewDisposables = [
      view.webview.onDidReceiveMessage((message: ChatToHost) => this.onMessage(message)),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
      }),
    ];
  }

  /** Shows the chat view and puts the focus in its input. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
    this.post({ type: 'focus' });
  }

  /** Explains the selection (or the line at the cursor) of `editor`; works on unsaved and untitled files. */
  async explainSelection(editor: vscode.TextEditor): Promise<void> {
    const doc = editor.document;
    const range = editor.selection.isEmpty ? doc.lineAt(editor.selection.active.line).range : editor.selection;
    const text = doc.getText(range);
    if (!text.trim()) {
      void vscode.window.showInformationMessage('Tandem: select the code to explain first.');
      return;
    }
    const lines = selectionLines(range);
    const uri = doc.uri.toString();
    const { label, description } = describeUri(doc.uri);
    const where = `${label}:${lineSpan(lines.startLine, lines.endLine)}`;
    await this.reveal();
    await this.session.ask(
      `Explain ${where}`,
      'explain',
      [{ key: `selection:${uri}:${lines.startLine}-${lines.endLine}`, kind: 'selection', uri, label: where, description: `Selection in ${description}`, range: lines }],
      { files: [{ uri, text, range: lines, languageId: doc.languageId }] },
    );
  }

  /** Which other route answers may offer ("Ask Claude instead", "Answer locally"). */
  setAbilities(abilities: ChatAbilities): void {
    if (JSON.stringify(abilities) === JSON.stringify(this.abilities)) return;
    this.abilities = abilities;
    this.post({ type: 'abilities', abilities });
  }

  /** "Tandem: Clear Conversation" (the view's title bar). */
  clear(): void {
    this.session.clear();
  }

  dispose(): void {
    clearTimeout(this.contextTimer);
    for (const d of [...this.viewDisposables, ...this.disposables]) d.dispose();
  }

  private post(message: HostToChat): void {
    if (!this.view || !this.ready) return;
    this.view.webview.postMessage(message).then(undefined, (error: unknown) => {
      this.log.debug(`Chat view message not delivered: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private scheduleContext(): void {
    clearTimeout(this.contextTimer);
    this.contextTimer = setTimeout(() => this.post({ type: 'context', chips: editorChips(vscode.window.activeTextEditor) }), 150);
  }

  private onMessage(message: ChatToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'init', turns: this.session.all, chips: editorChips(vscode.window.activeTextEditor), running: this.engine.isRunning() });
        this.post({ type: 'abilities', abilities: this.abilities });
        return;
      case 'send':
        void this.session.ask(message.text, message.kind, message.chips, { id: message.id });
        return;
      case 'retry':
        void this.session.retry(message.of, message.prefer, message.id);
        return;
      case 'stop':
        this.session.stop(message.id);
        return;
      case 'copy':
        void vscode.env.clipboard.writeText(message.text).then(() => {
          this.post({ type: 'notice', message: 'Copied.' });
          this.session.used(message.from, message.what === 'answer' ? 'answer-copied' : 'code-copied');
        });
        return;
      case 'insert':
        void this.insert(message.text, message.from);
        return;
      case 'rate':
        this.session.rate(message.id, message.rating);
        return;
      case 'compare':
        void this.compare(message.of);
        return;
      case 'mentionQuery':
        void this.mentionQuery(message.id, message.query);
        return;
      case 'applyEdits':
        void this.session.preview(message.id);
        return;
      case 'allowValues':
        void this.session.allowValues(message.id);
        return;
      case 'openFile':
        void this.openFile(message.uri, message.line);
        return;
      case 'openLink':
        void this.openLink(message.href, message.text);
        return;
    }
  }

  private async insert(text: string, from?: string): Promise<void> {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (!editor) {
      this.post({ type: 'notice', message: 'Open an editor to insert the code into.' });
      return;
    }
    const ok = await editor.edit((b) => {
      for (const sel of editor.selections) b.replace(sel, text);
    });
    this.post({ type: 'notice', message: ok ? `Inserted into ${describeUri(editor.document.uri).label}.` : 'The editor did not accept the insert.' });
    if (ok) this.session.used(from, 'code-inserted');
  }

  /** "Compare local and Claude" on an answer: the same question with the same context, on both sides. */
  private async compare(of: string): Promise<void> {
    const question = this.session.questionOf(of);
    if (!question) {
      this.post({ type: 'notice', message: 'That question is no longer in the history.' });
      return;
    }
    await this.onCompare?.({ prompt: question.text, kind: question.kind === 'explain' ? 'explain' : 'chat', files: question.files, context: question.chips.map((c) => c.label) });
  }

  private async mentionQuery(id: string, query: string): Promise<void> {
    try {
      this.post({ type: 'mentionResults', id, items: await this.mentions.search(query) });
    } catch (error) {
      this.log.warn(`Listing workspace files for @-mentions failed: ${error instanceof Error ? error.message : String(error)}`);
      this.post({ type: 'mentionResults', id, items: [] });
    }
  }

  /** A link in an answer: plain documentation opens; anything else only after the user saw the full URL. */
  private async openLink(href: string, text: string): Promise<void> {
    const decision = linkDecision(href, text);
    if (decision.action === 'refuse') {
      this.post({ type: 'notice', message: decision.reason });
      return;
    }
    if (decision.action === 'confirm') {
      const choice = await vscode.window.showWarningMessage(
        'Open this link from the answer?',
        { modal: true, detail: `${decision.url}\n\n${decision.why.join('\n')}\n\nA link in an answer can be written by anyone whose text reached the model.` },
        'Open Link',
        'Copy Link',
      );
      if (choice === 'Copy Link') {
        await vscode.env.clipboard.writeText(decision.url);
        this.post({ type: 'notice', message: 'Link copied.' });
      }
      if (choice !== 'Open Link') return;
    }
    const opened = await vscode.env.openExternal(vscode.Uri.parse(decision.url, true));
    if (!opened) this.post({ type: 'notice', message: `The link was not opened: ${decision.url}` });
  }

  private async openFile(uri: string, line?: number): Promise<void> {
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      const pos = new vscode.Position(Math.max(0, line ?? 0), 0);
      await vscode.window.showTextDocument(doc, { preview: true, selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
    } catch (error) {
      this.post({ type: 'notice', message: `Could not open ${uri}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
}
