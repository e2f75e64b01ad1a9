// Is the inference server this machine? A server on another machine is an egress destination of its own: code
// sent to it leaves the developer's machine, so the privacy rules apply to it unless the user trusts it.
// Pure: decided from the URL's host (a name that is not a loopback name counts as another machine: fail closed).
import type { BackendInfo, Destination } from '../../shared/protocol.js';
import type { BackendKind } from '../../shared/settings.js';

export type ServerKind = Exclude<BackendKind, 'embedded'>;

/** The address a server usually has on this machine. */
export const DEFAULT_URLS: Record<ServerKind, string> = {
  'llama-server': 'http://127.0.0.1:8080',
  ollama: 'http://127.0.0.1:11434',
  'openai-compatible': 'http://127.0.0.1:8000/v1',
};

/** Loopback: 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost` and `*.localhost`, and the unspecified address
 * (connecting to 0.0.0.0 reaches this machine). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1' || host === '::' || host === '0.0.0.0') return true;
  const v4 = host.replace(/^::ffff:/, '');
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  // IPv4-mapped in hex form, as URL parsing writes it: ::ffff:7f00:1
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host);
  return mapped ? parseInt(mapped[1], 16) >> 8 === 127 : false;
}

export interface ParsedServerUrl {
  url: URL;
  remote: boolean;
}

/** The server's URL from the setting (empty: the usual local address), or an error message for a bad one.
 * `treatLoopbackAsRemote`: TANDEM_LOOPBACK_IS_REMOTE, so tests and demos can exercise the remote-server rules
 * against a server on 127.0.0.1. */
export function parseServerUrl(kind: ServerKind, setting: string, treatLoopbackAsRemote = false): ParsedServerUrl | { error: string } {
  const raw = setting.trim() || DEFAULT_URLS[kind];
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return { error: `tandem.local.url "${raw}" is not a URL; use one like http://gpu-box:8080` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `tandem.local.url must be an http:// or https:// URL, not ${url.protocol}//` };
  }
  if (url.search || url.hash) return { error: `tandem.local.url "${raw}" has a query or fragment; give the server's base URL only` };
  // OpenAI-compatible servers live under /v1; the others at the root.
  if (kind === 'openai-compatible' && !/\/v\d+\/?$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/$/, '')}/v1`;
  return { url, remote: treatLoopbackAsRemote || !isLoopbackHost(url.hostname) };
}

export function backendInfo(kind: ServerKind, url: string, remote: boolean, trusted: boolean, slots?: number): BackendInfo {
  return { kind, url, remote, trusted: !remote || trusted, ...(slots ? { slots } : {}) };
}

/** The egress destination for a server: undefined when it is this machine. */
export function destinationOf(info: BackendInfo): Destination | undefined {
  return info.remote ? { kind: info.kind, url: info.url, trusted: info.trusted } : undefined;
}
