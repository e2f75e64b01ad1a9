// Which files a refactor may write: real paths inside a workspace folder only, on a real file system (symlinks,
// `..`, hard links, a symlinked workspace folder) and on a simulated case-insensitive one (macOS, Windows).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, win32 } from 'node:path';
import { EditTargetChecker, type PathApi, type TargetFs } from '../../src/shared/edit-targets';
import { runsCode } from '../../src/shared/runs-code';

const disk: TargetFs = { realpath, stat };

void describe('edit targets on a real file system', () => {
  let base: string;
  let ws: string;
  let check: (path: string) => ReturnType<EditTargetChecker['check']>;
  before(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'tandem-targets-')));
    ws = join(base, 'ws');
    for (const dir of ['ws/src', 'ws/.vscode', 'ws/.git/hooks', 'outside', 'ws-evil']) mkdirSync(join(base, dir), { recursive: true });
    for (const file of ['ws/src/a.ts', 'ws/.vscode/tasks.json', 'ws/package.json', 'ws/.git/hooks/pre-commit', 'outside/secret.ts', 'ws-evil/x.ts', 'outside/shared.ts'])
      writeFileSync(join(base, file), 'x\n');
    symlinkSync(join(base, 'outside', 'secret.ts'), join(ws, 'src', 'linked.ts'));
    symlinkSync(join(base, 'outside'), join(ws, 'src', 'linked-dir'));
    symlinkSync(join(ws, '.vscode', 'tasks.json'), join(ws, 'src', 'notes.json'));
    linkSync(join(base, 'outside', 'shared.ts'), join(ws, 'src', 'hard.ts'));
    symlinkSync(ws, join(base, 'ws-link'));
    const checker = new EditTargetChecker([ws], disk);
    check = (path) => checker.check(path);
  });

  void it('accepts a plain file inside the workspace', async () => {
    assert.deepEqual(await check(join(ws, 'src', 'a.ts')), { ok: true, realPath: join(ws, 'src', 'a.ts') });
  });

  void it('refuses a symlink that points outside, and a file inside a symlinked folder that points outside', async () => {
    const linked = await check(join(ws, 'src', 'linked.ts'));
    assert.equal(linked.ok, false);
    assert.match(!linked.ok ? linked.reason : '', new RegExp(`a link to ${join(base, 'outside', 'secret.ts')}, outside the workspace folders`));
    assert.equal((await check(join(ws, 'src', 'linked-dir', 'secret.ts'))).ok, false);
  });

  void it('refuses an absolute path outside, a `..` path that leaves, and a sibling folder sharing the prefix', async () => {
    for (const path of [join(base, 'outside', 'secret.ts'), `${ws}/src/../../outside/secret.ts`, join(base, 'ws-evil', 'x.ts'), ws]) {
      const v = await check(path);
      assert.equal(v.ok, false, path);
    }
    assert.deepEqual(await check(`${ws}/src/../src/a.ts`), { ok: true, realPath: join(ws, 'src', 'a.ts') });
  });

  void it('refuses hard links, folders, missing files and relative paths, each with its reason', async () => {
    const reasons = await Promise.all([join(ws, 'src', 'hard.ts'), join(ws, 'src'), join(ws, 'src', 'nope.ts'), 'src/a.ts'].map(async (p) => {
      const v = await check(p);
      return v.ok ? 'ok' : v.reason;
    }));
    assert.match(reasons[0], /1 other hard link/);
    assert.match(reasons[1], /not a regular file/);
    assert.match(reasons[2], /does not exist/);
    assert.match(reasons[3], /not absolute/);
  });

  void it('flags files that run code, by their real path and by the name they were given', async () => {
    assert.match((await check(join(ws, '.vscode', 'tasks.json')) as { runsCode?: string }).runsCode ?? '', /VS Code runs the tasks/);
    assert.match((await check(join(ws, 'package.json')) as { runsCode?: string }).runsCode ?? '', /npm runs its scripts/);
    assert.match((await check(join(ws, '.git', 'hooks', 'pre-commit')) as { runsCode?: string }).runsCode ?? '', /Git runs the hooks/);
    assert.match((await check(join(ws, 'src', 'notes.json')) as { runsCode?: string }).runsCode ?? '', /VS Code runs the tasks/);
  });

  void it('a workspace folder opened through a symlink holds its files, by either path', async () => {
    const checker = new EditTargetChecker([join(base, 'ws-link')], disk);
    assert.equal((await checker.check(join(base, 'ws-link', 'src', 'a.ts'))).ok, true);
    assert.equal((await checker.check(join(ws, 'src', 'a.ts'))).ok, true);
    assert.equal((await checker.check(join(base, 'ws-link', 'src', 'linked.ts'))).ok, false);
  });

  void it('with no workspace folder nothing may be edited, and the reason says what to do', async () => {
    const v = await new EditTargetChecker([], disk).check(join(ws, 'src', 'a.ts'));
    assert.match(v.ok ? '' : v.reason, /open the folder that holds it/);
  });
});

