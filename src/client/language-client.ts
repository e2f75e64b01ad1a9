// Builds the language client that starts the engine (dist/server.mjs) over IPC. Inline completions come through
// LSP 3.18 textDocument/inlineCompletion, which vscode-languageclient 11 registers when the engine declares
// `inlineCompletionProvider`; the middleware here stops them before they reach the engine when they cannot run.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { TandemSettings } from '../shared/settings';
import type { CompletionBlock } from './completion-gate';
import { engineEnv } from './engine-env';

export interface ClientSetup {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Downloads and ledger live here (context.globalStorageUri). */
  dataDir: string;
  /** Settings as the engine must see them (stored workspace consent applied); read at every start and pull. */
  settings(): TandemSettings;
  /** Why completions cannot run for this document, or undefined. */
  completionBlock(document: vscode.TextDocument): CompletionBlock | undefined;
  /** A suggestion with text came back `ms` after the editor asked for it. */
  onCompletionShown(ms: number): void;
  /** Each inline completion result on its way to VS Code (feedback: which suggestion is on screen). */
  onInlineCompletions?(document: vscode.TextDocument, position: vscode.Position, result: vscode.InlineCompletionItem[] | vscode.InlineCompletionList | null | undefined): void;
  /** The connection closed unexpectedly: decide (the owner restarts with a fresh client). */
  onCrash(): void;
  /** The connection keeps erroring and is being shut down. */
  onConnectionFailure(message: string): void;
}

export function createLanguageClient(setup: ClientSetup): LanguageClient {
  const module = vscode.Uri.joinPath(setup.extensionUri, 'dist', 'server.mjs').fsPath;
  const env = engineEnv(process.env);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env } },
    debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6019'] } },
  };

  // The engine's own restart rule is ours (CrashPolicy): the client never restarts by itself, so every restart
  // builds a fresh client and empties the client-lifetime cleanup list.
  const errorHandler: ErrorHandler = {
    error: (error, _message, count) => {
      // Writes to an engine that just died fail (EPIPE) before the close arrives: log them, the close decides.
      if (count !== undefined && count <= 3) {
        setup.log.warn(`Engine connection error: ${error.message}`);
        return { action: ErrorAction.Continue, handled: true };
      }
      const message = 'The connection to the Tandem engine keeps failing, so the engine was stopped.';
      setup.onConnectionFailure(message);
      return { action: ErrorAction.Shutdown, message, handled: true };
    },
    closed: () => {
      setup.onCrash();
      return { action: CloseAction.DoNotRestart, message: 'The connection to the Tandem engine closed.', handled: true };
    },
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
    outputChannel: setup.log,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: () => ({ settings: setup.settings(), dataDir: setup.dataDir }),
    initializationFailedHandler: (error: unknown) => {
      setup.log.error(`The Tandem engine failed to initialize: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
    errorHandler,
    markdown: { isTrusted: false, supportHtml: false },
    middleware: {
      provideInlineCompletionItems: async (document, position, context, token, next) => {
        if (setup.completionBlock(document)) return undefined;
        const asked = performance.now();
        const result = await next(document, position, context, token);
        if (token.isCancellationRequested) return result;
        const items = Array.isArray(result) ? result : result?.items;
        if (items?.some((item) => (typeof item.insertText === 'string' ? item.insertText : item.insertText.value).length > 0)) {
          setup.onCompletionShown(performance.now() - asked);
        }
        setup.onInlineCompletions?.(document, position, result);
        return result;
      },
      workspace: {
        // The engine pulls `tandem`; answer with the typed settings, the stored workspace consent applied.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return params.items.map((item, i) => (item.section === 'tandem' && !item.scopeUri ? setup.settings() : result[i]));
        },
      },
    },
  };

  return new LanguageClient('tandem', 'Tandem Engine', serverOptions, clientOptions);
}
