// One table of commands (all in category "Tandem" in package.json). Each command that needs the engine waits for
// it while it starts and, when it is not running, says so with "Restart Engine" / "Show Log" instead of failing.
import * as vscode from 'vscode';
import { readSettings, targetFor, SECTION } from './config';
import { downloadRecommendedModel, selectLocalModel } from './ui/model-commands';
import { waitForEngine } from './ui/engine-wait';
import { EngineNotRunningError } from './client/engine-api';
import { API_KEY_SECRET, errorText, type Ctx } from './ctx';
import { SHOW_ACTIONS_COMMAND } from './status';
import { chipsToFiles, describeUri, editorChips, selectionLines } from './views/chat-context';
import { ComparePanel } from './views/compare-panel';
import { RoutingPanel } from './views/routing-panel';
import { evaluateLocalModel, isEvalArgs } from './ui/eval-command';

export interface CommandSpec {
  id: string;
  /** As in package.json, without the category. */
  title: string;
  icon: string;
  /** Waits for the engine and falls back to an "engine not running" message without it. */
  needsEngine: boolean;
  /** Listed in the status bar's quick pick. */
  inActions: boolean;
  /** `args`: what a caller passed to executeCommand (scripted runs), usually nothing. */
  run(ctx: Ctx, args?: unknown): Promise<unknown> | unknown;
}

async function setApiKey(ctx: Ctx): Promise<void> {
  const existing = await ctx.extension.secrets.get(API_KEY_SECRET);
  const key = await vscode.window.showInputBox({
    title: 'Tandem: Anthropic API key',
    prompt: existing
      ? 'A key is already stored. Enter a new one to replace it (kept in VS Code SecretStorage, never in settings).'
      : 'Kept in VS Code SecretStorage, never in settings or logs. Get one at console.anthropic.com.',
    placeHolder: 'sk-ant-…',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => {
      const trimmed = value.trim();
      if (!trimmed) return 'Enter a key, or run "Tandem: Clear Anthropic API Key" to remove the stored one.';
      if (/\s/.test(trimmed)) return 'An API key has no spaces or line breaks.';
      return undefined;
    },
  });
  if (key === undefined) return;
  await ctx.extension.secrets.store(API_KEY_SECRET, key.trim());
  ctx.log.info('Anthropic API key stored in SecretStorage.');
  void vscode.window.showInformationMessage('Tandem: Anthropic API key saved. Requests that need Claude can use it now.');
}

async function clearApiKey(ctx: Ctx): Promise<void> {
  if (!(await ctx.extension.secrets.get(API_KEY_SECRET))) {
    void vscode.window.showInformationMessage('Tandem: no Anthropic API key is stored.');
    return;
  }
  const pick = await vscode.window.showWarningMessage(
    'Remove the stored Anthropic API key?',
    { modal: true, detail: 'Requests that need Claude will stay local or be blocked until you set a key again.' },
    'Remove Key',
  );
  if (pick !== 'Remove Key') return;
  await ctx.extension.secrets.delete(API_KEY_SECRET);
  ctx.log.info('Anthropic API key removed from SecretStorage.');
  void vscode.window.showInformationMessage('Tandem: Anthropic API key removed.');
}

async function toggleInlineCompletions(): Promise<void> {
  const enabled = !readSettings().completions.enabled;
  await vscode.workspace.getConfiguration(SECTION).update('completions.enabled', enabled, targetFor('completions.enabled'));
  if (!enabled) await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
  vscode.window.setStatusBarMessage(`Tandem: inline completions ${enabled ? 'on' : 'off'}`, 3000);
}

async function explainSelection(ctx: Ctx): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Tandem: open a file and select the code to explain.');
    return;
  }
  await ctx.chatView.explainSelection(editor);
}

async function resetCloudConsent(ctx: Ctx): Promise<void> {
  await ctx.consent.set(undefined);
  // The engine remembers an answer for its lifetime: a fresh engine forgets it.
  if (ctx.engine.isAvailable()) await ctx.restart('cloud consent was reset');
  void vscode.window.showInformationMessage('Tandem: cloud consent reset. Tandem will ask before the next request that needs Claude.');
}

/** The same question on the local model and on Claude, side by side: about the selection, else the current file. */
async function compareLocalAndClaude(ctx: Ctx): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor : undefined;
  const where = editor ? describeUri(editor.document.uri).label : undefined;
  const prompt = await vscode.window.showInputBox({
    title: 'Tandem: Compare Local and Claude',
    prompt: selected ? `Both models answer this about the selection in ${where}.` : where ? `Both models answer this with ${where} as context.` : 'Both models answer this question.',
    value: selected ? 'Explain the selected code.' : '',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Type the question both models should answer.'),
  });
  if (!prompt?.trim()) return;
  if (selected) {
    const doc = selected.document;
    const lines = selectionLines(selected.selection);
    const label = `${describeUri(doc.uri).label}:${lines.startLine + 1}-${lines.endLine + 1}`;
    const files = [{ uri: doc.uri.toString(), text: doc.getText(selected.selection), range: lines, languageId: doc.languageId }];
    await ComparePanel.run(ctx.extensionUri, ctx.engine, ctx.log, { prompt: prompt.trim(), kind: 'explain', files, context: [label] });
    return;
  }
  const chips = editorChips(editor);
  await ComparePanel.run(ctx.extensionUri, ctx.engine, ctx.log, { prompt: prompt.trim(), kind: 'chat', files: chipsToFiles(chips), context: chips.map((c) => c.label) });
}

