// The router service: its state (scanner cache, allow list, budget reservations, breaker, consent, ledger, learner,
// gate) and the steps every request shares: gather the files (refactor callers included), read them, scan what would
// leave, and decide. tandem/route (the dry run) and tandem/chat both go through gather(), so they see the same.
import type { ChatMessage, ContextFile, EgressManifest, LedgerEntry, RouteParams } from '../../shared/protocol.js';
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
import { createLocalOnlyMatcher, fileIdentity, localOnlyReason, type FileIdentity, type LocalOnlyMatcher } from './local-only.js';
import { decide, softRoute, type Decision, type PolicyInput, type SecretHit } from './policy.js';
import { cloudTokenBound, EDITS_TOOL, estimateCloudTokens, systemPrompt, type PromptFile } from './prompts.js';
import { filesForRefactor } from './refactor.js';
import { ServerGate } from './server-gate.js';
import { AllowList, allowRules, type AllowRules } from './scan/allow.js';
import { credentialStore } from './scan/stores.js';
import { linesOf, redact, redactionMark, SecretScanner, type Finding } from './scan/scanner.js';

export const PROMPT_URI = 'tandem:prompt';
export const HISTORY_URI = 'tandem:history';

export interface PreparedFile extends ReadFile {
  path: string;
  identity: FileIdentity;
  /** Why the file never leaves (a glob on its shown or real path, or a credential store by content). */
  localOnly?: string;
  findings: Finding[];
  /** Secrets in the file's path itself (it is sent as the file's header). */
  pathFindings: Finding[];
  /** Tokens of `text` with the local model's tokenizer (cached per content). */
  tokens: number;
}

/** What a file's header and fence add to the prompt, in characters and local tokens (an upper bound). */
const FILE_OVERHEAD_CHARS = 300;
const FILE_OVERHEAD_TOKENS = 100;
const TOKEN_CACHE_LIMIT = 512;
const IDENTITY_TTL_MS = 2000;

/** The most bytes renderFile puts around a file's text: "File: <path> (lines a-b)", the fences, the language. */
function fileHeaderBytes(f: { path: string; languageId?: string }): number {
  return Buffer.byteLength(f.path) + Buffer.byteLength(f.languageId ?? '') + 64;
}

export interface Prepared {
  params: RouteParams;
  files: PreparedFile[];
  promptFindings: Finding[];
  historyFindings: Finding[][];
  /** Salted hashes of values found but allowed (setting or "Allow this value"): the gate lets exactly these by. */
  allowed: Set<string>;
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

/** One place a secret was found, before it becomes a hit in the decision. */
interface Place {
  where: string;
  uri: string;
  firstLine: number;
  text: string;
  findings: Finding[];
}

export class RouterService {
  readonly scanner = new SecretScanner();
  readonly allowList: AllowList;
  readonly reservations: SharedReservations;
  readonly breaker = new CircuitBreaker();
  readonly ledger: Ledger;
  readonly learner: Learner;
  readonly consent: Consent;
  readonly gate: EgressGate;
  /** Consent for an untrusted inference server on another machine, and its gate. */
  readonly serverConsent: Consent;
  readonly serverGate: ServerGate;
  private readonly tokenCache = new Map<string, number>();
  /** Identities (real paths) of recent files: decisions come at typing speed, symlinks change rarely. The gate
   * resolves them afresh before anything leaves. */
  private readonly identities = new Map<string, { at: number; identity: Promise<FileIdentity> }>();
  private matcherKey = '';
  private matcherValue: LocalOnlyMatcher | undefined;
  private allowKey = '';
  private allowValue: AllowRules | undefined;

