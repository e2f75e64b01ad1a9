// Which node-llama-cpp binaries each VSIX target carries, and which runtime files never ship.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryPackagesFor, hostTarget, isExcludedFromPackage, VSCE_TARGETS } from '../../scripts/package-plan';

void test('linux-x64 ships the CPU and Vulkan binaries, CUDA only when asked', () => {
  assert.deepEqual(binaryPackagesFor('linux-x64', false), ['@node-llama-cpp/linux-x64', '@node-llama-cpp/linux-x64-vulkan']);
  assert.deepEqual(binaryPackagesFor('linux-x64', true).slice(2), ['@node-llama-cpp/linux-x64-cuda', '@node-llama-cpp/linux-x64-cuda-ext']);
});

void test('every target ships binaries of its own platform only', () => {
  const platformOf: Record<string, string> = { linux: 'linux', darwin: 'mac', win32: 'win' };
  for (const target of VSCE_TARGETS) {
    const packages = binaryPackagesFor(target, true);
    assert.ok(packages.length > 0, target);
    for (const name of packages) assert.ok(name.startsWith(`@node-llama-cpp/${platformOf[target.split('-')[0]]}-`), `${target} carries ${name}`);
  }
});

void test('the host target names platform and architecture the way vsce does', () => {
  assert.equal(hostTarget('linux', 'x64'), 'linux-x64');
  assert.equal(hostTarget('linux', 'arm'), 'linux-armhf');
  assert.equal(hostTarget('win32', 'arm64'), 'win32-arm64');
  assert.throws(() => hostTarget('freebsd', 'x64'), /No VSIX target for freebsd-x64/);
});

void test('source maps, type declarations, docs and the llama.cpp source bundle stay out', () => {
  for (const path of ['dist/index.js.map', 'dist/index.d.ts', 'README.md', 'docs/CHANGELOG.md', 'llama/gitRelease.bundle']) {
    assert.equal(isExcludedFromPackage(path), true, path);
  }
  for (const path of ['dist/index.js', 'package.json', 'LICENSE', 'llama/llama.cpp.info.json', 'bins/linux-x64/libllama.so', 'readme-parser.js']) {
    assert.equal(isExcludedFromPackage(path), false, path);
  }
});
