// The contexts the router learns in, and their names in words. Pure: no I/O.
// A context key is `group|language|files|size|selection`: group is the kind (refactors split into one file and
// several, since the rules route them differently), files and size are buckets. Coarser levels leave the tail
// off: `group|language`, then `group`. Estimates back off from the finest level with data to the coarsest.
import type { RequestKind } from '../../shared/protocol.js';

export interface LearnFeatures {
  kind: RequestKind;
  /** VS Code language id of the main file (`typescript`), or `none` for a question without files. */
  language: string;
  files: number;
  /** Prompt size with the local tokenizer. */
  tokens: number;
  /** A selection (a range of a file) was attached. */
  selection: boolean;
}

export type Group = 'completion' | 'explain' | 'chat' | 'refactor-1' | 'refactor-n';

export function groupOf(kind: RequestKind, files: number): Group {
  if (kind === 'refactor') return files >= 2 ? 'refactor-n' : 'refactor-1';
  return kind;
}

function filesBucket(n: number): string {
  return n <= 0 ? '0' : n === 1 ? '1' : n <= 5 ? '2-5' : '6+';
}

function sizeBucket(tokens: number): string {
  return tokens < 1000 ? '<1k' : tokens < 4000 ? '1k-4k' : tokens < 16_000 ? '4k-16k' : '16k+';
}

/** The finest routing context of a request. */
export function contextKey(f: LearnFeatures): string {
  const language = (f.language || 'none').toLowerCase().replace(/[|#]/g, '');
  if (f.kind === 'completion') return `completion|${language}`;
  return [groupOf(f.kind, f.files), language, filesBucket(f.files), sizeBucket(f.tokens), f.selection ? 'selection' : 'whole'].join('|');
}

/** The key and its coarser levels, finest first: [full, group|language, group] (without repeats). */
export function levelsOf(key: string): string[] {
  const parts = key.split('|');
  const out = [key];
  if (parts.length > 2) out.push(parts.slice(0, 2).join('|'));
  if (parts.length > 1) out.push(parts[0] as string);
  return out;
}

/** Keys for local answers of a confidence level: [group|language#level, group#level]. */
export function confidenceKeys(key: string, level: string): string[] {
  const parts = key.split('|');
  return [`${parts.slice(0, 2).join('|')}#${level}`, `${parts[0]}#${level}`];
}

/** Level of a key as shown in the panel: 1 = finest routing context … 3 = the group alone. */
export function levelNumber(key: string): number {
  if (key.includes('#')) return 2;
  const n = key.split('|').length;
  return n >= 5 ? 1 : n === 2 ? 2 : 3;
}

const GROUP_WORDS: Record<Group, string> = {
  completion: 'inline suggestions',
  explain: 'explanations',
  chat: 'chat answers',
  'refactor-1': 'single-file refactors',
  'refactor-n': 'multi-file refactors',
};

const LANGUAGE_NAMES: Record<string, string> = {
  typescript: 'TypeScript', typescriptreact: 'TypeScript React', javascript: 'JavaScript', javascriptreact: 'JavaScript React',
  python: 'Python', rust: 'Rust', go: 'Go', java: 'Java', csharp: 'C#', cpp: 'C++', c: 'C', ruby: 'Ruby', php: 'PHP',
  kotlin: 'Kotlin', swift: 'Swift', shellscript: 'shell scripts', sql: 'SQL', json: 'JSON', yaml: 'YAML', markdown: 'Markdown',
  html: 'HTML', css: 'CSS', scala: 'Scala', lua: 'Lua', dart: 'Dart', vue: 'Vue', svelte: 'Svelte',
};

export function languageName(id: string): string {
  return LANGUAGE_NAMES[id] ?? (id ? id.charAt(0).toUpperCase() + id.slice(1) : id);
}

/** "explanations of TypeScript" / "chat answers" (no files) / "multi-file refactors of Python". */
export function subject(key: string): string {
  const [group, language] = key.split(/[|#]/);
  const words = GROUP_WORDS[group as Group] ?? group ?? 'answers';
  return language && language !== 'none' ? `${words} of ${languageName(language)}` : words;
}

/** The whole context in words, for the panel: "explanations of TypeScript · 1 file · under 1k tokens · a selection". */
export function describeKey(key: string): string {
  const [head, level] = key.split('#');
  const parts = (head ?? '').split('|');
  const out = [subject(key)];
  if (parts[2]) out.push(parts[2] === '1' ? '1 file' : parts[2] === '0' ? 'no files' : `${parts[2]} files`);
  if (parts[3]) out.push(parts[3] === '<1k' ? 'under 1k tokens' : `${parts[3]} tokens`);
  if (parts[4]) out.push(parts[4] === 'selection' ? 'a selection' : 'whole files');
  if (level) out.push(`${level} confidence`);
  return out.join(' · ');
}

const EXTENSIONS: Record<string, string> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'typescriptreact', js: 'javascript', mjs: 'javascript', cjs: 'javascript',
  jsx: 'javascriptreact', py: 'python', rs: 'rust', go: 'go', java: 'java', cs: 'csharp', cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp',
  h: 'c', c: 'c', rb: 'ruby', php: 'php', kt: 'kotlin', swift: 'swift', sh: 'shellscript', bash: 'shellscript', sql: 'sql', json: 'json',
  yml: 'yaml', yaml: 'yaml', md: 'markdown', html: 'html', css: 'css', scala: 'scala', lua: 'lua', dart: 'dart', vue: 'vue', svelte: 'svelte',
};

/** Language of a file: the editor's id when it sent one, else from the extension. */
export function languageOf(uri: string, languageId?: string): string {
  if (languageId) return languageId;
  const ext = /\.([A-Za-z0-9]+)(?:[?#].*)?$/.exec(uri)?.[1]?.toLowerCase();
  return (ext && EXTENSIONS[ext]) || 'none';
}
