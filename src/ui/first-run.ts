// The first activation for this user: the chat moves to the secondary side bar, where peers keep their chat (VS Code
// 1.99 lets an extension declare view containers only in the activity bar and the panel, so the view is moved once
// with the workbench's own command), and the walkthrough opens. Each happens once; a later move by the user stays.
import * as vscode from 'vscode';

const CHAT_MOVED_KEY = 'tandem.firstRun.chatMoved';
const WALKTHROUGH_SHOWN_KEY = 'tandem.firstRun.walkthroughShown';
/** The secondary side bar's built-in chat container (VS Code 1.99: `workbench.panel.chat`, located there by default). */
const SECONDARY_SIDE_BAR_CONTAINER = 'workbench.panel.chat';
export const WALKTHROUGH_ID = 'tandem.start';

export async function firstRun(context: vscode.ExtensionContext, chatViewId: string, log: vscode.LogOutputChannel): Promise<void> {
  // Extension-host tests drive editors themselves: nothing may take the focus from them.
  if (context.extensionMode === vscode.ExtensionMode.Test) return;
  const state = context.globalState;
  if (!state.get(CHAT_MOVED_KEY)) {
    await state.update(CHAT_MOVED_KEY, true);
    try {
      await vscode.commands.executeCommand('vscode.moveViews', { viewIds: [chatViewId], destinationId: SECONDARY_SIDE_BAR_CONTAINER });
      log.info('First run: the Tandem chat was moved to the secondary side bar (drag it elsewhere to keep it there).');
    } catch (error) {
      log.warn(`First run: the chat could not be moved to the secondary side bar: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!state.get(WALKTHROUGH_SHOWN_KEY)) {
    await state.update(WALKTHROUGH_SHOWN_KEY, true);
    await openWalkthrough(context);
    log.info('First run: opened the "Get Started with Tandem" walkthrough.');
  }
}

export async function openWalkthrough(context: vscode.ExtensionContext): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false);
}
