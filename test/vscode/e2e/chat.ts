// The chat view as a user drives it in the browser e2e: store the API key once, type a question (optionally in
// Refactor mode, optionally attaching files with @), allow cloud use when VS Code asks, wait for the answer.
import type { Locator } from 'playwright-core';
import { waitUntil, type Workbench } from './driver';

const API_KEY = 'sk-ant-e2e-test-key-0000';

export class ChatDriver {
  private apiKeySet = false;

  constructor(private readonly wb: Workbench) {}

  /** Stores the API key the way a user does (command palette, password box), once. */
  async setApiKey(): Promise<void> {
    if (this.apiKeySet) return;
    await this.wb.runCommand('Tandem: Set Anthropic API Key');
    const input = await this.wb.waitVisible(this.wb.page.locator('.quick-input-widget .quick-input-box input'), 'the API key input box');
    await input.fill(API_KEY);
    await input.press('Enter');
    await this.wb.waitVisible(this.wb.page.locator('.notifications-toasts', { hasText: 'API key saved' }), 'the "API key saved" notification', 15_000);
    await this.wb.runCommand('Notifications: Clear All Notifications');
    this.apiKeySet = true;
  }

  /**
   * Sends `request` from the chat (Refactor mode on or off), attaching each of `mentions` with @ first, allows
   * cloud use for the workspace when asked, and waits until the answer is complete. Returns that answer.
   */
  async ask(request: string, options: { refactor: boolean; mentions?: string[] }): Promise<Locator> {
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
    return this.finished(before, `the answer to "${request}"`);
  }

  /** Ids of the answers in the thread now. */
  async answerIds(): Promise<Set<string>> {
    const ids = await this.wb.webview('chat').locator('article.turn.assistant').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
    return new Set(ids);
  }

  /**
   * Waits for the first answer that is not in `before` to finish, allowing cloud use for the workspace if VS
   * Code asks meanwhile. (By id, not by count: a "Clear conversation" may still be on its way.)
   */
  async finished(before: Set<string>, what: string): Promise<Locator> {
    // Cloud consent for this workspace ("ask" is the default): the user allows it when VS Code asks.
    const consent = this.wb.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Always for This Workspace' });
    const chat = this.wb.webview('chat');
    const id = await waitUntil(`${what} to finish`, 120_000, async () => {
      if (await consent.isVisible()) {
        await this.wb.screenshot('cloud-consent');
        await consent.click();
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
