// Settings as the engine sees them: initializationOptions and environment variables when standalone,
// pulled with workspace/configuration inside an editor that supports it, cached until they change.
import type { Connection } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, mergeSettings, type TandemSettings } from '../shared/settings.js';

type Listener = (next: TandemSettings, previous: TandemSettings) => void;

export class SettingsStore {
  private current: TandemSettings;
  private readonly listeners: Listener[] = [];
  private canPull = false;

  constructor(initializationOptions: unknown, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.current = this.withEnv(mergeSettings(initializationOptions, DEFAULT_SETTINGS));
  }

  get value(): TandemSettings {
    return this.current;
  }

  /** The API key: set by the client (SecretStorage) or ANTHROPIC_API_KEY when standalone. */
  apiKey: string | undefined = undefined;

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  enablePull(supported: boolean): void {
    this.canPull = supported;
  }

  /** Re-read settings: pull from the client if it can answer, else use what didChangeConfiguration carried. */
  async refresh(connection: Connection, pushed?: unknown): Promise<void> {
    let raw: unknown = undefined;
    if (this.canPull) {
      raw = await connection.workspace.getConfiguration('tandem');
    } else if (pushed && typeof pushed === 'object' && 'tandem' in pushed) {
      raw = (pushed as { tandem: unknown }).tandem;
    }
    if (raw === undefined || raw === null) return;
    this.set(this.withEnv(mergeSettings(raw, DEFAULT_SETTINGS)));
  }

  set(next: TandemSettings): void {
    const previous = this.current;
    this.current = next;
    if (JSON.stringify(previous) === JSON.stringify(next)) return;
    for (const listener of this.listeners) listener(next, previous);
  }

  /** TANDEM_MODEL overrides both model settings when they are empty (standalone runs, tests). */
  private withEnv(settings: TandemSettings): TandemSettings {
    const model = this.env.TANDEM_MODEL;
    if (model) {
      if (!settings.model.completion) settings.model.completion = model;
      if (!settings.model.chat) settings.model.chat = model;
    }
    return settings;
  }
}
