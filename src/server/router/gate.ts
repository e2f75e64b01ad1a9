// The egress gate: the ONE function through which model traffic leaves the machine. It re-checks the hard
// privacy rules on the exact payload (fail closed), writes the manifest of what leaves, and only then
// reaches the SDK client. Nothing else imports cloud.ts (test/unit/router-gate.test.ts checks it).
// egressRefusal() is the check itself, a function of the exact payload, so any destination off this machine
// (the cloud, or a server on another machine) can be held to the same rules.
import type { EgressManifest } from '../../shared/protocol.js';
import type { TandemSettings } from '../../shared/settings.js';
import { streamMessage, type CloudHandlers, type CloudRequest, type CloudResult } from './cloud.js';
import { CloudError } from './errors.js';
import { localOnlyReason, type FileIdentity, type LocalOnlyMatcher } from './local-only.js';
import type { SecretScanner } from './scan/scanner.js';

export interface OutgoingSource {
  uri: string;
  ranges: { startLine: number; endLine: number }[];
  bytes: number;
}

export interface Outgoing extends CloudRequest {
  /** The files (and their ranges) whose text is in the payload. */
  sources: OutgoingSource[];
  redactions: EgressManifest['redactions'];
  /** Estimated prompt tokens. */
  tokens: number;
  /** Consent for this request: given by settings, remembered, or just asked. */
  consented: boolean;
  /** Salted hashes of values the user allowed that are in the payload. */
  allowed: ReadonlySet<string>;
}

export interface EgressDeps {
  settings(): TandemSettings;
  /** Who a source file is (its real path behind symlinks). */
  identity(uri: string): Promise<FileIdentity>;
  matcher(): LocalOnlyMatcher;
  scanner: SecretScanner;
  /** The value was allowed by the user (the set: hashes allowed for this request). */
  allows(value: string, allowed: ReadonlySet<string>): boolean;
}

export interface GateDeps extends EgressDeps {
  apiKey(): string | undefined;
  /** Called with every manifest, before the request leaves. */
  onManifest?(manifest: EgressManifest): void;
}

/** The exact text that would leave: every part of the request, as it is serialized. */
export function payloadText(out: Pick<CloudRequest, 'system' | 'messages' | 'tools'>): string {
  return [out.system, ...out.messages.map((m) => m.content), JSON.stringify(out.tools ?? [])].join('\n');
}

/** The hard rule a payload breaks, and why in words. */
export interface EgressRefusal {
  code: 'local-only-mode' | 'consent' | 'local-only-file' | 'secret';
  reason: string;
}

/** Why this payload must not leave, or undefined when it may: local-only mode, no consent, a local-only source
 * (shown or real path), or any secret in the exact text that the user did not allow. The cloud gate and the gate
 * for servers on other machines (server-gate.ts) both ask this, on the exact text. */
export async function egressRefusal(
  check: { payload: string; sources: readonly { uri: string }[]; consented: boolean; allowed: ReadonlySet<string> },
  deps: EgressDeps,
): Promise<EgressRefusal | undefined> {
  const settings = deps.settings();
  if (settings.privacy.localOnly) return { code: 'local-only-mode', reason: 'local-only mode is on' };
  if (!check.consented) return { code: 'consent', reason: 'this workspace has not consented' };
  const matcher = deps.matcher();
  for (const source of check.sources) {
    const match = matcher.match(await deps.identity(source.uri));
    if (match) return { code: 'local-only-file', reason: `a local-only file (${localOnlyReason(match)}) is in the payload` };
  }
  const findings = deps.scanner.scan(check.payload).filter((f) => !deps.allows(check.payload.slice(f.start, f.end), check.allowed));
  if (findings.length > 0) return { code: 'secret', reason: `the payload still contains a secret (${findings[0].rule})` };
  return undefined;
}

function refuse(reason: string): never {
  throw new CloudError({ kind: 'blocked', apiMessage: reason });
}

export function manifestOf(out: Outgoing): EgressManifest {
  return {
    files: out.sources.map((s) => ({ uri: s.uri, ranges: s.ranges, bytes: s.bytes })),
    tokens: out.tokens,
    redactions: out.redactions,
  };
}

export class EgressGate {
  /** Requests that passed the gate (and reached the SDK), for the engine's life. */
  sent = 0;

  constructor(private readonly deps: GateDeps) {}

  async send(out: Outgoing, handlers: CloudHandlers): Promise<CloudResult & { manifest: EgressManifest }> {
    const apiKey = this.deps.apiKey();
    const refusal = await egressRefusal({ payload: payloadText(out), sources: out.sources, consented: out.consented, allowed: out.allowed }, this.deps);
    if (refusal) refuse(refusal.code === 'consent' ? 'this workspace has not consented to cloud use' : refusal.reason);
    if (!apiKey) refuse('no API key is set');
    if (handlers.signal.aborted) throw new CloudError({ kind: 'cancelled' });
    const settings = this.deps.settings();
    const manifest = manifestOf(out);
    this.deps.onManifest?.(manifest);
    this.sent++;
    const result = await streamMessage(
      {
        apiKey,
        maxRetries: settings.cloud.maxRetries,
        requestTimeoutMs: settings.cloud.requestTimeoutMs,
        idleTimeoutMs: settings.cloud.idleTimeoutMs,
        deadlineMs: settings.cloud.deadlineMs,
      },
      out,
      handlers,
    );
    return { ...result, manifest };
  }
}
