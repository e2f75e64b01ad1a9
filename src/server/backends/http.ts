// HTTP to an inference server: one keep-alive agent per server (a completion per keystroke must not pay a TCP
// or TLS handshake), JSON requests, and line streams (SSE `data:` lines, Ollama's NDJSON). Aborting a request
// destroys its socket, which is how llama-server and the others learn the client went away and free the slot.
// Every failure becomes a ServerError with a problem code and a message that says what to do.
import * as http from 'node:http';
import * as https from 'node:https';
import type { BackendProblem } from '../../shared/protocol.js';

export class ServerError extends Error {
  override readonly name = 'ServerError';
  constructor(
    readonly problem: BackendProblem,
    message: string,
    readonly status?: number,
    /** The server's own error text, when it sent one. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

class StaleSocketError extends Error {}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Until the response headers arrive. */
  timeoutMs: number;
  /** Streams: most time without a byte once the response began (default: timeoutMs). */
  idleMs?: number;
}

/** Called with each non-empty line of a streamed body; returning false stops reading and closes the request. */
export type LineHandler = (line: string) => boolean | void;

/** The URL for display and messages: no user name or password. */
export function displayUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href.replace(/\/$/, '');
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly label: string;

  constructor(
    readonly base: URL,
    private readonly apiKey: () => string | undefined,
  ) {
    const options = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 16, maxFreeSockets: 4 };
    this.agent = base.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    this.label = displayUrl(base);
  }

  /** A JSON request; resolves with the parsed body of a 2xx answer, throws ServerError otherwise. */
  async json<T>(method: 'GET' | 'POST', path: string, body: unknown, options: RequestOptions): Promise<T> {
    const text = await this.send(method, path, body, options, undefined);
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new ServerError('server-error', `${this.label}${path} answered with something that is not JSON; is tandem.local.url the right server?`);
    }
  }

  /** A streamed request: `onLine` sees each line until the body ends, it returns false, or the signal aborts. */
  async stream(path: string, body: unknown, options: RequestOptions, onLine: LineHandler): Promise<void> {
    await this.send('POST', path, body, options, onLine);
  }

  dispose(): void {
    this.agent.destroy();
  }

  private url(path: string): URL {
    // The base may carry a path (`http://host/v1`); paths here are relative to it.
    const base = this.base.href.endsWith('/') ? this.base.href : `${this.base.href}/`;
    return new URL(path.replace(/^\//, ''), base);
  }

  private async send(method: string, path: string, body: unknown, options: RequestOptions, onLine: LineHandler | undefined): Promise<string> {
    try {
      return await this.attempt(method, path, body, options, onLine);
    } catch (error) {
      // A kept-alive socket the server closed meanwhile (it restarted, or its idle timeout passed) fails before any
      // answer: the request never reached it, so one retry on a fresh socket is safe and not a server failure.
      if (!(error instanceof StaleSocketError)) throw error;
      // On a connection of its own: the agent's other idle sockets may be just as stale.
      return this.attempt(method, path, body, options, onLine, true);
    }
  }

  private attempt(method: string, path: string, body: unknown, options: RequestOptions, onLine: LineHandler | undefined, fresh = false): Promise<string> {
    const url = this.url(path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: onLine ? 'text/event-stream, application/x-ndjson' : 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const key = this.apiKey();
    if (key) headers.authorization = `Bearer ${key}`;
    if (url.username || url.password) {
      headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    }
    const transport = url.protocol === 'https:' ? https : http;
    const where = `${this.label}${path}`;

    return new Promise<string>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error: Error | undefined, value = ''): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(value);
      };
      const arm = (ms: number, what: string): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish(new ServerError('timeout', `${where} did not answer within ${ms} ms (${what}); the server may be overloaded or stuck.`));
          req.destroy();
        }, ms);
      };
      const onAbort = (): void => {
        finish(abortError(signal));
        req.destroy();
      };
      const req = transport.request(url, { method, headers, agent: fresh ? false : this.agent }, (res) => {
        const status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        if (status < 200 || status >= 300) {
          let text = '';
          res.on('data', (chunk: string) => {
            if (text.length < 8192) text += chunk;
          });
          res.on('end', () => finish(httpError(where, status, text)));
          res.on('error', (error) => finish(networkError(where, error)));
          return;
        }
        const idle = options.idleMs ?? options.timeoutMs;
        let text = '';
        let pending = '';
        arm(idle, 'no data while streaming');
        res.on('data', (chunk: string) => {
          if (settled) return;
          arm(idle, 'no data while streaming');
          if (!onLine) {
            text += chunk;
            return;
          }
          pending += chunk;
          let newline = pending.indexOf('\n');
          while (newline >= 0) {
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            let more: boolean | void = true;
            try {
              more = line ? onLine(line) : true;
            } catch (error) {
              finish(error instanceof Error ? error : new Error(String(error)));
              req.destroy();
              return;
            }
            if (more === false) {
              // The caller has what it needs: closing the socket tells the server to stop generating.
              finish(undefined);
              req.destroy();
              return;
            }
            newline = pending.indexOf('\n');
          }
        });
        res.on('end', () => {
          try {
            if (onLine && pending.trim() && !settled) onLine(pending.trim());
            finish(undefined, text);
          } catch (error) {
            finish(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on('error', (error) => finish(networkError(where, error)));
        res.on('aborted', () => finish(new ServerError('unreachable', `${where} closed the connection in the middle of its answer.`)));
      });
      let answered = false;
      req.on('response', () => (answered = true));
      req.on('error', (error: Error & { code?: string }) => {
        if (signal?.aborted) finish(abortError(signal));
        else if (req.reusedSocket && !answered && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) finish(new StaleSocketError());
        else finish(networkError(where, error));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      arm(options.timeoutMs, 'waiting for the response to begin');
      req.end(payload);
    });
  }
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error && reason.name === 'AbortError' ? reason : Object.assign(new Error('aborted'), { name: 'AbortError' });
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function networkError(where: string, error: Error & { code?: string }): ServerError {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return new ServerError('unreachable', `Nothing answers at ${where} (connection refused): start the server, or fix tandem.local.url.`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ServerError('unreachable', `The host in ${where} is not known (${code}): check tandem.local.url.`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new ServerError('unreachable', `${where} cannot be reached (${code}): check the network and tandem.local.url.`);
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return new ServerError('unreachable', `${where} closed the connection (${code}): the server may have stopped; start it again, or fix tandem.local.url.`);
  if (/certificate|SSL|TLS/i.test(error.message)) return new ServerError('unreachable', `${where}: TLS failed (${error.message}).`);
  return new ServerError('unreachable', `${where} failed: ${error.message}`);
}

function httpError(where: string, status: number, body: string): ServerError {
  const detail = serverMessage(body);
  const said = detail ? `: ${detail}` : '';
  if (status === 401 || status === 403)
    return new ServerError('unauthorized', `${where} refused the request (${status}${said}). Run "Tandem: Set Inference Server API Key" with the key the server expects.`, status, detail);
  if (status >= 500) return new ServerError('server-error', `${where} failed with ${status}${said}.`, status, detail);
  return new ServerError('server-error', `${where} refused the request with ${status}${said}.`, status, detail);
}

/** The error text in a server's JSON error body (`{error: {message}}`, `{error: "..."}`, `{message}`, `{detail}`). */
export function serverMessage(body: string): string {
  const trimmed = body.trim();
  if (!trimmed) return '';
  try {
    const parsed = JSON.parse(trimmed) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = parsed.error;
    const text =
      typeof error === 'string' ? error
      : error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message
      : typeof parsed.message === 'string' ? parsed.message
      : typeof parsed.detail === 'string' ? parsed.detail
      : '';
    return text.slice(0, 300);
  } catch {
    return trimmed.replace(/\s+/g, ' ').slice(0, 200);
  }
}
