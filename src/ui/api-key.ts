// The Anthropic API key: set (its shape checked as you type, a stored key named by its last characters), test
// (one tiny request through the engine's egress gate, with what it cost) and clear. The key lives only in
// SecretStorage and reaches the engine over tandem/setApiKey; it is never logged. The inference server's key (set,
// clear) is kept the same way and goes to tandem.local.url only.
import * as vscode from 'vscode';
import { API_KEY_SECRET, SERVER_API_KEY_SECRET, type Ctx } from '../ctx';
import { apiKeyProblem, keyHint, preciseUsd } from './key-format';

const SET = 'Set Anthropic API Key';
const CLEAR = 'Clear Anthropic API Key';

export async function setApiKey(ctx: Ctx): Promise<void> {
  const existing = await ctx.extension.secrets.get(API_KEY_SECRET);
  const key = await vscode.window.showInputBox({
    title: `Tandem: ${SET}`,
    prompt: existing
      ? `A key is already stored (ending in ${keyHint(existing)}). Enter a new one to replace it, or press Escape to keep it.`
      : 'Kept in VS Code SecretStorage, never in settings or logs. Create one at console.anthropic.com (Settings → API Keys).',
    placeHolder: 'sk-ant-…',
    password: true,
    ignoreFocusOut: true,
    validateInput: apiKeyProblem,
  });
  if (key === undefined) return;
  await ctx.extension.secrets.store(API_KEY_SECRET, key.trim());
  ctx.log.info('Anthropic API key stored in SecretStorage.');
  // The engine gets the key before a test can ask it to use it.
  await ctx.pushApiKey(true);
  const pick = await vscode.window.showInformationMessage(
    'Tandem: Anthropic API key saved. Requests that need Claude can use it now. Test it with one request of a few tokens (a tiny fraction of a cent)?',
    'Test Key',
  );
  if (pick === 'Test Key') await testApiKey(ctx);
}

export async function testApiKey(ctx: Ctx): Promise<void> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Tandem: testing the Anthropic API key…' },
    () => ctx.engine.testApiKey(),
  );
  if (result.ok) {
    ctx.log.info(`API key test: ${result.model} answered in ${result.ms} ms for ${preciseUsd(result.costUsd)}.`);
    void vscode.window.showInformationMessage(
      `Tandem: the Anthropic API key works: ${result.model} answered in ${result.ms} ms. The test cost ${preciseUsd(result.costUsd)}.`,
    );
    return;
  }
  ctx.log.warn(`API key test: ${result.problem}: ${result.reason}`);
  const actions = result.problem === 'rejected' ? [SET, CLEAR] : result.problem === 'no-key' ? [SET] : result.problem === 'unreachable' ? ['Retry'] : [];
  const show = result.problem === 'rejected' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  const pick = await show(`Tandem: the API key test did not pass. ${result.reason}`, ...actions);
  if (pick === SET) await vscode.commands.executeCommand('tandem.setApiKey');
  if (pick === CLEAR) await vscode.commands.executeCommand('tandem.clearApiKey');
  if (pick === 'Retry') await testApiKey(ctx);
}

export async function clearApiKey(ctx: Ctx): Promise<void> {
  const existing = await ctx.extension.secrets.get(API_KEY_SECRET);
  if (!existing) {
    const env = process.env.ANTHROPIC_API_KEY ? ' The engine still uses ANTHROPIC_API_KEY from the environment.' : '';
    void vscode.window.showInformationMessage(`Tandem: no Anthropic API key is stored.${env}`);
    return;
  }
  const pick = await vscode.window.showWarningMessage(
    `Remove the stored Anthropic API key (ending in ${keyHint(existing)})?`,
    { modal: true, detail: 'Requests that need Claude will stay local or be blocked until you set a key again.' },
    'Remove Key',
  );
  if (pick !== 'Remove Key') return;
  await ctx.extension.secrets.delete(API_KEY_SECRET);
  ctx.log.info('Anthropic API key removed from SecretStorage.');
  await ctx.pushApiKey(true);
  void vscode.window.showInformationMessage('Tandem: Anthropic API key removed. Requests that need Claude stay local until you set one again.');
}

const SERVER_KEY = 'inference server API key';

/** The key an inference server expects (llama-server --api-key, a vLLM or proxy token): SecretStorage only, sent as a
 * Bearer token to tandem.local.url and nowhere else. */
export async function setServerApiKey(ctx: Ctx): Promise<void> {
  const existing = await ctx.extension.secrets.get(SERVER_API_KEY_SECRET);
  const key = await vscode.window.showInputBox({
    title: 'Tandem: Set Inference Server API Key',
    prompt: existing
      ? `A key is already stored (ending in ${keyHint(existing)}). Enter a new one to replace it, or press Escape to keep it.`
      : 'The key your inference server expects (llama-server --api-key, a vLLM or proxy token), sent as a Bearer token to tandem.local.url only. Kept in VS Code SecretStorage, never in settings or logs.',
    placeHolder: "the server's API key",
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => {
      const trimmed = value.trim();
      if (!trimmed) return 'Enter a key, or run "Tandem: Clear Inference Server API Key" to remove the stored one.';
      if (/\s/.test(trimmed)) return 'An API key has no spaces or line breaks.';
      return undefined;
    },
  });
  if (key === undefined) return;
  await ctx.extension.secrets.store(SERVER_API_KEY_SECRET, key.trim());
  ctx.log.info('Inference server API key stored in SecretStorage.');
  void vscode.window.showInformationMessage(`Tandem: ${SERVER_KEY} saved. Tandem checks the server again with it now.`);
}

export async function clearServerApiKey(ctx: Ctx): Promise<void> {
  const existing = await ctx.extension.secrets.get(SERVER_API_KEY_SECRET);
  if (!existing) {
    void vscode.window.showInformationMessage(`Tandem: no ${SERVER_KEY} is stored.`);
    return;
  }
  const pick = await vscode.window.showWarningMessage(
    `Remove the stored ${SERVER_KEY} (ending in ${keyHint(existing)})?`,
    { modal: true, detail: 'Requests to the inference server go without a key until you set one again.' },
    'Remove Key',
  );
  if (pick !== 'Remove Key') return;
  await ctx.extension.secrets.delete(SERVER_API_KEY_SECRET);
  ctx.log.info('Inference server API key removed from SecretStorage.');
  void vscode.window.showInformationMessage(`Tandem: ${SERVER_KEY} removed.`);
}