async function resetLearning(ctx: Ctx): Promise<void> {
  const pick = await vscode.window.showWarningMessage(
    'Forget what the router learned from your feedback?',
    { modal: true, detail: 'Routes follow the rules again until new feedback comes in. The ledger and the feedback in it are kept.' },
    'Reset Learning',
  );
  if (pick !== 'Reset Learning') return;
  await ctx.engine.resetLearning();
  void vscode.window.showInformationMessage('Tandem: the router forgot what it learned. Routes follow the rules until new feedback comes in.');
}

export const COMMANDS: readonly CommandSpec[] = [
  { id: 'tandem.openChat', title: 'Open Chat', icon: 'comment-discussion', needsEngine: false, inActions: true, run: (ctx) => ctx.chatView.reveal() },
  { id: 'tandem.explainSelection', title: 'Explain Selection', icon: 'lightbulb', needsEngine: false, inActions: false, run: explainSelection },
  {
    id: 'tandem.openRoutingPanel',
    title: 'Open Routing Panel',
    icon: 'graph',
    needsEngine: false,
    inActions: true,
    run: (ctx) => RoutingPanel.show(ctx.extensionUri, ctx.engine),
  },
  { id: 'tandem.compare', title: 'Compare Local and Claude', icon: 'split-horizontal', needsEngine: true, inActions: true, run: compareLocalAndClaude },
  { id: 'tandem.resetLearning', title: 'Reset Router Learning', icon: 'discard', needsEngine: true, inActions: false, run: resetLearning },
  { id: 'tandem.toggleInlineCompletions', title: 'Toggle Inline Completions', icon: 'eye', needsEngine: false, inActions: true, run: toggleInlineCompletions },
  { id: 'tandem.selectLocalModel', title: 'Select Local Model', icon: 'server-environment', needsEngine: false, inActions: true, run: selectLocalModel },
  { id: 'tandem.downloadRecommendedModel', title: 'Download Recommended Model', icon: 'cloud-download', needsEngine: true, inActions: true, run: downloadRecommendedModel },
  {
    id: 'tandem.evaluateLocalModel',
    title: 'Evaluate Local Model',
    icon: 'beaker',
    needsEngine: false,
    inActions: true,
    run: (ctx, args) => evaluateLocalModel(ctx, isEvalArgs(args) ? args : undefined),
  },
  { id: 'tandem.setApiKey', title: 'Set Anthropic API Key', icon: 'key', needsEngine: false, inActions: true, run: setApiKey },
  { id: 'tandem.clearApiKey', title: 'Clear Anthropic API Key', icon: 'trash', needsEngine: false, inActions: false, run: clearApiKey },
  { id: 'tandem.resetCloudConsent', title: 'Reset Cloud Consent for This Workspace', icon: 'shield', needsEngine: false, inActions: false, run: resetCloudConsent },
  { id: 'tandem.showLog', title: 'Show Log', icon: 'output', needsEngine: false, inActions: true, run: (ctx) => ctx.log.show(true) },
  { id: 'tandem.restartEngine', title: 'Restart Engine', icon: 'debug-restart', needsEngine: false, inActions: true, run: (ctx) => ctx.restart('the user ran "Tandem: Restart Engine"') },
  { id: SHOW_ACTIONS_COMMAND, title: 'Show Actions', icon: 'list-selection', needsEngine: false, inActions: false, run: (ctx) => showActions(ctx) },
];

async function engineNotRunning(ctx: Ctx, title: string): Promise<void> {
  const pick = await vscode.window.showErrorMessage(
    `Tandem: "${title}" needs the Tandem engine, which is not running.`,
    'Restart Engine',
    'Show Log',
  );
  if (pick === 'Restart Engine') await ctx.restart(`the user asked while running "${title}"`);
  if (pick === 'Show Log') ctx.log.show(true);
}

async function runCommand(ctx: Ctx, spec: CommandSpec, args?: unknown): Promise<void> {
  try {
    if (spec.needsEngine && !(await waitForEngine(ctx))) {
      await engineNotRunning(ctx, spec.title);
      return;
    }
    await spec.run(ctx, args);
  } catch (error) {
    if (error instanceof vscode.CancellationError) return;
    if (error instanceof EngineNotRunningError) {
      await engineNotRunning(ctx, spec.title);
      return;
    }
    ctx.log.error(`Command ${spec.id} failed: ${errorText(error)}`);
    const pick = await vscode.window.showErrorMessage(`Tandem: ${spec.title} failed: ${errorText(error)}`, 'Show Log');
    if (pick === 'Show Log') ctx.log.show(true);
  }
}

/** The status bar's quick pick: why suggestions are missing (if they are), then the actions. */
async function showActions(ctx: Ctx): Promise<void> {
  type Item = vscode.QuickPickItem & { spec?: CommandSpec };
  const enabled = readSettings().completions.enabled;
  const items: Item[] = [];
  const because = ctx.status.noSuggestionsBecause;
  if (because) items.push({ label: `No suggestions: ${because}`, kind: vscode.QuickPickItemKind.Separator });
  for (const spec of COMMANDS.filter((c) => c.inActions)) {
    const label = spec.id === 'tandem.toggleInlineCompletions' ? (enabled ? 'Turn Inline Completions Off' : 'Turn Inline Completions On') : spec.title;
    const icon = spec.id === 'tandem.toggleInlineCompletions' ? (enabled ? 'eye-closed' : 'eye') : spec.icon;
    items.push({ label: `$(${icon}) ${label}`, spec });
  }
  const pick = await vscode.window.showQuickPick(items, { title: ctx.status.text.replace(/\$\([^)]*\)\s*/g, ''), placeHolder: 'Tandem actions' });
  if (pick?.spec) await vscode.commands.executeCommand(pick.spec.id);
}

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return COMMANDS.map((spec) => vscode.commands.registerCommand(spec.id, (args?: unknown) => runCommand(ctx, spec, args)));
}
