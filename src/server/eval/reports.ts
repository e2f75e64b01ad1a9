// The report cards saved in the data dir (`<dataDir>/eval/eval-<model>.json`, written by `npm run eval` and
// "Tandem: Evaluate Local Model"), as the routing panel shows them: the newest per model and side, newest
// first, without per-problem results. A file that is not a report card is skipped and logged, never fatal.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EVAL_REPORT_DIR, isEvalReport } from '../../shared/eval-report.js';
import type { EvalReport } from '../../shared/protocol.js';

/** Report cards above this size are not read (a full run with every problem is about 3 MB). */
const MAX_BYTES = 32 << 20;

export async function readReports(dataDir: string, warn: (message: string) => void): Promise<EvalReport[]> {
  const dir = join(dataDir, EVAL_REPORT_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^eval-.*\.json$/.test(n));
  } catch {
    return []; // no evaluation yet
  }
  const newest = new Map<string, EvalReport>();
  for (const name of names) {
    const path = join(dir, name);
    try {
      const text = await readFile(path, 'utf8');
      if (text.length > MAX_BYTES) throw new Error('too large');
      const report: unknown = JSON.parse(text);
      if (!isEvalReport(report)) throw new Error('not a report card');
      const { results: _results, ...card } = report;
      const key = `${card.side}\u0000${card.model}`;
      const seen = newest.get(key);
      if (!seen || Date.parse(seen.time) < Date.parse(card.time)) newest.set(key, card);
    } catch (error) {
      warn(`Report card ${path} skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return [...newest.values()].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}
