// textDocument/inlineCompletion: skip checks, typed-ahead cache, the FIM request to whichever backend runs the
// model (embedded or a server), post-processing, statistics. The newest request wins: it aborts the one before
// it (for a server, that closes the HTTP request and the server frees its slot).
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CancellationToken, InlineCompletionList, InlineCompletionParams } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { COMPLETION_ACCEPTED_COMMAND, type CompletionItemRef, type CompletionRecord } from '../../shared/protocol.js';
import type { BackendHost } from '../backends/host.js';
import { EgressRefusedError } from '../backends/link.js';
import type { FimInput, FimSession } from '../backends/types.js';
import type { EngineContext } from '../context.js';
import type { CompletionStatsRecorder } from '../stats.js';
import { ContextRing, chunkAround, type ContextChunk } from './context-ring.js';
import { displayText, postProcess } from './postprocess.js';
import { completionMode, fimWindow, type CompletionMode, type FimWindow } from './prompt.js';
import { looksBinary, skipReason } from './skip.js';
import { TAIL_CHARS, TypedAheadCache } from './typed-ahead.js';

const QUIET_MS = 1000;
const CHUNK_LINES = 32;
const MAX_CHUNKS = 8;
/** In single-line mode at the end of a line, decode one more line and keep it for accept-line. */
const HOT_LINES = 1;
const MULTI_MAX_LINES = 12;
/** Most time a background warm-up may take (it yields to the next keystroke anyway). */
const WARMUP_MS = 10_000;

interface LastRequest {
  uri: string;
  line: number;
}

/** Counts an answered request in the ledger; returns the entry id the suggestion shown belongs to. */
export type CompletionLedgerHook = (record: CompletionRecord, info: { languageId?: string; model?: string }) => string | undefined;

export class CompletionProvider {
  private readonly cache = new TypedAheadCache();
  private readonly ring = new ContextRing({ maxChunks: MAX_CHUNKS, quietMs: QUIET_MS });
  private current: AbortController | undefined;
  /** The session the last completion ran on (the warm-up uses it; it never loads or probes by itself). */
  private session: FimSession | undefined;
  private last: LastRequest | undefined;
  private quietTimer: NodeJS.Timeout | undefined;
  private counter = 0;
  private lastSkipMessage = '';
  private ledger: CompletionLedgerHook | undefined;

  constructor(
    private readonly ctx: EngineContext,
    private readonly host: BackendHost,
    private readonly stats: CompletionStatsRecorder,
  ) {
    ctx.documents.onDidOpen((e) => this.ring.offer(this.chunkOf(e.document, 0)));
    ctx.documents.onDidClose((e) => {
      this.cache.clear(e.document.uri);
      this.ring.forget(e.document.uri);
    });
    ctx.onShutdown(() => {
      this.current?.abort();
      clearTimeout(this.quietTimer);
    });
  }

  /** Where answered requests are counted (the router's ledger). */
  setLedger(hook: CompletionLedgerHook): void {
    this.ledger = hook;
  }

