// The chat view as a user drives it in the browser e2e: store the API key once, type a question (optionally in
// Refactor mode, optionally attaching files with @), answer the cloud consent dialog when VS Code shows it, wait
// for the answer.
import type { Locator } from 'playwright-core';
import { waitUntil, type Workbench } from './driver';

/** Shaped like a real key (sk-ant-…, long enough): Tandem refuses text that cannot be one. */
export const API_KEY = 'sk-ant-api03-e2e-test-key-0000000000000000';

/** What the cloud consent dialog showed. */
export interface ConsentSeen {
  /** The dialog's text, as shown. */
  text: string;
  /** Its buttons, and the one that has the focus (the default). */
  buttons: string[];
  focused: string;
}

export class ChatDriver {
  /** The key is stored (by this driver, or by a step that typed it itself). */
  apiKeySet = false;
  /** What the consent dialog showed during the last `ask` (undefined: it did not show). */
  lastConsent: ConsentSeen | undefined;

  constructor(private readonly wb: Workbench) {}

  /** Stores the API key the way a user does (command palette, password box); waits for "saved". */
  async storeApiKey(): Promise<Locator> {
    await this.wb.runCommand('Tandem: Set Anthropic API Key');
    const input = await this.wb.waitVisible(this.wb.page.locator('.quick-input-widget .quick-input-box input'), 'the API key input box');
    await input.fill(API_KEY);
    await input.press('Enter');
    this.apiKeySet = true;
    return this.wb.waitVisible(this.wb.toast('API key saved'), 'the "API key saved" notification', 15_000);
  }

  /** Stores the API key once. */
  async setApiKey(): Promise<void> {
    if (this.apiKeySet) return;
    await this.storeApiKey();
    await this.wb.runCommand('Notifications: Clear All Notifications');
  }

  /**
   * Sends `request` from the chat (Refactor mode on or off), attaching each of `mentions` with @ first, answers
   * the consent dialog with `consent` (default: "Always for This Workspace") whenever VS Code asks, and waits until
   * the answer is complete. Returns that answer; `lastConsent` says what the dialog showed.
   */
  async ask(request: string, options: { refactor: boolean; mentions?: string[]; consent?: string }): Promise<Locator> {
    await this.setApiKey();
    const chat = this.wb.webview('chat');
    const toggle = chat.locator('button.toggle', { hasText: 'Refactor' });
    if ((await toggle.count()) > 0 && ((await toggle.getAttribute('aria-pressed')) === 'true') !== options.refactor) await toggle.click();
    const before = await this.answerIds();
    const box = await this.wb.waitVisible(chat.locator('textarea.input'), 'the chat input');
    await box.fill(`${request} `);
    for (const name of options.mentions ?? []) {
      await box.press('End');
      await box.pressSequentially(`@${name}`, { delay: 20 });
      await this.wb.waitVisible(chat.locator('ul.mentions li', { hasText: name }), `${name} in the @-mention list`, 20_000);
      await box.press('Enter');
      await this.wb.waitVisible(chat.locator('.chip', { hasText: name }), `a context chip for ${name}`, 10_000);
    }
    await box.press('Enter');
    return this.finished(before, `the answer to "${request}"`, options.consent);
  }

  /** Ids of the answers in the thread now. */
  async answerIds(): Promise<Set<string>> {
    const ids = await this.wb.webview('chat').locator('article.turn.assistant').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
    return new Set(ids);
  }

  /**
   * Waits for the first answer that is not in `before` to finish, answering the consent dialog with `consent` if
   * VS Code asks meanwhile. (By id, not by count: a "Clear Conversation" may still be on its way.)
   */
  async finished(before: Set<string>, what: string, consent = 'Always for This Workspace'): Promise<Locator> {
    const dialog = this.wb.page.locator('.monaco-dialog-box');
    const answer = dialog.locator('.monaco-button', { hasText: consent });
    const chat = this.wb.webview('chat');
    this.lastConsent = undefined;
    const id = await waitUntil(`${what} to finish`, 120_000, async () => {
      if (await answer.isVisible()) {
        this.lastConsent ??= {
          text: await dialog.innerText(),
          buttons: (await dialog.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()).filter(Boolean),
          focused: (await this.wb.page.evaluate(() => document.activeElement?.textContent ?? '')).trim(),
        };
        await this.wb.screenshot('consent-dialog');
        await answer.click();
        return undefined;
      }
      const fresh = [...(await this.answerIds())].find((x) => !before.has(x));
      if (!fresh) return undefined;
      const cls = (await chat.locator(`article.turn.assistant[data-id="${fresh}"]`).getAttribute('class')) ?? '';
      return /state-streaming/.test(cls) ? undefined : fresh;
    });
    return chat.locator(`article.turn.assistant[data-id="${id}"]`);
  }
}
