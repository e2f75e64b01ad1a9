// What the editor sees for a benchmark problem, the program a completion makes, exact match, and the scores.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Problem } from '../../src/eval/dataset.js';
import { evalDocument, exactMatch, oracleCompletion, programFor, scoreSet } from '../../src/eval/score.js';
import type { EvalProblemResult } from '../../src/shared/protocol.js';

const P: Problem = {
  taskId: 'SingleLineInfilling/HumanEval/9/L1',
  entryPoint: 'double',
  prompt: 'def double(x):\n    """Twice x."""\n',
  suffix: '    return y\n',
  canonical: '    y = x * 2\n',
  test: '\n\ndef check(candidate):\n    assert candidate(2) == 4\n',
};

function result(partial: Partial<EvalProblemResult>): EvalProblemResult {
  return { taskId: 't', set: 'single-line', completion: 'x', exact: false, outcome: 'failed', latencyMs: 0, generatedTokens: 0, ...partial };
}

void describe('eval scoring', () => {
  void it('shows the gap as an empty line with the cursor at column 0 between the code before and after', () => {
    const doc = evalDocument(P);
    assert.equal(doc.text, 'def double(x):\n    """Twice x."""\n\n    return y\n');
    assert.deepEqual([doc.line, doc.character], [2, 0]);
    assert.equal(doc.text.split('\n')[doc.line], '');
  });

  void it('fills the gap with the canonical solution to give back the reference program', () => {
    assert.equal(programFor(P, oracleCompletion(P)), `${P.prompt}${P.canonical}${P.suffix}\n${P.test}\ncheck(double)\n`);
    assert.equal(programFor(P, null), `${P.prompt}\n${P.suffix}\n${P.test}\ncheck(double)\n`, 'no suggestion leaves the line empty');
  });

  void it('counts an exact match up to trailing whitespace and blank lines around it, never an empty completion', () => {
    assert.equal(exactMatch('    y = x * 2', P), true);
    assert.equal(exactMatch('\n    y = x * 2  \n\n', P), true);
    assert.equal(exactMatch('y = x * 2', P), false, 'indentation matters in Python');
    assert.equal(exactMatch('    y = 2 * x', P), false);
    assert.equal(exactMatch(null, P), false);
    assert.equal(exactMatch('', { ...P, canonical: '\n' }), false);
  });

  void it('scores shares, nearest-rank latency percentiles and decode speed without the first token', () => {
    const results = [
      result({ exact: true, outcome: 'passed', latencyMs: 100 }),
      result({ outcome: 'passed', latencyMs: 200 }),
      result({ outcome: 'timeout', latencyMs: 300 }),
      result({ completion: null, latencyMs: 1000 }),
    ];
    const s = scoreSet('single-line', 1033, results, [{ decodeMs: 100, generatedTokens: 11 }, { decodeMs: 100, generatedTokens: 11 }, { generatedTokens: 1 }], 0.5, true);
    assert.deepEqual(
      { problems: s.problems, of: s.of, exact: s.exactMatch, pass: s.passAt1, none: s.noSuggestion, timedOut: s.timedOut, latency: s.latencyMs, speed: s.tokensPerS },
      { problems: 4, of: 1033, exact: 0.25, pass: 0.5, none: 0.25, timedOut: 1, latency: { p50: 200, p95: 1000 }, speed: 100 },
    );
    assert.equal(scoreSet('multi-line', 1, results, [], 0, false).passAt1, null, 'no Python: pass@1 is not a zero');
    assert.equal(scoreSet('multi-line', 1, results, [], 0, true).tokensPerS, null);
  });
});
