// A throwaway copy of the sample workspace (test/fixtures/workspace) with Tandem settings for a run, so
// tests may change files freely and every run starts from the same state.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './server';

export const sampleWorkspace = join(repoRoot, 'test', 'fixtures', 'workspace');
export const fixtureModel = join(repoRoot, 'test', 'fixtures', 'generated', 'tiny.gguf');

/** Settings that point Tandem at the fixture model on the CPU (the machines running tests have no GPU). */
export function fixtureModelSettings(model = fixtureModel): Record<string, unknown> {
  return {
    'tandem.model.completion': model,
    'tandem.model.chat': model,
    'tandem.model.gpu': 'cpu',
  };
}

/** A fresh temp folder holding `workspace/` (a copy of the sample) and room for VS Code's state. */
export function makeRunDir(prefix: string, workspaceSettings: Record<string, unknown>): { base: string; workspace: string } {
  const base = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const workspace = join(base, 'workspace');
  cpSync(sampleWorkspace, workspace, { recursive: true });
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify(workspaceSettings, null, 2)}\n`);
  return { base, workspace };
}