  async provide(params: InlineCompletionParams, token: CancellationToken): Promise<InlineCompletionList | null> {
    const started = performance.now();
    const record: CompletionRecord = {
      seq: ++this.counter, uri: params.textDocument.uri, source: 'skipped', waitMs: 0, contextMs: 0, prefillMs: 0,
      firstTokenMs: 0, decodeMs: 0, postProcessMs: 0, totalMs: 0, promptTokens: 0, evaluatedTokens: 0, generatedTokens: 0, chars: 0,
    };
    const finish = (result: InlineCompletionList | null): InlineCompletionList | null => {
      record.totalMs = performance.now() - started;
      const first = result?.items[0];
      const shown = first?.insertText ?? '';
      const text = typeof shown === 'string' ? shown : shown.value;
      record.chars = text.length;
      this.stats.record(record);
      const state = this.host.state('completion');
      const entryId = this.ledger?.(record, { languageId: this.ctx.documents.get(record.uri)?.languageId, model: 'name' in state ? state.name : undefined });
      // VS Code runs the item's command when the whole suggestion is accepted; the client reads the entry from it.
      if (first && entryId) {
        const ref: CompletionItemRef = { entryId, text };
        first.command = { title: 'Tandem: suggestion accepted', command: COMPLETION_ACCEPTED_COMMAND, arguments: [ref] };
      }
      return result;
    };
    this.ring.touch(Date.now());
    const doc = this.ctx.documents.get(params.textDocument.uri);
    if (!doc) return finish(this.skip(record, 'no-document'));
    const settings = this.ctx.settings.value.completions;
    // A position past the end of a line or of the document (rpc.ts has checked it is a sane integer) means the
    // nearest place in the document: everything below, the answer's range included, stays inside it.
    const pos = doc.positionAt(doc.offsetAt(params.position));
    const cursorLine = doc.getText({ start: { line: pos.line, character: 0 }, end: { line: pos.line + 1, character: 0 } });
    const reason = skipReason({
      enabled: settings.enabled, maxFileBytes: settings.maxFileBytes, exclude: settings.exclude,
      ...this.paths(doc.uri), text: doc.getText(), cursorLine,
    });
    if (reason) return finish(this.skip(record, reason));

    this.noteFileSwitch(doc.uri, pos.line);
    const window = fimWindow(doc, pos, { maxPrefixLines: settings.maxPrefixLines, maxSuffixLines: settings.maxSuffixLines });
    const mode = completionMode(window, settings.multiline);
    const eol = doc.getText({ start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }).endsWith('\r\n') ? '\r\n' : '\n';
    const offset = doc.offsetAt(pos);
    const read = (start: number, end: number) => doc.getText({ start: doc.positionAt(start), end: doc.positionAt(end) });

    // Typed ahead: the user typed into the suggestion on screen; answer from the cache.
    const hit = this.cache.lookup(doc.uri, offset, window.suffix, read);
    if (hit) {
      const postStart = performance.now();
      const shown = displayText(hit.rest, mode, eol);
      record.source = 'cache';
      record.contextMs = postStart - started;
      record.postProcessMs = performance.now() - postStart;
      if (shown.trim()) {
        this.current?.abort(); // an older generation no longer applies
        return finish(item(shown, pos));
      }
    }

    // The model: a newer request aborts this one; so does $/cancelRequest.
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    const cancel = token.onCancellationRequested(() => controller.abort());
    try {
      const acquireStart = performance.now();
      const backend = this.host.backend;
      const unavailable = backend.unavailable();
      if (unavailable) {
        this.logOnce(`Completions paused: ${unavailable.message}`);
        return finish(this.skip(record, unavailable.reason));
      }
      let session: FimSession | undefined;
      try {
        // A model that is still loading (or a server being probed) does not hold up newer keystrokes.
        session = await untilAborted(backend.fim(), controller.signal);
        if (!session) return finish(this.cancelled(record));
      } catch (error) {
        this.logOnce(`Completions paused: ${error instanceof Error ? error.message : String(error)}`);
        return finish(this.skip(record, 'no-model'));
      }
      this.session = session;
      const acquireMs = performance.now() - acquireStart;
      if (controller.signal.aborted) return finish(this.cancelled(record));

      const contextStart = performance.now();
      const maxLines = mode === 'multi' ? MULTI_MAX_LINES : window.lineAfter.trim() ? 1 : 1 + HOT_LINES;
      let input: FimInput;
      try {
        input = await this.host.prepareCompletion(this.input(doc, window, {
          maxTokens: settings.maxTokens, maxLines, signal: controller.signal,
          // Loading the model is not generation time.
          deadline: started + acquireMs + settings.timeBudgetMs,
        }));
      } catch (error) {
        if (!(error instanceof EgressRefusedError)) throw error;
        this.logOnce(`Completions for ${this.displayPath(doc.uri)} stay off the server: ${error.message}`);
        return finish(this.skip(record, error.code));
      }
      record.contextMs = performance.now() - contextStart;
      const result = await session.complete(input);
      Object.assign(record, {
        waitMs: acquireMs + result.waitMs, prefillMs: result.prefillMs, firstTokenMs: result.firstTokenMs,
        decodeMs: result.decodeMs, promptTokens: result.promptTokens, evaluatedTokens: result.evaluatedTokens,
        generatedTokens: result.generatedTokens, stop: result.stop,
      });
      if (result.aborted) return finish(this.cancelled(record));

      const postStart = performance.now();
      const full = postProcess(result.text, { ...window, eol, mode });
      const shown = displayText(full, mode, eol);
      record.postProcessMs = performance.now() - postStart;
      record.source = 'model';
      if (full) this.cache.store({ uri: doc.uri, offset, tail: read(Math.max(0, offset - TAIL_CHARS), offset), after: window.suffix, text: full });
      return finish(shown.trim() ? item(shown, pos) : { items: [] });
    } catch (error) {
      record.source = 'error';
      record.reason = error instanceof Error ? error.message : String(error);
      this.logOnce(`Completion failed: ${record.reason}`, 'error');
      return finish(null);
    } finally {
      cancel.dispose();
      if (this.current === controller) this.current = undefined;
      this.scheduleQuietWork(doc, pos);
    }
  }

