// HumanEval-Infilling data (openai/human-eval-infilling, MIT): which files, where they come from, their
// checksums, reading them, and the stable subset a short run scores. A missing file is downloaded from the
// public repository into the data dir (unless the caller is offline) and kept only when its SHA-256 matches.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { EvalSetName } from '../shared/protocol';

export interface DatasetFile {
  set: EvalSetName;
  file: string;
  sha256: string;
  problems: number;
}

export const DATASET_FILES: readonly DatasetFile[] = [
  { set: 'single-line', file: 'HumanEval-SingleLineInfilling.jsonl.gz', sha256: '1277073e7ddce163ef68598c2bca777f688a53df99422f097e37362090f88e1f', problems: 1033 },
  { set: 'multi-line', file: 'HumanEval-MultiLineInfilling.jsonl.gz', sha256: '2f341612eee1d35da1357a4f365e0c0b3ba6e2b62eb491e88aaefa4855af0349', problems: 5815 },
];

/** Raw files of the public repository's `data/` folder. */
export const DATASET_BASE_URL = 'https://raw.githubusercontent.com/openai/human-eval-infilling/master/data/';

export interface Problem {
  taskId: string;
  entryPoint: string;
  /** Code before the gap, code after it, the gap's canonical text, and the tests (`check(candidate)`). */
  prompt: string;
  suffix: string;
  canonical: string;
  test: string;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

export function datasetFile(set: EvalSetName): DatasetFile {
  const found = DATASET_FILES.find((f) => f.set === set);
  if (!found) throw new DatasetError(`Unknown benchmark set "${set}": use ${DATASET_FILES.map((f) => f.set).join(' or ')}.`);
  return found;
}

export interface EnsureOptions {
  /** Offline: never download; a missing file is an error that says where to get it. */
  offline?: boolean;
  baseUrl?: string;
  signal?: AbortSignal;
  /** A download starts (for progress text). */
  onDownload?(file: string): void;
}

/** The set's file in `dir`, verified; downloaded first when missing and allowed. Returns the gunzipped text. */
export async function ensureDataset(dir: string, set: EvalSetName, options: EnsureOptions = {}): Promise<string> {
  const spec = datasetFile(set);
  const path = join(dir, spec.file);
  let bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new DatasetError(`Cannot read ${path}: ${error.message}`);
  });
  if (!bytes) {
    const url = new URL(spec.file, options.baseUrl ?? DATASET_BASE_URL).href;
    if (options.offline) {
      throw new DatasetError(`${spec.file} is not in ${dir}. Download it from ${url} into that folder, or run without --data to download it.`);
    }
    options.onDownload?.(spec.file);
    bytes = await download(url, spec, options.signal);
    await mkdir(dir, { recursive: true });
    // Written whole under a temporary name, then renamed: a crash never leaves a half file that looks complete.
    const part = `${path}.${process.pid}.part`;
    try {
      await writeFile(part, bytes);
      await rename(part, path);
    } finally {
      await rm(part, { force: true });
    }
  } else {
    const actual = sha256(bytes);
    if (actual !== spec.sha256) {
      throw new DatasetError(`${path} is damaged or another version (SHA-256 ${actual}, expected ${spec.sha256}). Delete it to download it again.`);
    }
  }
  return gunzipSync(bytes).toString('utf8');
}

async function download(url: string, spec: DatasetFile, signal?: AbortSignal): Promise<Buffer> {
  const timeout = AbortSignal.timeout(120_000);
  let response: Response;
  try {
    response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'follow' });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new DatasetError(`Could not download ${url}: ${causeOf(error)}. Check the network, or pass --data DIR with the files.`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DatasetError(`Could not download ${url}: HTTP ${response.status} ${response.statusText}.`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  const actual = sha256(bytes);
  if (actual !== spec.sha256) {
    throw new DatasetError(`The download of ${spec.file} has SHA-256 ${actual}, expected ${spec.sha256}; it was not kept.`);
  }
  return bytes;
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ?? (error instanceof Error ? error.message : String(error));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** JSON lines into problems; a line that is not a problem is an error naming the line. */
export function parseProblems(text: string, source: string): Problem[] {
  const out: Problem[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new DatasetError(`${source} line ${i + 1} is not JSON.`);
    }
    const fields = ['task_id', 'entry_point', 'prompt', 'suffix', 'canonical_solution', 'test'];
    const missing = fields.filter((f) => typeof raw[f] !== 'string');
    if (missing.length) throw new DatasetError(`${source} line ${i + 1} has no ${missing.join(', ')}.`);
    out.push({
      taskId: raw.task_id as string,
      entryPoint: raw.entry_point as string,
      prompt: raw.prompt as string,
      suffix: raw.suffix as string,
      canonical: raw.canonical_solution as string,
      test: raw.test as string,
    });
  }
  return out;
}

/** `limit` problems chosen by a hash of their task id: the same problems on every run and machine, spread over
 * the whole set (not the first functions only), in hash order (no limit: every problem, in the same order). */
export function stableSubset(problems: readonly Problem[], limit: number | null): Problem[] {
  const keyed = problems.map((p) => ({ p, key: createHash('sha256').update(p.taskId).digest('hex') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.slice(0, limit === null ? undefined : Math.max(0, limit)).map((k) => k.p);
}
