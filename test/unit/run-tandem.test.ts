// `npm run tandem`: the sample workspace lives outside this repository, keeps the user's edits, and `--reset`
// puts it back as it ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { defaultWorkspace, enclosingRepository, parseArgs, prepareWorkspace } from '../../scripts/sample-workspace.js';
import { repoRoot } from '../../scripts/vscode-offline/server.js';
import { sampleWorkspace } from '../../scripts/vscode-offline/workspace.js';

void test('the default sample workspace is in the user cache folder, outside the Tandem repository', () => {
  const where = parseArgs([], { HOME: '/home/dev' }).workspace;
  assert.equal(defaultWorkspace({ XDG_CACHE_HOME: '/var/cache/dev' }), '/var/cache/dev/tandem/sample-workspace');
  assert.ok(relative(repoRoot, where).startsWith('..'), `${where} is inside ${repoRoot}`);
  assert.equal(enclosingRepository(join(repoRoot, 'src', 'server')), repoRoot);
});

void test('flags: --reset, --fixture, --port, --workspace; anything else says how to call it', () => {
  const o = parseArgs(['--reset', '--fixture', '--port', '4000', '--workspace', '/tmp/ws']);
  assert.deepEqual({ reset: o.reset, fixture: o.fixture, port: o.port, workspace: o.workspace }, { reset: true, fixture: true, port: 4000, workspace: '/tmp/ws' });
  assert.throws(() => parseArgs(['--rest']), /Unknown argument "--rest"\. Usage: npm run tandem -- \[--fixture\] \[--browser\] \[--reset\]/);
  assert.throws(() => parseArgs(['--port', 'x']), /--port needs a number/);
});

void test('the workspace keeps the last run\'s edits; --reset brings back the sample as it ships', () => {
  const workspace = join(mkdtempSync(join(tmpdir(), 'tandem-sample-')), 'sample-workspace');
  assert.deepEqual(prepareWorkspace({ workspace, fixture: true, reset: false }), []);
  const pricing = join(workspace, 'src', 'pricing.ts');
  const shipped = readFileSync(join(sampleWorkspace, 'src', 'pricing.ts'), 'utf8');
  assert.equal(readFileSync(pricing, 'utf8'), shipped);
  assert.match(readFileSync(join(workspace, '.vscode', 'settings.json'), 'utf8'), /tandem\.model\.completion/);
  writeFileSync(pricing, 'export const edited = true;\n');
  writeFileSync(join(workspace, 'notes.txt'), 'mine');
  prepareWorkspace({ workspace, fixture: false, reset: false });
  assert.equal(readFileSync(pricing, 'utf8'), 'export const edited = true;\n', 'a run without --reset keeps the edits');
  const notes = prepareWorkspace({ workspace, fixture: false, reset: true });
  assert.match(notes.join('\n'), /Reset .* to the sample as it ships/);
  assert.equal(readFileSync(pricing, 'utf8'), shipped);
  assert.equal(existsSync(join(workspace, 'notes.txt')), false);
  assert.doesNotMatch(readFileSync(join(workspace, '.vscode', 'settings.json'), 'utf8'), /tandem\.model/);
});

void test('a workspace chosen inside a git repository is named as such', () => {
  const repo = mkdtempSync(join(tmpdir(), 'tandem-repo-'));
  mkdirSync(join(repo, '.git'));
  const notes = prepareWorkspace({ workspace: join(repo, 'play'), fixture: false, reset: false });
  assert.match(notes.join('\n'), /is inside the git repository .*: VS Code will show that repository's changes/);
});
