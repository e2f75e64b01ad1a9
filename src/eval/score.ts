// What the editor shows for a benchmark problem, the program a completion makes, and the scores. Pure.
//
// The gap of a HumanEval-Infilling problem is one or more whole lines. In the editor that is an empty line
// with the cursor at column 0 between the code before and the code after: the model writes the line(s),
// indentation included, as it would for a user who opened a new line. Filling the gap with the canonical
// solution gives back exactly the reference program (prompt + canonical + suffix).
import { percentile } from '../shared/percentile';
import type { EvalProblemResult, EvalSetName, EvalSetScore } from '../shared/protocol';
import type { Problem } from './dataset';

export interface EvalDocument {
  text: string;
  /** The cursor: the empty line of the gap, column 0. */
  line: number;
  character: 0;
}

export function evalDocument(p: Problem): EvalDocument {
  let line = 0;
  for (let i = p.prompt.indexOf('\n'); i !== -1; i = p.prompt.indexOf('\n', i + 1)) line++;
  return { text: `${p.prompt}\n${p.suffix}`, line, character: 0 };
}

/** The gap's text as the editor inserts it: no trailing line break (the empty line already ends). */
export function oracleCompletion(p: Problem): string {
  return p.canonical.replace(/\r?\n$/, '');
}

/** The document with the completion inserted, then the tests and the call that runs them (as the reference
 * harness builds it). No completion leaves the line empty. */
export function programFor(p: Problem, completion: string | null): string {
  return `${p.prompt}${completion ?? ''}\n${p.suffix}\n${p.test}\ncheck(${p.entryPoint})\n`;
}

/** Lines without trailing whitespace, without blank lines at either end. */
function normalized(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd());
  while (lines.length && !lines[0]) lines.shift();
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  return lines.join('\n');
}

/** The completion is the canonical text, up to trailing whitespace and blank lines around it. */
export function exactMatch(completion: string | null, p: Problem): boolean {
  return completion !== null && normalized(completion) !== '' && normalized(completion) === normalized(p.canonical);
}

export interface Timing {
  /** Decode time and generated tokens as the engine measured them (absent for the oracle). */
  decodeMs?: number;
  generatedTokens?: number;
}

/** A set's scores from its problems' results. `timings` feed tokens per second. */
export function scoreSet(set: EvalSetName, of: number, results: EvalProblemResult[], timings: Timing[], costUsd: number, pythonRan: boolean): EvalSetScore {
  const n = results.length;
  const share = (k: number) => (n ? round(k / n, 4) : 0);
  let tokens = 0;
  let ms = 0;
  for (const t of timings) {
    // The first token's time is prompt processing, not decoding: tokens after it over the decode time.
    if (t.decodeMs && t.generatedTokens && t.generatedTokens > 1) {
      tokens += t.generatedTokens - 1;
      ms += t.decodeMs;
    }
  }
  const latencies = results.map((r) => r.latencyMs);
  return {
    set,
    problems: n,
    of,
    exactMatch: share(results.filter((r) => r.exact).length),
    passAt1: pythonRan ? share(results.filter((r) => r.outcome === 'passed').length) : null,
    noSuggestion: share(results.filter((r) => !r.completion).length),
    timedOut: results.filter((r) => r.outcome === 'timeout').length,
    latencyMs: { p50: round(percentile(latencies, 50), 1), p95: round(percentile(latencies, 95), 1) },
    tokensPerS: ms > 0 ? round((tokens / ms) * 1000, 1) : null,
    costUsd: round(costUsd, 6),
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
