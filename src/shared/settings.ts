// The settings under `tandem` in VS Code, and the same shape as the engine's initializationOptions
// when it runs standalone. Pure types and defaults: no `vscode` import.

export type GpuChoice = 'auto' | 'cuda' | 'vulkan' | 'metal' | 'cpu';
export type MultilineMode = 'auto' | 'always' | 'never';
export type SecretHandling = 'block' | 'redact';
export type CloudConsent = 'ask' | 'always' | 'never';
/** Where the local model runs: in the engine (node-llama-cpp) or on an inference server. */
export type BackendKind = 'embedded' | 'llama-server' | 'ollama' | 'openai-compatible';
/** The FIM prompt layout for OpenAI-compatible servers (which take a raw prompt). */
export type FimTemplateName = 'auto' | 'qwen' | 'starcoder' | 'codellama' | 'deepseek' | 'codestral' | 'codegemma';

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
  local: {
    backend: BackendKind;
    /** Server base URL; empty: the server's usual address on this machine. */
    url: string;
    /** Model name on the server (Ollama and OpenAI-compatible need one; llama-server serves its own). */
    model: string;
    /** Model for chat on the server; empty: the same as `model`. */
    chatModel: string;
    fimTemplate: FimTemplateName;
    /** A server on another machine may receive local-only files and secrets (a team's own box). */
    trusted: boolean;
    /** Time allowed for the server to answer (chat, probe), in milliseconds. */
    requestTimeoutMs: number;
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
    /** Values that are not secrets: `/regex/` for values, globs for files whose findings are fine. */
    allow: string[];
    /** Workspace cloud consent; the extension keeps the user's answer per workspace. */
    cloudConsent: CloudConsent;
    /** Workspace consent for an untrusted inference server on another machine; kept like cloudConsent. */
    serverConsent: CloudConsent;
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
  local: { backend: 'embedded', url: '', model: '', chatModel: '', fimTemplate: 'auto', trusted: false, requestTimeoutMs: 15_000 },
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
  privacy: { localOnly: false, localOnlyGlobs: [], secrets: 'block', allow: [], cloudConsent: 'ask', serverConsent: 'ask' },
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

/** Values a setting may take when it is one of a list. */
const ENUMS: Record<string, readonly string[]> = {
  'model.gpu': ['auto', 'cuda', 'vulkan', 'metal', 'cpu'],
  'completions.multiline': ['auto', 'always', 'never'],
  'privacy.secrets': ['block', 'redact'],
  'privacy.cloudConsent': ['ask', 'always', 'never'],
};

/** Nothing can go to the cloud: what the privacy settings become when the settings cannot be trusted. */
export const STRICTEST_PRIVACY = { localOnly: true, secrets: 'block', cloudConsent: 'never' } as const;

export interface SettingsReading {
  settings: TandemSettings;
  /** Why the settings cannot be trusted, in words; when there is any, the privacy settings are at their strictest. */
  problems: string[];
  /** Keys that are not Tandem settings: reported, not held against the rest. */
  unknown: string[];
}

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' || typeof value === 'function') return 'an object';
  return `${typeof value} ${String(value as number | boolean | bigint | symbol | undefined)}`;
}

/** Why `value` cannot be `key` (whose default is `current`), or undefined when it can. */
function wrongValue(key: string, value: unknown, current: unknown): string | undefined {
  const kind = Array.isArray(current) ? 'list' : typeof current;
  if (kind === 'list') {
    if (!Array.isArray(value)) return `should be a list of strings, not ${describe(value)}`;
    const bad = value.find((v) => typeof v !== 'string');
    return bad === undefined ? undefined : `should hold only strings, not ${describe(bad)}`;
  }
  if (kind === 'object') return plainObject(value) ? undefined : `should be an object, not ${describe(value)}`;
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value) ? undefined : `should be a number, not ${describe(value)}`;
  if (typeof value !== kind) return `should be ${kind === 'boolean' ? 'true or false' : `a ${kind}`}, not ${describe(value)}`;
  const allowed = ENUMS[key];
  return allowed && !allowed.includes(value as string) ? `should be one of ${allowed.map((a) => `"${a}"`).join(', ')}, not ${describe(value)}` : undefined;
}

/** The settings as nested sections: the `tandem` section itself, `{ tandem: {...} }`, or flat dotted keys
 * (`"privacy.localOnly": true`, `"tandem.privacy.localOnly": true`) all read the same. */
function sections(raw: Record<string, unknown>, base: TandemSettings, reading: SettingsReading): Map<string, Record<string, unknown>> {
  const known = (section: string) => plainObject((base as unknown as Record<string, unknown>)[section]);
  const wrapped = plainObject(raw.tandem) && !Object.keys(raw).some(known);
  const source = wrapped ? (raw.tandem as Record<string, unknown>) : raw;
  const out = new Map<string, Record<string, unknown>>();
  const put = (section: string, key: string, value: unknown) => {
    const target = out.get(section) ?? {};
    target[key] = value;
    out.set(section, target);
  };
  for (const [name, value] of Object.entries(source)) {
    if (wrapped || name !== 'tandem') {
      const dotted = name.replace(/^tandem\./, '').split('.');
      if (dotted.length === 2 && known(dotted[0])) put(dotted[0], dotted[1], value);
      else if (dotted.length === 1 && known(name)) {
        if (!plainObject(value)) reading.problems.push(`tandem.${name} should be an object of settings, not ${describe(value)}`);
        else for (const [key, v] of Object.entries(value)) put(name, key, v);
      } else reading.unknown.push(name);
    }
  }
  return out;
}

/**
 * Reads settings from any client (initializationOptions, workspace/configuration, VS Code's own values) over
 * `base`. Fails closed: when the settings are not an object, hold none of Tandem's keys, or a value has the
 * wrong type, every problem is listed and the privacy settings take their strictest values (nothing goes to
 * the cloud) until settings without problems arrive. `undefined` (no settings at all) keeps `base`.
 */
export function parseSettings(raw: unknown, base: TandemSettings = DEFAULT_SETTINGS): SettingsReading {
  const settings = structuredClone(base);
  const reading: SettingsReading = { settings, problems: [], unknown: [] };
  if (raw === undefined) return reading;
  if (!plainObject(raw)) {
    reading.problems.push(`the settings should be an object, not ${describe(raw)}`);
  } else {
    const found = sections(raw, base, reading);
    if (found.size === 0 && Object.keys(raw).length > 0 && reading.problems.length === 0) {
      reading.problems.push(`none of the keys (${Object.keys(raw).slice(0, 5).join(', ')}) is a Tandem setting`);
    }
    const out = settings as unknown as Record<string, Record<string, unknown>>;
    for (const [section, values] of found) {
      for (const [key, value] of Object.entries(values)) {
        if (!(key in out[section])) {
          reading.unknown.push(`${section}.${key}`);
          continue;
        }
        // VS Code sends null for a setting nobody set in some hosts: the default stands.
        if (value === undefined || value === null) continue;
        const wrong = wrongValue(`${section}.${key}`, value, out[section][key]);
        if (wrong) reading.problems.push(`tandem.${section}.${key} ${wrong}`);
        else out[section][key] = value;
      }
    }
  }
  if (reading.problems.length) settings.privacy = { ...settings.privacy, ...STRICTEST_PRIVACY };
  return reading;
}

/** Merge user values over the defaults; any value of the wrong type makes the privacy settings strictest. */
export function mergeSettings(partial: unknown, base: TandemSettings = DEFAULT_SETTINGS): TandemSettings {
  return parseSettings(partial ?? undefined, base).settings;
}
