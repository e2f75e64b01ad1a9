// The engine: an LSP server in its own process. Connection and handler wiring only.
// Inside VS Code it is started over IPC by vscode-languageclient; alone: `node dist/server.mjs --stdio`.
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { resolveDataDir, type EngineContext } from './context.js';
import { SettingsStore } from './settings.js';
import { registerLocal } from './local/register.js';
import { registerRouter } from './router/register.js';
import { checkParams, checkedDocumentSync, onNotification } from './rpc.js';
import { DidChangeConfigurationSchema, InitializeParamsSchema } from './lsp-schemas.js';
import { registerEval } from './eval/register.js';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const cleanups: (() => Promise<void> | void)[] = [];

// A native crash or an unhandled rejection is logged and kept inside this process: the client restarts it.
process.on('uncaughtException', (error) => connection.console.error(`Uncaught: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`Unhandled rejection: ${String(reason)}`));

let ctx: EngineContext | undefined;

connection.onInitialize((raw) => {
  const params = checkParams('initialize', InitializeParamsSchema, raw);
  const options = (params.initializationOptions ?? {}) as { settings?: unknown; dataDir?: unknown; completionLedger?: unknown };
  const settings = new SettingsStore(options.settings ?? options);
  settings.apiKey = process.env.ANTHROPIC_API_KEY || undefined;
  settings.enablePull(Boolean(params.capabilities.workspace?.configuration) && !process.env.TANDEM_NO_PULL);
  const workspaceFolders = (params.workspaceFolders ?? [])
    .map((f) => f.uri)
    .concat(params.rootUri && !params.workspaceFolders?.length ? [params.rootUri] : [])
    .filter((uri) => uri.startsWith('file:'))
    .map((uri) => fileURLToPath(uri));
  ctx = {
    connection,
    documents,
    settings,
    dataDir: resolveDataDir(options.dataDir),
    workspaceFolders,
    onShutdown: (fn) => cleanups.push(fn),
    log: {
      info: (m) => connection.console.info(m),
      warn: (m) => connection.console.warn(m),
      error: (m) => connection.console.error(m),
    },
  };
  const capabilities: ServerCapabilities = {
    textDocumentSync: TextDocumentSyncKind.Incremental,
  };
  const local = registerLocal(ctx);
  const router = registerRouter(ctx, local.chat);
  // Inline completions enter the router's ledger, per file and minute (not an evaluation's: they are no one's work).
  if (options.completionLedger !== false) local.completions.setLedger((record, info) => router.completions.add(record, info));
  registerEval(ctx, router.state);
  Object.assign(capabilities, local.capabilities, router.capabilities);
  return { capabilities, serverInfo: { name: 'tandem-engine', version: '0.1.0' } };
});

connection.onInitialized(async () => {
  if (!ctx) return;
  const engine = ctx;
  await engine.settings.refresh(connection).catch((e: unknown) => engine.log.warn(`Settings: ${String(e)}`));
});

onNotification(
  connection,
  DidChangeConfigurationNotification.type,
  DidChangeConfigurationSchema,
  (change) => {
    const engine = ctx;
    if (!engine) return;
    void engine.settings.refresh(connection, change.settings).catch((e: unknown) => engine.log.warn(`Settings: ${String(e)}`));
  },
  (m) => connection.console.warn(m),
);

connection.onShutdown(async () => {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      connection.console.error(`Shutdown: ${String(error)}`);
    }
  }
});

documents.listen(checkedDocumentSync(connection, (m) => connection.console.warn(m)));
connection.listen();