  constructor(
    readonly ctx: EngineContext,
    readonly local: LocalChat,
    ask: Asker,
    onManifest?: (m: EgressManifest) => void,
    onEntry: (entry: LedgerEntry) => void = () => undefined,
  ) {
    this.ledger = new Ledger(ctx.dataDir);
    this.learner = new Learner(ctx.dataDir, ctx.log);
    this.reservations = new SharedReservations(ctx.dataDir, this.ledger, (m) => ctx.log.warn(m));
    this.consent = new Consent(ask);
    this.serverConsent = new Consent(ask, { subject: 'sending code to the inference server', oncePerSession: true });
    this.allowList = new AllowList(ctx.dataDir);
    const egressDeps = {
      settings: () => ctx.settings.value,
      identity: (uri: string) => fileIdentity(uri, ctx.workspaceFolders),
      matcher: () => this.matcher(),
      scanner: this.scanner,
      allows: (value: string, allowed: ReadonlySet<string>) => allowed.has(this.allowList.hash(value)) || this.allowList.allows(value, this.allowRules()),
    };
    this.serverGate = new ServerGate({
      ...egressDeps,
      recentIdentity: (uri: string) => this.identity(uri),
      tag: this.tag,
      consent: this.serverConsent,
      workspaceFolders: ctx.workspaceFolders,
      record: (entry) => this.record(entry, onEntry),
      model: () => local.modelName() ?? 'server model',
      log: ctx.log,
    });
    this.gate = new EgressGate({
      ...egressDeps,
      apiKey: () => ctx.settings.apiKey,
      onManifest,
    });
  }

  /** Appends to the ledger and tells the client; a ledger that cannot be written is logged, never fatal. */
  record(entry: LedgerEntry, onEntry: (entry: LedgerEntry) => void): void {
    if (!this.ledger.append(entry)) this.ctx.log.error(`Ledger: ${this.ledger.problem ?? 'write failed'}; the entry is kept and written again later.`);
    onEntry(entry);
  }

  matcher(): LocalOnlyMatcher {
    const globs = this.ctx.settings.value.privacy.localOnlyGlobs;
    const key = JSON.stringify(globs);
    if (key !== this.matcherKey || !this.matcherValue) {
      this.matcherValue = createLocalOnlyMatcher(globs);
      this.matcherKey = key;
    }
    return this.matcherValue;
  }

  allowRules(): AllowRules {
    const entries = this.ctx.settings.value.privacy.allow;
    const key = JSON.stringify(entries);
    if (key !== this.allowKey || !this.allowValue) {
      this.allowValue = allowRules(entries);
      for (const problem of this.allowValue.problems) this.ctx.log.warn(problem);
      this.allowKey = key;
    }
    return this.allowValue;
  }

  /** The stable tag of a secret's placeholder: the start of its salted hash. */
  tag = (value: string): string => this.allowList.hash(value).slice(0, 8);

  /** Everything a request would send, gathered once: the files given plus, for a rename, the callers the engine
   * finds in the workspace. The dry run and the real request both start here. */
  async gather(params: RouteParams, signal?: AbortSignal): Promise<Prepared> {
    const extra = params.kind === 'refactor' ? await filesForRefactor(this.ctx, params, signal ?? new AbortController().signal) : [];
    return this.prepare(params, extra);
  }

