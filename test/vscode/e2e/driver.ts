// Drives VS Code's web client the way a user does: keyboard, command palette, clicks. Every wait is bounded
// and fails with a message that says what the user would have been waiting for.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { waitUntil } from '../../support/wait';

export const artifactsDir = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'vscode');

export class Workbench {
  private shots = 0;

  constructor(readonly page: Page) {
    mkdirSync(artifactsDir, { recursive: true });
  }

  /** Saves test-artifacts/vscode/NN-name.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = join(artifactsDir, `${String(++this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file, timeout: 15_000 }).catch(() => undefined);
    return file;
  }

  async waitVisible(locator: Locator, what: string, timeoutMs = 30_000): Promise<Locator> {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    return locator.first();
  }

  async waitForWorkbench(): Promise<void> {
    await this.waitVisible(this.page.locator('.monaco-workbench .part.statusbar'), 'the VS Code workbench to load', 90_000);
    await this.waitVisible(this.page.locator('.explorer-folders-view, .explorer-viewlet, .pane-header'), 'the workspace folder to open', 60_000);
  }

  /** Ctrl+Shift+P, type the command's title, Enter. */
  async runCommand(title: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('Control+Shift+P');
    const input = await this.waitVisible(this.page.locator('.quick-input-widget .quick-input-box input'), 'the command palette (Ctrl+Shift+P)', 15_000);
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title });
    await this.waitVisible(row, `the command "${title}" in the command palette (is it contributed?)`, 15_000);
    await input.press('Enter');
  }

  async closeQuickInput(): Promise<void> {
    if (await this.page.locator('.quick-input-widget').isVisible()) await this.page.keyboard.press('Escape');
  }

  /** Quick Open (Ctrl+P) a workspace file by name and wait for its editor tab. */
  async openFile(name: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('Control+P');
    const input = await this.waitVisible(this.page.locator('.quick-input-widget .quick-input-box input'), 'Quick Open');
    await input.fill(name);
    const row = await this.waitVisible(this.page.locator('.quick-input-widget .monaco-list-row', { hasText: name }), `${name} in Quick Open`, 15_000);
    await row.click();
    await this.waitVisible(this.page.locator('.editor-group-container.active .tab.active', { hasText: name }), `the editor of ${name}`);
    // Quick Open leaves the keyboard focus in the editor it opened; wait for it rather than clicking.
    await this.waitVisible(this.page.locator('.editor-group-container.active .monaco-editor.focused'), `keyboard focus in the editor of ${name}`, 10_000);
  }

  /** The text the active editor shows (visible lines), non-breaking spaces normalized. */
  async editorText(): Promise<string> {
    const lines = await this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allInnerTexts();
    return lines.join('\n').replaceAll('\u00a0', ' ');
  }

  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = await this.waitVisible(this.page.locator('.quick-input-widget .quick-input-box input'), 'Go to Line');
    await input.fill(`:${line}`);
    await input.press('Enter');
  }

  statusItem(): Locator {
    return this.page.locator('[id="tandem-dev.tandem.tandem.status"]');
  }

  /**
   * Waits until the Tandem status bar item's state matches `pattern`; returns it. The item shows an icon and a word;
   * its accessible name (what a screen reader says, and the hover's first line) carries the whole state.
   */
  async waitForStatus(pattern: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '(no Tandem status bar item)';
    while (Date.now() < deadline) {
      const item = this.statusItem();
      if ((await item.count()) > 0) {
        const shown = (await item.first().innerText().catch(() => '')).trim();
        last = `${(await item.first().getAttribute('aria-label').catch(() => '')) ?? ''} [shows "${shown}"]`;
        if (pattern.test(last)) return last;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}: the Tandem status bar item says "${last}"`);
  }

  /** Hovers the Tandem status bar item and returns the hover's text. */
  async statusHover(what: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return waitUntil(what, timeoutMs, async () => {
      await this.page.mouse.move(0, 0);
      await this.statusItem().hover();
      const hover = this.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'Tandem' });
      await hover.first().waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
      const text = (await hover.first().innerText().catch(() => '')).trim();
      return pattern.test(text) ? text : undefined;
    }, 500);
  }

  /** The rows of the open quick pick, as their labels. */
  async quickPickLabels(): Promise<string[]> {
    await this.waitVisible(this.page.locator('.quick-input-widget .monaco-list-row'), 'the quick pick rows', 15_000);
    return (await this.page.locator('.quick-input-widget .monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim());
  }

  /** A notification toast that contains `text`. */
  toast(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  /** A notification that contains `text`: its toast, or, once the toast has timed out, its entry in the
   * notification center (which this opens). */
  async notification(text: string, what: string, timeoutMs = 30_000): Promise<Locator> {
    const center = this.page.locator('.notifications-center .notification-list-item', { hasText: text });
    return waitUntil(what, timeoutMs, async () => {
      if (await this.toast(text).first().isVisible()) return this.toast(text).first();
      if (await center.first().isVisible()) return center.first();
      if (!(await this.page.locator('.notifications-center.visible').isVisible())) await this.runCommand('Notifications: Show Notifications');
      return undefined;
    }, 1000);
  }

  /** The secondary side bar. */
  auxiliaryBar(): Locator {
    return this.page.locator('[id="workbench.parts.auxiliarybar"]');
  }

  /** The inner document of Tandem's chat view or routing panel (VS Code nests two iframes per webview). */
  webview(kind: 'chat' | 'panel'): FrameLocator {
    const outer = 'iframe.webview[src*="extensionId=tandem-dev.tandem"]';
    const selector = kind === 'chat' ? `${outer}[src*="purpose=webviewView"]` : `${outer}:not([src*="purpose=webviewView"])`;
    return this.page.frameLocator(selector).frameLocator('#active-frame');
  }

  /** After a failed step: closes a modal dialog and discards an open Refactor Preview, if any. */
  async dismissLeftovers(): Promise<void> {
    for (let i = 0; i < 3 && (await this.page.locator('.monaco-dialog-box').isVisible()); i++) await this.page.keyboard.press('Escape');
    const discard = this.page.locator('.bulk-edit-panel .monaco-button', { hasText: /^Discard$/ });
    if (await discard.isVisible()) await discard.click().catch(() => undefined);
    await this.closeQuickInput();
  }

  /** Clicks a notification or modal dialog button by its label. */
  async clickDialogButton(label: string, timeoutMs = 20_000): Promise<void> {
    const button = this.page.locator('.monaco-dialog-box .monaco-button, .notifications-toasts .monaco-button', { hasText: label });
    await (await this.waitVisible(button, `a dialog button "${label}"`, timeoutMs)).click();
  }
}

export { waitUntil };
