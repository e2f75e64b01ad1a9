// Pure packaging rules: which VS Code target this machine is, which node-llama-cpp binary packages a target
// needs, which files inside a runtime package never ship. No I/O, so unit-testable.

export const VSCE_TARGETS = ['linux-x64', 'linux-arm64', 'linux-armhf', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'] as const;
export type VsceTarget = (typeof VSCE_TARGETS)[number];

export function isVsceTarget(value: string): value is VsceTarget {
  return (VSCE_TARGETS as readonly string[]).includes(value);
}

export function hostTarget(platform: string = process.platform, arch: string = process.arch): VsceTarget {
  const target = `${platform}-${arch === 'arm' ? 'armhf' : arch}`;
  if (!isVsceTarget(target)) throw new Error(`No VSIX target for ${platform}-${arch}; pass --target.`);
  return target;
}

/**
 * node-llama-cpp's prebuilt binaries for a target. CPU and Vulkan ship in the platform VSIX (Vulkan also
 * drives NVIDIA and AMD GPUs); CUDA (about 540 MB on linux-x64) only with `--cuda`, as a separate VSIX.
 */
export function binaryPackagesFor(target: VsceTarget, cuda: boolean): string[] {
  const p = (name: string): string => `@node-llama-cpp/${name}`;
  switch (target) {
    case 'linux-x64':
      return [p('linux-x64'), p('linux-x64-vulkan'), ...(cuda ? [p('linux-x64-cuda'), p('linux-x64-cuda-ext')] : [])];
    case 'linux-arm64':
      return [p('linux-arm64')];
    case 'linux-armhf':
      return [p('linux-armv7l')];
    case 'darwin-x64':
      return [p('mac-x64')];
    case 'darwin-arm64':
      return [p('mac-arm64-metal')];
    case 'win32-x64':
      return [p('win-x64'), p('win-x64-vulkan'), ...(cuda ? [p('win-x64-cuda'), p('win-x64-cuda-ext')] : [])];
    case 'win32-arm64':
      return [p('win-arm64')];
  }
}

/**
 * Files inside a runtime package (path relative to the package folder) that are not needed at run time:
 * source maps, type declarations, docs, and node-llama-cpp's llama.cpp source bundle (34 MB, used only to
 * build from source, which a VSIX never does).
 */
export function isExcludedFromPackage(inner: string): boolean {
  const path = inner.replaceAll('\\', '/');
  if (path === '') return false;
  if (path.endsWith('.map') || path.endsWith('.d.ts') || path.endsWith('.d.mts') || path.endsWith('.d.cts')) return true;
  if (/(^|\/)(README|CHANGELOG|HISTORY)(\.[a-z]+)?$/i.test(path)) return true;
  if (path === 'llama/gitRelease.bundle') return true;
  return false;
}
