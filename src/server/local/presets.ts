// Model presets and the choice for this machine. Pure: hardware comes in as data.
// Completion wants a FIM-capable base coder model (fast, small); chat wants an instruct model.
// Sizes are the published file sizes; downloads are verified against the server's length (and a SHA-256
// when one is given).
import type { HardwareInfo, ModelPreset, ModelRole } from '../../shared/protocol.js';

const GB = 1024 ** 3;
const HF = 'https://huggingface.co';

function preset(p: Omit<ModelPreset, 'url'> & { repo: string }): ModelPreset {
  const { repo, ...rest } = p;
  return { ...rest, url: `${HF}/${repo}/resolve/main/${p.fileName}` };
}

export const PRESETS: ModelPreset[] = [
  preset({
    id: 'qwen2.5-coder-0.5b', role: 'completion', label: 'Qwen2.5-Coder 0.5B (Q8_0, FIM)',
    repo: 'ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF', fileName: 'qwen2.5-coder-0.5b-q8_0.gguf',
    sizeBytes: 531_000_000, minMemoryBytes: 1 * GB,
  }),
  preset({
    id: 'qwen2.5-coder-1.5b', role: 'completion', label: 'Qwen2.5-Coder 1.5B (Q8_0, FIM)',
    repo: 'ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF', fileName: 'qwen2.5-coder-1.5b-q8_0.gguf',
    sizeBytes: 1_646_573_056, minMemoryBytes: 2.5 * GB,
  }),
  preset({
    id: 'qwen2.5-coder-3b', role: 'completion', label: 'Qwen2.5-Coder 3B (Q8_0, FIM)',
    repo: 'ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF', fileName: 'qwen2.5-coder-3b-q8_0.gguf',
    sizeBytes: 3_285_476_160, minMemoryBytes: 4.5 * GB,
  }),
  preset({
    id: 'qwen2.5-coder-7b', role: 'completion', label: 'Qwen2.5-Coder 7B (Q8_0, FIM)',
    repo: 'ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF', fileName: 'qwen2.5-coder-7b-q8_0.gguf',
    sizeBytes: 8_098_525_600, minMemoryBytes: 10 * GB,
  }),
  preset({
    id: 'qwen2.5-coder-1.5b-instruct', role: 'chat', label: 'Qwen2.5-Coder 1.5B Instruct (Q4_K_M)',
    repo: 'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF', fileName: 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
    sizeBytes: 1_120_000_000, minMemoryBytes: 2 * GB,
  }),
  preset({
    id: 'qwen2.5-coder-3b-instruct', role: 'chat', label: 'Qwen2.5-Coder 3B Instruct (Q4_K_M)',
    repo: 'Qwen/Qwen2.5-Coder-3B-Instruct-GGUF', fileName: 'qwen2.5-coder-3b-instruct-q4_k_m.gguf',
    sizeBytes: 2_100_000_000, minMemoryBytes: 3.5 * GB,
  }),
  preset({
    id: 'qwen2.5-coder-7b-instruct', role: 'chat', label: 'Qwen2.5-Coder 7B Instruct (Q4_K_M)',
    repo: 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF', fileName: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf',
    sizeBytes: 4_680_000_000, minMemoryBytes: 7 * GB,
  }),
  preset({
    id: 'qwen2.5-coder-14b-instruct', role: 'chat', label: 'Qwen2.5-Coder 14B Instruct (Q4_K_M)',
    repo: 'bartowski/Qwen2.5-Coder-14B-Instruct-GGUF', fileName: 'Qwen2.5-Coder-14B-Instruct-Q4_K_M.gguf',
    sizeBytes: 8_990_000_000, minMemoryBytes: 12 * GB,
  }),
];

/** Largest-that-fits per role. Completions must be fast: on CPU they stay at 1.5B (0.5B on small machines).
 * On a GPU the completion model takes at most about a third of the VRAM and chat gets the rest. */
export function choosePresets(hw: HardwareInfo, presets: ModelPreset[] = PRESETS): Record<ModelRole, string> {
  const byRole = (role: ModelRole) => presets.filter((p) => p.role === role).sort((a, b) => a.minMemoryBytes - b.minMemoryBytes);
  const completion = byRole('completion');
  const chat = byRole('chat');
  const largestFitting = (list: ModelPreset[], budget: number, cap = Infinity): ModelPreset =>
    list.filter((p) => p.minMemoryBytes <= budget && p.sizeBytes <= cap).pop() ?? list[0];

  if (hw.gpu && hw.gpu !== 'cpu' && hw.vramBytes > 0) {
    const c = largestFitting(completion, hw.vramBytes * 0.35);
    const h = largestFitting(chat, Math.max(0, hw.vramBytes - c.minMemoryBytes));
    return { completion: c.id, chat: h.id };
  }
  // CPU: memory is rarely the limit, compute is.
  const ramBudget = hw.ramBytes * 0.5;
  const small = hw.cores <= 4;
  const c = largestFitting(completion, ramBudget, small ? 600_000_000 : 2_000_000_000);
  const h = largestFitting(chat, Math.max(0, ramBudget - c.minMemoryBytes), hw.cores >= 8 ? 5_000_000_000 : 2_200_000_000);
  return { completion: c.id, chat: h.id };
}

export function findPreset(id: string | undefined, presets: ModelPreset[] = PRESETS): ModelPreset | undefined {
  return id ? presets.find((p) => p.id === id) : undefined;
}
