// Refactors: the files involved (given ones, plus a bounded workspace search for the identifier of a
// rename), and turning the model's proposal into validated edits: only to files whose real path is inside a
// workspace folder (the rest are refused and listed), each tied to the hash of the text it was made for, and
// none when a file changed while the answer was written.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EditTargetChecker, type TargetFs } from '../../shared/edit-targets.js';
import type { ContextFile, EditTarget, RefusedEdit, RouteParams, TextEditSpec } from '../../shared/protocol.js';
import type { EngineContext } from '../context.js';
import { parseJsonAnswer, readProposal, validateEdits, type GatheredFile } from './edits.js';
import { searchWorkspace } from './gather.js';
import { toPath } from './local-only.js';
import { parseRename } from './prompts.js';
import type { Prepared, PreparedFile } from './service.js';

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
  editTargets: EditTarget[];
  refusedEdits: RefusedEdit[];
  summary: string;
}

const diskFs: TargetFs = { realpath, stat };

/** The file system path of a `file:` URI without a host; any other URI is not a file Tandem edits. */
function filePath(uri: string): string | undefined {
  // VS Code reads a host (even "localhost") as a network share: the client would write elsewhere.
  if (!/^file:/i.test(uri) || /^file:\/\/[^/]/i.test(uri)) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

// Editors drop a UTF-8 byte order mark from the text they show; ranges and hashes must be about that text.
const withoutBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** The gathered files, each with the reason Tandem will not edit it (real path outside the workspace folders). */
async function gathered(ctx: EngineContext, files: PreparedFile[]): Promise<{ files: GatheredFile[]; runsCode: Map<string, string> }> {
  const checker = new EditTargetChecker(ctx.workspaceFolders, diskFs);
  const out = new Map<string, GatheredFile>();
  const runsCode = new Map<string, string>();
  for (const f of files) {
    if (out.has(f.uri)) continue;
    const path = filePath(f.uri);
    const verdict = path ? await checker.check(path) : { ok: false as const, reason: 'it is not a file on this machine\'s disk' };
    if (verdict.ok && verdict.runsCode) runsCode.set(f.uri, verdict.runsCode);
    out.set(f.uri, { uri: f.uri, path: f.path, text: withoutBom(f.fullText ?? f.text), ...(verdict.ok ? {} : { refused: verdict.reason }) });
  }
  return { files: [...out.values()], runsCode };
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Files whose text changed since they were read (the user typed while the answer streamed, or a tool rewrote
 * them): their ranges would land in the wrong places. An open document is compared with its current text;
 * a file read from disk with the disk; text the client sent for a file that is not open cannot be re-read.
 */
async function changedSince(ctx: EngineContext, files: GatheredFile[], sentText: Set<string>): Promise<GatheredFile[]> {
  const changed: GatheredFile[] = [];
  for (const f of files) {
    const open = ctx.documents.all().find((d) => d.uri === f.uri || (filePath(d.uri) !== undefined && filePath(d.uri) === filePath(f.uri)));
    let now: string | undefined = open?.getText();
    if (now === undefined && !sentText.has(f.uri)) {
      const path = filePath(f.uri);
      now = path ? withoutBom(await readFile(path, 'utf8').catch(() => '')) : undefined;
    }
    if (now !== undefined && now !== f.text) changed.push(f);
  }
  return changed;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function summarize(edits: TextEditSpec[], refused: RefusedEdit[], summary: unknown): string {
  const files = new Set(edits.map((e) => e.uri)).size;
  const counted = edits.length ? `${plural(edits.length, 'edit')} in ${plural(files, 'file')}, ready to preview.` : 'No edit can be applied.';
  const refusedCount = refused.reduce((n, r) => n + r.edits, 0);
  const outside = refusedCount ? ` ${plural(refusedCount, 'edit')} to files outside the workspace folders ${refusedCount === 1 ? 'was' : 'were'} refused.` : '';
  return typeof summary === 'string' && summary.trim() ? `${summary.trim()}\n\n${counted}${outside}` : `${counted}${outside}`;
}

/** Cloud: the propose_edits tool input. */
export async function outcomeFromTool(ctx: EngineContext, toolInputs: unknown[], text: string, prepared: Prepared): Promise<RefactorOutcome> {
  if (toolInputs.length === 0) {
    return { edits: [], editErrors: ['Claude answered without proposing edits.'], editTargets: [], refusedEdits: [], summary: text || 'No edits were proposed.' };
  }
  return outcomeOf(ctx, toolInputs[0], prepared, text);
}

/** Local: JSON in the answer text. */
export async function outcomeFromText(ctx: EngineContext, text: string, prepared: Prepared): Promise<RefactorOutcome> {
  const parsed = parseJsonAnswer(text);
  if (parsed === undefined) {
    return {
      edits: [],
      editErrors: ['The local model did not answer with edits in the expected JSON form, so there is nothing to preview. Ask Claude to do this refactor.'],
      editTargets: [],
      refusedEdits: [],
      summary: text,
    };
  }
  return outcomeOf(ctx, parsed, prepared, text);
}

async function outcomeOf(ctx: EngineContext, input: unknown, prepared: Prepared, text: string): Promise<RefactorOutcome> {
  const proposal = readProposal(input);
  const { files, runsCode } = await gathered(ctx, prepared.files);
  const checked = validateEdits(proposal.edits, files);
  const refusedEdits = checked.refused;
  const editErrors = [...proposal.errors, ...checked.errors];
  const touched = files.filter((f) => checked.edits.some((e) => e.uri === f.uri));
  const sentText = new Set((prepared.params.files ?? []).filter((f) => typeof f?.text === 'string' && !f.range).map((f) => f.uri));
  for (const f of await changedSince(ctx, touched, sentText)) {
    editErrors.push(`${f.path} changed while the answer was being written, so its edits would land in the wrong places. Ask again to get edits for the current text.`);
  }
  if (editErrors.length === 0 && checked.edits.length === 0 && refusedEdits.length === 0) editErrors.push('The model proposed no edits.');
  const withheld = checked.edits.length > 0 && editErrors.length > 0;
  if (withheld) {
    if (!editErrors.some((e) => e.includes('withheld'))) editErrors.push('The valid edits were withheld because the refactor would be incomplete.');
    return { edits: [], editErrors, editTargets: [], refusedEdits, summary: text || 'The proposed edits could not all be validated.' };
  }
  const editTargets = touched.map((f) => ({ uri: f.uri, sha256: sha256(f.text), ...(runsCode.has(f.uri) ? { runsCode: runsCode.get(f.uri) } : {}) }));
  const summary = checked.edits.length > 0 || refusedEdits.length > 0 ? summarize(checked.edits, refusedEdits, (input as { summary?: unknown }).summary) : text || 'The proposed edits could not be validated.';
  return { edits: checked.edits, editErrors, editTargets, refusedEdits, summary };
}