  /** What the backend gets: the window, the ring's chunks that the window does not already show, the limits. */
  private input(doc: TextDocument, window: FimWindow, limits: Pick<FimInput, 'maxTokens' | 'maxLines' | 'deadline' | 'signal' | 'prefillOnly'>): FimInput {
    return {
      uri: doc.uri, path: this.displayPath(doc.uri), prefix: window.prefix, suffix: window.suffix,
      startLine: window.prefixStartLine, endLine: window.suffixEndLine,
      context: this.ring.chunksFor(doc.uri, window.prefixStartLine, window.suffixEndLine),
      ...limits,
    };
  }

  /** The same message again (every keystroke while a server is down) is not news. */
  private logOnce(message: string, level: 'info' | 'error' = 'info'): void {
    if (message === this.lastSkipMessage) return;
    this.lastSkipMessage = message;
    this.ctx.log[level](message);
  }

  private skip(record: CompletionRecord, reason: string): null {
    record.source = 'skipped';
    record.reason = reason;
    return null;
  }

  private cancelled(record: CompletionRecord): null {
    record.source = 'cancelled';
    return null;
  }

  /** Leaving a file offers the region around the last position there to the context ring. */
  private noteFileSwitch(uri: string, line: number): void {
    if (this.last && this.last.uri !== uri) {
      const previous = this.ctx.documents.get(this.last.uri);
      if (previous) this.ring.offer(this.chunkOf(previous, this.last.line));
    }
    this.last = { uri, line };
  }

  /** A chunk of the document around `line`; reads only those lines (documents may be huge). */
  private chunkOf(doc: TextDocument, line: number): ContextChunk {
    const first = Math.max(0, Math.min(line - CHUNK_LINES / 2, doc.lineCount - CHUNK_LINES));
    const text = doc.getText({ start: { line: first, character: 0 }, end: { line: first + CHUNK_LINES, character: 0 } });
    const region = chunkAround(text.split(/\r?\n/).slice(0, CHUNK_LINES), line - first, CHUNK_LINES);
    const tooLong = text.length > CHUNK_LINES * 200;
    return { uri: doc.uri, label: this.displayPath(doc.uri), startLine: first + region.startLine, endLine: first + region.endLine, text: tooLong || looksBinary(region.text) ? '' : region.text };
  }

  /** After a quiet period, queued context chunks enter the ring and the new prompt is prefilled. */
  private scheduleQuietWork(doc: TextDocument, pos: { line: number; character: number }): void {
    clearTimeout(this.quietTimer);
    if (!this.ring.pending) return;
    this.quietTimer = setTimeout(() => {
      // A server that just failed is left alone during its pause, warm-ups included.
      if (!this.ring.commitIfQuiet(Date.now()) || !this.session || this.host.backend.unavailable()) return;
      const current = this.ctx.documents.get(doc.uri);
      if (!current || current.version !== doc.version || this.current) return;
      const settings = this.ctx.settings.value.completions;
      const window = fimWindow(current, pos, { maxPrefixLines: settings.maxPrefixLines, maxSuffixLines: settings.maxSuffixLines });
      const controller = new AbortController();
      this.current = controller;
      const session = this.session;
      const limits = { maxTokens: 0, maxLines: 1, deadline: performance.now() + WARMUP_MS, signal: controller.signal, prefillOnly: true };
      this.host
        .prepareCompletion(this.input(current, window, limits))
        .then((input) => session.complete(input))
        .catch((error: unknown) => {
          if (!(error instanceof EgressRefusedError)) this.ctx.log.warn(`Context warm-up failed: ${String(error)}`);
        })
        .finally(() => {
          if (this.current === controller) this.current = undefined;
        });
    }, QUIET_MS + 10);
    this.quietTimer.unref();
  }

  /** The paths the exclude globs see: workspace-relative (inside a folder) and absolute (on disk). */
  private paths(uri: string): { relativePath?: string; absolutePath?: string } {
    if (!uri.startsWith('file:')) return {};
    const absolutePath = fileURLToPath(uri).split('\\').join('/');
    const shown = this.displayPath(uri);
    return shown === absolutePath ? { absolutePath } : { relativePath: shown, absolutePath };
  }

  private displayPath(uri: string): string {
    if (!uri.startsWith('file:')) return uri;
    const path = fileURLToPath(uri);
    for (const folder of this.ctx.workspaceFolders) {
      const rel = relative(folder, path);
      if (!rel.startsWith('..')) return rel.split('\\').join('/');
    }
    return path.split('\\').join('/');
  }
}

/** The promise's value, or undefined as soon as `signal` aborts (the promise keeps running). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function item(text: string, pos: { line: number; character: number }): InlineCompletionList {
  return { items: [{ insertText: text, range: { start: pos, end: pos } }] };
}

export type { CompletionMode };
