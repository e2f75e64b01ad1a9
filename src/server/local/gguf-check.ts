// Checks a GGUF before llama.cpp sees it: a malformed file can hit GGML_ASSERT and abort the whole
// engine (reference/node-llama-cpp.md), so missing files, bad headers, truncated tensor data and missing
// required metadata are refused here with a message the user can act on.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { hasGgufMagic } from './download.js';

export type GgufCheck =
  | { ok: true; name: string; architecture: string; fim: boolean; trainContextSize?: number }
  | { ok: false; message: string };

/** Recurrent architectures have no attention heads or feed-forward length to check. */
const RECURRENT = /^(mamba|rwkv|jamba)/;

const FIM_TEXTS = [
  ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'],
  ['<fim_prefix>', '<fim_suffix>', '<fim_middle>'],
  ['<fim-prefix>', '<fim-suffix>', '<fim-middle>'],
  ['<PRE>', '<SUF>', '<MID>'],
  ['▁<PRE>', '▁<SUF>', '▁<MID>'],
  ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>'],
];

export function modelName(path: string): string {
  return basename(path).replace(/\.gguf$/i, '');
}

/** What can be checked without the model runtime: the file, its header and its metadata. Cheap, and done before
 * the runtime starts, so a missing or broken file is reported at once. */
export type GgufPrecheck = { ok: true; name: string; size: number; info: GgufInfo; architecture: string } | { ok: false; message: string };
type GgufInfo = Awaited<ReturnType<typeof import('node-llama-cpp').readGgufFileInfo>>;

/** GGUF's fixed header: magic, version, tensor count, metadata count. */
const HEADER_BYTES = 24;

export async function precheckGguf(path: string): Promise<GgufPrecheck> {
  const name = plainText(modelName(path));
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return { ok: false, message: `Model path is not a file: ${plainText(path)}` };
    size = st.size;
  } catch {
    return { ok: false, message: `Model file not found: ${plainText(path)}` };
  }
  if (size < 4 || !(await hasGgufMagic(path))) {
    return { ok: false, message: `Not a GGUF model file (bad header): ${plainText(path)}` };
  }
  const truncated = (needed: number) =>
    `${name} is truncated: the file ends inside its header (${size} of at least ${needed} bytes); download it again`;
  if (size < HEADER_BYTES + 8) return { ok: false, message: truncated(HEADER_BYTES + 8) };
  const { readGgufFileInfo } = await import('node-llama-cpp');
  let info: GgufInfo;
  try {
    info = await readGgufFileInfo(path, { logWarnings: false, sourceType: 'filesystem' });
  } catch (error) {
    return { ok: false, message: `Corrupt GGUF header in ${name}: ${plainText(errorText(error))}` };
  }
  // The reader fills what lies past the end of the file with zeros: names and numbers read there are garbage.
  if ((info.infoEndOffset ?? 0) > size) return { ok: false, message: truncated(info.infoEndOffset ?? 0) };
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const declared = metadata.general?.architecture;
  const architecture = typeof declared === 'string' ? plainText(declared) : '';
  if (!architecture) return { ok: false, message: `${name} has no general.architecture: not a usable model` };
  const arch = (info.architectureMetadata ?? {}) as Record<string, unknown> & { attention?: Record<string, unknown> };
  const missing: string[] = [];
  for (const key of ['embedding_length', 'block_count'] as const) if (arch[key] === undefined) missing.push(`${architecture}.${key}`);
  if (!RECURRENT.test(architecture)) {
    if (arch.feed_forward_length === undefined) missing.push(`${architecture}.feed_forward_length`);
    if (arch.attention?.head_count === undefined) missing.push(`${architecture}.attention.head_count`);
  }
  const tokenizer = (metadata.tokenizer as { ggml?: { tokens?: string[] } } | undefined)?.ggml;
  if (!tokenizer?.tokens?.length) missing.push('tokenizer.ggml.tokens');
  if (missing.length) {
    return { ok: false, message: `${name} is missing required metadata (${missing.join(', ')}); llama.cpp would abort on it` };
  }
  if (!info.tensorInfo?.length) return { ok: false, message: `${name} has no tensors` };
  return { ok: true, name, size, info, architecture };
}

export async function checkGguf(path: string, llama: Llama, pre?: GgufPrecheck): Promise<GgufCheck> {
  const checked = pre ?? (await precheckGguf(path));
  if (!checked.ok) return checked;
  const { name, size, info, architecture } = checked;
  const { GgufInsights } = await import('node-llama-cpp');
  try {
    const insights = await GgufInsights.from(info, llama);
    const needed = (info.infoEndOffset ?? 0) + insights.modelSize;
    if (info.splicedParts <= 1 && size < needed) {
      return { ok: false, message: `${name} is truncated (${size} of at least ${needed} bytes): download it again` };
    }
    if (!insights.isSupportedByLlamaCpp) {
      return { ok: false, message: `${name} uses architecture "${architecture}", which this llama.cpp build does not support` };
    }
  } catch (error) {
    return { ok: false, message: `Unreadable tensor table in ${name}: ${plainText(errorText(error))}` };
  }
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const ggml = (metadata.tokenizer as { ggml?: Record<string, unknown> } | undefined)?.ggml ?? {};
  const tokens = new Set((ggml.tokens as string[] | undefined) ?? []);
  const arch = (info.architectureMetadata ?? {}) as Record<string, unknown>;
  const fim =
    (ggml.fim_pre_token_id !== undefined && ggml.fim_suf_token_id !== undefined) ||
    (ggml.prefix_token_id !== undefined && ggml.suffix_token_id !== undefined) ||
    FIM_TEXTS.some((set) => set.every((t) => tokens.has(t)));
  const trainContextSize = typeof arch.context_length === 'number' ? arch.context_length : undefined;
  return { ok: true, name, architecture, fim, trainContextSize };
}

/** Text from a file or a library error, fit for a message: no NULs or other control characters, bounded. */
export function plainText(text: string, max = 300): string {
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]+/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
