// The only way a server backend sends the user's code: requests that carry content go through the egress check
// first when the server is on another machine (the router's server gate re-checks the exact payload and records
// its manifest), and fail closed when no gate is attached. Content-free requests (health, props, model lists)
// go straight out. Nothing else in backends/ imports http.ts (test/unit/backends-link.test.ts checks it).
import type { Destination, EgressManifest, RequestKind } from '../../shared/protocol.js';
import { HttpClient, type LineHandler, type RequestOptions } from './http.js';
import type { FimInput } from './types.js';

export interface ServerOutgoing {
  kind: RequestKind;
  destination: Destination;
  /** The files (and ranges) whose text is in the payload. */
  sources: EgressManifest['files'];
  /** Every piece of text that leaves, as it leaves (the gate scans exactly this). */
  texts: string[];
  /** Estimated tokens of the payload. */
  tokens: number;
  /** Redactions already applied to `texts`. */
  redactions: EgressManifest['redactions'];
  /** The workspace consented to this request (asked just before); otherwise the remembered consent decides. */
  consented?: boolean;
}

/** Attached by the router: checks (untrusted servers) and records (every server on another machine). */
export interface ServerEgress {
  /** Resolves when `out` may leave; rejects with EgressRefusedError when it must not. */
  allow(out: ServerOutgoing): Promise<void>;
  /** A completion's input as it may go to `destination`: context chunks from local-only files or with secrets
   * left out, secrets in the window redacted (or the request refused, by tandem.privacy.secrets). */
  prepareCompletion(input: FimInput, destination: Destination): Promise<FimInput>;
}

/** Why the gate refused: the same codes as the router's blockedBy. */
export type RefusalCode = 'secret' | 'local-only-file' | 'consent' | 'local-only-mode';

export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

export type Content = Omit<ServerOutgoing, 'destination'>;

export class ServerLink {
  private readonly http: HttpClient;

  constructor(
    base: URL,
    apiKey: () => string | undefined,
    /** Undefined: the server is on this machine. */
    readonly destination: Destination | undefined,
    private readonly egress: () => ServerEgress | undefined,
  ) {
    this.http = new HttpClient(base, apiKey);
  }

  /** A request that carries no user content (probes, health, model lists). */
  metadata<T>(method: 'GET' | 'POST', path: string, body: unknown, options: RequestOptions): Promise<T> {
    return this.http.json<T>(method, path, body, options);
  }

  async json<T>(content: Content, path: string, body: unknown, options: RequestOptions): Promise<T> {
    await this.check(content);
    return this.http.json<T>('POST', path, body, options);
  }

  async stream(content: Content, path: string, body: unknown, options: RequestOptions, onLine: LineHandler): Promise<void> {
    await this.check(content);
    await this.http.stream(path, body, options, onLine);
  }

  dispose(): void {
    this.http.dispose();
  }

  private async check(content: Content): Promise<void> {
    if (!this.destination) return;
    const egress = this.egress();
    if (!egress) throw new EgressRefusedError('consent', `Nothing was sent to ${this.destination.url}: the privacy gate for servers on other machines is not ready.`);
    await egress.allow({ ...content, destination: this.destination });
  }
}
