// scripts/build-llama-server.sh: the binary is cached outside the checkout, keyed by the llama.cpp tag that
// node-llama-cpp ships, and a machine that cannot build it says so (npm test then fails; it never skips).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'build-llama-server.sh');
const TAG = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node-llama-cpp', 'llama', 'llama.cpp.info.json'), 'utf8')) as { tag: string }).tag;

void test('the binary lives outside the checkout, under the llama.cpp tag', () => {
  const cache = mkdtempSync(join(tmpdir(), 'tandem-llama-cache-'));
  const run = spawnSync('bash', [SCRIPT, '--path'], { encoding: 'utf8', env: { ...process.env, TANDEM_LLAMA_SERVER_CACHE: cache } });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), join(cache, TAG, 'llama-server'));
  const home = spawnSync('bash', [SCRIPT, '--path'], { encoding: 'utf8', env: { ...process.env, TANDEM_LLAMA_SERVER_CACHE: '', XDG_CACHE_HOME: '/x/cache' } });
  assert.equal(home.stdout.trim(), `/x/cache/tandem/llama-server/${TAG}/llama-server`);
  assert.ok(!home.stdout.startsWith(ROOT));
});

void test('without the tools to build it, the script fails and says what to install', () => {
  // A PATH with node and dirname only: no git, cmake or compiler.
  const bin = mkdtempSync(join(tmpdir(), 'tandem-bin-'));
  for (const tool of [process.execPath, '/usr/bin/dirname']) symlinkSync(tool, join(bin, tool.split('/').pop()!));
  const cache = mkdtempSync(join(tmpdir(), 'tandem-llama-cache-'));
  const run = spawnSync('/bin/bash', [SCRIPT], { encoding: 'utf8', env: { PATH: bin, HOME: tmpdir(), TANDEM_LLAMA_SERVER_CACHE: cache } });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /llama-server: FAILED: git is not installed \(bash scripts\/install-system-deps\.sh installs git, cmake and g\+\+ on Debian\)/);
  assert.equal(run.stdout, '', 'no path is printed for a binary that does not exist');
});
