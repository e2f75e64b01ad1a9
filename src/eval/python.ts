// Runs a candidate program and its tests with Python 3 in a separate process: a fresh temp dir per program
// (removed afterwards), a wall-clock limit (the process group is killed), a CPU, memory and file-size limit,
// no network, and the reference harness's guard against destructive calls.
// No network, in two layers: on Linux the process runs in its own network namespace (`unshare --net
// --map-root-user`, no root needed where unprivileged user namespaces are allowed), which has no interface but
// a down loopback; everywhere, a guard inside the process replaces the socket constructors before the
// candidate runs. The guard alone is not a sandbox (the reference harness says the same); the report names
// the layers that were used.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

export type Outcome = 'passed' | 'failed' | 'timeout';

export interface RunResult {
  outcome: Outcome;
  /** Last line of stderr for a failure (e.g. "AssertionError"), at most 200 characters. */
  error?: string;
}

export interface SandboxInfo {
  python: string;
  version: string;
  network: 'namespace+guard' | 'guard';
  timeoutS: number;
}

export interface SandboxOptions {
  /** Python executable; default: python3 (python on Windows) resolved once to its real path. */
  python?: string;
  /** Seconds a program may run (the reference harness uses 3). */
  timeoutS?: number;
  /** Use a network namespace when available (default true); false: the in-process guard only. */
  namespace?: boolean;
  /** Programs run at once (default: cores - 1, 1 to 4). */
  concurrency?: number;
}

const MEMORY_BYTES = 1 << 30;
const FILE_BYTES = 16 << 20;

// Runs before the candidate: limits, no sockets, no destructive os/shutil/subprocess calls. argv: file, seconds.
const BOOTSTRAP = `
import sys, os, builtins, socket, _socket, shutil, subprocess, faulthandler
path, seconds = sys.argv[1], int(sys.argv[2])
with open(path, encoding='utf-8') as file:
    source = file.read()
try:
    import resource
    # The CPU limit's soft value sends SIGXCPU (read as a timeout) a second before the hard one would SIGKILL.
    for limit, soft, hard in (('RLIMIT_AS', ${MEMORY_BYTES}, ${MEMORY_BYTES}), ('RLIMIT_FSIZE', ${FILE_BYTES}, ${FILE_BYTES}), ('RLIMIT_CPU', seconds + 1, seconds + 2)):
        try:
            resource.setrlimit(getattr(resource, limit), (soft, hard))
        except (AttributeError, ValueError, OSError):
            pass  # macOS refuses RLIMIT_AS; the wall-clock limit still holds
except ImportError:
    pass  # Windows: no resource limits, the wall-clock limit still holds
faulthandler.disable()
def _deny(*args, **kwargs):
    raise PermissionError('disabled in the Tandem evaluation sandbox')
class _NoSocket:
    def __init__(self, *args, **kwargs):
        raise PermissionError('network access is disabled in the Tandem evaluation sandbox')
for module in (socket, _socket):
    module.socket = _NoSocket
for name in ('create_connection', 'create_server', 'socketpair', 'fromfd', 'getaddrinfo', 'gethostbyname'):
    setattr(socket, name, _deny)
for name in ('kill', 'killpg', 'system', 'popen', 'putenv', 'remove', 'removedirs', 'rmdir', 'unlink', 'rename', 'renames',
             'replace', 'truncate', 'chmod', 'fchmod', 'lchmod', 'chown', 'fchown', 'lchown', 'chroot', 'chdir', 'fchdir',
             'setuid', 'fork', 'forkpty', 'execv', 'execve', 'execvp', 'execvpe', 'spawnv', 'spawnve', 'posix_spawn'):
    if hasattr(os, name):
        setattr(os, name, _deny)
shutil.rmtree = shutil.move = shutil.chown = _deny
subprocess.Popen = _deny
builtins.exit = builtins.quit = builtins.help = _deny
for name in ('ipdb', 'joblib', 'psutil', 'tkinter', 'resource'):
    sys.modules[name] = None
exec(compile(source, 'candidate.py', 'exec'), {'__name__': '__main__'})
`;

