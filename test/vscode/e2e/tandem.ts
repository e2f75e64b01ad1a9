// What a user does with Tandem in the browser VS Code, as steps the end-to-end test composes: store the API key,
// ask the chat for a refactor and answer the consent dialog.
import type { Locator } from 'playwright-core';
import { waitUntil, type Workbench } from './driver';

/** Shaped like a real key (sk-ant-…, long enough): Tandem refuses text that cannot be one. */
export const API_KEY = 'sk-ant-api03-e2e-test-key-0000000000000000';

/** Stores the API key the way a user does (command palette, password box). */
export async function storeApiKey(wb: Workbench): Promise<void> {
  await wb.runCommand('Tandem: Set Anthropic API Key');
  const input = await wb.waitVisible(wb.page.locator('.quick-input-widget .quick-input-box input'), 'the API key input box');
  await input.fill(API_KEY);
  await input.press('Enter');
  await wb.waitVisible(wb.toast('API key saved'), 'the "API key saved" notification', 15_000);
}

export interface ConsentSeen {
  /** The dialog's text, as shown. */
  text: string;
  /** Its buttons, in order, and the one that has the focus (the default). */
  buttons: string[];
  focused: string;
}

/**
 * Sends `request` from the chat in Refactor mode, answers the cloud consent dialog with `answer` whenever VS Code
 * shows it, and waits until the answer is complete. Returns the answer (`article.turn.assistant`) and what the
 * consent dialog showed (the first time it showed).
 */
export async function askRefactor(wb: Workbench, request: string, answer: string): Promise<{ answer: Locator; consent?: ConsentSeen }> {
  const chat = wb.webview('chat');
  const toggle = chat.locator('button.toggle', { hasText: 'Refactor' });
  if ((await toggle.count()) > 0 && (await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  const answers = chat.locator('article.turn.assistant');
  const before = await answers.count();
  const box = await wb.waitVisible(chat.locator('textarea.input'), 'the chat input');
  await box.fill(request);
  await box.press('Enter');
  const dialog = wb.page.locator('.monaco-dialog-box');
  const button = dialog.locator('.monaco-button', { hasText: answer });
  const result = answers.nth(before);
  let consent: ConsentSeen | undefined;
  await waitUntil(`the answer to "${request}" to finish`, 120_000, async () => {
    if (await button.isVisible()) {
      if (!consent) {
        consent = {
          text: await dialog.innerText(),
          buttons: (await dialog.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()).filter(Boolean),
          focused: (await wb.page.evaluate(() => document.activeElement?.textContent ?? '')).trim(),
        };
        await wb.screenshot('consent-dialog');
      }
      await button.click();
      return undefined;
    }
    return (await answers.count()) > before && !/state-streaming/.test((await result.getAttribute('class')) ?? '') ? true : undefined;
  });
  return { answer: result, consent };
}
