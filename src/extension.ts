// activate/deactivate only: build the context, start the engine without waiting for it; on failure say so and
// rethrow. Activation is measured and logged ("Tandem activated in N ms"); the engine starts right after.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Ctx, errorText, type TandemApi } from './ctx';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): TandemApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Tandem', { log: true });
  context.subscriptions.push(log);
  try {
    ctx = new Ctx(context, log);
    context.subscriptions.push(...registerCommands(ctx));
    ctx.startSoon();
    const activationMs = Math.round(performance.now() - started);
    log.info(`Tandem activated in ${activationMs} ms`);
    return ctx.api(activationMs);
  } catch (error) {
    log.error(`Tandem failed to activate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void vscode.window.showErrorMessage(`Tandem failed to activate: ${errorText(error)}`, 'Show Log').then((pick) => {
      if (pick === 'Show Log') log.show(true);
    });
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  const current = ctx;
  ctx = undefined;
  await current?.dispose();
}
