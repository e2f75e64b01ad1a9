// The Python sandbox that runs each candidate's tests: a separate process with a time limit, no network (a
// network namespace where Linux allows it, plus a guard in the process), none of the caller's environment,
// and a temp folder that is gone afterwards.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { PythonSandbox, type SandboxOptions } from '../../src/eval/python.js';

async function sandbox(options: SandboxOptions = {}): Promise<PythonSandbox> {
  const s = await PythonSandbox.create({ timeoutS: 1, ...options });
  assert.ok(!('unavailable' in s), 'python3 runs the tests (scripts/install-system-deps.sh installs it)');
  return s;
}

void describe('python sandbox', () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  before(async () => {
    server = createServer((socket) => {
      connections++;
      socket.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  void it('passes a program whose tests pass and names the error of one whose tests fail', async () => {
    const s = await sandbox();
    assert.deepEqual(await s.run('def f(x):\n    return x + 1\nassert f(1) == 2\n'), { outcome: 'passed' });
    assert.deepEqual(await s.run('def f(x):\n    return x\nassert f(1) == 2\n'), { outcome: 'failed', error: 'AssertionError' });
    assert.deepEqual(await s.run('def f(:\n'), { outcome: 'failed', error: 'SyntaxError: invalid syntax' });
    if (process.platform === 'linux') assert.deepEqual(await s.run('x = bytearray(2 << 30)\n'), { outcome: 'failed', error: 'MemoryError' }, '1 GiB of memory at most');
    await s.dispose();
  });

  void it('stops a program that runs past the limit, sleeping or spinning', async () => {
    const folders = readdirSync(tmpdir()).filter((n) => n.startsWith('tandem-eval-'));
    const s = await sandbox({ concurrency: 2 });
    const started = performance.now();
    const [sleeping, spinning] = await Promise.all([s.run('import time\ntime.sleep(30)\n'), s.run('while True:\n    pass\n')]);
    assert.equal(sleeping.outcome, 'timeout');
    assert.equal(spinning.outcome, 'timeout');
    assert.ok(performance.now() - started < 8000, 'killed within the limit and its grace second');
    await s.dispose();
    assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith('tandem-eval-')), folders, 'programs started together leave no temp folder');
  });

  void it('gives the candidate no network: the guard refuses sockets, and the namespace holds when the guard is bypassed', async () => {
    const connect = `import socket\nsocket.create_connection(('127.0.0.1', ${port}), timeout=1)\n`;
    // Re-importing the C module undoes the guard's patch: only the network namespace stops this one.
    const bypass = `import sys\ndel sys.modules['_socket']\nimport _socket\ns = _socket.socket()\ns.settimeout(1)\ns.connect(('127.0.0.1', ${port}))\n`;
    const guardOnly = await sandbox({ namespace: false });
    assert.equal(guardOnly.info.network, 'guard');
    const refused = await guardOnly.run(connect);
    assert.equal(refused.outcome, 'failed');
    assert.match(refused.error ?? '', /PermissionError: disabled in the Tandem evaluation sandbox/);
    await guardOnly.dispose();

    const s = await sandbox();
    if (process.platform === 'linux') assert.equal(s.info.network, 'namespace+guard', 'unshare --net works on this Linux machine');
    if (s.info.network === 'namespace+guard') {
      const isolated = await s.run(bypass);
      assert.equal(isolated.outcome, 'failed');
      assert.match(isolated.error ?? '', /Network is unreachable|Connection refused/);
    }
    assert.equal(connections, 0, 'nothing reached the server on 127.0.0.1');
    await s.dispose();
  });

  void it('passes none of the caller\'s environment and removes the candidate\'s folder', async () => {
    process.env.TANDEM_EVAL_TEST_SECRET = 'sk-ant-should-not-leak';
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('tandem-eval-'));
    const s = await sandbox();
    try {
      const r = await s.run(
        "import os\nassert 'TANDEM_EVAL_TEST_SECRET' not in os.environ, 'leaked'\nopen('left-behind.txt', 'w').write('x')\nassert os.path.exists('left-behind.txt')\n",
      );
      assert.deepEqual(r, { outcome: 'passed' });
      const destructive = await s.run("import shutil\nshutil.rmtree('/tmp/anything')\n");
      assert.match(destructive.error ?? '', /PermissionError/);
    } finally {
      delete process.env.TANDEM_EVAL_TEST_SECRET;
      await s.dispose();
    }
    assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith('tandem-eval-')), before, 'no temp folder left');
  });

  void it('says what to do when there is no Python 3', async () => {
    const s = await PythonSandbox.create({ python: '/nonexistent/python3' });
    assert.ok('unavailable' in s);
    assert.match(s.unavailable, /\/nonexistent\/python3 was not found: install Python 3 \(or pass --python PATH\)/);
  });
});
