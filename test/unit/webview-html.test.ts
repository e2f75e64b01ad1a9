// The one webview HTML builder: strict CSP, nonce on every script, resources only from the webview origin.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentSecurityPolicy, entryFiles, newNonce, renderWebviewHtml, WEBVIEW_ROOTS } from '../../src/views/html';

void describe('webview HTML', () => {
  void it('CSP: default none, scripts by nonce only, styles/fonts from the webview source, images also data:', () => {
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'abc123');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net(;|$)/);
    assert.match(csp, /font-src https:\/\/x\.vscode-cdn\.net(;|$)/);
    assert.match(csp, /img-src https:\/\/x\.vscode-cdn\.net data:(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  void it('every script carries the nonce; no inline handlers; files come from dist/webview and media only', () => {
    const nonce = newNonce();
    const files = entryFiles('chat');
    const html = renderWebviewHtml({ cspSource: 'vscode-resource:', nonce, title: 'Chat <x>', styles: files.styles, scripts: files.scripts });
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts.every((s) => s.includes(`nonce="${nonce}"`)));
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;|<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    assert.match(html, /<title>Chat &lt;x&gt;<\/title>/);
    for (const f of [...files.styles, ...files.scripts, ...entryFiles('panel').styles, ...entryFiles('panel').scripts]) {
      assert.ok(WEBVIEW_ROOTS.some((root) => f.startsWith(`${root}/`)), f);
    }
    assert.notEqual(newNonce(), nonce);
    assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  });

  void it('media CSS takes every colour from the VS Code theme (no literal colours, only --vscode-* variables)', () => {
    const dir = join(import.meta.dirname, '..', '..', 'media');
    const sheets = readdirSync(dir).filter((f) => f.endsWith('.css'));
    assert.ok(sheets.length >= 4);
    for (const sheet of sheets) {
      const css = readFileSync(join(dir, sheet), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      assert.doesNotMatch(css, /#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/i, sheet);
      for (const v of css.match(/var\(--[\w-]+/g) ?? []) assert.match(v, /^var\(--vscode-/, `${sheet}: ${v}`);
      for (const [, prop, value] of css.matchAll(/(?:^|[;{\s])(color|background|background-color|border-color|outline-color):\s*([^;}]+)/g)) {
        assert.match(value ?? '', /var\(--vscode-|transparent|currentColor|inherit/, `${sheet}: ${prop}: ${value}`);
      }
    }
  });
});
