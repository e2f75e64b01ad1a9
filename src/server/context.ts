// What every part of the engine shares: the connection, the open documents, the settings and the data dir.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { SettingsStore } from './settings.js';

export interface EngineContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  settings: SettingsStore;
  /** Downloads, ledger and other state; created on first use. */
  dataDir: string;
  /** Workspace folders as file-system paths (for globs relative to the workspace). */
  workspaceFolders: string[];
  /** Cleanup run on shutdown, last registered first. */
  onShutdown(fn: () => Promise<void> | void): void;
  log: {
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  };
}

/** Data dir: TANDEM_DATA_DIR, the client's choice (initializationOptions.dataDir), or the XDG data home. */
export function resolveDataDir(fromClient: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (env.TANDEM_DATA_DIR) return env.TANDEM_DATA_DIR;
  if (typeof fromClient === 'string' && fromClient) return fromClient;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'tandem');
}

/** What the local model offers the router: chat generation and token counting. Implemented in local/. */
export interface LocalChat {
  /** Name of the chat model (file name without extension), or undefined when none is configured. */
  modelName(): string | undefined;
  /** Context window of the loaded (or configured) chat model in tokens, when known. */
  contextSize(): number | undefined;
  /** Token count with the chat model's tokenizer when loaded, else an estimate (chars / 3.5). */
  countTokens(text: string): number;
  /** Loads the chat model if needed and generates. Rejects with LocalUnavailableError when no model can run. */
  chat(options: {
    system: string;
    messages: { role: 'user' | 'assistant'; content: string }[];
    maxTokens: number;
    signal: AbortSignal;
    onText(delta: string): void;
  }): Promise<LocalAnswer>;
}

export interface LocalAnswer {
  text: string;
  promptTokens: number;
  outputTokens: number;
  ttftMs: number | null;
  /** Mean natural-log probability of the generated tokens (the local-confidence signal), when the model gave it. */
  meanLogProb?: number;
}

/** The local model cannot answer: none configured, missing or corrupt file, failed to load. */
export class LocalUnavailableError extends Error {
  override readonly name = 'LocalUnavailableError';
}
