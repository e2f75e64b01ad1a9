// One glob matcher (src/shared/glob.ts): the extension's completion gate, the engine's completion skip and the
// privacy globs must read a pattern the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchingExclude } from '../../src/client/completion-gate.js';
import { skipReason } from '../../src/server/completion/skip.js';
import { globMatcher } from '../../src/shared/glob.js';

const CASES: { pattern: string; relativePath?: string; absolutePath?: string; matches: boolean }[] = [
  { pattern: '*.md', relativePath: 'README.md', absolutePath: '/w/README.md', matches: true },
  { pattern: '*.md', relativePath: 'docs/deep/guide.md', absolutePath: '/w/docs/deep/guide.md', matches: true },
  { pattern: '*.md', relativePath: 'docs/guide.mdx', absolutePath: '/w/docs/guide.mdx', matches: false },
  { pattern: '**/*.min.js', relativePath: 'dist/app.min.js', absolutePath: '/w/dist/app.min.js', matches: true },
  { pattern: 'generated/**', relativePath: 'generated/x.ts', absolutePath: '/w/generated/x.ts', matches: true },
  { pattern: 'generated/**', relativePath: 'src/generated/x.ts', absolutePath: '/w/src/generated/x.ts', matches: false },
  { pattern: 'generated/', relativePath: 'generated/deep/x.ts', absolutePath: '/w/generated/deep/x.ts', matches: true },
  { pattern: './src/**', relativePath: 'src/a.ts', absolutePath: '/w/src/a.ts', matches: true },
  { pattern: '**/.env*', relativePath: 'config/.env.local', absolutePath: '/w/config/.env.local', matches: true },
  { pattern: '/home/me/notes/**', absolutePath: '/home/me/notes/a.ts', matches: true },
  { pattern: 'src/**', relativePath: 'src\\win\\a.ts', matches: true },
  { pattern: '**', matches: false },
];

void test('the extension and the engine agree on every exclude pattern (*.md is a file name in any folder)', () => {
  for (const c of CASES) {
    const extension = matchingExclude([c.pattern], c.relativePath, c.absolutePath) !== undefined;
    const engine =
      skipReason({ enabled: true, maxFileBytes: 1e6, exclude: [c.pattern], relativePath: c.relativePath, absolutePath: c.absolutePath, text: 'x', cursorLine: 'x' }) === 'excluded';
    assert.equal(extension, c.matches, `extension: ${c.pattern} on ${c.relativePath ?? c.absolutePath}`);
    assert.equal(engine, c.matches, `engine: ${c.pattern} on ${c.relativePath ?? c.absolutePath}`);
  }
});

void test('privacy globs use the same rules, without regard to case', () => {
  const privacy = globMatcher(['*.md', 'secrets/', '**/.env'], { nocase: true });
  assert.equal(privacy(['docs/README.MD']), '*.md');
  assert.equal(privacy(['secrets/Prod/db.json']), 'secrets/');
  assert.equal(privacy(['/home/u/app/.ENV']), '**/.env');
  assert.equal(globMatcher(['*.md'])(['docs/README.MD']), undefined, 'completion globs keep their case');
});
