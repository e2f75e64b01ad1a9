// The evaluation loop: each problem's completion comes from a Completer (the engine's own inline completion
// path, Claude through the engine's egress gate, or the canonical solution), and is scored by exact match
// and by running its tests in the Python sandbox while the next completion is generated.
import { cpus, totalmem } from 'node:os';
import type { EvalProblemResult, EvalReport, EvalSetName } from '../shared/protocol';
import type { Problem } from './dataset';
import type { PythonSandbox } from './python';
import { exactMatch, oracleCompletion, programFor, scoreSet, type Timing } from './score';

export interface Completion {
  /** The inserted text; null when there was no suggestion. */
  text: string | null;
  latencyMs: number;
  generatedTokens: number;
  decodeMs?: number;
  costUsd?: number;
}

export interface Completer {
  readonly model: string;
  readonly side: EvalReport['side'];
  /** Where the model runs: "cpu", "cuda", "cloud", ... */
  readonly device: string;
  /** Before a set's problems (the engine switches to single- or multi-line suggestions). */
  beginSet?(set: EvalSetName): Promise<void>;
  complete(problem: Problem, set: EvalSetName, signal: AbortSignal): Promise<Completion>;
}

export interface EvalSetInput {
  set: EvalSetName;
  /** The problems to score (a stable subset) and how many the set has. */
  problems: Problem[];
  of: number;
}

export interface EvalProgress {
  set: EvalSetName;
  /** Problems scored so far in this set, and of how many. */
  done: number;
  total: number;
  passed: number;
  exact: number;
}

export interface RunOptions {
  sets: EvalSetInput[];
  completer: Completer;
  /** Runs the tests; undefined: pass@1 is not scored (no Python 3). */
  sandbox: PythonSandbox | undefined;
  signal: AbortSignal;
  limit: number | null;
  settings: EvalReport['settings'];
  onProgress?(progress: EvalProgress): void;
}

/** Completes and scores every problem; rejects with the signal's reason when cancelled. */
export async function runEvaluation(options: RunOptions): Promise<EvalReport> {
  const { completer, sandbox, signal } = options;
  const started = performance.now();
  const scores: EvalReport['sets'] = [];
  const all: EvalProblemResult[] = [];
  for (const input of options.sets) {
    signal.throwIfAborted();
    await completer.beginSet?.(input.set);
    const results: EvalProblemResult[] = [];
    const timings: Timing[] = [];
    const scoring: Promise<void>[] = [];
    let cost = 0;
    const progress = { set: input.set, done: 0, total: input.problems.length, passed: 0, exact: 0 };
    options.onProgress?.({ ...progress });
    try {
      for (const problem of input.problems) {
        signal.throwIfAborted();
        const c = await completer.complete(problem, input.set, signal);
        cost += c.costUsd ?? 0;
        timings.push({ decodeMs: c.decodeMs, generatedTokens: c.generatedTokens });
        const result: EvalProblemResult = {
          taskId: problem.taskId,
          set: input.set,
          completion: c.text,
          exact: exactMatch(c.text, problem),
          outcome: 'not-run',
          latencyMs: Math.round(c.latencyMs * 10) / 10,
          generatedTokens: c.generatedTokens,
        };
        results.push(result);
        // The tests run while the next completion is generated.
        const scored = (sandbox ? sandbox.run(programFor(problem, c.text), signal) : Promise.resolve(undefined)).then((run) => {
          if (run) {
            result.outcome = run.outcome;
            if (run.error) result.error = run.error;
          }
          progress.done++;
          if (result.outcome === 'passed') progress.passed++;
          if (result.exact) progress.exact++;
          options.onProgress?.({ ...progress });
        });
        // A cancel rejects it before anyone awaits it: marked handled here, still awaited below.
        scored.catch(() => undefined);
        scoring.push(scored);
      }
    } catch (error) {
      // Cancelled (or the completer failed): the running tests are stopped and waited for, never left behind.
      await Promise.allSettled(scoring);
      throw error;
    }
    await Promise.all(scoring);
    signal.throwIfAborted();
    scores.push(scoreSet(input.set, input.of, results, timings, cost, Boolean(sandbox)));
    all.push(...results);
  }
  const cpu = cpus();
  return {
    model: completer.model,
    side: completer.side,
    time: new Date().toISOString(),
    device: completer.device,
    machine: `${cpu.length} cores${cpu[0]?.model ? ` (${cpu[0].model.trim()})` : ''}, ${Math.round(totalmem() / 2 ** 30)} GB RAM`,
    sets: scores,
    limit: options.limit,
    settings: options.settings,
    sandbox: sandbox ? { network: sandbox.info.network, timeoutS: sandbox.info.timeoutS, python: sandbox.info.version } : null,
    durationS: Math.round((performance.now() - started) / 100) / 10,
    costUsd: Math.round(scores.reduce((n, s) => n + s.costUsd, 0) * 1e6) / 1e6,
    results: all,
  };
}

/** The canonical solutions, inserted as a completion would be: a run that must pass every test. */
export const oracleCompleter: Completer = {
  model: 'oracle',
  side: 'oracle',
  device: 'none',
  complete: (problem) => Promise.resolve({ text: oracleCompletion(problem), latencyMs: 0, generatedTokens: 0 }),
};
