// The egress gate: the ONE function through which model traffic leaves the machine. It re-checks the hard
// privacy rules on the exact payload (fail closed), writes the manifest of what leaves, and only then
// reaches the SDK client. Nothing else imports cloud.ts (test/unit/router-gate.test.ts checks it).
import type { EgressManifest } from '../../shared/protocol.js';
import type { TandemSettings } from '../../shared/settings.js';
import { streamMessage, type CloudHandlers, type CloudRequest, type CloudResult } from './cloud.js';
import { CloudError } from './errors.js';
import type { LocalOnlyMatcher } from './local-only.js';
import type { SecretScanner } from './secrets.js';

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
}

export interface GateDeps {
  settings(): TandemSettings;
  apiKey(): string | undefined;
  matcher(): LocalOnlyMatcher;
  scanner: SecretScanner;
  /** Called with every manifest, before the request leaves. */
  onManifest?(manifest: EgressManifest): void;
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

/** What the hard rules say about a payload that would leave: the first refusal, or undefined when it may go.
 * The cloud gate and the gate for servers on other machines (server-gate.ts) both ask this, on the exact text. */
export async function recheckPayload(
  deps: Pick<GateDeps, 'settings' | 'matcher' | 'scanner'>,
  out: { sources: { uri: string }[]; payload: string; consented: boolean },
): Promise<{ code: 'local-only-mode' | 'consent' | 'local-only-file' | 'secret'; reason: string } | undefined> {
  if (deps.settings().privacy.localOnly) return { code: 'local-only-mode', reason: 'local-only mode is on' };
  if (!out.consented) return { code: 'consent', reason: 'this workspace has not consented' };
  const matcher = deps.matcher();
  for (const source of out.sources) {
    const glob = matcher.match(source.uri);
    if (glob) return { code: 'local-only-file', reason: `a local-only file (${glob}) is in the payload` };
  }
  // The whole payload, as it would be serialized, must be free of secrets.
  const findings = await deps.scanner.scan(out.payload);
  if (findings.length > 0) return { code: 'secret', reason: `the payload still contains a secret (${findings[0].rule})` };
  return undefined;
}

export class EgressGate {
  /** Requests that passed the gate (and reached the SDK), for the engine's life. */
  sent = 0;

  constructor(private readonly deps: GateDeps) {}

  async send(out: Outgoing, handlers: CloudHandlers): Promise<CloudResult & { manifest: EgressManifest }> {
    const settings = this.deps.settings();
    const payload = [out.system, ...out.messages.map((m) => m.content), JSON.stringify(out.tools ?? [])].join('\n');
    const refusal = await recheckPayload(this.deps, { sources: out.sources, payload, consented: out.consented });
    if (refusal) refuse(refusal.code === 'consent' ? 'this workspace has not consented to cloud use' : refusal.reason);
    const apiKey = this.deps.apiKey();
    if (!apiKey) refuse('no API key is set');
    if (handlers.signal.aborted) throw new CloudError({ kind: 'cancelled' });
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
