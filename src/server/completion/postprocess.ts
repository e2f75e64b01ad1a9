// Post-processing of a raw FIM generation into what the editor shows. Pure functions.
// The complaints this answers (reference/autocomplete.md): repeated suffix or following lines, duplicated
// closing brackets and quotes, wrong indentation, extra lines in CRLF files.

export interface PostContext {
  /** Cursor line text before and after the cursor. */
  lineBefore: string;
  lineAfter: string;
  /** Lines after the cursor line. */
  followingLines: string[];
  /** Line ending of the document. */
  eol: '\n' | '\r\n';
  mode: 'single' | 'multi';
}

const CLOSERS = new Set([')', ']', '}', '"', "'", '`', ';', ',', '>']);

/** The full completion the engine keeps (typed-ahead cache): cleaned, with `\n` line breaks. */
export function postProcess(raw: string, ctx: PostContext): string {
  let text = raw.replace(/\r\n?/g, '\n');
  if (ctx.lineAfter.trim()) {
    // Text follows the cursor: only the rest of this line makes sense.
    const newline = text.indexOf('\n');
    if (newline >= 0) text = text.slice(0, newline);
    text = stopAtLineAfter(text, ctx.lineAfter);
    text = dropDuplicateClosers(text, ctx.lineAfter);
    if (!text.trim()) return '';
    return /^\s*[\])}"'`;,>]/.test(ctx.lineAfter) ? text.trimEnd() : keepOneTrailingSpace(text);
  }
  let lines = text.split('\n').map((line) => line.replace(/[ \t]+$/, ''));
  // Indentation: the cursor already sits after indentation and the model repeated it.
  if (ctx.lineBefore.length && ctx.lineBefore.trim() === '' && lines[0] && /^[ \t]/.test(lines[0])) {
    lines[0] = lines[0].replace(/^[ \t]+/, '');
  }
  lines = stopAtFollowingLines(lines, ctx.followingLines, ctx.lineBefore);
  lines = stopAtDedent(lines, ctx.lineBefore);
  while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop();
  const out = lines.join('\n');
  return out.trim() ? out : '';
}

/** What to show now: the first line in single-line mode (or the next line when the rest starts with a
 * line break), everything in multi-line mode; converted to the document's line endings. */
export function displayText(full: string, mode: 'single' | 'multi', eol: '\n' | '\r\n'): string {
  let shown = full;
  if (mode === 'single') {
    const lead = /^\n*/.exec(full)?.[0].length ?? 0;
    const newline = full.indexOf('\n', lead);
    shown = newline >= 0 ? full.slice(0, newline) : full;
  }
  return eol === '\r\n' ? shown.replace(/\n/g, '\r\n') : shown;
}

/** In single-line mode: stop where the completion starts repeating the text after the cursor. */
export function stopAtLineAfter(text: string, lineAfter: string): string {
  const after = lineAfter.trim();
  if (!after) return text;
  // The completion ends by re-typing what already follows the cursor.
  if (after.length >= 2) {
    const at = text.indexOf(after);
    if (at >= 0) return text.slice(0, at);
  }
  return text;
}

/** Never duplicate a closing bracket or quote already present after the cursor: strip the longest tail of
 * the completion that equals the start of the text after the cursor and consists of closers only. */
export function dropDuplicateClosers(text: string, lineAfter: string): string {
  const after = lineAfter.replace(/^\s+/, '');
  let best = 0;
  for (let k = 1; k <= Math.min(after.length, text.length); k++) {
    const head = after.slice(0, k);
    if (![...head].every((c) => CLOSERS.has(c) || c === ' ')) break;
    if (text.endsWith(head)) best = k;
  }
  return best ? text.slice(0, text.length - best) : text;
}

/** In multi-line mode: cut where a completion line repeats the next non-blank line below the cursor
 * (typically a closing brace already there) or the rest of the lines. */
export function stopAtFollowingLines(lines: string[], followingLines: string[], lineBefore: string): string[] {
  const next = followingLines.find((line) => line.trim() !== '');
  if (next === undefined) return lines;
  const nextTrim = next.trim();
  for (let i = 0; i < lines.length; i++) {
    const line = i === 0 ? lineBefore + lines[0] : lines[i];
    if (i === 0 && lines[0].trim() === '') continue;
    if (line.trim() === nextTrim && (i > 0 || lineBefore.trim() === '')) {
      return lines.slice(0, i);
    }
  }
  return lines;
}

const CLOSING_LINE = /^\s*(?:[)\]}]+[;,)]*|end|fi|done|esac)\s*$/;

/** Stay inside the block: stop before a line indented less than the cursor line, except a closing line
 * (`}`, `end`) that ends the block being written, which is kept as the last line. */
export function stopAtDedent(lines: string[], lineBefore: string): string[] {
  const base = (lineBefore.trim() === '' ? lineBefore : (/^\s*/.exec(lineBefore)?.[0] ?? '')).length;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const indent = (/^\s*/.exec(line)?.[0] ?? '').length;
    if (indent < base) return CLOSING_LINE.test(line) ? lines.slice(0, i + 1) : lines.slice(0, i);
  }
  return lines;
}

function keepOneTrailingSpace(text: string): string {
  // A trailing space before a word that follows the cursor is meaningful ("a = x + |b"); keep one.
  return text.replace(/\s+$/, ' ');
}
