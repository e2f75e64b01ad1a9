// One table of commands (all in category "Tandem" in package.json). Each command that needs the engine waits for
// it while it starts and, when it is not running, says so with "Restart Engine" / "Show Log" instead of failing.
import * as vscode from 'vscode';
import { readSettings, targetFor, SECTION } from './config';
import { clearApiKey, clearServerApiKey, setApiKey, setServerApiKey, testApiKey } from './ui/api-key';
import { openWalkthrough } from './ui/first-run';
import { downloadRecommendedModel, selectLocalModel } from './ui/model-commands';
import { waitForEngine } from './ui/engine-wait';
import { EngineNotRunningError } from './client/engine-api';
import { errorText, type Ctx } from './ctx';
import { SHOW_ACTIONS_COMMAND } from './status';
import { chipsToFiles, describeUri, editorChips, selectionLines } from './views/chat-context';
import { ComparePanel } from './views/compare-panel';
import { RoutingPanel } from './views/routing-panel';
import { evaluateLocalModel, isEvalArgs } from './ui/eval-command';

/** The status bar menu's sections, in order. */
const MENU_GROUPS = ['Chat', 'Local model', 'Claude', 'Tandem'] as const;

export interface CommandSpec {
  id: string;
  /** As in package.json, without the "Tandem: " its category (or title) adds. */
  title: string;
  icon: string;
  /** Waits for the engine and falls back to an "engine not running" message without it. */
  needsEngine: boolean;
  /** The status bar menu's section that lists it (every command but the menu itself). */
  group?: (typeof MENU_GROUPS)[number];
  /** `args`: what a caller passed to executeCommand (scripted runs), usually nothing. */
  run(ctx: Ctx, args?: unknown): Promise<unknown> | unknown;
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
  // The engine remembers an answer for its lifetime: it forgets it on this notification (no restart, so the
  // loaded model stays loaded). A stopped engine reads the reset setting when it starts.
  if (ctx.engine.isRunning()) await ctx.engine.resetConsent();
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
  { id: 'tandem.openChat', title: 'Open Chat', icon: 'comment-discussion', needsEngine: false, group: 'Chat', run: (ctx) => ctx.chatView.reveal() },
  { id: 'tandem.explainSelection', title: 'Explain Selection', icon: 'lightbulb', needsEngine: false, group: 'Chat', run: explainSelection },
  { id: 'tandem.clearConversation', title: 'Clear Conversation', icon: 'clear-all', needsEngine: false, group: 'Chat', run: (ctx) => ctx.chatView.clear() },
  { id: 'tandem.openRoutingPanel', title: 'Open Routing Panel', icon: 'graph', needsEngine: false, group: 'Chat', run: (ctx) => RoutingPanel.show(ctx.extensionUri, ctx.engine) },
  { id: 'tandem.compare', title: 'Compare Local and Claude', icon: 'split-horizontal', needsEngine: true, group: 'Chat', run: compareLocalAndClaude },
  { id: 'tandem.resetLearning', title: 'Reset Router Learning', icon: 'discard', needsEngine: true, group: 'Claude', run: resetLearning },
  { id: 'tandem.toggleInlineCompletions', title: 'Toggle Inline Completions', icon: 'eye', needsEngine: false, group: 'Local model', run: toggleInlineCompletions },
  { id: 'tandem.selectLocalModel', title: 'Select Local Model', icon: 'server-environment', needsEngine: false, group: 'Local model', run: selectLocalModel },
  { id: 'tandem.downloadRecommendedModel', title: 'Download Recommended Model', icon: 'cloud-download', needsEngine: true, group: 'Local model', run: downloadRecommendedModel },
  {
    id: 'tandem.evaluateLocalModel',
    title: 'Evaluate Local Model',
    icon: 'beaker',
    needsEngine: false,
    group: 'Local model',
    run: (ctx, args) => evaluateLocalModel(ctx, isEvalArgs(args) ? args : undefined),
  },
  { id: 'tandem.setApiKey', title: 'Set Anthropic API Key', icon: 'key', needsEngine: false, group: 'Claude', run: setApiKey },
  { id: 'tandem.testApiKey', title: 'Test Anthropic API Key', icon: 'pass', needsEngine: true, group: 'Claude', run: testApiKey },
  { id: 'tandem.clearApiKey', title: 'Clear Anthropic API Key', icon: 'trash', needsEngine: false, group: 'Claude', run: clearApiKey },
  { id: 'tandem.resetCloudConsent', title: 'Reset Cloud Consent for This Workspace', icon: 'shield', needsEngine: false, group: 'Claude', run: resetCloudConsent },
  { id: 'tandem.setServerApiKey', title: 'Set Inference Server API Key', icon: 'key', needsEngine: false, group: 'Local model', run: setServerApiKey },
  { id: 'tandem.clearServerApiKey', title: 'Clear Inference Server API Key', icon: 'trash', needsEngine: false, group: 'Local model', run: clearServerApiKey },
  {
    id: 'tandem.openSettings',
    title: 'Open Settings',
    icon: 'settings-gear',
    needsEngine: false,
    group: 'Tandem',
    run: (ctx) => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${ctx.extension.extension.id}`),
  },
  { id: 'tandem.getStarted', title: 'Get Started', icon: 'rocket', needsEngine: false, group: 'Tandem', run: (ctx) => openWalkthrough(ctx.extension) },
  { id: 'tandem.showLog', title: 'Show Log', icon: 'output', needsEngine: false, group: 'Tandem', run: (ctx) => ctx.log.show(true) },
  { id: 'tandem.restartEngine', title: 'Restart Engine', icon: 'debug-restart', needsEngine: false, group: 'Tandem', run: (ctx) => ctx.restart('the user ran "Tandem: Restart Engine"') },
  { id: SHOW_ACTIONS_COMMAND, title: 'Show Actions', icon: 'list-selection', needsEngine: false, run: (ctx) => showActions(ctx) },
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

/** The status bar's menu: every action, in sections. Why suggestions are missing (if they are) is in the title, so
 * no item hides behind it. */
async function showActions(ctx: Ctx): Promise<void> {
  type Item = vscode.QuickPickItem & { spec?: CommandSpec };
  const enabled = readSettings().completions.enabled;
  const items: Item[] = [];
  for (const group of MENU_GROUPS) {
    items.push({ label: group, kind: vscode.QuickPickItemKind.Separator });
    for (const spec of COMMANDS.filter((c) => c.group === group)) {
      const toggle = spec.id === 'tandem.toggleInlineCompletions';
      const label = toggle ? (enabled ? 'Turn Inline Completions Off' : 'Turn Inline Completions On') : spec.title;
      const icon = toggle ? (enabled ? 'eye-closed' : 'eye') : spec.icon;
      items.push({ label: `$(${icon}) ${label}`, spec });
    }
  }
  const state = ctx.status.text.replace(/\$\([^)]*\)\s*/g, '');
  const because = ctx.status.noSuggestionsBecause;
  const pick = await vscode.window.showQuickPick(items, {
    title: because ? `${state} · no suggestions: ${because}` : state,
    placeHolder: 'Tandem actions',
    matchOnDescription: true,
  });
  if (pick?.spec) await vscode.commands.executeCommand(pick.spec.id);
}

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return COMMANDS.map((spec) => vscode.commands.registerCommand(spec.id, (args?: unknown) => runCommand(ctx, spec, args)));
}
