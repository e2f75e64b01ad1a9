// The Tandem status bar item: local model state, why suggestions cannot appear, today's cloud spend.
// The texts come from status-text.ts (pure); this file only keeps the inputs and puts them on screen.
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
  }

  get current(): Readonly<StatusInput> {
    return this.input;
  }

  /** The text on screen, e.g. "$(check) Tandem: tiny (CPU) · $0.00 today". */
  get text(): string {
    return this.view.text;
  }

  get noSuggestionsBecause(): string | undefined {
    return this.view.noSuggestionsBecause;
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const view = statusView(this.input);
    this.view = view;
    this.item.text = view.text;
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