  /** Reads the files and scans everything that would leave. */
  async prepare(params: RouteParams, extraFiles: ContextFile[] = []): Promise<Prepared> {
    const matcher = this.matcher();
    const rules = this.allowRules();
    const tokenizer = await this.local.prepare();
    const allowed = new Set<string>();
    // Findings the user allowed (by value, hash or file glob) are dropped; their hashes go to the gate.
    const keep = (text: string, findings: Finding[], paths: readonly (string | undefined)[] = []): Finding[] =>
      findings.filter((f) => {
        const value = text.slice(f.start, f.end);
        if (!this.allowList.allows(value, rules, paths)) return true;
        allowed.add(this.allowList.hash(value));
        return false;
      });
    const problems: string[] = [];
    const seen = new Set<string>();
    const files: PreparedFile[] = [];
    const all = [...(Array.isArray(params.files) ? params.files : []), ...extraFiles].filter((f) => f && typeof f.uri === 'string');
    // The identity first: the file is read as the file the rules judge (its real path, no link that appeared since).
    const read = await Promise.all(
      all.map(async (f) => {
        const identity = await this.identity(f.uri);
        return { file: await readContextFile(f, this.ctx.documents, identity), identity };
      }),
    );
    // A file given whole makes its ranges redundant (e.g. the selection chip plus the file chip): it is sent
    // once, so the model never sees two copies and proposes overlapping edits.
    const whole = new Set(all.filter((f, i) => !f.range && !read[i]?.file.error).map((f) => f.uri));
    for (const [i, { file, identity }] of read.entries()) {
      if (all[i]?.range && whole.has(file.uri)) continue;
      const path = identity.shown;
      if (file.error) {
        problems.push(`${path} was left out: ${file.error}.`);
        continue;
      }
      const where = `${file.uri}#${file.startLine}-${file.endLine}`;
      if (seen.has(where)) continue;
      seen.add(where);
      const paths = [identity.shown, identity.absolute, identity.real?.shown, identity.real?.absolute];
      const glob = matcher.match(identity);
      // Each chunk is hashed once: the scan and the token count share the keys.
      const keyed = this.scanner.keyed(file.text);
      // A local-only file never leaves, so its content needs no secret scan to decide.
      const findings = glob ? [] : keep(file.text, this.scanner.scan(file.text, keyed), paths);
      const store = glob ? undefined : credentialStore(file.text, findings);
      const localOnly = glob ? localOnlyReason(glob) : store ? `its content is ${store}` : undefined;
      const pathFindings = keep(path, this.scanner.scan(path), paths);
      files.push({ ...file, path, identity, localOnly, findings, pathFindings, tokens: this.localTokens(file.text, `${tokenizer}:${keyed.key}`) });
    }
    const promptFindings = keep(params.prompt, this.scanner.scan(params.prompt));
    const historyFindings = (params.history ?? []).map((m) => (typeof m.content === 'string' ? keep(m.content, this.scanner.scan(m.content)) : []));
    return { params, files, promptFindings, historyFindings, allowed, problems };
  }

