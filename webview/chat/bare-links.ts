// GFM turns bare URLs in prose into links. In an answer that is only safe where the URL reads as prose: a URL
// that sits inside HTML the model wrote (shown escaped, as text: `<span>https://…</span>`, or entity-escaped
// `&lt;a href="https://…"&gt;`) is part of that markup, not a link anyone meant to offer, so it stays text.
// Code spans and code blocks are never linked by marked. Works on marked's tokens between lexer and parser.
import type { Token, Tokens } from 'marked';

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? all;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
  });
}

/** Whether text ending in `seen` is inside an HTML tag or element (raw or entity-escaped). */
export function insideHtml(seen: string): boolean {
  let lastOpen = -1;
  for (const m of seen.matchAll(/<\/?[a-z!]/gi)) lastOpen = m.index;
  if (lastOpen > seen.lastIndexOf('>')) return true;
  const open: string[] = [];
  for (const m of seen.matchAll(/<(\/?)([a-z][\w-]*)[^<>]*?(\/?)>/gi)) {
    const name = (m[2] ?? '').toLowerCase();
    if (m[1]) {
      const at = open.lastIndexOf(name);
      if (at >= 0) open.length = at;
    } else if (!m[3] && !VOID.has(name)) open.push(name);
  }
  return open.length > 0;
}

/** A link GFM made from a bare URL or e-mail address (not `[text](url)` and not `<url>`). */
function isBare(token: Token): token is Tokens.Link {
  return token.type === 'link' && !token.raw.startsWith('[') && !token.raw.startsWith('<');
}

function scanInline(tokens: Token[], state: { seen: string }): void {
  tokens.forEach((token, i) => {
    if (isBare(token) && insideHtml(state.seen)) {
      tokens[i] = { type: 'text', raw: token.raw, text: token.raw } as Tokens.Text;
      state.seen += decode(token.raw);
      return;
    }
    if (token.type === 'codespan') return;
    const children = (token as { tokens?: Token[] }).tokens;
    if (children?.length) scanInline(children, state);
    else state.seen += decode(token.raw);
  });
}

/** Bare URLs inside HTML become text again; everything else is left as marked lexed it. */
export function unlinkBareUrlsInHtml(tokens: Token[]): void {
  for (const token of tokens) {
    if (token.type === 'paragraph' || token.type === 'heading' || (token.type === 'text' && token.tokens)) {
      scanInline(token.tokens ?? [], { seen: '' });
    } else if (token.type === 'table') {
      const table = token as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) scanInline(cell.tokens, { seen: '' });
    } else if (token.type === 'list') {
      for (const item of (token as Tokens.List).items) unlinkBareUrlsInHtml(item.tokens);
    } else if ((token as { tokens?: Token[] }).tokens) {
      unlinkBareUrlsInHtml((token as { tokens: Token[] }).tokens);
    }
  }
}
