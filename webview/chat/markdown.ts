// Markdown for model answers: marked for the structure, highlight.js (a few common languages, to keep the
// bundle small) for code blocks. Pure: no DOM. The HTML it returns is NOT trusted: it always goes through
// DOMPurify with SANITIZE_CONFIG (sanitize.ts) before it reaches the page. Raw HTML in the answer is shown
// as text, and only http(s)/mailto links survive, so sanitizing is the second line, not the only one. Bare
// URLs inside that escaped HTML stay text (bare-links.ts); links open only through the extension (sanitize.ts).
import type { Config } from 'dompurify';
import { Marked, type Tokens } from 'marked';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { unlinkBareUrlsInHtml } from './bare-links';

const LANGUAGES = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, markdown, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/** DOMPurify options for rendered answers (applied in sanitize.ts). */
export const SANITIZE_CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object', 'embed', 'svg', 'math'],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ALLOW_DATA_ATTR: false,
};

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The highlight.js language for a fence's info string, or undefined (plain text). */
export function languageFor(info: string | undefined): string | undefined {
  const name = (info ?? '').trim().split(/\s+/)[0]?.toLowerCase();
  if (!name) return undefined;
  return hljs.getLanguage(name) ? name : undefined;
}

/** Syntax-highlighted HTML for a code block (escaped; highlight.js escapes what it does not mark up). */
export function highlightCode(code: string, info?: string): { html: string; language: string | undefined } {
  const language = languageFor(info);
  if (!language) return { html: escapeHtml(code), language: undefined };
  return { html: hljs.highlight(code, { language, ignoreIllegals: true }).value, language };
}

const SAFE_LINK = /^(?:https?:|mailto:)/i;

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }: Tokens.Code): string {
      const { html, language } = highlightCode(text, lang);
      const cls = language ? ` language-${language}` : '';
      return `<div class="code-block"><pre><code class="hljs${cls}">${html}</code></pre></div>\n`;
    },
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      if (!SAFE_LINK.test(href.trim())) return inner;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(href)}"${t}>${inner}</a>`;
    },
    image({ text }: Tokens.Image): string {
      // Model output never loads images: no remote fetches from the webview.
      return escapeHtml(text);
    },
  },
});

/** Markdown → HTML (untrusted until sanitized). Works on partial text while an answer streams. */
export function renderMarkdown(source: string): string {
  const tokens = marked.lexer(source);
  unlinkBareUrlsInHtml(tokens);
  return marked.parser(tokens);
}
