// Which `tandem.*` settings need what when they change. Pure: no `vscode` import, so unit tests can check it.
import { DEFAULT_SETTINGS, MODEL_RELOAD_KEYS, type CloudConsent } from '../shared/settings';

/**
 * - `restart-engine`: the engine process must start again (node-llama-cpp picks its GPU backend once per process).
 * - `reload-model`: the engine reloads its local model after it pulls the new settings (no restart).
 * - `engine`: the engine pulls the new value on workspace/didChangeConfiguration and uses it from the next request.
 * - `client`: only the extension uses it (it gates inline completions before they reach the engine), plus the engine.
 */
export type ChangeEffect = 'restart-engine' | 'reload-model' | 'engine' | 'client';

const RESTART_KEYS = new Set(['model.gpu']);
const CLIENT_KEYS = new Set(['completions.enabled', 'completions.exclude', 'completions.maxFileBytes', 'privacy.cloudConsent', 'privacy.serverConsent']);

/** Every leaf key under `tandem`, e.g. `model.completion`, in the order of DEFAULT_SETTINGS. */
export const SETTING_KEYS: readonly string[] = Object.entries(DEFAULT_SETTINGS).flatMap(([section, values]) =>
  Object.keys(values as object).map((key) => `${section}.${key}`),
);

/** The effect of changing one leaf key (without the `tandem.` prefix). */
export function changeEffect(key: string): ChangeEffect {
  if (RESTART_KEYS.has(key)) return 'restart-engine';
  if (MODEL_RELOAD_KEYS.includes(key)) return 'reload-model';
  if (CLIENT_KEYS.has(key)) return 'client';
  return 'engine';
}

export interface ChangePlan {
  /** Leaf keys that changed. */
  keys: string[];
  restartEngine: boolean;
  /** The engine must hear about it (every change except none). */
  notifyEngine: boolean;
  /** The status bar / completion gate must be recomputed. */
  refreshClient: boolean;
}

/**
 * What to do for a configuration change. `affects` answers `event.affectsConfiguration('tandem.' + key)`.
 * The engine pulls settings itself, so every change notifies it; only a backend change restarts it.
 */
export function planChange(affects: (key: string) => boolean): ChangePlan {
  const keys = SETTING_KEYS.filter((key) => affects(key));
  return {
    keys,
    restartEngine: keys.some((key) => changeEffect(key) === 'restart-engine'),
    notifyEngine: keys.length > 0,
    refreshClient: keys.some((key) => changeEffect(key) === 'client' || key.startsWith('model.') || key.startsWith('budget.')),
  };
}

/** The user's answer to the consent question, kept per workspace (workspaceState). */
export type StoredConsent = 'always' | 'never';

/**
 * The consent the engine sees: an explicit workspace (or folder) setting wins, then the answer the user gave in
 * this workspace, then the user/default setting.
 */
export function effectiveConsent(
  levels: { workspace?: CloudConsent; global?: CloudConsent; fallback: CloudConsent },
  stored: StoredConsent | undefined,
): CloudConsent {
  if (levels.workspace) return levels.workspace;
  if (stored) return stored;
  return levels.global ?? levels.fallback;
}
