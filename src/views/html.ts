// The one place that builds webview HTML: strict CSP (default-src 'none', scripts by nonce only), styles and
// fonts from the webview's own resource origin, resources limited to dist/webview and media.
// `renderWebviewHtml` is pure (the browser tests build their pages with it); `buildWebviewHtml` and
// `webviewOptions` adapt it to a vscode.Webview. Only type imports from `vscode`, so tests can load this file.
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

export type WebviewEntry = 'chat' | 'panel' | 'compare';

export interface HtmlParts {
  /** The webview's cspSource (origin of its own resources). */
  cspSource: string;
  nonce: string;
  title: string;
  /** Stylesheet URLs, in order. */
  styles: string[];
  /** Script URLs, loaded with the nonce, in order. */
  scripts: string[];
  /** Extra inline script run first (tests only: the scripted host). Gets the nonce. */
  inlineScript?: string;
  /** Leave the CSP out (tests only: proves sanitizing works without the CSP's help). */
  withoutCsp?: boolean;
}

/** Where a webview's files live inside the extension. */
export const WEBVIEW_ROOTS = ['dist/webview', 'media'] as const;

/** Files each webview loads, relative to the extension root. */
export function entryFiles(entry: WebviewEntry): { styles: string[]; scripts: string[] } {
  const common = ['dist/webview/codicon.css', 'media/common.css'];
  if (entry === 'chat') {
    return { styles: [...common, 'media/chat.css', 'media/highlight.css'], scripts: ['dist/webview/chat.js'] };
  }
  if (entry === 'compare') {
    return { styles: [...common, 'media/chat.css', 'media/highlight.css', 'media/compare.css'], scripts: ['dist/webview/compare.js'] };
  }
  return { styles: [...common, 'dist/webview/panel.css', 'media/panel.css'], scripts: ['dist/webview/panel.js'] };
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const escapeAttr = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderWebviewHtml(parts: HtmlParts): string {
  const csp = parts.withoutCsp
    ? ''
    : `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(parts.cspSource, parts.nonce))}">`;
  const styles = parts.styles.map((href) => `<link rel="stylesheet" href="${escapeAttr(href)}">`).join('\n  ');
  const nonce = escapeAttr(parts.nonce);
  const inline = parts.inlineScript ? `<script nonce="${nonce}">${parts.inlineScript}</script>\n  ` : '';
  const scripts = parts.scripts.map((src) => `<script nonce="${nonce}" src="${escapeAttr(src)}"></script>`).join('\n  ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  ${csp}
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  ${styles}
  <title>${escapeAttr(parts.title)}</title>
</head>
<body>
  <div id="app"></div>
  ${inline}${scripts}
</body>
</html>`;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

/** A path inside the extension as a Uri (Uri#with keeps this file free of a runtime `vscode` import). */
function joinUri(base: vscode.Uri, relative: string): vscode.Uri {
  return base.with({ path: `${base.path.replace(/\/+$/, '')}/${relative}` });
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: WEBVIEW_ROOTS.map((root) => joinUri(extensionUri, root)),
  };
}

export function buildWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, entry: WebviewEntry, title: string): string {
  const files = entryFiles(entry);
  const asUrl = (relative: string): string => webview.asWebviewUri(joinUri(extensionUri, relative)).toString();
  return renderWebviewHtml({
    cspSource: webview.cspSource,
    nonce: newNonce(),
    title,
    styles: files.styles.map(asUrl),
    scripts: files.scripts.map(asUrl),
  });
}
