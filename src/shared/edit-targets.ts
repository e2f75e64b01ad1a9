// Which files a refactor may edit: a regular file whose REAL path (every symlink resolved, `..` gone) lies
// inside a workspace folder's real path. A symlink inside the workspace that points outside, a file opened
// by absolute path, a hard link, a folder or a file that does not exist are refused with a reason. On a
// case-insensitive file system (macOS, Windows by default) `/Users/Dev/Proj` and `/users/dev/proj` are the
// same folder, so the comparison folds case there; whether a folder's file system folds case is asked of
// the file system itself. Edits to files that run code (runs-code.ts) are allowed but flagged.
// The engine (before proposing) and the extension (right before applying) both check with this, each with
// its own URI parser, on the path that would be written. The file system comes in as `TargetFs`.
import * as nodePath from 'node:path';
import { runsCode } from './runs-code';

export interface TargetFs {
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<{ isFile(): boolean; nlink: number; dev: number; ino: number }>;
}

export type PathApi = Pick<typeof nodePath, 'isAbsolute' | 'relative' | 'resolve' | 'basename' | 'dirname' | 'join' | 'sep'>;

export type EditTargetVerdict =
  | { ok: true; realPath: string; runsCode?: string }
  | { ok: false; reason: string };

interface Folder {
  path: string;
  real: string;
  foldsCase: boolean;
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

export class EditTargetChecker {
  private folders: Promise<Folder[]> | undefined;

  constructor(
    private readonly folderPaths: readonly string[],
    private readonly fs: TargetFs,
    private readonly path: PathApi = nodePath,
  ) {}

  /** `path` is a file system path (the caller turns its URI into one with its own parser). */
  async check(path: string): Promise<EditTargetVerdict> {
    const p = this.path;
    if (!p.isAbsolute(path)) return { ok: false, reason: 'its path is not absolute' };
    const folders = await (this.folders ??= this.resolveFolders());
    if (folders.length === 0) return { ok: false, reason: 'no workspace folder is open (open the folder that holds it to let Tandem edit it)' };
    let real: string;
    try {
      real = await this.fs.realpath(path);
    } catch (error) {
      return { ok: false, reason: errno(error) === 'ENOENT' ? 'it does not exist on disk (save it in a workspace folder first)' : `its real path cannot be read (${errno(error) ?? String(error)})` };
    }
    const folder = folders.find((f) => this.inside(f, real));
    if (!folder) {
      const linked = p.resolve(path) !== real;
      return { ok: false, reason: linked ? `it is a link to ${real}, outside the workspace folders` : 'it is outside the workspace folders' };
    }
    let info;
    try {
      info = await this.fs.stat(real);
    } catch (error) {
      return { ok: false, reason: `it cannot be read (${errno(error) ?? String(error)})` };
    }
    if (!info.isFile()) return { ok: false, reason: 'it is not a regular file' };
    // Writing through a hard link changes every name of the file, and the others may lie anywhere.
    if (info.nlink > 1) return { ok: false, reason: `it has ${info.nlink - 1} other hard link${info.nlink > 2 ? 's' : ''}, which may lie outside the workspace` };
    // The name it was given counts too: a link inside the workspace to .vscode/tasks.json runs code as well.
    const given = folders.find((f) => this.inside(f, p.resolve(path)));
    const why = runsCode(this.relative(folder, real)) ?? (given ? runsCode(this.relative(given, p.resolve(path))) : undefined);
    return { ok: true, realPath: real, ...(why ? { runsCode: why } : {}) };
  }

  private relative(folder: Folder, path: string): string {
    return folder.foldsCase ? this.path.relative(folder.real.toLowerCase(), path.toLowerCase()) : this.path.relative(folder.real, path);
  }

  private inside(folder: Folder, path: string): boolean {
    const rel = this.relative(folder, path);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${this.path.sep}`) && !this.path.isAbsolute(rel);
  }

  private async resolveFolders(): Promise<Folder[]> {
    const out: Folder[] = [];
    for (const path of this.folderPaths) {
      if (!this.path.isAbsolute(path)) continue;
      const real = await this.fs.realpath(path).catch(() => undefined);
      if (real) out.push({ path, real, foldsCase: await this.foldsCase(real) });
    }
    return out;
  }

  /** Whether the folder's file system folds case: its own name with the case swapped names the same folder. */
  private async foldsCase(real: string): Promise<boolean> {
    const p = this.path;
    const name = p.basename(real);
    const swapped = [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
    if (swapped === name) return process.platform === 'win32' || process.platform === 'darwin';
    try {
      const [a, b] = await Promise.all([this.fs.stat(real), this.fs.stat(p.join(p.dirname(real), swapped))]);
      return a.dev === b.dev && a.ino === b.ino;
    } catch {
      return false;
    }
  }
}
