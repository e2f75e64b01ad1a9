// Model download into the data dir: resumable (HTTP Range on a `.part` file), cancellable (the partial
// file stays for the next try), verified (length from the server, SHA-256 when known, GGUF magic), and
// recorded in a `.json` sidecar so a later run uses the file with no network call at all.
// Why not node-llama-cpp's downloader: it deletes partial files on cancel and its resolver can hang
// offline when a file is already cached (reference/node-llama-cpp.md); both matter here.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface DownloadOptions {
  url: string;
  dest: string;
  /** Expected length in bytes, when known in advance. */
  sizeBytes?: number;
  sha256?: string;
  signal: AbortSignal;
  onProgress(receivedBytes: number, totalBytes: number): void;
  /** Minimum milliseconds between progress calls (the last one always comes). */
  progressEveryMs?: number;
}

export interface Sidecar {
  url: string;
  size: number;
  sha256?: string;
  completedAt: string;
}

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
}

export const sidecarPath = (dest: string): string => `${dest}.json`;
export const partPath = (dest: string): string => `${dest}.part`;

/** The file is complete: present with the size its sidecar recorded. No network. */
export async function cachedDownload(dest: string): Promise<Sidecar | undefined> {
  try {
    const side = JSON.parse(await readFile(sidecarPath(dest), 'utf8')) as Sidecar;
    const st = await stat(dest);
    return st.size === side.size ? side : undefined;
  } catch {
    return undefined;
  }
}

/** Downloads `url` to `dest`, resuming a partial download. Resolves `cached: true` without any request
 * when the file is already complete. Rejects with an AbortError when cancelled (the partial file stays). */
export async function downloadModelFile(options: DownloadOptions): Promise<{ path: string; cached: boolean }> {
  const { url, dest, signal } = options;
  if (await cachedDownload(dest)) return { path: dest, cached: true };
  await mkdir(dirname(dest), { recursive: true });
  const part = partPath(dest);
  let start = await fileSize(part);
  if (options.sizeBytes && start > options.sizeBytes) {
    await rm(part, { force: true });
    start = 0;
  }
  signal.throwIfAborted();

  let response = await reach(url, { headers: start ? { Range: `bytes=${start}-` } : {}, signal, redirect: 'follow' });
  if (response.status === 416 && start > 0) {
    // The partial file is already complete (or the server disagrees): verify it as is, else start over.
    await response.body?.cancel();
    if (options.sizeBytes && start === options.sizeBytes) return finish(options, part, start);
    await rm(part, { force: true });
    start = 0;
    response = await reach(url, { signal, redirect: 'follow' });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new DownloadError(`Download failed: HTTP ${response.status} ${response.statusText} for ${url}`);
  }
  let total: number;
  if (response.status === 206) {
    const range = /bytes (\d+)-\d+\/(\d+|\*)/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== start) {
      await response.body.cancel();
      throw new DownloadError(`Download failed: the server answered an unexpected range for ${url}`);
    }
    total = range[2] === '*' ? options.sizeBytes ?? 0 : Number(range[2]);
  } else {
    start = 0; // 200: the server ignored Range; start over.
    total = Number(response.headers.get('content-length') ?? 0) || options.sizeBytes || 0;
  }
  if (options.sizeBytes && total && total !== options.sizeBytes) {
    await response.body.cancel();
    throw new DownloadError(`Download refused: the server offers ${total} bytes, expected ${options.sizeBytes} (${url})`);
  }

  let received = start;
  let lastReport = 0;
  const every = options.progressEveryMs ?? 250;
  options.onProgress(received, total);
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  // Written by hand rather than with pipeline(): on cancel, pipeline destroys the file stream and drops what
  // it buffered, so the partial file could lose bytes already counted. Here every chunk counted is written, and
  // the file is closed (flushed) before the cancel is reported, so a resume starts from the right offset.
  const file = createWriteStream(part, { flags: start ? 'a' : 'w' });
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (!file.write(chunk)) await once(file, 'drain', { signal });
      received += chunk.length;
      const now = Date.now();
      if (now - lastReport >= every) {
        lastReport = now;
        options.onProgress(received, total);
      }
    }
  } catch (error) {
    const lost = signal.aborted ? undefined : networkProblem(error, url);
    if (lost) throw new DownloadError(`The download stopped at ${received} of ${total || '?'} bytes: ${lost}`);
    throw error;
  } finally {
    await new Promise<void>((resolveEnd) => file.end(() => resolveEnd()));
  }
  options.onProgress(received, total);
  if (total && received !== total) {
    throw new DownloadError(`Download incomplete: ${received} of ${total} bytes; it resumes on the next try`);
  }
  return finish(options, part, received);
}

/** Network error codes that mean the host cannot be reached at all (no network, no DNS, refused, timed out). */
const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']);

/** What the user reads when the download host cannot be reached: that the machine looks offline, and what to do. */
export function networkProblem(error: unknown, url: string): string | undefined {
  let code: string | undefined;
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && OFFLINE_CODES.has(c)) code = c;
  }
  const fetchFailed = error instanceof TypeError && /fetch failed|terminated/i.test(error.message);
  if (!code && !fetchFailed) return undefined;
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the URL as given
  }
  return (
    `cannot reach ${host}${code ? ` (${code})` : ''}: this machine looks offline, or a firewall or proxy blocks it. ` +
    'Connect to the internet and try again (the download resumes where it stopped), or copy the GGUF file here from another machine ' +
    'and choose it with "Tandem: Select Local Model" (Browse for GGUF file…).'
  );
}

/** fetch, with an unreachable host reported as such instead of "fetch failed". */
async function reach(url: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const problem = init.signal.aborted ? undefined : networkProblem(error, url);
    if (problem) throw new DownloadError(`Download failed: ${problem}`);
    throw error;
  }
}

async function finish(options: DownloadOptions, part: string, size: number): Promise<{ path: string; cached: boolean }> {
  if (options.sizeBytes && size !== options.sizeBytes) {
    await rm(part, { force: true });
    throw new DownloadError(`Download damaged: ${size} bytes, expected ${options.sizeBytes}; the file was removed`);
  }
  if (!(await hasGgufMagic(part))) {
    await rm(part, { force: true });
    throw new DownloadError(`Not a GGUF model file: ${options.url}`);
  }
  let sha256: string | undefined;
  if (options.sha256) {
    sha256 = await hashFile(part, options.signal);
    if (sha256 !== options.sha256.toLowerCase()) {
      await rm(part, { force: true });
      throw new DownloadError(`Checksum mismatch for ${options.url}: got ${sha256}, expected ${options.sha256}; the file was removed`);
    }
  }
  await rename(part, options.dest);
  const side: Sidecar = { url: options.url, size, sha256, completedAt: new Date().toISOString() };
  await writeFile(sidecarPath(options.dest), JSON.stringify(side, null, 2));
  return { path: options.dest, cached: false };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export async function hasGgufMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.toString('latin1') === 'GGUF';
  } finally {
    await handle.close();
  }
}

export async function hashFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash, { signal });
  return hash.digest('hex');
}

/** File name for a model URL: the last path segment, made safe. */
export function fileNameForUrl(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'model.gguf');
  const safe = name.replace(/[^\w.+-]/g, '_');
  return safe.toLowerCase().endsWith('.gguf') ? safe : `${safe}.gguf`;
}

/** `#sha256=<hex>` at the end of a model URL pins its checksum. */
export function checksumFromUrl(url: string): string | undefined {
  return /[#&]sha256=([0-9a-fA-F]{64})/.exec(url)?.[1]?.toLowerCase();
}
