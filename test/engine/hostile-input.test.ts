// Hostile or odd input from any LSP client: malformed params get -32602 naming the field, positions are checked
// and clamped to the document, and context files that are not regular files (devices, FIFOs) or are too large
// are refused without holding the engine. After all of it the engine still serves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DidOpenTextDocumentNotification, InlineCompletionRequest, LogMessageNotification, type InlineCompletionParams } from 'vscode-languageserver-protocol';
import {
  ChatRequest,
  DownloadModelRequest,
  GetStatsRequest,
  LedgerRequest,
  RouteRequest,
  SetApiKeyNotification,
  type ChatParams,
  type DownloadModelParams,
  type LedgerQuery,
  type RouteParams,
} from '../../src/shared/protocol.js';
import { delay, startEngine, TINY_MODEL, type EngineClient } from '../support/lsp-client.js';

const URI = 'file:///workspace/src/x.ts';
const TEXT = 'const x = ';

async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (error) {
    return error as { code: number; message: string };
  }
  throw new Error('expected the request to fail');
}

void describe('hostile input', () => {
  let engine: EngineClient;
  before(async () => {
    engine = await startEngine({ env: { TANDEM_MODEL: TINY_MODEL }, settings: { completions: { maxTokens: 16, timeBudgetMs: 3000 } } });
    await engine.open(URI, 'typescript', TEXT);
  });
  after(async () => {
    await engine.shutdown();
  });

  void it('an inline completion at line 1e308 is refused at once with -32602 naming the field', async () => {
    const started = performance.now();
    const e = await failure(engine.inlineCompletion(URI, { line: 1e308, character: 0 }));
    assert.equal(e.code, -32602);
    assert.match(e.message, /position\.line: must be at most 2147483647/);
    assert.ok(performance.now() - started < 5000);
    for (const position of [{ line: -1, character: 0 }, { line: 0.5, character: 0 }, { line: 0 }]) {
      const bad = await failure(engine.inlineCompletion(URI, position as { line: number; character: number }));
      assert.equal(bad.code, -32602, JSON.stringify(position));
      assert.match(bad.message, /position\.(line|character)/);
    }
  });

  void it('a position past the end of the document is clamped: the answer never lies outside the document', async () => {
    const list = await engine.inlineCompletion(URI, { line: 2 ** 31 - 1, character: 2 ** 31 - 1 });
    const end = { line: 0, character: TEXT.length };
    for (const item of list?.items ?? []) assert.deepEqual(item.range, { start: end, end });
    const past = await engine.inlineCompletion(URI, { line: 0, character: 500 });
    for (const item of past?.items ?? []) assert.deepEqual(item.range, { start: end, end });
    assert.ok((list?.items.length ?? 0) + (past?.items.length ?? 0) > 0, 'the model still answered at the clamped position');
  });

  void it('missing or mistyped params of every request get -32602 with the field named', async () => {
    const cases: [Promise<unknown>, RegExp][] = [
      [engine.request(RouteRequest, undefined as unknown as RouteParams), /Invalid params for tandem\/route: the params are missing/],
      [engine.request(RouteRequest, { kind: 'chat', prompt: 5 } as unknown as RouteParams), /tandem\/route: prompt: expected string, received number/],
      [engine.request(RouteRequest, { kind: 'chat', prompt: 'x', files: [{ uri: 7 }] } as unknown as RouteParams), /files\[0\]\.uri: expected string/],
      [engine.request(RouteRequest, { kind: 'chat', prompt: 'x', files: 'a.ts' } as unknown as RouteParams), /files: expected array/],
      [engine.request(RouteRequest, { kind: 'chat', prompt: 'x', files: [{ uri: 'file:///a', range: { startLine: -3, endLine: 1 } }] } as unknown as RouteParams), /files\[0\]\.range\.startLine/],
      [engine.request(ChatRequest, { kind: 'chat', prompt: 'x' } as unknown as ChatParams), /tandem\/chat: id is missing/],
      [engine.request(ChatRequest, { id: 'a', kind: 'completion', prompt: 'x' } as unknown as ChatParams), /Unknown request kind "completion": use explain, chat or refactor/],
      [engine.request(ChatRequest, { id: 'a', kind: 'chat', prompt: 'x', history: [{ role: 'system', content: 1 }] } as unknown as ChatParams), /history\[0\]\.role/],
      [engine.request(DownloadModelRequest, { role: 'gpu' } as unknown as DownloadModelParams), /tandem\/downloadModel: role/],
      [engine.request(LedgerRequest, { limit: -1 } as unknown as LedgerQuery), /tandem\/ledger: limit: must be at least 0/],
      [engine.request(GetStatsRequest, { recent: 'all' } as unknown as { recent: number }), /tandem\/stats: recent: expected number/],
      [engine.request(InlineCompletionRequest.type, { position: { line: 0, character: 0 } } as unknown as InlineCompletionParams), /textDocument is missing/],
    ];
    for (const [pending, message] of cases) {
      const e = await failure(pending);
      assert.equal(e.code, -32602, `${message}: ${e.message}`);
      assert.match(e.message, message);
    }
  });

  void it('malformed notifications are dropped and logged; the engine keeps serving', async () => {
    await engine.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri: 'file:///w/bad.ts', languageId: 'typescript', version: 1, text: 42 } } as never);
    await engine.notify(SetApiKeyNotification, { apiKey: { key: 'x' } } as never);
    await delay(100);
    const log = engine.received(LogMessageNotification.type).map((m) => m.message).join('\n');
    assert.match(log, /Ignored textDocument\/didOpen: invalid params: textDocument\.text: expected string/);
    assert.match(log, /Ignored tandem\/setApiKey: invalid params: apiKey: expected string/);
    // The bad document was not stored, so a completion there has nothing to complete.
    assert.equal(await engine.inlineCompletion('file:///w/bad.ts', { line: 0, character: 0 }), null);
    const d = await engine.request(RouteRequest, { kind: 'chat', prompt: 'still there?' });
    assert.equal(d.route, 'local');
    assert.ok(engine.alive);
  });
});

