// One build script, three kinds of output: the extension (node, cjs), the engine (node, esm,
// node-llama-cpp external) and the webviews (browser, iife). Flags: --watch, --production.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { server: 'src/server/server.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // node-llama-cpp checks its own file layout and forks itself: it must stay a real package.
    external: ['node-llama-cpp'],
    // Bundled CommonJS dependencies may call require() at run time.
    banner: { js: "import { createRequire as __tandemCreateRequire } from 'node:module'; const require = __tandemCreateRequire(import.meta.url);" },
  },
  {
    ...common,
    entryPoints: { chat: 'webview/chat/main.ts', panel: 'webview/panel/main.ts', compare: 'webview/compare/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

// Test suite for the VS Code extension host (mocha, cjs), built only when present.
if (existsSync('test/vscode/suite/index.ts')) {
  builds.push({
    ...common,
    sourcemap: true,
    minify: false,
    entryPoints: { index: 'test/vscode/suite/index.ts' },
    outdir: 'dist/test/vscode',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
  });
}

function copyAssets() {
  mkdirSync('dist/webview', { recursive: true });
  const codicons = 'node_modules/@vscode/codicons/dist';
  if (existsSync(codicons)) {
    cpSync(`${codicons}/codicon.css`, 'dist/webview/codicon.css');
    cpSync(`${codicons}/codicon.ttf`, 'dist/webview/codicon.ttf');
  }
}

if (watch) {
  copyAssets();
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  copyAssets();
}
