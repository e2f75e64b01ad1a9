// textDocument/inlineCompletion: skip checks, typed-ahead cache, FIM prompt on the warm sequence,
// post-processing, statistics. The newest request wins: it aborts the one before it.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CancellationToken, InlineCompletionList, InlineCompletionParams } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { COMPLETION_ACCEPTED_COMMAND, type CompletionItemRef, type CompletionRecord } from '../../shared/protocol.js';
import type { EngineContext } from '../context.js';
import type { LoadedModel, ModelManager } from '../local/models.js';
import type { CompletionStatsRecorder } from '../stats.js';
import { ContextRing, chunkAround, type ContextChunk } from './context-ring.js';
import { FimSequence } from './fim-sequence.js';
import { displayText, postProcess } from './postprocess.js';
import { buildFimPrompt, completionMode, contextChunkText, fimWindow, type CompletionMode, type FimWindow } from './prompt.js';
import { looksBinary, skipReason } from './skip.js';
import { TAIL_CHARS, TypedAheadCache } from './typed-ahead.js';

const QUIET_MS = 1000;
const CHUNK_LINES = 32;
const MAX_CHUNKS = 8;
/** In single-line mode at the end of a line, decode one more line and keep it for accept-line. */
const HOT_LINES = 1;
const MULTI_MAX_LINES = 12;

interface LastRequest {
  uri: string;
  line: number;
}

/** Counts an answered request in the ledger; returns the entry id the suggestion shown belongs to. */
export type CompletionLedgerHook = (record: CompletionRecord, info: { languageId?: string; model?: string }) => string | undefined;

export class CompletionProvider {
  private readonly cache = new TypedAheadCache();
  private readonly ring = new ContextRing({ maxChunks: MAX_CHUNKS, quietMs: QUIET_MS });
  private readonly chunkTokens = new Map<string, number[]>();
  private current: AbortController | undefined;
  private fim: { loaded: LoadedModel; seq: FimSequence } | undefined;
  private last: LastRequest | undefined;
  private quietTimer: NodeJS.Timeout | undefined;
  private counter = 0;
  private lastSkipMessage = '';
  private ledger: CompletionLedgerHook | undefined;

