// The settings under `tandem` in VS Code, and the same shape as the engine's initializationOptions
// when it runs standalone. Pure types and defaults: no `vscode` import.

export type GpuChoice = 'auto' | 'cuda' | 'vulkan' | 'metal' | 'cpu';
export type MultilineMode = 'auto' | 'always' | 'never';
export type SecretHandling = 'block' | 'redact';
export type CloudConsent = 'ask' | 'always' | 'never';

export interface TandemSettings {
  model: {
    /** GGUF for inline completions (FIM): a local path or an http(s) URL. Empty: use the recommended preset. */
    completion: string;
    /** GGUF for chat and explanations: a local path or URL. Empty: use the recommended preset. */
    chat: string;
    gpu: GpuChoice;
    /** 0 = the real core count minus one (at least 1): a core stays free for the editor. */
    threads: number;
    /** Context window in tokens for the local model; 0 = the engine's default. */
    contextSize: number;
  };
  completions: {
    enabled: boolean;
    multiline: MultilineMode;
    maxPrefixLines: number;
    maxSuffixLines: number;
    maxTokens: number;
    /** Hard stop for one generation, in milliseconds. */
    timeBudgetMs: number;
    /** Files larger than this many bytes get no completions. */
    maxFileBytes: number;
    /** Globs of files that never get completions. */
    exclude: string[];
  };
  privacy: {
    /** Nothing ever goes to the cloud. */
    localOnly: boolean;
    /** Extra globs of files that never leave the machine, added to the built-in list. */
    localOnlyGlobs: string[];
    /** What to do when content that would leave contains a secret. */
    secrets: SecretHandling;
    /** Workspace cloud consent; the extension keeps the user's answer per workspace. */
    cloudConsent: CloudConsent;
  };
  cloud: {
    /** Cheapest first; the router picks the cheapest tier that fits. */
    tiers: string[];
    /** The model a request would have used without Tandem: the counterfactual cost is priced on it. */
    counterfactualModel: string;
    maxOutputTokens: number;
    /** Cut a stream that sends nothing for this long, in milliseconds. */
    idleTimeoutMs: number;
    /** Time to the response headers, per attempt, in milliseconds. */
    requestTimeoutMs: number;
    /** One deadline for the whole request until Claude starts answering (every attempt and wait), in milliseconds. */
    deadlineMs: number;
    maxRetries: number;
    /** Price overrides per model id, USD per million tokens (see docs/protocol.md). */
    prices: Record<string, Partial<ModelPriceOverride>>;
  };
  budget: {
    /** USD per day; 0 = no cloud spend allowed, negative = no limit. */
    dailyUsd: number;
    monthlyUsd: number;
  };
  routing: {
    /** learned: the rules, then what this user's feedback taught (within privacy, consent and budget); fixed: the
     * rules only. */
    policy: RoutingPolicy;
    /** Share (0-1) of the questions the rules would keep local that the user is willing to send to Claude when the
     * learner expects a better answer there. */
    cloudShare: number;
  };
}

export type RoutingPolicy = 'learned' | 'fixed';

export interface ModelPriceOverride {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export const DEFAULT_SETTINGS: TandemSettings = {
  model: { completion: '', chat: '', gpu: 'auto', threads: 0, contextSize: 0 },
  completions: {
    enabled: true,
    multiline: 'auto',
    maxPrefixLines: 60,
    maxSuffixLines: 20,
    maxTokens: 64,
    timeBudgetMs: 1500,
    maxFileBytes: 1_000_000,
    exclude: [],
  },
  privacy: { localOnly: false, localOnlyGlobs: [], secrets: 'block', cloudConsent: 'ask' },
  cloud: {
    tiers: ['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5'],
    counterfactualModel: 'claude-sonnet-5-5',
    maxOutputTokens: 4096,
    idleTimeoutMs: 15_000,
    requestTimeoutMs: 30_000,
    deadlineMs: 30_000,
    maxRetries: 2,
    prices: {},
  },
  budget: { dailyUsd: 2, monthlyUsd: 20 },
  routing: { policy: 'learned', cloudShare: 0.2 },
};

/** Setting sections whose change needs the engine to reload its local model. */
export const MODEL_RELOAD_KEYS = ['model.completion', 'model.chat', 'model.gpu', 'model.threads', 'model.contextSize'];

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
export type PartialSettings = DeepPartial<TandemSettings>;

/** Merge user values over the defaults, ignoring values of the wrong type (bad input loses nothing else). */
export function mergeSettings(partial: unknown, base: TandemSettings = DEFAULT_SETTINGS): TandemSettings {
  const out = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
  if (!partial || typeof partial !== 'object') return out as unknown as TandemSettings;
  for (const [section, values] of Object.entries(partial as Record<string, unknown>)) {
    const target = out[section];
    if (!target || !values || typeof values !== 'object') continue;
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      if (!(key in target) || value === undefined || value === null) continue;
      const current = target[key];
      const sameKind =
        Array.isArray(current) ? Array.isArray(value) : typeof current === typeof value && !Array.isArray(value);
      if (sameKind) target[key] = value;
    }
  }
  return out as unknown as TandemSettings;
}
