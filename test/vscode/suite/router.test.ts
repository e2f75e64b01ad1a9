// The router as the extension reaches it (extension host → engine process): explanations stay local, and a
// local-only file is refused the cloud even when the user asks for Claude. Dry runs: nothing is sent.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TandemApi } from '../../../src/ctx';
import { tandem, workspaceFile } from './helpers';

async function api(): Promise<TandemApi> {
  const exported = (await tandem().activate()) as TandemApi;
  assert.ok(await exported.whenEngineRunning(60_000), 'the Tandem engine did not start within 60 s');
  return exported;
}

export function registerRouterTests(): void {
  suite('Routing', () => {
    test('Explain on a workspace file stays on the local model', async () => {
      const { engine } = await api();
      const decision = await engine.route({
        kind: 'explain',
        prompt: 'Explain this function.',
        files: [{ uri: workspaceFile('src/pricing.ts').toString(), range: { startLine: 9, endLine: 16 } }],
      });
      assert.equal(decision.route, 'local', `explain went ${decision.route}: ${decision.reasons.map((r) => r.text).join('; ')}`);
      assert.ok(decision.reasons.length > 0, 'the decision gives no reason');
    });

    test('a .env file never goes to the cloud, even when the user asks for Claude', async () => {
      const { engine } = await api();
      const env = workspaceFile('.env');
      await vscode.workspace.fs.writeFile(env, new TextEncoder().encode('DATABASE_URL=postgres://app:hunter2@db.internal/app\n'));
      try {
        const decision = await engine.route({ kind: 'refactor', prompt: 'Rename DATABASE_URL to DB_URL', prefer: 'cloud', files: [{ uri: env.toString() }] });
        assert.notEqual(decision.route, 'cloud', `a .env file was routed to ${decision.model}`);
        assert.equal(decision.blockedBy, 'local-only-file', `blocked by ${decision.blockedBy ?? 'nothing'}: ${decision.reasons.map((r) => r.text).join('; ')}`);
      } finally {
        await vscode.workspace.fs.delete(env);
      }
    });
  });
}
