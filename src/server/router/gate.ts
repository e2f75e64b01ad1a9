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

export class EgressGate {
  /** Requests that passed the gate (and reached the SDK), for the engine's life. */
  sent = 0;

  constructor(private readonly deps: GateDeps) {}

  async send(out: Outgoing, handlers: CloudHandlers): Promise<CloudResult & { manifest: EgressManifest }> {
    const settings = this.deps.settings();
    if (settings.privacy.localOnly) refuse('local-only mode is on');
    if (!out.consented) refuse('this workspace has not consented to cloud use');
    const apiKey = this.deps.apiKey();
    if (!apiKey) refuse('no API key is set');
    const matcher = this.deps.matcher();
    for (const source of out.sources) {
      const glob = matcher.match(source.uri);
      if (glob) refuse(`a local-only file (${glob}) is in the payload`);
    }
    // The whole payload, as it would be serialized, must be free of secrets.
    const payload = [out.system, ...out.messages.map((m) => m.content), JSON.stringify(out.tools ?? [])].join('\n');
    const findings = await this.deps.scanner.scan(payload);
    if (findings.length > 0) refuse(`the payload still contains a secret (${findings[0].rule})`);
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