/** An in-memory file system that folds case like APFS or NTFS: realpath keeps the case it was given. */
function foldingFs(path: PathApi, files: Record<string, 'file' | 'dir'>, links: Record<string, string> = {}): TargetFs {
  // NTFS also ignores trailing dots and spaces (`package.json.` is package.json).
  const key = (p: string) => (path === win32 ? path.resolve(p).replace(/[. ]+$/, '') : path.resolve(p)).toLowerCase();
  const kinds = new Map(Object.entries(files).map(([p, k]) => [key(p), k]));
  const targets = new Map(Object.entries(links).map(([p, t]) => [key(p), t]));
  const ino = (p: string) => [...kinds.keys()].indexOf(key(p)) + 1;
  return {
    realpath: async (p) => {
      const resolved = path.resolve(p);
      const link = targets.get(key(resolved));
      if (link) return path.resolve(link);
      if (!kinds.has(key(resolved))) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return resolved;
    },
    stat: async (p) => {
      const kind = kinds.get(key(p));
      if (!kind) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return { isFile: () => kind === 'file', nlink: 1, dev: 1, ino: ino(p) };
    },
  };
}

void describe('edit targets on a case-insensitive file system (simulated)', () => {
  void it('macOS: a case variant of the workspace path is inside; `.VSCode/Tasks.json` is the tasks file', async () => {
    const fs = foldingFs(posix, {
      '/Users/Dev/Proj': 'dir',
      '/Users/Dev/Proj/src/a.ts': 'file',
      '/Users/Dev/Proj/.vscode/tasks.json': 'file',
      '/Users/Dev/Proj-Evil/x.ts': 'file',
      '/Users/Dev/Other/secret.ts': 'file',
    }, { '/Users/Dev/Proj/src/Linked.ts': '/Users/Dev/Other/secret.ts' });
    const checker = new EditTargetChecker(['/Users/Dev/Proj'], fs, posix);
    assert.deepEqual(await checker.check('/users/dev/proj/src/A.ts'), { ok: true, realPath: '/users/dev/proj/src/A.ts' });
    const tasks = await checker.check('/USERS/DEV/PROJ/.VSCode/Tasks.json');
    assert.equal(tasks.ok, true);
    assert.match((tasks as { runsCode?: string }).runsCode ?? '', /VS Code runs the tasks/);
    assert.equal((await checker.check('/users/dev/proj-evil/x.ts')).ok, false);
    assert.equal((await checker.check('/users/dev/PROJ/src/../../Other/secret.ts')).ok, false);
    assert.equal((await checker.check('/Users/Dev/Proj/src/linked.TS')).ok, false);
  });

  void it('Windows: drive letter and folder case do not matter; `..` and other drives stay outside', async () => {
    const fs = foldingFs(win32, {
      'C:\\Users\\Dev\\Proj': 'dir',
      'C:\\Users\\Dev\\Proj\\src\\a.ts': 'file',
      'C:\\Users\\Dev\\Proj\\package.json': 'file',
      'C:\\Users\\Dev\\secret.ts': 'file',
      'D:\\Users\\Dev\\Proj\\src\\a.ts': 'file',
    });
    const checker = new EditTargetChecker(['C:\\Users\\Dev\\Proj'], fs, win32);
    assert.equal((await checker.check('c:\\users\\dev\\proj\\SRC\\a.ts')).ok, true);
    assert.match(((await checker.check('c:\\users\\dev\\proj\\PACKAGE.JSON.')) as { runsCode?: string }).runsCode ?? '', /npm runs its scripts/);
    assert.equal((await checker.check('C:\\Users\\Dev\\Proj\\..\\secret.ts')).ok, false);
    assert.equal((await checker.check('D:\\Users\\Dev\\Proj\\src\\a.ts')).ok, false);
  });

  void it('a case-sensitive file system keeps `/ws` and `/WS` apart', async () => {
    const fs: TargetFs = {
      realpath: async (p) => posix.resolve(p),
      stat: async (p) => ({ isFile: () => !p.endsWith('ws') && !p.endsWith('WS'), nlink: 1, dev: 1, ino: [...p].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7) }),
    };
    const checker = new EditTargetChecker(['/srv/ws'], fs, posix);
    assert.equal((await checker.check('/srv/ws/a.ts')).ok, true);
    assert.equal((await checker.check('/srv/WS/a.ts')).ok, false);
  });
});

void describe('files that run code', () => {
  void it('knows the configuration that runs on open, install, build, commit and in CI, in any case', () => {
    const flagged = [
      '.vscode/tasks.json', '.vscode/settings.json', '.vscode/launch.json', '.vscode/mcp.json', 'app.code-workspace', '.VSCODE/TASKS.JSON',
      'package.json', 'packages/ui/package.json', '.npmrc', '.yarnrc.yml', '.git/hooks/pre-commit', '.git/config', '.husky/pre-push',
      '.pre-commit-config.yaml', '.github/workflows/ci.yml', '.gitlab-ci.yml', 'Makefile', 'CMakeLists.txt', 'build.gradle.kts',
      'gradle/wrapper/gradle-wrapper.properties', 'pom.xml', 'Cargo.toml', 'build.rs', '.cargo/config.toml', 'setup.py', 'pyproject.toml',
      'tests/conftest.py', 'eslint.config.mjs', 'vite.config.ts', '.eslintrc.cjs', 'Dockerfile', 'docker-compose.yml', '.envrc', '.env.local',
      '.devcontainer/devcontainer.json', '.claude/settings.json', 'lib/site.pth', 'App.csproj', '.vscode/tasks.json.', 'src\\..\\.vscode\\tasks.json',
    ];
    for (const path of flagged) assert.ok(runsCode(path), `${path} should be flagged as running code`);
    for (const path of ['src/a.ts', 'README.md', 'src/config.ts', 'docs/package.md', 'tsconfig.json', 'src/vscode/tasks.ts', 'src/make.ts'])
      assert.equal(runsCode(path), undefined, path);
  });
});
