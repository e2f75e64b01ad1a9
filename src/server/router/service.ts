// The router service: its state (scanner cache, budget reservations, breaker, consent, ledger, gate) and the step
// every request shares: read the files, scan what would leave, and decide.
import type { ChatMessage, ContextFile, EgressManifest, RouteParams } from '../../shared/protocol.js';
import type { EngineContext, LocalChat } from '../context.js';
import { Consent, type Asker } from './consent.js';
import { CircuitBreaker } from './errors.js';
import { EgressGate } from './gate.js';
import { readContextFile, type ReadFile } from './gather.js';
import { contextKey, languageOf } from './learn-context.js';
import { Learner } from './learner-store.js';
import type { Advice } from './learner.js';
import { Ledger } from './ledger.js';
import { SharedReservations } from './reservations.js';
import { createLocalOnlyMatcher, displayPath, type LocalOnlyMatcher } from './local-only.js';
import { decide, softRoute, type Decision, type PolicyInput, type SecretHit } from './policy.js';
import { cloudTokenBound, EDITS_TOOL, estimateCloudTokens, systemPrompt, type PromptFile } from './prompts.js';
import { linesOf, redact, SecretScanner, type Finding } from './secrets.js';

export const PROMPT_URI = 'tandem:prompt';
export const HISTORY_URI = 'tandem:history';

export interface PreparedFile extends ReadFile {
  path: string;
  localOnly?: string;
  findings: Finding[];
  /** Tokens of `text` with the local model's tokenizer (cached per content). */
  tokens: number;
}

/** What a file's header and fence add to the prompt, in characters and local tokens (an upper bound). */
const FILE_OVERHEAD_CHARS = 300;
const FILE_OVERHEAD_TOKENS = 100;
const TOKEN_CACHE_LIMIT = 512;

/** The most bytes renderFile puts around a file's text: "File: <path> (lines a-b)", the fences, the language. */
function fileHeaderBytes(f: { path: string; languageId?: string }): number {
  return Buffer.byteLength(f.path) + Buffer.byteLength(f.languageId ?? '') + 64;
}

export interface Prepared {
  params: RouteParams & { history?: ChatMessage[] };
  files: PreparedFile[];
  promptFindings: Finding[];
  historyFindings: Finding[][];
  /** Files that could not be read, in words. */
  problems: string[];
}

/** A decision with what the learner needs once the request runs. */
export interface LearnedDecision extends Decision {
  /** The context the request is learned in (kept on its ledger entry). */
  context: string;
  /** The learner's advice, when it was asked (policy "learned" and an open choice). */
  advice?: Advice;
}

export class RouterService {
  readonly scanner = new SecretScanner();
  readonly reservations: SharedReservations;
  readonly breaker = new CircuitBreaker();
  readonly ledger: Ledger;
  readonly learner: Learner;
  readonly consent: Consent;
  readonly gate: EgressGate;
  private readonly tokenCache = new Map<string, number>();
  private matcherKey = '';
  private matcherValue: LocalOnlyMatcher | undefined;

  constructor(
    readonly ctx: EngineContext,
    readonly local: LocalChat,
    ask: Asker,
    onManifest?: (m: EgressManifest) => void,
  ) {
    this.ledger = new Ledger(ctx.dataDir);
    this.learner = new Learner(ctx.dataDir, ctx.log);
    this.reservations = new SharedReservations(ctx.dataDir, this.ledger, (m) => ctx.log.warn(m));
    this.consent = new Consent(ask);
    this.gate = new EgressGate({
      settings: () => ctx.settings.value,
      apiKey: () => ctx.settings.apiKey,
      matcher: () => this.matcher(),
      scanner: this.scanner,
      onManifest,
    });
  }

  matcher(): LocalOnlyMatcher {
    const globs = this.ctx.settings.value.privacy.localOnlyGlobs;
    const key = JSON.stringify([globs, this.ctx.workspaceFolders]);
    if (key !== this.matcherKey || !this.matcherValue) {
      this.matcherValue = createLocalOnlyMatcher(globs, this.ctx.workspaceFolders);
      this.matcherKey = key;
    }
    return this.matcherValue;
  }

