// The seam between the engine and wherever the local model runs: in this process (node-llama-cpp) or on an
// inference server (llama-server, Ollama, OpenAI-compatible). Text goes in; text, token counts, timings and
// log-probabilities (where the backend gives them) come out; an AbortSignal cancels. The completion provider,
// the router's local chat and the statistics only see these types.
import type { BackendKind, Destination, EgressManifest, ModelRole, ModelState, RequestKind } from '../../shared/protocol.js';
import type { ContextChunk } from '../completion/context-ring.js';
import type { EgressRefusedError } from './link.js';

export interface FimInput {
  /** The document the completion is for, and its path as the model sees it. */
  uri: string;
  path: string;
  prefix: string;
  suffix: string;
  /** Document lines the prefix and suffix cover (what leaves, for manifests). */
  startLine: number;
  endLine: number;
  /** Extra context from other files, in the ring's stable order. */
  context: ContextChunk[];
  maxTokens: number;
  /** Stop after this many line breaks that follow visible text (1 = single line). */
  maxLines: number;
  /** performance.now() deadline for the whole request. */
  deadline: number;
  signal: AbortSignal;
  /** Only bring the backend's cache up to date (background warm-up); nothing is generated. */
  prefillOnly?: boolean;
  /** Ask for the log-probability of each generated token (where the backend gives them). */
  logprobs?: boolean;
  /** Secrets replaced in prefix or suffix before the request (for the manifest). */
  redactions?: EgressManifest['redactions'];
}

export type FimStop = 'eog' | 'lines' | 'max-tokens' | 'time' | 'abort' | 'prefill-only';

export interface FimOutput {
  text: string;
  aborted: boolean;
  /** Prompt tokens, and those the backend actually evaluated (the rest came from its KV cache). */
  promptTokens: number;
  evaluatedTokens: number;
  generatedTokens: number;
  /** Waiting for the previous request on the same sequence (embedded) or for the server's answer to begin. */
  waitMs: number;
  prefillMs: number;
  firstTokenMs: number;
  decodeMs: number;
  stop: FimStop;
  /** Log-probability of each generated token, when asked for and given. */
  logprobs?: number[];
}

/** A warm place to run completions: the embedded sequence, or a server connection with its slot. */
export interface FimSession {
  readonly contextSize: number;
  complete(input: FimInput): Promise<FimOutput>;
}

export interface ChatInput {
  /** What the request is, for the manifest (default chat). */
  kind?: Exclude<RequestKind, 'completion'>;
  system: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
  maxTokens: number;
  signal: AbortSignal;
  onText(delta: string): void;
  /** Files whose text is in the messages (a server on another machine records them in the manifest). */
  sources?: EgressManifest['files'];
  /** Redactions applied to the messages. */
  redactions?: EgressManifest['redactions'];
  /** The workspace consented to sending this request to an untrusted server (asked just before). */
  consented?: boolean;
}

export interface ChatOutput {
  text: string;
  promptTokens: number;
  outputTokens: number;
  ttftMs: number | null;
  /** Mean natural-log probability of the generated tokens (the local-confidence signal), when the model gave it. */
  meanLogProb?: number;
  /** Set when the request went to a server on another machine: what it carried. */
  destination?: Destination;
}

/** Why completions are skipped right now: a code for the statistics and words for the log. */
export interface Unavailable {
  reason: 'model-downloading' | 'server-unavailable';
  message: string;
}

/** Where the local model runs. One instance per `tandem.local.*` configuration; replaced when it changes. */
export interface LocalBackend {
  readonly kind: BackendKind;
  /** A server on another machine (requests to it are egress); undefined for this machine. */
  readonly destination: Destination | undefined;
  /** Checks what the server can do (servers) and publishes model states; embedded: nothing to probe. */
  start(): void;
  /** The completion session; rejects with a message the user can act on when completions cannot run. */
  fim(): Promise<FimSession>;
  /** A reason to skip without waiting (a download in progress, a server known to be down), or undefined. */
  unavailable(): Unavailable | undefined;
  chat(input: ChatInput): Promise<ChatOutput>;
  chatModelName(): string | undefined;
  chatContextSize(): number | undefined;
  countTokens(text: string): number;
  state(role: ModelRole): ModelState;
  /** The privacy gate refused a completion to this backend's server (servers on other machines only). */
  refusedBy?(error: EgressRefusedError): void;
  /** The states of both roles for tandem/getModelState (idle roles described). */
  describe(): Promise<ModelState[]>;
  dispose(): Promise<void>;
}

/** Tokens per character when the backend cannot count (servers): an over-estimate for code, so windows are not
 * overrun by a prompt estimated too small. */
export const CHARS_PER_TOKEN = 3;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
