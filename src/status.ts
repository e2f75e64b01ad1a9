// The Tandem status bar item: an icon and a word on the bar; the model state, why suggestions cannot appear,
// latency and today's cloud spend in its hover. The texts come from status-text.ts (pure); this file only keeps
// the inputs, puts them on screen and tells listeners (the chat's offered actions) when they change.
import * as vscode from 'vscode';
import { statusView, type StatusInput, type StatusView } from './status-text';

export const STATUS_ITEM_ID = 'tandem.status';
export const SHOW_ACTIONS_COMMAND = 'tandem.showActions';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private input: StatusInput = {
    engine: 'starting',
    dailyBudgetUsd: 0,
    localOnly: false,
    hasApiKey: false,
  };
  private view: StatusView = statusView(this.input);
  private readonly changes = new vscode.EventEmitter<Readonly<StatusInput>>();
  readonly onDidUpdate = this.changes.event;

  constructor() {
    this.item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Tandem';
    this.item.command = SHOW_ACTIONS_COMMAND;
    this.render();
    this.item.show();
  }

  update(change: Partial<StatusInput>): void {
    this.input = { ...this.input, ...change };
    this.render();
    this.changes.fire(this.input);
  }

  get current(): Readonly<StatusInput> {
    return this.input;
  }

  /** The whole state in one line, e.g. "$(check) Tandem: tiny (CPU) · $0.00 today" (the bar shows `short`). */
  get text(): string {
    return this.view.text;
  }

  get noSuggestionsBecause(): string | undefined {
    return this.view.noSuggestionsBecause;
  }

  dispose(): void {
    this.changes.dispose();
    this.item.dispose();
  }

  private render(): void {
    const view = statusView(this.input);
    this.view = view;
    this.item.text = view.short;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = false;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
    this.item.backgroundColor =
      view.kind === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.kind === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
  }
}
