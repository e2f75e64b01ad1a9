// Markdown rendering of model answers (sanitizing itself is proven in the browser: test/webview/chat.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { highlightCode, languageFor, renderMarkdown, SANITIZE_CONFIG } from '../../webview/chat/markdown';

void describe('answer markdown', () => {
  void it('renders headings, emphasis, lists and inline code', () => {
    const html = renderMarkdown('## Plan\n\n- **one**\n- `two`\n');
    assert.match(html, /<h2>Plan<\/h2>/);
    assert.match(html, /<li><strong>one<\/strong><\/li>/);
    assert.match(html, /<li><code>two<\/code><\/li>/);
  });

  void it('highlights fenced code in known languages and escapes the rest', () => {
    const html = renderMarkdown('```ts\nconst a: number = 1;\n```\n\n```weird\n<b>x</b>\n```');
    assert.match(html, /<code class="hljs language-ts"><span class="hljs-keyword">const<\/span>/);
    assert.match(html, /<code class="hljs">&lt;b&gt;x&lt;\/b&gt;<\/code>/);
    assert.equal(languageFor('python extra'), 'python');
    assert.equal(languageFor('py'), 'py');
    assert.equal(languageFor('brainfuck'), undefined);
    assert.equal(highlightCode('a < b', undefined).html, 'a &lt; b');
  });

  void it('renders an unfinished fence while an answer streams', () => {
    assert.match(renderMarkdown('Look:\n\n```js\nfunction f() {'), /<code class="hljs language-js"><span class="hljs-keyword">function<\/span>/);
  });

  void it('shows raw HTML from the model as text and keeps only http(s)/mailto links, no images', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](https://example.com) ![c](https://example.com/i.png)');
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.doesNotMatch(html, /javascript:/);
    assert.match(html, /<a href="https:\/\/example\.com">b<\/a>/);
    assert.match(html, /> c</);
  });

  void it('bare URLs become links in prose only: never inside code or inside HTML shown as text', () => {
    const links = (md: string) => [...renderMarkdown(md).matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(links('See https://docs.python.org/3/ for more.'), ['https://docs.python.org/3/']);
    assert.deepEqual(links('`https://evil.example/?q=1`'), []);
    assert.deepEqual(links('```\nhttps://evil.example/?q=2\n```'), []);
    assert.deepEqual(links('    https://evil.example/?q=3'), []);
    assert.deepEqual(links('&lt;a href="https://evil.example/?q=4"&gt;x&lt;/a&gt;'), []);
    assert.deepEqual(links('<span>https://evil.example/?q=5</span>'), []);
    assert.deepEqual(links('&#60;code&#62;https://evil.example/?q=6&#60;/code&#62;'), []);
    assert.deepEqual(links('| a |\n|---|\n| <b>https://evil.example/?q=7</b> |'), []);
    assert.deepEqual(links('- **<i>www.evil.example/?q=8</i>**'), []);
    assert.deepEqual(links('<code>x</code> then https://docs.python.org/3/ and a<br>b https://nodejs.org/api/'), ['https://docs.python.org/3/', 'https://nodejs.org/api/']);
    // An explicit markdown link stays a link (it opens only through the extension's confirmation).
    assert.deepEqual(links('<span>[docs](https://docs.python.org/3/)</span>'), ['https://docs.python.org/3/']);
    // The text of an unlinked URL is shown as written.
    assert.match(renderMarkdown('<span>https://evil.example/?a=1&b=2</span>'), /&lt;span&gt;https:\/\/evil\.example\/\?a=1&amp;b=2&lt;\/span&gt;/);
  });

  void it('sanitizer config forbids scripts, styles, forms and non-web URLs', () => {
    assert.ok(SANITIZE_CONFIG.FORBID_TAGS?.includes('style'));
    assert.ok(SANITIZE_CONFIG.FORBID_ATTR?.includes('style'));
    const uri = SANITIZE_CONFIG.ALLOWED_URI_REGEXP as RegExp;
    assert.equal(uri.test('javascript:alert(1)'), false);
    assert.equal(uri.test('data:text/html,x'), false);
    assert.equal(uri.test('https://a.b'), true);
  });
});