  constructor(
    private readonly ctx: EngineContext,
    private readonly models: ModelManager,
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
      const state = this.models.state('completion');
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
      path: this.displayPath(doc.uri), text: doc.getText(), cursorLine,
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
      let fim: { loaded: LoadedModel; seq: FimSequence } | undefined;
      if (this.models.state('completion').state === 'downloading') return finish(this.skip(record, 'model-downloading'));
      try {
        // A model that is still loading does not hold up newer keystrokes or $/cancelRequest.
        fim = await untilAborted(this.fimSequence(), controller.signal);
        if (!fim) return finish(this.cancelled(record));
      } catch (error) {
        const message = `Completions paused: ${error instanceof Error ? error.message : String(error)}`;
        if (message !== this.lastSkipMessage) this.ctx.log.info(message); // once, not per keystroke
        this.lastSkipMessage = message;
        return finish(this.skip(record, 'no-model'));
      }
      const acquireMs = performance.now() - acquireStart;
      if (controller.signal.aborted) return finish(this.cancelled(record));

      const contextStart = performance.now();
      const tokens = this.prompt(fim.loaded, doc, window, settings.maxTokens, fim.seq.contextSize);
      record.contextMs = performance.now() - contextStart;
      record.promptTokens = tokens.length;
      const maxLines = mode === 'multi' ? MULTI_MAX_LINES : window.lineAfter.trim() ? 1 : 1 + HOT_LINES;
      const result = await fim.seq.generate({
        tokens, signal: controller.signal, maxTokens: settings.maxTokens, maxLines,
        // Loading the model is not generation time.
        deadline: started + acquireMs + settings.timeBudgetMs,
      });
      Object.assign(record, {
        waitMs: acquireMs + result.waitMs, prefillMs: result.prefillMs, firstTokenMs: result.firstTokenMs,
        decodeMs: result.decodeMs, evaluatedTokens: result.evaluatedTokens, generatedTokens: result.generatedTokens,
        stop: result.stop,
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
      this.ctx.log.error(`Completion failed: ${record.reason}`);
      return finish(null);
    } finally {
      cancel.dispose();
      if (this.current === controller) this.current = undefined;
      this.scheduleQuietWork(doc, pos);
    }
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

  private async fimSequence(): Promise<{ loaded: LoadedModel; seq: FimSequence }> {
    const loaded = await this.models.acquire('completion');
    if (!this.fim || this.fim.loaded !== loaded || this.fim.seq.disposed) {
      this.fim = { loaded, seq: new FimSequence(loaded.model, loaded.seq) };
      this.chunkTokens.clear();
    }
    return this.fim;
  }

  /** Tokens: [BOS][context chunks][SUF]suffix[PRE]prefix[MID] within the context window. */
  private prompt(loaded: LoadedModel, doc: TextDocument, window: FimWindow, maxTokens: number, contextSize: number): number[] {
    const { model } = loaded;
    const infill = model.tokens.infill;
    const chunks = this.ring.chunksFor(doc.uri, window.prefixStartLine, window.suffixEndLine).map((c) => this.tokensOf(loaded, c));
    const built = buildFimPrompt(
      { context: chunks, prefix: model.tokenize(window.prefix, false) as number[], suffix: model.tokenize(window.suffix, false) as number[] },
      {
        prefix: infill.prefix as number, suffix: infill.suffix as number, middle: infill.middle as number,
        bos: model.tokens.shouldPrependBosToken && model.tokens.bos !== null ? (model.tokens.bos as number) : undefined,
      },
      Math.max(64, contextSize - maxTokens - 16),
    );
    return built.tokens;
  }

  private tokensOf(loaded: LoadedModel, chunk: ContextChunk): number[] {
    const key = `${chunk.uri}\u0000${chunk.startLine}\u0000${chunk.text}`;
    let tokens = this.chunkTokens.get(key);
    if (!tokens) {
      const { model } = loaded;
      const sep = model.tokenize('<|file_sep|>', true);
      const useSep = sep.length === 1 && model.isSpecialToken(sep[0]);
      tokens = useSep
        ? [sep[0] as number, ...(model.tokenize(`${chunk.label}\n${chunk.text}\n`, false) as number[])]
        : (model.tokenize(contextChunkText(chunk.label, chunk.text, commentFor(chunk.label)), false) as number[]);
      if (this.chunkTokens.size > 64) this.chunkTokens.clear();
      this.chunkTokens.set(key, tokens);
    }
    return tokens;
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
      if (!this.ring.commitIfQuiet(Date.now()) || !this.fim) return;
      const current = this.ctx.documents.get(doc.uri);
      if (!current || current.version !== doc.version || this.current) return;
      const settings = this.ctx.settings.value.completions;
      const window = fimWindow(current, pos, { maxPrefixLines: settings.maxPrefixLines, maxSuffixLines: settings.maxSuffixLines });
      const controller = new AbortController();
      this.current = controller;
      const fim = this.fim;
      const tokens = this.prompt(fim.loaded, current, window, settings.maxTokens, fim.seq.contextSize);
      fim.seq
        .generate({ tokens, signal: controller.signal, maxTokens: 0, maxLines: 1, deadline: Infinity, prefillOnly: true })
        .catch((error: unknown) => this.ctx.log.warn(`Context warm-up failed: ${String(error)}`))
        .finally(() => {
          if (this.current === controller) this.current = undefined;
        });
    }, QUIET_MS + 10);
    this.quietTimer.unref();
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

function commentFor(path: string): string {
  if (/\.(py|sh|bash|rb|ya?ml|toml|r|pl|ps1|dockerfile|mk)$/i.test(path) || /(^|\/)(Makefile|Dockerfile)$/.test(path)) return '#';
  if (/\.(sql|lua|hs)$/i.test(path)) return '--';
  return '//';
}

export type { CompletionMode };
