// The window of the offline VS Code: Debian's chromium driven by playwright-core (`npx playwright install`
// cannot download browsers on machines without internet).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export function chromiumPath(): string {
  const candidates = [process.env.TANDEM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((path): path is string => Boolean(path) && existsSync(path as string));
  if (!found) throw new Error('No Chromium found. Install it (Debian: apt-get install -y chromium) or set TANDEM_CHROMIUM.');
  return found;
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** Console lines of the page (the extension host forwards its console there too). */
  console: string[];
  close(): Promise<void>;
}

export async function openBrowser(options: { headless?: boolean; width?: number; height?: number } = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: options.headless ?? true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 } });
  const page = await context.newPage();
  const lines: string[] = [];
  page.on('console', (message) => lines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => lines.push(`[pageerror] ${error.message}`));
  return {
    browser,
    page,
    console: lines,
    close: async () => {
      await browser.close().catch(() => undefined);
    },
  };
}