/** The promise, or a failure naming what never answered. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, delay(ms).then(() => Promise.reject(new Error(`${what} did not answer within ${ms} ms`)))]);
}

void describe('context files that are not regular files, or too large', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-odd-'));
  const fifos = [1, 2, 3, 4, 5].map((i) => join(dir, `pipe${i}.ts`));
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  writeFileSync(join(dir, 'huge.ts'), 'x'.repeat(3 * 1024 * 1024));
  writeFileSync(join(dir, 'ok.ts'), 'export const ok = 1;\n');
  mkdirSync(join(dir, 'folder.ts'));
  const uri = (p: string) => pathToFileURL(p).href;
  let engine: EngineClient;
  before(async () => {
    engine = await startEngine({ env: { TANDEM_MODEL: TINY_MODEL }, workspace: dir, settings: { completions: { maxTokens: 8, timeBudgetMs: 3000 } } });
  });
  after(async () => {
    await engine.shutdown();
  });

  void it('five FIFOs nobody writes are left out at once, and the model still loads and completes afterwards', async () => {
    const decisions = await within(
      Promise.all(fifos.map((f) => engine.request(RouteRequest, { kind: 'explain', prompt: 'explain', files: [{ uri: uri(f) }] }))),
      10_000,
      'tandem/route with a FIFO',
    );
    for (const [i, d] of decisions.entries()) assert.match(d.reasons.map((x) => x.text).join(' '), new RegExp(`pipe${i + 1}\\.ts was left out: it is a FIFO \\(named pipe\\), not a regular file`));
    // Model loads read files through the same worker threads the FIFO reads would hold.
    await engine.open('file:///w/a.ts', 'typescript', 'const x = ');
    const list = await within(engine.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 }), 20_000, 'the first completion');
    assert.ok(list && list.items.length === 1, 'the completion model loaded and answered');
  });

  void it('/dev/zero, a folder and a 3 MB file are left out with the reason; a normal file beside them is read', async () => {
    const d = await within(
      engine.request(RouteRequest, {
        kind: 'explain',
        prompt: 'explain',
        files: [{ uri: 'file:///dev/zero' }, { uri: uri(join(dir, 'folder.ts')) }, { uri: uri(join(dir, 'huge.ts')) }, { uri: uri(join(dir, 'ok.ts')) }],
      }),
      10_000,
      'tandem/route with /dev/zero',
    );
    const reasons = d.reasons.map((x) => x.text).join(' ');
    assert.match(reasons, /\/dev\/zero was left out: it is a device, not a regular file/);
    assert.match(reasons, /folder\.ts was left out: it is a folder/);
    assert.match(reasons, /huge\.ts was left out: it is larger than 2\.0 MB \(3\.0 MB\)/);
    assert.doesNotMatch(reasons, /ok\.ts was left out/);
    assert.ok(engine.alive);
  });
});