  /** Reads the files and scans everything that would leave. */
  async prepare(params: RouteParams & { history?: ChatMessage[] }, extraFiles: ContextFile[] = []): Promise<Prepared> {
    const matcher = this.matcher();
    const problems: string[] = [];
    const seen = new Set<string>();
    const files: PreparedFile[] = [];
    const all = [...(Array.isArray(params.files) ? params.files : []), ...extraFiles].filter((f) => f && typeof f.uri === 'string');
    const read = await Promise.all(all.map((f) => readContextFile(f, this.ctx.documents)));
    // A file given whole makes its ranges redundant (e.g. the selection chip plus the file chip): it is sent
    // once, so the model never sees two copies and proposes overlapping edits.
    const whole = new Set(all.filter((f, i) => !f.range && !read[i]?.error).map((f) => f.uri));
    for (const [i, file] of read.entries()) {
      if (all[i]?.range && whole.has(file.uri)) continue;
      const path = displayPath(file.uri, this.ctx.workspaceFolders);
      if (file.error) {
        problems.push(`${path} was left out: ${file.error}.`);
        continue;
      }
      const where = `${file.uri}#${file.startLine}-${file.endLine}`;
      if (seen.has(where)) continue;
      seen.add(where);
      const localOnly = matcher.match(file.uri);
      // Each chunk is hashed once: the scan and the token count share the keys.
      const keyed = this.scanner.keyed(file.text);
      // A local-only file never leaves, so its content needs no secret scan to decide.
      const findings = localOnly ? [] : await this.scanner.scan(file.text, keyed);
      files.push({ ...file, path, localOnly, findings, tokens: this.localTokens(file.text, keyed.key) });
    }
    const promptFindings = await this.scanner.scan(params.prompt);
    const historyFindings = await Promise.all((params.history ?? []).map((m) => this.scanner.scan(typeof m.content === 'string' ? m.content : '')));
    return { params, files, promptFindings, historyFindings, problems };
  }

  /** Local tokenizer counts per content: tokenizing 200 KB on every decision would cost more than the scan. */
  private localTokens(text: string, key: string): number {
    const cached = this.tokenCache.get(key);
    if (cached !== undefined) return cached;
    const n = this.local.countTokens(text);
    this.tokenCache.set(key, n);
    if (this.tokenCache.size > TOKEN_CACHE_LIMIT) this.tokenCache.delete(this.tokenCache.keys().next().value as string);
    return n;
  }

  /** The prompt files as they would be sent: redacted when the decision says so. */
  promptFiles(p: Prepared, redacted: boolean): PromptFile[] {
    return p.files.map((f) => ({
      path: f.path,
      text: redacted ? redact(f.text, f.findings) : f.text,
      startLine: f.startLine,
      languageId: f.languageId,
    }));
  }

