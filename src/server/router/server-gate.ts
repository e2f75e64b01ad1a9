// The egress gate for an inference server on another machine. Such a server is not this machine: until the user
// trusts it (tandem.local.trusted), it gets exactly the cloud's hard rules, through the same re-check on the exact
// payload (gate.ts egressRefusal): local-only mode, the workspace's consent (tandem.privacy.serverConsent), local-only
// files and secrets never reach it. Every request to a server on another machine, trusted or not, is recorded:
// chat requests by the router's ledger entry, completions here, a keystroke's requests gathered into one entry.
import type { ConsentQuestion, Destination, LedgerEntry } from '../../shared/protocol.js';
import { EgressRefusedError, type ServerEgress, type ServerOutgoing } from '../backends/link.js';
import type { FimInput } from '../backends/types.js';
import type { Consent } from './consent.js';
import { CompletionEgressLog, type CompletionEgressSink } from './egress-log.js';
import { egressRefusal, type EgressDeps } from './gate.js';
import { displayPath, localOnlyReason, type FileIdentity } from './local-only.js';
import { linesOf, redact, type Finding } from './scan/scanner.js';

const NONE_ALLOWED: ReadonlySet<string> = new Set();

export interface ServerGateDeps extends EgressDeps {
  consent: Consent;
  /** A file's identity as recently resolved (the filter per keystroke); allow() resolves afresh before sending. */
  recentIdentity(uri: string): Promise<FileIdentity>;
  /** The stable tag of a redacted value (its salted hash), as in the cloud's placeholders. */
  tag(value: string): string;
  workspaceFolders: string[];
  /** Writes a ledger entry (and tells the client). */
  record(entry: LedgerEntry): void;
  /** The server's model name for the ledger. */
  model(): string;
  log: { warn(message: string): void };
}

/** Words for a refusal's code, naming the server. */
function refusal(code: EgressRefusedError['code'], d: Destination, detail: string): EgressRefusedError {
  const where = `${d.kind} at ${d.url}, another machine not marked trusted (tandem.local.trusted)`;
  return new EgressRefusedError(code, `${detail}, so it is not sent to ${where}.`);
}

export class ServerGate implements ServerEgress {
  /** Completion manifests when completions are not ledgered otherwise (an evaluation's engine). */
  readonly completions: CompletionEgressLog;
  private sink: CompletionEgressSink;

  constructor(private readonly deps: ServerGateDeps) {
    this.completions = new CompletionEgressLog((entry) => deps.record(entry), deps.model);
    this.sink = this.completions;
  }

  /** Completions are ledgered per file and minute: their manifests go into those entries. */
  useCompletionLedger(ledger: CompletionEgressSink): void {
    this.sink = ledger;
  }

  async allow(out: ServerOutgoing): Promise<void> {
    const d = out.destination;
    if (!d.trusted) {
      const consented = out.consented === true || this.deps.consent.effective(this.deps.settings().privacy.serverConsent) === 'always';
      const problem = await egressRefusal({ sources: out.sources, payload: out.texts.join('\n'), consented, allowed: NONE_ALLOWED }, this.deps);
      if (problem) {
        this.deps.log.warn(`Server gate refused a ${out.kind} request to ${d.url}: ${problem.reason}`);
        throw refusal(problem.code, d, `The request was refused at the gate: ${problem.reason}`);
      }
    }
    if (out.kind === 'completion') this.sink.egress(out);
  }

  async prepareCompletion(input: FimInput, d: Destination): Promise<FimInput> {
    const settings = this.deps.settings();
    if (settings.privacy.localOnly) throw refusal('local-only-mode', d, 'Local-only mode is on (tandem.privacy.localOnly)');
    await this.requireConsent(d, 'Inline completions');
    const matcher = this.deps.matcher();
    const match = matcher.match(await this.deps.recentIdentity(input.uri));
    if (match) throw refusal('local-only-file', d, `${displayPath(input.uri, this.deps.workspaceFolders)} is local-only (${localOnlyReason(match)})`);
    // Context from other files: a local-only file or a chunk with a secret is simply left out.
    const context = [];
    for (const chunk of input.context) {
      if (matcher.match(await this.deps.recentIdentity(chunk.uri))) continue;
      if (this.secretsIn(chunk.text).length > 0) continue;
      context.push(chunk);
    }
    const [prefixHits, suffixHits] = [this.secretsIn(input.prefix), this.secretsIn(input.suffix)];
    if (prefixHits.length + suffixHits.length > 0) {
      const rule = (prefixHits[0] ?? suffixHits[0]).rule;
      if (settings.privacy.secrets !== 'redact') {
        throw refusal('secret', d, `The code around the cursor contains what looks like a secret (${rule}); set tandem.privacy.secrets to "redact" to send it with secrets removed`);
      }
      // The manifest names each redaction's line (the suffix begins on the cursor line, the prefix's last line).
      const prefixLines = linesOf(input.prefix, prefixHits).map((l) => input.startLine + l);
      const cursorLine = input.startLine + input.prefix.split('\n').length - 1;
      const suffixLines = linesOf(input.suffix, suffixHits).map((l) => cursorLine + l);
      const redactions = [...prefixHits.map((h, i) => ({ uri: input.uri, line: prefixLines[i], rule: h.rule })), ...suffixHits.map((h, i) => ({ uri: input.uri, line: suffixLines[i], rule: h.rule }))];
      return { ...input, context, prefix: redact(input.prefix, prefixHits, this.deps.tag), suffix: redact(input.suffix, suffixHits, this.deps.tag), redactions };
    }
    return { ...input, context };
  }

  /** Secrets in the text that the user did not allow (privacy.allow, "Allow this value"). */
  private secretsIn(text: string): Finding[] {
    return this.deps.scanner.scan(text).filter((f) => !this.deps.allows(text.slice(f.start, f.end), NONE_ALLOWED));
  }

  /** Consent for this workspace: given, or asked once (in the background: the keystroke does not wait). */
  private async requireConsent(d: Destination, what: string): Promise<void> {
    const state = this.deps.consent.effective(this.deps.settings().privacy.serverConsent);
    if (state === 'always') return;
    if (state === 'never') throw refusal('consent', d, 'This workspace does not allow code to go to such a server (tandem.privacy.serverConsent is "never")');
    void this.deps.consent.obtain(this.question(d, what), AbortSignal.timeout(5 * 60_000)).catch(() => undefined);
    throw refusal('consent', d, 'This workspace has not answered whether code may go to such a server yet (Tandem is asking)');
  }

  /** The consent question about this server. */
  question(d: Destination, what: string): ConsentQuestion {
    return {
      reason: `${what} run on ${d.kind} at ${d.url}, a server on another machine that is not marked trusted (tandem.local.trusted). Send code from this workspace there?`,
      model: this.deps.model(),
      worstCaseUsd: 0,
      destination: d,
    };
  }
}
