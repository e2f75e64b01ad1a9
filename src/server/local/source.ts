// Where a role's model comes from: the setting (local path or http(s) URL; TANDEM_MODEL standalone), else
// the preset the user downloaded earlier (remembered in <dataDir>/models/selected.json), else nothing
// (the engine proposes the recommended preset). A URL whose file is already complete in the data dir is
// used with no network call.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelRole } from '../../shared/protocol.js';
import { cachedDownload, checksumFromUrl, fileNameForUrl } from './download.js';

export type ModelSource =
  | { kind: 'none' }
  | { kind: 'file'; path: string }
  | { kind: 'url'; url: string; dest: string; sha256?: string; cached: boolean };

export const modelsDir = (dataDir: string): string => join(dataDir, 'models');
const selectedFile = (dataDir: string): string => join(modelsDir(dataDir), 'selected.json');

export async function resolveSource(setting: string, role: ModelRole, dataDir: string, workspaceFolders: string[]): Promise<ModelSource> {
  const value = setting.trim();
  if (!value) {
    const selected = await readSelected(dataDir);
    const file = selected[role];
    if (file) {
      const path = join(modelsDir(dataDir), file);
      if (await cachedDownload(path)) return { kind: 'file', path };
    }
    return { kind: 'none' };
  }
  if (/^https?:\/\//i.test(value)) {
    const url = value.replace(/#.*$/, '');
    const dest = join(modelsDir(dataDir), fileNameForUrl(url));
    return { kind: 'url', url, dest, sha256: checksumFromUrl(value), cached: Boolean(await cachedDownload(dest)) };
  }
  if (value.startsWith('file:')) return { kind: 'file', path: fileURLToPath(value) };
  const expanded = value.replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~');
  if (isAbsolute(expanded) || !workspaceFolders.length) return { kind: 'file', path: resolve(expanded) };
  return { kind: 'file', path: resolve(workspaceFolders[0], expanded) };
}

export async function readSelected(dataDir: string): Promise<Partial<Record<ModelRole, string>>> {
  try {
    const parsed = JSON.parse(await readFile(selectedFile(dataDir), 'utf8')) as Record<string, unknown>;
    const out: Partial<Record<ModelRole, string>> = {};
    for (const role of ['completion', 'chat'] as const) {
      const v = parsed[role];
      if (typeof v === 'string' && /^[\w.+-]+$/.test(v)) out[role] = v;
    }
    return out;
  } catch {
    return {};
  }
}

/** Remember a downloaded file (a name inside the models dir) for a role. */
export async function writeSelected(dataDir: string, role: ModelRole, fileName: string): Promise<void> {
  const current = await readSelected(dataDir);
  current[role] = fileName;
  await mkdir(modelsDir(dataDir), { recursive: true });
  await writeFile(selectedFile(dataDir), JSON.stringify(current, null, 2));
}
