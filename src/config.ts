// Typed getters over the `tandem` settings, the per-workspace cloud consent, and what a change needs.
// The rules for "which key needs an engine restart" are pure and live in client/setting-changes.ts.
import * as vscode from 'vscode';
import { effectiveConsent, SETTING_KEYS, type StoredConsent } from './client/setting-changes';
import { parseSettings, type CloudConsent, type TandemSettings } from './shared/settings';

export { changeEffect, effectiveConsent, planChange, type ChangePlan, type StoredConsent } from './client/setting-changes';

export const SECTION = 'tandem';
/** workspaceState key of the user's "Always / Never for this workspace" answer. */
export const CONSENT_STATE_KEY = 'tandem.cloudConsent';
/** The same for an untrusted inference server on another machine. */
export const SERVER_CONSENT_STATE_KEY = 'tandem.serverConsent';

/** The settings as VS Code has them (defaults from package.json), merged over DEFAULT_SETTINGS. A value of the
 * wrong type makes the privacy settings strictest (nothing goes to the cloud); `onProblems` hears why. */
export function readSettings(scope?: vscode.ConfigurationScope, onProblems?: (problems: string[]) => void): TandemSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const raw: Record<string, Record<string, unknown>> = {};
  for (const key of SETTING_KEYS) {
    const [section, leaf] = key.split('.');
    raw[section] ??= {};
    raw[section][leaf] = config.get(key);
  }
  const reading = parseSettings(raw);
  if (reading.problems.length) onProblems?.(reading.problems);
  return reading.settings;
}

export function storedConsent(workspaceState: vscode.Memento, key = CONSENT_STATE_KEY): StoredConsent | undefined {
  const value = workspaceState.get<unknown>(key);
  return value === 'always' || value === 'never' ? value : undefined;
}

/** Settings with the stored per-workspace consent applied: what initializationOptions and configuration pulls carry. */
export function engineSettings(workspaceState: vscode.Memento, onProblems?: (problems: string[]) => void): TandemSettings {
  const settings = readSettings(undefined, onProblems);
  const valid = (v: unknown): CloudConsent | undefined => (v === 'ask' || v === 'always' || v === 'never' ? v : undefined);
  const consent = (leaf: 'cloudConsent' | 'serverConsent', stateKey: string): CloudConsent => {
    const inspected = vscode.workspace.getConfiguration(SECTION).inspect<CloudConsent>(`privacy.${leaf}`);
    return effectiveConsent(
      {
        workspace: valid(inspected?.workspaceFolderValue) ?? valid(inspected?.workspaceValue),
        global: valid(inspected?.globalValue),
        fallback: settings.privacy[leaf],
      },
      storedConsent(workspaceState, stateKey),
    );
  };
  settings.privacy.cloudConsent = consent('cloudConsent', CONSENT_STATE_KEY);
  settings.privacy.serverConsent = consent('serverConsent', SERVER_CONSENT_STATE_KEY);
  return settings;
}

/** Where a user change to `key` should go: the most specific level that already sets it, else the user settings. */
export function targetFor(key: string): vscode.ConfigurationTarget {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect(key);
  if (inspected?.workspaceValue !== undefined) return vscode.ConfigurationTarget.Workspace;
  return vscode.ConfigurationTarget.Global;
}

/** Set `tandem.<key>` at the level where it is defined (undefined removes it there). */
export async function updateSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, targetFor(key));
}