  /** A file's identity, kept a short while (decisions and completions come at typing speed). */
  identity(uri: string): Promise<FileIdentity> {
    const now = performance.now();
    const known = this.identities.get(uri);
    if (known && now - known.at < IDENTITY_TTL_MS) return known.identity;
    const identity = fileIdentity(uri, this.ctx.workspaceFolders);
    this.identities.set(uri, { at: now, identity });
    if (this.identities.size > TOKEN_CACHE_LIMIT) this.identities.delete(this.identities.keys().next().value as string);
    return identity;
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
      path: redacted ? redact(f.path, f.pathFindings, this.tag) : f.path,
      text: redacted ? redact(f.text, f.findings, this.tag) : f.text,
      startLine: f.startLine,
      languageId: f.languageId,
    }));
  }

  /** The message and the conversation as they would be sent. */
  talk(p: Prepared, redacted: boolean): { prompt: string; history: ChatMessage[] } {
    const history = p.params.history ?? [];
    if (!redacted) return { prompt: p.params.prompt, history };
    return {
      prompt: redact(p.params.prompt, p.promptFindings, this.tag),
      history: history.map((m, i) => ({ ...m, content: redact(m.content, p.historyFindings[i] ?? [], this.tag) })),
    };
  }

  /** Every place a secret was found, in the order the decision names them. */
  private places(p: Prepared): Place[] {
    const out: Place[] = [];
    for (const f of p.files) {
      out.push({ where: f.path, uri: f.uri, firstLine: f.startLine, text: f.text, findings: f.findings });
      if (f.pathFindings.length) out.push({ where: `The path of ${f.path}`, uri: f.uri, firstLine: 0, text: f.path, findings: f.pathFindings });
    }
    out.push({ where: 'Your message', uri: PROMPT_URI, firstLine: 0, text: p.params.prompt, findings: p.promptFindings });
    p.historyFindings.forEach((findings, i) => {
      out.push({ where: `Message ${i + 1} of the conversation`, uri: HISTORY_URI, firstLine: 0, text: p.params.history?.[i]?.content ?? '', findings });
    });
    return out;
  }

  private hits(p: Prepared): SecretHit[] {
    const secrets: SecretHit[] = [];
    for (const place of this.places(p)) {
      if (!place.findings.length) continue;
      const lines = linesOf(place.text, place.findings);
      place.findings.forEach((f, k) => {
        const hash = this.allowList.hash(place.text.slice(f.start, f.end));
        secrets.push({ where: place.where, uri: place.uri, line: place.firstLine + lines[k], rule: f.rule, hash, ...(f.via ? { via: f.via } : {}) });
      });
    }
    return secrets;
  }

  decide(p: Prepared, localAvailable = true): LearnedDecision {
    const params = p.params;
    const settings = this.ctx.settings.value;
    const secrets = this.hits(p);
    const kind = params.kind === 'completion' ? 'chat' : params.kind;
    // Sizes without building the prompt: the parts plus a bound for each file's header and fence.
    const talk = [params.prompt, ...(params.history ?? []).map((m) => (typeof m.content === 'string' ? m.content : ''))].join('\n');
    const system = systemPrompt(kind, false);
    const chars = system.length + talk.length + p.files.reduce((n, f) => n + f.text.length + FILE_OVERHEAD_CHARS, 0);
    // What the budget is checked against: an upper bound, never an estimate that can be low.
    const bytes = Buffer.byteLength(system) + Buffer.byteLength(talk) + p.files.reduce((n, f) => n + Buffer.byteLength(f.text) + fileHeaderBytes(f), 0);
    const tokensBound = cloudTokenBound(bytes, params.history?.length ?? 0, params.kind === 'refactor' ? [EDITS_TOOL] : []);
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
      local: { name: localAvailable ? this.local.modelName() : undefined, contextSize: this.local.contextSize(), server: this.local.destination() },
      serverConsent: this.serverConsent.effective(settings.privacy.serverConsent),
      settings,
      secrets,
      localOnlyFiles: p.files.filter((f) => f.localOnly).map((f) => ({ where: f.path, why: f.localOnly as string })),
      settingsProblem: this.ctx.settings.problem,
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
    if (secrets.length) decision.secrets = secrets;
    if (decision.route === 'cloud' || (decision.route === 'local' && decision.destination)) decision.manifest = this.manifest(p, decision);
    return decision;
  }

  /** What would leave on a cloud route: files and ranges, tokens, redactions (with their placeholders). */
  manifest(p: Prepared, decision: Decision): EgressManifest {
    const redactions: EgressManifest['redactions'] = [];
    if (decision.redact) {
      for (const place of this.places(p)) {
        const lines = linesOf(place.text, place.findings);
        place.findings.forEach((f, k) =>
          redactions.push({ uri: place.uri, line: place.firstLine + lines[k], rule: f.rule, placeholder: redactionMark(f.rule, this.tag(place.text.slice(f.start, f.end))) }),
        );
      }
    }
    const byUri = new Map<string, EgressManifest['files'][number]>();
    for (const f of p.files) {
      const entry = byUri.get(f.uri) ?? { uri: f.uri, ranges: [], bytes: 0 };
      entry.ranges.push({ startLine: f.startLine, endLine: f.endLine });
      // The bytes that leave: with the placeholders when redacted.
      entry.bytes += Buffer.byteLength(decision.redact && f.findings.length ? redact(f.text, f.findings, this.tag) : f.text);
      byUri.set(f.uri, entry);
    }
    return { files: [...byUri.values()], tokens: decision.promptTokens, redactions };
  }
}
