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

export async function checkGguf(path: string, llama: Llama): Promise<GgufCheck> {
  const name = modelName(path);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return { ok: false, message: `Model path is not a file: ${path}` };
    size = st.size;
  } catch {
    return { ok: false, message: `Model file not found: ${path}` };
  }
  if (size < 32 || !(await hasGgufMagic(path))) {
    return { ok: false, message: `Not a GGUF model file (bad header): ${path}` };
  }
  const { readGgufFileInfo, GgufInsights } = await import('node-llama-cpp');
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(path, { logWarnings: false, sourceType: 'filesystem' });
  } catch (error) {
    return { ok: false, message: `Corrupt GGUF header in ${name}: ${errorText(error)}` };
  }
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const declared = metadata.general?.architecture;
  const architecture = typeof declared === 'string' ? declared : '';
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
    return { ok: false, message: `Unreadable tensor table in ${name}: ${errorText(error)}` };
  }
  const ggml = (metadata.tokenizer as { ggml?: Record<string, unknown> } | undefined)?.ggml ?? {};
  const tokens = new Set(tokenizer?.tokens ?? []);
  const fim =
    (ggml.fim_pre_token_id !== undefined && ggml.fim_suf_token_id !== undefined) ||
    (ggml.prefix_token_id !== undefined && ggml.suffix_token_id !== undefined) ||
    FIM_TEXTS.some((set) => set.every((t) => tokens.has(t)));
  const trainContextSize = typeof arch.context_length === 'number' ? arch.context_length : undefined;
  return { ok: true, name, architecture, fim, trainContextSize };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
