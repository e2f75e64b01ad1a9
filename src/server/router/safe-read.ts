// Reading a file a client named, safely: any client can name /dev/zero (endless), a FIFO nobody writes (a read
// that never returns and holds one of libuv's four worker threads, which model loads and every other file
// operation share), a socket or a huge file. So: stat first and read regular files only, below a size cap, with
// a timeout, at most two at a time (two worker threads always stay free for the model and the ledger), and the
// file opened non-blocking so a FIFO swapped in after the stat cannot block the open either.
import { constants, type FileHandle, open, stat } from 'node:fs/promises';

export const READ_LIMITS = {
  /** A context file larger than this is left out (the cloud tiers' windows hold about 800 KB of code). */
  maxBytes: 2 * 1024 * 1024,
  timeoutMs: 5000,
  /** Reads in flight at once. */
  concurrency: 2,
};

export type SafeRead = { ok: true; buf: Buffer } | { ok: false; error: string };

let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= READ_LIMITS.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isDirectory()) return 'it is a folder';
  if (st.isFIFO()) return 'it is a FIFO (named pipe), not a regular file';
  if (st.isSocket()) return 'it is a socket, not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'it is a device, not a regular file';
  return 'it is not a regular file';
}

async function readBounded(path: string, maxBytes: number, noFollow: boolean): Promise<SafeRead> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, error: code === 'ENOENT' || code === 'ENOTDIR' ? 'it does not exist' : code === 'EACCES' ? 'it cannot be read (permission denied)' : String(error) };
  }
  if (!info.isFile()) return { ok: false, error: kindOf(info) };
  if (info.size > maxBytes) return { ok: false, error: `it is larger than ${mb(maxBytes)} (${mb(info.size)})` };
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0));
    // The path may have been swapped between the stat and the open: the open file is what counts.
    const opened = await handle.stat();
    if (!opened.isFile()) return { ok: false, error: kindOf(opened) };
    // One byte more than allowed tells a file that grew past the cap from one that is exactly at it.
    const buf = Buffer.alloc(Math.min(opened.size, maxBytes) + 1);
    let length = 0;
    while (length < buf.length) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return { ok: false, error: `it is larger than ${mb(maxBytes)}` };
    return { ok: true, buf: buf.subarray(0, length) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' && noFollow) return { ok: false, error: 'it became a symbolic link while it was being read (read it again)' };
    return { ok: false, error: code === 'EACCES' ? 'it cannot be read (permission denied)' : String(error) };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The bytes of a regular file of at most `maxBytes`, or why it was not read. Never throws, never hangs.
 * `noFollow`: refuse when the path's last part is a symbolic link (the caller already resolved it). */
export function readFileSafely(path: string, maxBytes = READ_LIMITS.maxBytes, noFollow = false): Promise<SafeRead> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SafeRead>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `reading it took longer than ${READ_LIMITS.timeoutMs / 1000} s` }), READ_LIMITS.timeoutMs);
    timer.unref();
  });
  // A read that outlives the timeout finishes in the background (its slot and handle are then released).
  return Promise.race([slot(() => readBounded(path, maxBytes, noFollow)), timeout]).finally(() => clearTimeout(timer));
}
