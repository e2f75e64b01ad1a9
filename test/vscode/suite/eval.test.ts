// "Tandem: Evaluate Local Model" in the extension host: it runs the benchmark through its own evaluation
// engine on the fixture model, saves the report card in the data dir, and the running engine serves it to
// the routing panel (tandem/evalReports).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TandemApi } from '../../../src/ctx';
import { sharedEvalData } from '../../support/eval-data';
import { tandem } from './helpers';

export function registerEvalTests(): void {
  suite('Report card', () => {
    test('Evaluate Local Model scores the local model and the routing panel\'s engine serves the card', async () => {
      const api = (await tandem().activate()) as TandemApi;
      assert.ok(await api.whenEngineRunning(60_000), 'the Tandem engine did not start within 60 s');
      const data = sharedEvalData(tandem().extensionPath);
      assert.ok(data, 'the HumanEval-Infilling files are beside the repository');
      const before = Date.now();
      await vscode.commands.executeCommand('tandem.evaluateLocalModel', { limit: 2, sets: ['single-line'], data });
      const cards = await api.engine.evalReports();
      const card = cards.find((c) => c.side === 'local' && c.model === 'tiny');
      assert.ok(card, `no report card for the fixture model among ${JSON.stringify(cards.map((c) => c.model))}`);
      assert.ok(Date.parse(card.time) >= before - 1000, 'the card is from this run');
      assert.deepEqual(card.sets.map((s) => [s.set, s.problems, s.exactMatch]), [['single-line', 2, 0]]);
      assert.equal(card.results, undefined, 'the panel gets the scores, not every completion');
    });
  });
}
