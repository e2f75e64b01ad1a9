// One evaluation from start to report cards, shared by `npm run eval` and "Tandem: Evaluate Local Model":
// benchmark files (downloaded and verified when missing), the Python sandbox, the evaluation engine, the cost
// of the optional Claude run confirmed before anything runs, then the local (or oracle) run and the Claude run.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EvalCloudEstimate, EvalReport, EvalSetName } from '../shared/protocol';
import { DATASET_FILES, ensureDataset, parseProblems, stableSubset } from './dataset';
import { EvalEngine, type EvalEngineOptions } from './engine';
import { oracleCompleter, runEvaluation, type Completer, type EvalProgress, type EvalSetInput } from './harness';
import { PythonSandbox } from './python';

export type Phase =
  | { phase: 'data'; message: string }
  | { phase: 'engine'; message: string }
  | { phase: 'problems'; side: EvalReport['side']; model: string; progress: EvalProgress };

export interface EvaluateOptions {
  sets: EvalSetName[];
  /** Problems per set (a stable subset); null: all of them. */
  limit: number | null;
  /** Folder of the benchmark files; `offline`: never download into it. */
  dataDir: string;
  offline: boolean;
  dataBaseUrl?: string;
  /** The canonical solutions instead of a model (proves the harness; no engine). */
  oracle?: boolean;
  engine: EvalEngineOptions;
  /** Also run the problems on this Claude tier, after `confirmCloud` accepted the estimate. */
  cloudModel?: string;
  confirmCloud?(estimate: EvalCloudEstimate): Promise<boolean>;
  python?: string;
  timeoutS?: number;
  signal: AbortSignal;
  onPhase?(phase: Phase): void;
  /** Something the user should know that does not stop the run (no Python 3, Claude not confirmed). */
  onNotice?(message: string): void;
}

export async function evaluate(options: EvaluateOptions): Promise<EvalReport[]> {
  const { signal } = options;
  const inputs: EvalSetInput[] = [];
  for (const set of options.sets) {
    const text = await ensureDataset(options.dataDir, set, {
      offline: options.offline,
      baseUrl: options.dataBaseUrl,
      signal,
      onDownload: (file) => options.onPhase?.({ phase: 'data', message: `Downloading ${file} from github.com/openai/human-eval-infilling…` }),
    });
    const all = parseProblems(text, DATASET_FILES.find((f) => f.set === set)?.file ?? set);
    inputs.push({ set, problems: stableSubset(all, options.limit), of: all.length });
  }
  const sandbox = await PythonSandbox.create({ python: options.python, timeoutS: options.timeoutS });
  if ('unavailable' in sandbox) options.onNotice?.(sandbox.unavailable);
  const tests = 'unavailable' in sandbox ? undefined : sandbox;
  const c = options.engine.settings.completions;
  const settings = { maxTokens: c.maxTokens, timeBudgetMs: c.timeBudgetMs, maxPrefixLines: c.maxPrefixLines, maxSuffixLines: c.maxSuffixLines };
  const run = (completer: Completer) =>
    runEvaluation({
      sets: inputs,
      completer,
      sandbox: tests,
      signal,
      limit: options.limit,
      settings,
      onProgress: (progress) => options.onPhase?.({ phase: 'problems', side: completer.side, model: completer.model, progress }),
    });
  let engine: EvalEngine | undefined;
  try {
    if (options.oracle) return [await run(oracleCompleter)];
    options.onPhase?.({ phase: 'engine', message: 'Starting the evaluation engine and loading the completion model…' });
    engine = await EvalEngine.start(options.engine);
    let cloud: Completer | undefined;
    if (options.cloudModel) {
      const items = inputs.flatMap((i) => i.problems.map((p) => ({ prefix: p.prompt, suffix: p.suffix, set: i.set })));
      const estimate = await engine.estimateCloud(options.cloudModel, items);
      if (estimate.refusal) options.onNotice?.(`Claude run skipped: ${estimate.refusal}`);
      else if (!(await options.confirmCloud?.(estimate))) options.onNotice?.('Claude run skipped: the cost was not confirmed.');
      else cloud = engine.cloudCompleter(options.cloudModel);
    }
    signal.throwIfAborted();
    const reports = [await run(await engine.localCompleter(signal))];
    if (cloud) reports.push(await run(cloud));
    return reports;
  } finally {
    await engine?.shutdown();
    await tests?.dispose();
  }
}

/** Writes a report card (pretty JSON) to each path. */
export async function saveReport(report: EvalReport, paths: string[]): Promise<void> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  for (const path of paths) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  }
}
