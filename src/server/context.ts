// What every part of the engine shares: the connection, the open documents, the settings and the data dir.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Destination } from '../shared/protocol.js';
import type { ChatInput, ChatOutput } from './backends/types.js';
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

/** What the local model offers the router: chat generation and token counting, wherever the model runs
 * (implemented by backends/host.ts over the configured backend). */
export interface LocalChat {
  /** Name of the chat model (file name without extension, or the server's model), or undefined when none. */
  modelName(): string | undefined;
  /** Context window of the chat model in tokens, when known: the loaded model's, or (after prepare()) the one it
   * will get, read from its GGUF metadata before it loads. */
  contextSize(): number | undefined;
  /** Token count with the chat model's tokenizer (the loaded model, or its vocabulary read by prepare()), else an
   * estimate (chars / 3.5). */
  countTokens(text: string): number;
  /** Makes contextSize() and countTokens() answer as a loaded model would, without loading it (a cold decision
   * equals a warm one). Resolves with a key that changes when the tokenizer changes. */
  prepare(): Promise<string>;
  /** Set when the model runs on a server on another machine: requests to it are egress. */
  destination(): Destination | undefined;
  /** Loads the chat model if needed and generates. Rejects with LocalUnavailableError when no model can run. */
  chat(options: ChatInput): Promise<ChatOutput>;
}

/** What a local answer gives back (the seam's ChatOutput: text, token counts, time to the first token, and the mean
 * log-probability of the generated tokens when the model gave it). */
export type LocalAnswer = ChatOutput;

/** The local model cannot answer: none configured, missing or corrupt file, failed to load. */
export class LocalUnavailableError extends Error {
  override readonly name = 'LocalUnavailableError';
}