  decide(p: Prepared, localAvailable = true): LearnedDecision {
    const params = p.params;
    const settings = this.ctx.settings.value;
    const secrets: SecretHit[] = [];
    for (const f of p.files) {
      const lines = linesOf(f.text, f.findings);
      f.findings.forEach((hit, k) => secrets.push({ where: f.path, uri: f.uri, line: f.startLine + lines[k], rule: hit.rule }));
    }
    const promptLines = linesOf(params.prompt, p.promptFindings);
    p.promptFindings.forEach((hit, k) => secrets.push({ where: 'Your message', uri: PROMPT_URI, line: promptLines[k], rule: hit.rule }));
    p.historyFindings.forEach((list, i) => {
      const lines = linesOf(p.params.history?.[i]?.content ?? '', list);
      list.forEach((hit, k) => secrets.push({ where: `Message ${i + 1} of the conversation`, uri: HISTORY_URI, line: lines[k], rule: hit.rule }));
    });
    const kind = params.kind === 'completion' ? 'chat' : params.kind;
    // Sizes without building the prompt: the parts plus a bound for each file's header and fence.
    const talk = [params.prompt, ...(p.params.history ?? []).map((m) => (typeof m.content === 'string' ? m.content : ''))].join('\n');
    const system = systemPrompt(kind, false);
    const chars = system.length + talk.length + p.files.reduce((n, f) => n + f.text.length + FILE_OVERHEAD_CHARS, 0);
    // What the budget is checked against: an upper bound, never an estimate that can be low.
    const bytes = Buffer.byteLength(system) + Buffer.byteLength(talk) + p.files.reduce((n, f) => n + Buffer.byteLength(f.text) + fileHeaderBytes(f), 0);
    const tokensBound = cloudTokenBound(bytes, p.params.history?.length ?? 0, params.kind === 'refactor' ? [EDITS_TOOL] : []);
    const localTokens =
      params.kind === 'completion' ? 0 : this.local.countTokens(`${system}\n${talk}`) + p.files.reduce((n, f) => n + f.tokens + FILE_OVERHEAD_TOKENS, 0);
    // An entry that could not be written is tried again first: the cloud stays closed until it is.
    this.ledger.flush();
    const ledger = this.ledger.totals();
    const fileCount = new Set(p.files.map((f) => f.uri)).size;
    const input: PolicyInput = {
      kind: params.kind,
      prefer: params.prefer,
      rejectedLocal: params.rejectedLocal,
      fileCount,
      localTokens,
      cloudTokens: estimateCloudTokens(chars),
      cloudTokensBound: tokensBound,
      local: { name: localAvailable ? this.local.modelName() : undefined, contextSize: this.local.contextSize() },
      settings,
      secrets,
      localOnlyFiles: p.files.filter((f) => f.localOnly).map((f) => ({ where: f.path, glob: f.localOnly as string })),
      consent: this.consent.effective(settings.privacy.cloudConsent),
      hasApiKey: Boolean(this.ctx.settings.apiKey),
      cloudPaused: this.breaker.pausedReason(),
      ledgerProblem: this.ledger.problem,
      spent: { today: ledger.today.costUsd, month: ledger.month.costUsd },
      reservedUsd: this.reservations.total,
    };
    const first = p.files[0];
    const context = contextKey({
      kind: params.kind,
      language: first ? languageOf(first.uri, first.languageId) : 'none',
      files: fileCount,
      tokens: localTokens,
      selection: (Array.isArray(params.files) ? params.files : []).some((f) => f?.range),
    });
    // The learner is asked only where the rules leave the choice open; the hard rules run after it.
    const soft = settings.routing.policy === 'learned' ? softRoute(input) : undefined;
    const advice = soft ? this.learner.advise(context, soft, settings.routing.cloudShare) : undefined;
    const decision: LearnedDecision = { ...decide({ ...input, learned: advice }), context, ...(advice ? { advice } : {}) };
    for (const problem of p.problems) decision.reasons.push({ code: 'file-left-out', text: problem });
    if (decision.route === 'cloud') decision.manifest = this.manifest(p, decision);
    return decision;
  }

  /** What would leave on a cloud route: files and ranges, tokens, redactions. */
  manifest(p: Prepared, decision: Decision): EgressManifest {
    const redactions: EgressManifest['redactions'] = [];
    if (decision.redact) {
      for (const f of p.files) {
        const lines = linesOf(f.text, f.findings);
        f.findings.forEach((hit, k) => redactions.push({ uri: f.uri, line: f.startLine + lines[k], rule: hit.rule }));
      }
      const promptLines = linesOf(p.params.prompt, p.promptFindings);
      p.promptFindings.forEach((hit, k) => redactions.push({ uri: PROMPT_URI, line: promptLines[k], rule: hit.rule }));
      p.historyFindings.forEach((list, i) => {
        const lines = linesOf(p.params.history?.[i]?.content ?? '', list);
        list.forEach((hit, k) => redactions.push({ uri: HISTORY_URI, line: lines[k], rule: hit.rule }));
      });
    }
    const byUri = new Map<string, EgressManifest['files'][number]>();
    for (const f of p.files) {
      const entry = byUri.get(f.uri) ?? { uri: f.uri, ranges: [], bytes: 0 };
      entry.ranges.push({ startLine: f.startLine, endLine: f.endLine });
      entry.bytes += Buffer.byteLength(f.text);
      byUri.set(f.uri, entry);
    }
    return { files: [...byUri.values()], tokens: decision.promptTokens, redactions };
  }
}
