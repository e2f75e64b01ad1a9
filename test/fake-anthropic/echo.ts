// What the fake answers by default: deterministic text derived from the request, and for a request that
// offers the edits tool and says "rename X to Y", a tool_use with edits for every file in the prompt.

export interface FakeRequestBody {
  model?: string;
  max_tokens?: number;
  system?: string | { type: string; text: string }[];
  messages?: { role: string; content: string | { type: string; text?: string }[] }[];
  tools?: { name: string }[];
  stream?: boolean;
}

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

export function textOf(content: string | { type: string; text?: string }[] | undefined): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((b) => b.text ?? '').join('');
}

export function lastUserText(body: FakeRequestBody): string {
  const users = (body.messages ?? []).filter((m) => m.role === 'user');
  return textOf(users[users.length - 1]?.content);
}

/** Files as the engine renders them: "File: path[ (lines a-b)]\n```lang\n...\n```". */
export function filesIn(text: string): { path: string; text: string; startLine: number }[] {
  const out: { path: string; text: string; startLine: number }[] = [];
  const re = /^File: (.+?)(?: \(lines (\d+)-\d+\))?\n(`{3,})[^\n]*\n([\s\S]*?)\n\3(?:\n|$)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ path: m[1], startLine: m[2] ? Number(m[2]) - 1 : 0, text: m[4] });
  return out;
}

/** A stand-in for a tokenizer: roughly 4 ASCII characters a token, and a token for every other character (CJK
 * text, emoji), which is how real tokenizers treat them, far above a characters / 3 estimate. */
export function approxTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) ascii++;
    else other++;
  }
  return Math.max(1, Math.ceil(ascii / 4) + other);
}

/** Everything the request sends as text: system, messages and tool definitions. */
export function requestText(body: FakeRequestBody): string {
  const system = typeof body.system === 'string' ? body.system : textOf(body.system);
  return [system, ...(body.messages ?? []).map((m) => textOf(m.content)), JSON.stringify(body.tools ?? [])].join('');
}

function renameEdits(prompt: string, files: { path: string; text: string; startLine: number }[]) {
  const m = prompt.match(/\brename\s+(?:the\s+)?(?:\w+\s+)?[`'"]?([A-Za-z_$][\w$]*)[`'"]?\s+(?:to|into|as|->|→)\s+[`'"]?([A-Za-z_$][\w$]*)[`'"]?/i);
  if (!m) return undefined;
  const [, from, to] = m;
  const word = new RegExp(`(?<![\\w$])${from.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
  const edits: { path: string; oldText: string; newText: string; line: number }[] = [];
  for (const f of files) {
    f.text.split('\n').forEach((line, i) => {
      if (word.test(line)) edits.push({ path: f.path, oldText: line, newText: line.replace(word, to), line: f.startLine + i + 1 });
      word.lastIndex = 0;
    });
  }
  return { edits, summary: `Renamed ${from} to ${to} in ${new Set(edits.map((e) => e.path)).size} files.` };
}

/** The default answer. */
export function echoAnswer(body: FakeRequestBody): Block[] {
  const prompt = lastUserText(body);
  const files = filesIn(prompt);
  const editsTool = (body.tools ?? []).find((t) => t.name === 'propose_edits');
  if (editsTool) {
    const input = renameEdits(prompt, files);
    if (input) return [{ type: 'tool_use', id: 'toolu_fake_1', name: 'propose_edits', input }];
  }
  const question = prompt.split('\n').filter((l) => l.trim()).pop() ?? '';
  const names = files.map((f) => f.path);
  const seen = names.length ? ` I read ${names.length} file${names.length === 1 ? '' : 's'}: ${names.join(', ')}.` : '';
  return [{ type: 'text', text: `Echo from ${body.model ?? 'unknown model'}: you asked "${question.slice(0, 200)}".${seen}` }];
}

export function echoUsage(body: FakeRequestBody, blocks: Block[]): FakeUsage {
  const out = blocks.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join('');
  return {
    input_tokens: approxTokens(requestText(body)),
    output_tokens: approxTokens(out),
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  };
}
