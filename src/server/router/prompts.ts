// What the models are asked: system prompts, the user message with the files, and the edits tool. Pure.
import type { ChatMessage, RequestKind } from '../../shared/protocol.js';

export interface PromptFile {
  /** Path as the user sees it (workspace-relative). */
  path: string;
  text: string;
  /** 0-based first line of `text` in the file. */
  startLine: number;
  languageId?: string;
}

export const EDITS_TOOL = {
  name: 'propose_edits',
  description:
    'Propose the edits that carry out the requested refactor. Each edit replaces oldText (copied exactly from the file, ' +
    'long enough to be unique or with its 1-based line) with newText. Edits must not overlap.',
  input_schema: {
    type: 'object',
    properties: {
      edits: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            path: { type: 'string', description: 'The file path exactly as given in the prompt.' },
            oldText: { type: 'string', description: 'Exact text to replace, copied from the file.' },
            newText: { type: 'string', description: 'Replacement text.' },
            line: { type: 'integer', description: '1-based line where oldText starts, when oldText is not unique.' },
          },
          required: ['path', 'oldText', 'newText'],
        },
      },
      summary: { type: 'string', description: 'One or two sentences describing the change.' },
    },
    required: ['edits'],
  },
};

const SYSTEM: Record<Exclude<RequestKind, 'completion'>, string> = {
  explain:
    'You are Tandem, a coding assistant inside VS Code. Explain the code the user shows you: what it does, why, and anything ' +
    'surprising. Be concise and concrete; use Markdown with fenced code blocks.',
  chat:
    'You are Tandem, a coding assistant inside VS Code. Answer the developer\'s question about their code precisely and ' +
    'concisely; use Markdown with fenced code blocks.',
  refactor:
    'You are Tandem, a refactoring assistant inside VS Code. Carry out the requested refactor across the files given by ' +
    `calling the ${EDITS_TOOL.name} tool once with every edit. Copy oldText exactly from the files (it must match ` +
    'character for character); include enough context to make it unique or give its line. Change nothing else.',
};

export const LOCAL_REFACTOR_SUFFIX =
  '\n\nAnswer with JSON only, no prose, in this shape: {"edits":[{"path":"<file path as given>","oldText":"<exact text>",' +
  '"newText":"<replacement>","line":<1-based line, optional>}],"summary":"<one sentence>"}';

export function systemPrompt(kind: Exclude<RequestKind, 'completion'>, local: boolean): string {
  return kind === 'refactor' && local ? SYSTEM.refactor.replace(/by calling .*? with every edit\./, 'as a list of edits.') : SYSTEM[kind];
}

export function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function renderFile(f: PromptFile): string {
  const lines = lineCount(f.text);
  const where = f.startLine > 0 ? ` (lines ${f.startLine + 1}-${f.startLine + lines})` : '';
  const fence = f.text.includes('```') ? '````' : '```';
  return `File: ${f.path}${where}\n${fence}${f.languageId ?? ''}\n${f.text}\n${fence}`;
}

/** The conversation as sent: earlier turns, then the request with the files attached. */
export function buildMessages(prompt: string, files: PromptFile[], history: ChatMessage[] = [], suffix = ''): ChatMessage[] {
  const attached = files.map(renderFile).join('\n\n');
  const content = (attached ? `${attached}\n\n${prompt}` : prompt) + suffix;
  const turns = history.filter((m) => (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string' && m.content);
  // The API wants alternating turns starting with the user: merge neighbours of the same role.
  const out: ChatMessage[] = [];
  for (const m of [...turns, { role: 'user' as const, content }]) {
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content += `\n\n${m.content}`;
    else if (out.length > 0 || m.role === 'user') out.push({ ...m });
  }
  return out;
}

/** Cloud token estimate before sending: about 3 characters a token for code and prose. For choosing a tier and
 * showing the size; never for money (CJK text or long numbers take far more tokens a character). */
export function estimateCloudTokens(chars: number): number {
  return Math.ceil(chars / 3);
}

/** Tokens the API adds to a request (turn markers per message, the system prompt's frame) and, when a tool is
 * forced, its own tool-use instructions (a few hundred tokens): generous on purpose. */
const REQUEST_OVERHEAD_TOKENS = 64;
const MESSAGE_OVERHEAD_TOKENS = 16;
const TOOL_OVERHEAD_TOKENS = 1024;

/** An upper bound on the cloud prompt's tokens, for the budget: a token is at least one UTF-8 byte, so the bytes of
 * everything sent bound it, plus what the API adds. The reported usage corrects it once the answer starts. */
export function cloudTokenBound(bytes: number, messages: number, tools: { name: string }[] = []): number {
  const toolBytes = tools.length ? Buffer.byteLength(JSON.stringify(tools)) + TOOL_OVERHEAD_TOKENS : 0;
  return bytes + toolBytes + REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS * (messages + 1);
}

/** A rename request: "rename foo to bar", "rename `foo` → `bar`". */
export function parseRename(prompt: string): { from: string; to: string } | undefined {
  const m = prompt.match(/\brename\s+(?:the\s+)?(?:\w+\s+)?[`'"]?([A-Za-z_$][\w$]*)[`'"]?\s+(?:to|into|as|->|→)\s+[`'"]?([A-Za-z_$][\w$]*)[`'"]?/i);
  if (!m) return undefined;
  // "rename function foo to bar": the optional word was a kind, not the identifier.
  return { from: m[1], to: m[2] };
}
