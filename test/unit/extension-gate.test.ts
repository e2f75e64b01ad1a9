// Which documents get inline completions; the middleware and the status bar both use this.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionBlock, formatBytes, matchingExclude } from '../../src/client/completion-gate.js';

const open = { enabled: true, exclude: [] as string[], maxFileBytes: 1_000_000, sizeBytes: 100 };

void test('an ordinary file may get completions', () => {
  assert.equal(completionBlock({ ...open, relativePath: 'src/a.ts', absolutePath: '/w/src/a.ts' }), undefined);
});

void test('disabled blocks everything, before any glob is looked at', () => {
  assert.equal(completionBlock({ ...open, enabled: false, exclude: ['**'] })?.reason, 'disabled');
});

void test('exclude globs: workspace-relative paths, basename patterns, dotfiles, absolute paths', () => {
  assert.equal(matchingExclude(['**/*.min.js'], 'dist/app.min.js'), '**/*.min.js');
  assert.equal(matchingExclude(['*.md'], 'docs/deep/README.md'), '*.md');
  assert.equal(matchingExclude(['**/.env*'], 'config/.env.local'), '**/.env*');
  assert.equal(matchingExclude(['generated/**'], 'src/generated/x.ts'), undefined);
  assert.equal(matchingExclude(['generated/**'], 'generated/x.ts'), 'generated/**');
  assert.equal(matchingExclude(['/home/me/secret/**'], undefined, '/home/me/secret/a.ts'), '/home/me/secret/**');
  assert.equal(matchingExclude(['src/**'], 'src\\win\\a.ts'), 'src/**');
  // Untitled documents have no path: nothing matches.
  assert.equal(matchingExclude(['**'], undefined, undefined), undefined);
  // Blank or non-string entries in a hand-edited settings.json are skipped, not fatal.
  assert.equal(matchingExclude(['', '  ', 3 as unknown as string, '*.ts'], 'a.ts'), '*.ts');
  const block = completionBlock({ ...open, exclude: ['*.md'], relativePath: 'README.md' });
  assert.equal(block?.reason, 'excluded');
});

void test('files over maxFileBytes are blocked with both sizes in the message', () => {
  const block = completionBlock({ ...open, sizeBytes: 2_500_000, relativePath: 'big.json' });
  assert.equal(block?.reason, 'too-large');
  assert.match(block?.detail ?? '', /2\.5 MB, over `tandem\.completions\.maxFileBytes` \(1\.0 MB\)/);
  assert.equal(completionBlock({ ...open, sizeBytes: 1_000_000 }), undefined);
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(4_200), '4 KB');
  assert.equal(formatBytes(3.4e9), '3.4 GB');
});
