// Scripted host for the webview UI tests: serves the bundled webviews (dist/webview, media) on 127.0.0.1 in
// pages built by the product's own HTML builder (src/views/html.ts, CSP included), with a fake
// acquireVsCodeApi that records what the webview posts; the test posts host messages with window.postMessage.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, mkdirSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { entryFiles, newNonce, renderWebviewHtml, type WebviewEntry } from '../../src/views/html';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'webview');
const CHROMIUM = '/usr/bin/chromium';
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.map': 'application/json' };

const FAKE_API = `
window.__posted = [];
window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => window.__state,
  setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
});`;

export interface Host {
  origin: string;
  browser: Browser;
  open(entry: WebviewEntry, options?: { withoutCsp?: boolean; width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

export function requireBuild(): void {
  for (const f of ['dist/webview/chat.js', 'dist/webview/panel.js', 'dist/webview/compare.js', 'dist/webview/codicon.css']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run "npm run build" first.`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-system-deps.sh first.`);
}

export async function startHost(): Promise<Host> {
  requireBuild();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const page = /^\/(chat|panel|compare)\.html$/.exec(url.pathname);
    if (page) {
      const entry = page[1] as WebviewEntry;
      const files = entryFiles(entry);
      const html = renderWebviewHtml({
        cspSource: origin,
        nonce: newNonce(),
        title: `test ${entry}`,
        styles: ['/test/webview/theme-dark.css', ...files.styles.map((f) => `/${f}`)],
        scripts: files.scripts.map((f) => `/${f}`),
        inlineScript: FAKE_API,
        withoutCsp: url.searchParams.has('nocsp'),
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html.replace('<body>', '<body class="vscode-dark">'));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    const allowed = ['dist/webview/', 'media/', 'test/webview/theme-dark.css'].some((p) => rel.startsWith(p));
    if (!allowed || rel.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(ROOT, rel)).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  origin = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    origin,
    browser,
    async open(entry, options = {}) {
      const page = await browser.newPage({ viewport: { width: options.width ?? (entry === 'chat' ? 420 : entry === 'compare' ? 1000 : 1280), height: options.height ?? 860 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('response', (r) => {
        if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
      });
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      (page as Page & { errors: string[] }).errors = errors;
      await page.goto(`${origin}/${entry}.html${options.withoutCsp ? '?nocsp=1' : ''}`);
      await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
      return page;
    },
    async close() {
      await browser.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Errors the page logged (uncaught exceptions, console.error, CSP violations). */
export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

/** Sends a host → webview message, as the extension's postMessage would. */
export async function hostPost(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

/** Messages the webview posted to the extension so far. */
export async function posted<T = { type: string } & Record<string, unknown>>(page: Page): Promise<T[]> {
  return page.evaluate(() => (window as unknown as { __posted: T[] }).__posted);
}

/** Waits for a posted message of `type` (and optional predicate), returns it. */
export async function waitPosted<T = Record<string, unknown>>(page: Page, type: string, timeoutMs = 5000): Promise<T> {
  const handle = await page.waitForFunction(
    (t) => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === t).at(-1),
    type,
    { timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as T;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