function execText(file: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The real Python 3 executable and its version, or undefined. Resolving it once skips launcher shims
 * (pyenv's add ~80 ms to every start). */
export async function findPython(preferred?: string): Promise<{ python: string; version: string } | undefined> {
  const candidates = preferred ? [preferred] : process.platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
  for (const candidate of candidates) {
    const probe = await execText(candidate, ['-c', 'import sys; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])']);
    if (probe.code !== 0) continue;
    const [executable, version] = probe.stdout.trim().split(/\r?\n/);
    if (!version?.startsWith('3.')) continue;
    return { python: executable || candidate, version };
  }
  return undefined;
}

/** A network namespace works here: a program in it cannot reach this machine's loopback either. */
async function namespaceWorks(python: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  const probe = await execText('unshare', ['--net', '--map-root-user', python, '-c', 'import socket; print(len(socket.if_nameindex()))']);
  // Only the loopback interface (down) exists in a fresh namespace.
  return probe.code === 0 && probe.stdout.trim() === '1';
}

export class PythonSandbox {
  /** The run's temp folder, created once (a promise: runs that start together share it). */
  private root: Promise<string> | undefined;
  private counter = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly concurrency: number;

  private constructor(
    readonly info: SandboxInfo,
    options: SandboxOptions,
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? Math.min(4, Math.max(1, availableParallelism() - 1))));
  }

  /** A sandbox, or the reason none can run (no Python 3 found). */
  static async create(options: SandboxOptions = {}): Promise<PythonSandbox | { unavailable: string }> {
    const found = await findPython(options.python);
    if (!found) {
      const what = options.python ?? 'python3';
      return { unavailable: `${what} was not found: install Python 3 (or pass --python PATH) to score pass@1; exact match is still scored.` };
    }
    const namespace = options.namespace !== false && (await namespaceWorks(found.python));
    return new PythonSandbox(
      { python: found.python, version: found.version, network: namespace ? 'namespace+guard' : 'guard', timeoutS: options.timeoutS ?? 3 },
      options,
    );
  }

  /** Runs `program` (candidate and tests); resolves when the process is gone and its folder removed. */
  async run(program: string, signal?: AbortSignal): Promise<RunResult> {
    await this.slot();
    try {
      signal?.throwIfAborted();
      this.root ??= mkdtemp(join(tmpdir(), 'tandem-eval-'));
      const dir = join(await this.root, `p${++this.counter}`);
      await mkdir(dir);
      try {
        await writeFile(join(dir, 'candidate.py'), program);
        return await this.spawnIn(dir, signal);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      this.release();
    }
  }

  /** Removes the run's temp folder. */
  async dispose(): Promise<void> {
    const root = await this.root?.catch(() => undefined);
    this.root = undefined;
    if (root) await rm(root, { recursive: true, force: true });
  }

  private spawnIn(dir: string, signal?: AbortSignal): Promise<RunResult> {
    const { python, timeoutS, network } = this.info;
    const args = ['-I', '-B', '-c', BOOTSTRAP, join(dir, 'candidate.py'), String(timeoutS)];
    const [command, argv] = network === 'namespace+guard' ? ['unshare', ['--net', '--map-root-user', python, ...args]] : [python, args];
    // A minimal environment: no proxies, keys or tokens of the caller reach the candidate.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: dir, TMPDIR: dir, LANG: 'C.UTF-8' };
    if (process.platform === 'win32') Object.assign(env, { SYSTEMROOT: process.env.SYSTEMROOT, TEMP: dir, TMP: dir });
    return new Promise<RunResult>((resolve) => {
      const child = spawn(command, argv, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], detached: process.platform !== 'win32', windowsHide: true });
      let stderr = '';
      let timedOut = false;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      const kill = () => {
        try {
          if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutS * 1000 + 1000);
      const onAbort = () => kill();
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (result: RunResult) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      child.once('error', (error) => done({ outcome: 'failed', error: `could not start ${command}: ${error.message}` }));
      child.once('close', (code, sig) => {
        if (timedOut || sig === 'SIGXCPU') return done({ outcome: 'timeout', error: `timed out after ${timeoutS} s` });
        if (code === 0) return done({ outcome: 'passed' });
        const last = stderr.trim().split(/\r?\n/).pop() ?? '';
        done({ outcome: 'failed', error: (last || (sig ? `killed by ${sig}` : `exit code ${code}`)).slice(0, 200) });
      });
    });
  }

  private async slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
