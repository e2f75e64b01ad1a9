// The Anthropic API key: set (its shape checked as you type, a stored key named by its last characters), test
// (one tiny request through the engine's egress gate, with what it cost) and clear. The key lives only in
// SecretStorage and reaches the engine over tandem/setApiKey; it is never logged. The inference server's key (set,
// clear) is kept the same way and goes to tandem.local.url only.
import * as vscode from 'vscode';
import { API_KEY_SECRET, SERVER_API_KEY_SECRET, type Ctx } from '../ctx';
import { apiKeyProblem, keyHint, preciseUsd } from './key-format';

const SET = 'Set Anthropic API Key';
const CLEAR = 'Clear Anthropic API Key';

/** A key kept in SecretStorage: what its set and clear commands say. */
interface StoredKey {
  secret: string;
  /** "Anthropic API key", capitalised where a sentence starts. */
  name: string;
  title: string;
  /** The input box's prompt when no key is stored yet. */
  newKeyPrompt: string;
  placeHolder: string;
  validate(value: string): string | undefined;
  /** Said when there is no key to clear (after "Tandem: no <name> is stored."). */
  noneStored?: () => string;
  removedDetail: string;
  removed: string;
}

const capital = (text: string): string => text[0].toUpperCase() + text.slice(1);

/** Asks for a new key (naming a stored one by its last characters) and stores it; undefined when cancelled. */
async function storeNewKey(ctx: Ctx, spec: StoredKey): Promise<string | undefined> {
  const existing = await ctx.extension.secrets.get(spec.secret);
  const key = await vscode.window.showInputBox({
    title: spec.title,
    prompt: existing ? `A key is already stored (ending in ${keyHint(existing)}). Enter a new one to replace it, or press Escape to keep it.` : spec.newKeyPrompt,
    placeHolder: spec.placeHolder,
    password: true,
    ignoreFocusOut: true,
    validateInput: spec.validate,
  });
  if (key === undefined) return undefined;
  await ctx.extension.secrets.store(spec.secret, key.trim());
  ctx.log.info(`${capital(spec.name)} stored in SecretStorage.`);
  return key.trim();
}

/** Removes a stored key after a modal confirmation; false when there was none or the user kept it. */
async function removeKey(ctx: Ctx, spec: StoredKey): Promise<boolean> {
  const existing = await ctx.extension.secrets.get(spec.secret);
  if (!existing) {
    void vscode.window.showInformationMessage(`Tandem: no ${spec.name} is stored.${spec.noneStored?.() ?? ''}`);
    return false;
  }
  const pick = await vscode.window.showWarningMessage(
    `Remove the stored ${spec.name} (ending in ${keyHint(existing)})?`,
    { modal: true, detail: spec.removedDetail },
    'Remove Key',
  );
  if (pick !== 'Remove Key') return false;
  await ctx.extension.secrets.delete(spec.secret);
  ctx.log.info(`${capital(spec.name)} removed from SecretStorage.`);
  return true;
}

const ANTHROPIC_KEY: StoredKey = {
  secret: API_KEY_SECRET,
  name: 'Anthropic API key',
  title: `Tandem: ${SET}`,
  newKeyPrompt: 'Kept in VS Code SecretStorage, never in settings or logs. Create one at console.anthropic.com (Settings → API Keys).',
  placeHolder: 'sk-ant-…',
  validate: apiKeyProblem,
  noneStored: () => (process.env.ANTHROPIC_API_KEY ? ' The engine still uses ANTHROPIC_API_KEY from the environment.' : ''),
  removedDetail: 'Requests that need Claude will stay local or be blocked until you set a key again.',
  removed: 'Tandem: Anthropic API key removed. Requests that need Claude stay local until you set one again.',
};

/** The key an inference server expects (llama-server --api-key, a vLLM or proxy token): SecretStorage only, sent as a
 * Bearer token to tandem.local.url and nowhere else. */
const SERVER_KEY: StoredKey = {
  secret: SERVER_API_KEY_SECRET,
  name: 'inference server API key',
  title: 'Tandem: Set Inference Server API Key',
  newKeyPrompt:
    'The key your inference server expects (llama-server --api-key, a vLLM or proxy token), sent as a Bearer token to tandem.local.url only. Kept in VS Code SecretStorage, never in settings or logs.',
  placeHolder: "the server's API key",
  validate: (value) => {
    const trimmed = value.trim();
    if (!trimmed) return 'Enter a key, or run "Tandem: Clear Inference Server API Key" to remove the stored one.';
    if (/\s/.test(trimmed)) return 'An API key has no spaces or line breaks.';
    return undefined;
  },
  removedDetail: 'Requests to the inference server go without a key until you set one again.',
  removed: 'Tandem: inference server API key removed.',
};

export async function setApiKey(ctx: Ctx): Promise<void> {
  if ((await storeNewKey(ctx, ANTHROPIC_KEY)) === undefined) return;
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
  if (!(await removeKey(ctx, ANTHROPIC_KEY))) return;
  await ctx.pushApiKey(true);
  void vscode.window.showInformationMessage(ANTHROPIC_KEY.removed);
}

/** The inference server's key; a new or removed key reaches the engine through SecretStorage's change event. */
export async function setServerApiKey(ctx: Ctx): Promise<void> {
  if ((await storeNewKey(ctx, SERVER_KEY)) === undefined) return;
  void vscode.window.showInformationMessage('Tandem: inference server API key saved. Tandem checks the server again with it now.');
}

export async function clearServerApiKey(ctx: Ctx): Promise<void> {
  if (await removeKey(ctx, SERVER_KEY)) void vscode.window.showInformationMessage(SERVER_KEY.removed);
}
