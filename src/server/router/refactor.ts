// Refactors: the files involved (given ones, plus a bounded workspace search for the identifier of a
// rename), and turning the model's proposal into validated edits.
import type { ContextFile, RouteParams, TextEditSpec } from '../../shared/protocol.js';
import type { EngineContext } from '../context.js';
import { parseJsonAnswer, readProposal, validateEdits, type GatheredFile } from './edits.js';
import { searchWorkspace } from './gather.js';
import { toPath } from './local-only.js';
import { parseRename } from './prompts.js';
import type { PreparedFile } from './service.js';

/** Source files that can refer to each other's symbols, by extension. A rename in a TypeScript file looks in
 * TypeScript and JavaScript sources, never in READMEs, notes or data files that merely mention the name. */
const LANGUAGE_FAMILIES: readonly (readonly string[])[] = [
  ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'vue', 'svelte', 'astro'],
  ['py', 'pyi', 'pyx'],
  ['java', 'kt', 'kts', 'scala', 'groovy', 'clj', 'cljs', 'cljc'],
  ['c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'hxx', 'ipp', 'm', 'mm'],
  ['cs', 'fs', 'fsx', 'vb'],
  ['go'],
  ['rs'],
  ['rb', 'rake', 'erb'],
  ['php'],
  ['swift'],
  ['dart'],
  ['lua'],
  ['ex', 'exs', 'erl', 'hrl'],
  ['hs', 'lhs', 'ml', 'mli'],
  ['sh', 'bash', 'zsh'],
  ['r'],
  ['jl'],
  ['zig'],
  ['sql'],
];

const extensionOf = (path: string): string => /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';

/** Which files a rename may need: the source files of the given files' languages (any source file when none is
 * recognised). */
export function renameCandidates(givenPaths: readonly string[]): (path: string) => boolean {
  const families = LANGUAGE_FAMILIES.filter((f) => givenPaths.some((p) => f.includes(extensionOf(p))));
  const allowed = new Set((families.length ? families : LANGUAGE_FAMILIES).flat());
  return (path) => allowed.has(extensionOf(path));
}

/** Files a rename touches that the request did not name, found in the workspace folders. */
export async function filesForRefactor(ctx: EngineContext, params: RouteParams, signal: AbortSignal): Promise<ContextFile[]> {
  const rename = parseRename(params.prompt);
  if (!rename || ctx.workspaceFolders.length === 0) return [];
  const given = (params.files ?? []).filter((f) => f && typeof f.uri === 'string').map((f) => toPath(f.uri));
  return searchWorkspace(ctx.workspaceFolders, rename.from, ctx.documents, new Set(given), signal, renameCandidates(given));
}

export interface RefactorOutcome {
  edits: TextEditSpec[];
  editErrors: string[];
  summary: string;
}

function gathered(files: PreparedFile[]): GatheredFile[] {
  const out = new Map<string, GatheredFile>();
  for (const f of files) if (!out.has(f.uri)) out.set(f.uri, { uri: f.uri, path: f.path, text: f.fullText ?? f.text });
  return [...out.values()];
}

function summarize(edits: TextEditSpec[], summary: unknown): string {
  const files = new Set(edits.map((e) => e.uri)).size;
  const counted = `${edits.length} edit${edits.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, ready to preview.`;
  return typeof summary === 'string' && summary.trim() ? `${summary.trim()}\n\n${counted}` : counted;
}

/** Cloud: the propose_edits tool input. */
export function outcomeFromTool(toolInputs: unknown[], text: string, files: PreparedFile[]): RefactorOutcome {
  if (toolInputs.length === 0) {
    return { edits: [], editErrors: ['Claude answered without proposing edits.'], summary: text || 'No edits were proposed.' };
  }
  return outcomeOf(toolInputs[0], files, text);
}

/** Local: JSON in the answer text. */
export function outcomeFromText(text: string, files: PreparedFile[]): RefactorOutcome {
  const parsed = parseJsonAnswer(text);
  if (parsed === undefined) {
    return {
      edits: [],
      editErrors: ['The local model did not answer with edits in the expected JSON form, so there is nothing to preview. Ask Claude to do this refactor.'],
      summary: text,
    };
  }
  return outcomeOf(parsed, files, text);
}

function outcomeOf(input: unknown, files: PreparedFile[], text: string): RefactorOutcome {
  const proposal = readProposal(input);
  const checked = validateEdits(proposal.edits, gathered(files));
  const editErrors = [...proposal.errors, ...checked.errors];
  if (editErrors.length === 0 && checked.edits.length === 0) editErrors.push('The model proposed no edits.');
  if (proposal.errors.length > 0 && checked.edits.length > 0) {
    editErrors.push('The valid edits were withheld because the refactor would be incomplete.');
    return { edits: [], editErrors, summary: text || 'The proposed edits could not all be validated.' };
  }
  const summary = checked.edits.length > 0 ? summarize(checked.edits, (input as { summary?: unknown }).summary) : text || 'The proposed edits could not be validated.';
  return { edits: checked.edits, editErrors, summary };
}
