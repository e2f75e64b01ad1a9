// Engine + fake Anthropic for the router's engine tests: one engine process over stdio (the shared
// test/support/lsp-client.ts) with ANTHROPIC_BASE_URL on a fake Messages API, and helpers for tandem/chat.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AskConsentRequest, ChatRequest, LedgerRequest, RouteRequest, type ChatErrorData, type ChatParams, type ChatResult, type LedgerResult, type RouteDecision, type RouteParams } from '../../src/shared/protocol.js';
import type { RequestType } from 'vscode-languageserver-protocol';
import { startEngine, TINY_MODEL, type EngineClient, type StartOptions } from '../support/lsp-client.js';
import { startFakeAnthropic, type FakeAnthropic } from './server.js';

/** A key shaped like nothing secretlint knows, so tests can look for it in logs and files. */
export const TEST_API_KEY = 'test-key-do-not-log-7f3a9c1e';

export interface Harness {
  engine: EngineClient;
  fake: FakeAnthropic;
  chat(params: Omit<ChatParams, 'id'> & { id?: string }): Promise<ChatResult>;
  route(params: RouteParams): Promise<RouteDecision>;
  ledger(query?: { since?: string; limit?: number }): Promise<LedgerResult>;
  close(): Promise<void>;
}

export interface HarnessOptions extends StartOptions {
  /** Use the fixture model for local routes (default true). */
  localModel?: boolean;
  /** Pass the API key in the environment (default true). */
  apiKey?: boolean;
  /** Base URL instead of the fake's (connection refused tests). */
  baseUrl?: string;
  /** Answer tandem/askConsent with this (default: no handler: the engine must fail closed). */
  consent?: () => 'always' | 'once' | 'never';
}

let counter = 0;
let modelCopy: string | undefined;

/** The fixture model, copied once per test process: `npm run fixture` rewrites tiny.gguf in place, and a
 * running engine that maps the file would die of SIGBUS if another test run regenerated it meanwhile. */
function fixtureModel(): string {
  if (!modelCopy) {
    modelCopy = join(mkdtempSync(join(tmpdir(), 'tandem-model-')), 'tiny.gguf');
    copyFileSync(TINY_MODEL, modelCopy);
  }
  return modelCopy;
}

/** Settings with cloud consent given and fast fault handling. */
export function testSettings(extra: Record<string, Record<string, unknown>> = {}): Record<string, Record<string, unknown>> {
  return {
    ...extra,
    privacy: { cloudConsent: 'always', ...(extra.privacy ?? {}) },
    cloud: { maxRetries: 0, idleTimeoutMs: 1500, requestTimeoutMs: 3000, deadlineMs: 6000, ...(extra.cloud ?? {}) },
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeAnthropic({ lifetimeMs: 5 * 60_000 });
  const engine = await startEngine({
    ...options,
    settings: options.settings ?? testSettings(),
    env: {
      ANTHROPIC_BASE_URL: options.baseUrl ?? fake.url,
      ...(options.apiKey === false ? {} : { ANTHROPIC_API_KEY: TEST_API_KEY }),
      ...(options.localModel === false ? {} : { TANDEM_MODEL: fixtureModel() }),
      ...options.env,
    },
  });
  // A request to an engine that died would wait forever: fail it with the exit and the engine's last words.
  const died = new Promise<never>((_, reject) => {
    engine.process.once('exit', (code, signal) => reject(new Error(`engine exited (code ${code}, signal ${signal}); stderr:\n${engine.stderr.slice(-3000)}`)));
  });
  died.catch(() => undefined);
  const call = <P, R, E>(type: RequestType<P, R, E>, params: P) => Promise.race([engine.request(type, params), died]);
  if (options.consent) {
    const answer = options.consent;
    engine.connection.onRequest(AskConsentRequest, () => ({ choice: answer() }));
  }
  return {
    engine,
    fake,
    chat: (params) => call(ChatRequest, { id: `c${++counter}`, ...params }),
    route: (params) => call(RouteRequest, params),
    ledger: (query) => call(LedgerRequest, query ?? {}),
    close: async () => {
      await engine.shutdown();
      await fake.close();
    },
  };
}

/** A temp workspace with these files (relative path → text); returns its path and file URIs. */
export function workspace(files: Record<string, string>): { root: string; uri(path: string): string } {
  const root = mkdtempSync(join(tmpdir(), 'tandem-ws-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, uri: (path) => pathToFileURL(join(root, path)).href };
}

/** The error a rejected LSP request carries. */
/** The error a request failed with, as the client receives it (tandem/chat errors carry ChatErrorData). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: number; data?: ChatErrorData }> {
  try {
    await p;
  } catch (error) {
    return error as Error & { code?: number; data?: ChatErrorData };
  }
  throw new Error('expected the request to fail');
}
