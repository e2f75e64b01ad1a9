// `npm run package [-- --target linux-x64] [--cuda] [--out out/]`: builds a platform-specific VSIX.
//
// The engine (dist/server.mjs) keeps node-llama-cpp external, so the VSIX must carry node-llama-cpp, its
// runtime dependencies and the binary packages of ONE platform. npm installs every platform's binaries
// (about 700 MB on linux-x64 alone), so the VSIX is built from a staging folder that holds only:
// the production build (dist/, no tests, no source maps), media/, package.json, README.md, LICENSE, and the
// node_modules closure of node-llama-cpp copied from this checkout (offline; the locked versions).
// `--cuda` adds the CUDA binaries (about 540 MB) for a side-loaded VSIX; see README "Packaging".
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryPackagesFor, hostTarget, isExcludedFromPackage, isVsceTarget, type VsceTarget } from './package-plan';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

interface Options {
  target: VsceTarget;
  cuda: boolean;
  outDir: string;
  skipBuild: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { target: hostTarget(), cuda: false, outDir: join(root, 'out'), skipBuild: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--target') {
      const value = argv[++i] ?? '';
      if (!isVsceTarget(value)) throw new Error(`Unknown --target "${value}". Use one of linux-x64, linux-arm64, linux-armhf, darwin-x64, darwin-arm64, win32-x64, win32-arm64.`);
      options.target = value;
    } else if (arg === '--cuda') options.cuda = true;
    else if (arg === '--out') options.outDir = resolve(argv[++i] ?? 'out');
    else if (arg === '--skip-build') options.skipBuild = true;
    else throw new Error(`Unknown argument "${arg}". Usage: npm run package -- [--target T] [--cuda] [--out DIR] [--skip-build]`);
  }
  return options;
}

/** Finds the folder of `name` as Node would resolve it from inside `fromDir` (nested node_modules first). */
function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir || !parent.startsWith(root)) return undefined;
    dir = parent;
  }
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** node-llama-cpp and everything it needs at run time for `binaries`, as folders under this checkout. */
function runtimeClosure(binaries: string[]): string[] {
  const start = findPackageDir('node-llama-cpp', root);
  if (!start) throw new Error('node_modules/node-llama-cpp is missing: run `npm ci` first.');
  const seen = new Set<string>();
  const queue: string[] = [start];
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = readPackageJson(dir);
    const isEngine = pkg.name === 'node-llama-cpp';
    const deps = Object.keys(pkg.dependencies ?? {});
    // node-llama-cpp lists every platform's binaries as optional: keep only this target's.
    const optional = Object.keys(pkg.optionalDependencies ?? {}).filter((name) => !isEngine || binaries.includes(name));
    for (const name of deps) {
      const found = findPackageDir(name, dir);
      if (!found) throw new Error(`${pkg.name} needs ${name}, which is not installed: run \`npm ci\`.`);
      queue.push(found);
    }
    for (const name of optional) {
      const found = findPackageDir(name, dir);
      if (found) queue.push(found);
      else if (isEngine) throw new Error(`${name} (the ${name.split('/')[1]} binaries) is not installed: run \`npm ci\`.`);
    }
  }
  return [...seen].sort();
}

function copyPackage(dir: string, staging: string): void {
  const rel = relative(root, dir);
  cpSync(dir, join(staging, rel), {
    recursive: true,
    filter: (source) => {
      const inner = relative(dir, source);
      // Nested node_modules are copied on their own when the closure needs them.
      if (inner.split(/[\\/]/).includes('node_modules')) return false;
      return !isExcludedFromPackage(inner);
    },
  });
}

function stage(options: Options, staging: string): { packages: number } {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(join(root, 'dist'), join(staging, 'dist'), {
    recursive: true,
    filter: (source) => {
      const inner = relative(join(root, 'dist'), source);
      return !inner.startsWith('test') && !source.endsWith('.map');
    },
  });
  if (existsSync(join(root, 'media'))) cpSync(join(root, 'media'), join(staging, 'media'), { recursive: true });
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (existsSync(join(root, file))) cpSync(join(root, file), join(staging, file));
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const engineVersion = readPackageJson(findPackageDir('node-llama-cpp', root) as string).version;
  // Everything else the engine and the extension use is bundled into dist/ by esbuild.
  manifest.dependencies = { 'node-llama-cpp': engineVersion };
  delete manifest.devDependencies;
  delete manifest.scripts;
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const binaries = binaryPackagesFor(options.target, options.cuda);
  const closure = runtimeClosure(binaries);
  for (const dir of closure) copyPackage(dir, staging);
  const allow = closure.map((dir) => `!${relative(root, dir).replaceAll('\\', '/')}/**`);
  const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
  writeFileSync(join(staging, '.vscodeignore'), `${ignore}\n# Runtime packages for ${options.target} (scripts/package.ts)\n${allow.join('\n')}\n`);
  return { packages: closure.length };
}

function vsixFiles(vsix: string): string[] {
  let listing: string;
  try {
    listing = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`Could not list ${vsix} to check its contents (is \`unzip\` installed?): ${(error as Error).message}`);
  }
  return listing.split('\n').filter((line) => line.length > 0);
}

/** Refuses a VSIX that carries tests, sources or another platform's binaries. */
function checkContents(files: string[], options: Options): void {
  const problems: string[] = [];
  const wanted = binaryPackagesFor(options.target, options.cuda);
  const shipped = new Set(files.map((f) => /^extension\/node_modules\/(@node-llama-cpp\/[^/]+)\//.exec(f)?.[1]).filter(Boolean));
  for (const name of shipped) if (!wanted.includes(name as string)) problems.push(`carries ${name}`);
  for (const name of wanted) if (!shipped.has(name)) problems.push(`lacks ${name}`);
  for (const must of ['extension/package.json', 'extension/dist/extension.cjs', 'extension/dist/server.mjs', 'extension/node_modules/node-llama-cpp/package.json']) {
    if (!files.includes(must)) problems.push(`lacks ${must}`);
  }
  for (const file of files) {
    if (/^extension\/(test|src|webview|scripts|bench|dist\/test)\//.test(file)) problems.push(`carries ${file}`);
    if (/^extension\/[^/]+\.ts$/.test(file) || file.endsWith('.map')) problems.push(`carries ${file}`);
  }
  if (problems.length > 0) throw new Error(`The VSIX is wrong:\n  ${problems.slice(0, 20).join('\n  ')}`);
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (!options.skipBuild) execFileSync(process.execPath, [join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
  const staging = join(root, '.cache', 'package', `${options.target}${options.cuda ? '-cuda' : ''}`);
  const { packages } = stage(options, staging);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  mkdirSync(options.outDir, { recursive: true });
  const vsix = join(options.outDir, `${manifest.name}-${options.target}${options.cuda ? '-cuda' : ''}-${manifest.version}.vsix`);
  rmSync(vsix, { force: true });
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  execFileSync(
    process.execPath,
    [vsce, 'package', '--target', options.target, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', vsix],
    { cwd: staging, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const files = vsixFiles(vsix);
  checkContents(files, options);
  const mb = (statSync(vsix).size / 1024 / 1024).toFixed(1);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`VSIX: ${relative(root, vsix)} — ${mb} MB, ${files.length} files, ${packages} runtime packages, target ${options.target}${options.cuda ? ' + CUDA' : ''} (${seconds} s)`);
}

main();
