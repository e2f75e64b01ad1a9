// Fill-in-the-middle prompts built by Tandem, for servers that take a raw prompt and no `suffix` (vLLM, SGLang,
// TGI and other OpenAI-compatible servers). One template per model family, chosen from the model name or set by
// the user. Pure: text in, text out.
//
// Suffix-first layouts (SPM) are used where the family was trained for them: forward typing then only appends to
// the end of the prompt, so a server with prefix caching (vLLM --enable-prefix-caching) re-evaluates only the
// last tokens. Extra context from other files goes first and stays stable between keystrokes for the same reason.
import type { FimTemplateName } from '../../shared/settings.js';

export interface FimChunk {
  path: string;
  text: string;
}

export interface FimTemplate {
  name: Exclude<FimTemplateName, 'auto'>;
  /** The raw prompt for this prefix, suffix and extra context. */
  build(parts: { path: string; prefix: string; suffix: string; context: FimChunk[] }): string;
  /** Strings that end the middle part (the model's end-of-infill and file separators). */
  stop: string[];
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Extra context as comment-headed blocks, for families without a file separator token. */
function commented(context: FimChunk[]): string {
  return context.map((c) => `${commentFor(c.path)} ${c.path}\n${withNewline(c.text)}`).join('');
}

export function commentFor(path: string): string {
  if (/\.(py|sh|bash|rb|ya?ml|toml|r|pl|ps1|dockerfile|mk)$/i.test(path) || /(^|\/)(Makefile|Dockerfile)$/.test(path)) return '#';
  if (/\.(sql|lua|hs)$/i.test(path)) return '--';
  return '//';
}

export const FIM_TEMPLATES: Record<FimTemplate['name'], FimTemplate> = {
  // Qwen2.5-Coder's repo-level format: <|repo_name|>, then <|file_sep|>path\ncontent per file, the current
  // file last with the FIM tokens.
  qwen: {
    name: 'qwen',
    build: ({ path, prefix, suffix, context }) => {
      const files = context.map((c) => `<|file_sep|>${c.path}\n${withNewline(c.text)}`).join('');
      const repo = context.length ? `<|repo_name|>workspace\n${files}<|file_sep|>${path}\n` : '';
      return `${repo}<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`;
    },
    stop: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|fim_prefix|>', '<|im_end|>'],
  },
  // StarCoder2: <file_sep> between files; StarCoder(1) models ignore the unknown text gracefully.
  starcoder: {
    name: 'starcoder',
    build: ({ path, prefix, suffix, context }) => {
      const files = context.map((c) => `<file_sep>${c.path}\n${withNewline(c.text)}`).join('');
      const repo = context.length ? `<repo_name>workspace${files}<file_sep>${path}\n` : '';
      return `${repo}<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`;
    },
    stop: ['<|endoftext|>', '<file_sep>', '<fim_prefix>', '<fim_pad>'],
  },
  codellama: {
    name: 'codellama',
    build: ({ prefix, suffix, context }) => `<PRE> ${commented(context)}${prefix} <SUF>${suffix} <MID>`,
    stop: ['<EOT>', '</s>', '<PRE>', '<SUF>'],
  },
  deepseek: {
    name: 'deepseek',
    build: ({ prefix, suffix, context }) => `<｜fim▁begin｜>${commented(context)}${prefix}<｜fim▁hole｜>${suffix}<｜fim▁end｜>`,
    stop: ['<｜end▁of▁sentence｜>', '<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<|EOT|>'],
  },
  // Codestral is trained suffix first: [SUFFIX]suffix[PREFIX]prefix.
  codestral: {
    name: 'codestral',
    build: ({ prefix, suffix, context }) => `[SUFFIX]${suffix}[PREFIX]${commented(context)}${prefix}`,
    stop: ['</s>', '[SUFFIX]', '[PREFIX]'],
  },
  codegemma: {
    name: 'codegemma',
    build: ({ path, prefix, suffix, context }) => {
      const files = context.map((c) => `<|file_separator|>${c.path}\n${withNewline(c.text)}`).join('');
      const head = context.length ? `${files}<|file_separator|>${path}\n` : '';
      return `${head}<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`;
    },
    stop: ['<|file_separator|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<eos>', '<end_of_turn>'],
  },
};

const FAMILIES: [RegExp, FimTemplate['name']][] = [
  [/codestral|mistral/i, 'codestral'],
  [/deepseek/i, 'deepseek'],
  [/codellama|code-llama|code_llama/i, 'codellama'],
  [/codegemma|gemma/i, 'codegemma'],
  [/starcoder|stable-?code|santacoder|granite|refact/i, 'starcoder'],
  [/qwen|coder/i, 'qwen'],
];

/** The template the setting names, or the one for the model's family (Qwen when the name says nothing known). */
export function fimTemplateFor(setting: FimTemplateName, model: string): FimTemplate {
  if (setting !== 'auto') return FIM_TEMPLATES[setting];
  const family = FAMILIES.find(([pattern]) => pattern.test(model));
  return FIM_TEMPLATES[family?.[1] ?? 'qwen'];
}
