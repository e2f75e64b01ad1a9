// Settings as the engine sees them: initializationOptions and environment variables when standalone,
// pulled with workspace/configuration inside an editor that supports it, cached until they change.
// Fails closed: settings that cannot be read or have the wrong shape are logged with the reason, and the
// privacy settings take their strictest values (nothing goes to the cloud) until valid settings arrive.
import type { Connection } from 'vscode-languageserver';
import { parseSettings, STRICTEST_PRIVACY, type TandemSettings } from '../shared/settings.js';

type Listener = (next: TandemSettings, previous: TandemSettings) => void;
type Log = (message: string) => void;

export class SettingsStore {
  private current: TandemSettings;
  private readonly listeners: Listener[] = [];
  private canPull = false;
  private problemText: string | undefined;

  constructor(
    initializationOptions: unknown,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly warn: Log = () => undefined,
  ) {
    this.current = this.read(initializationOptions, 'the initialization options');
  }

  get value(): TandemSettings {
    return this.current;
  }

  /** Why the settings are not trusted (the privacy settings are then at their strictest), or undefined. */
  get problem(): string | undefined {
    return this.problemText;
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
      try {
        raw = await connection.workspace.getConfiguration('tandem');
      } catch (error) {
        this.distrust(`the client's workspace/configuration answer could not be read (${error instanceof Error ? error.message : String(error)})`);
        return;
      }
    } else if (pushed && typeof pushed === 'object' && 'tandem' in pushed) {
      raw = (pushed as { tandem: unknown }).tandem;
    }
    // null: the client has no settings for Tandem (LSP's answer for "none"); what the engine has stands.
    if (raw === undefined || raw === null) return;
    this.set(this.read(raw, this.canPull ? "the client's workspace/configuration answer" : 'workspace/didChangeConfiguration'));
  }

  set(next: TandemSettings): void {
    const previous = this.current;
    this.current = next;
    if (JSON.stringify(previous) === JSON.stringify(next)) return;
    for (const listener of this.listeners) listener(next, previous);
  }

  private read(raw: unknown, source: string): TandemSettings {
    const reading = parseSettings(raw);
    if (reading.unknown.length) this.warn(`Settings: ignored keys that are not Tandem settings in ${source}: ${reading.unknown.join(', ')}`);
    if (reading.problems.length) {
      this.problemText = `Tandem's settings from ${source} have the wrong shape: ${reading.problems.join('; ')}`;
      this.warn(`${this.problemText}. Nothing goes to the cloud until valid settings arrive.`);
    } else this.problemText = undefined;
    return this.withEnv(reading.settings);
  }

  /** Settings that cannot be read at all: the last ones stay, with the privacy settings at their strictest. */
  private distrust(reason: string): void {
    this.problemText = `Tandem's settings could not be read: ${reason}`;
    this.warn(`${this.problemText}. Nothing goes to the cloud until valid settings arrive.`);
    this.set({ ...this.current, privacy: { ...this.current.privacy, ...STRICTEST_PRIVACY } });
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
