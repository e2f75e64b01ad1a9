// Model report cards: the file a run is saved under, a check that a file is one, and the one-line summary the
// CLI, the notification and the panel share. Pure: no I/O, no `vscode` import.
import type { EvalReport, EvalSetScore } from './protocol';

/** Folder of the data dir the report cards live in (one file per model and side). */
export const EVAL_REPORT_DIR = 'eval';

/** `eval-<model>.json`, the model name made safe for a file name. */
export function evalReportFileName(model: string): string {
  const safe = model.replace(/[^\w.+-]+/g, '_').replace(/^[._]+/, '').slice(0, 120) || 'model';
  return `eval-${safe}.json`;
}

const SIDES = new Set(['local', 'cloud', 'oracle']);

/** A parsed JSON value has the shape of a report card (files from disk are checked before use). */
export function isEvalReport(value: unknown): value is EvalReport {
  if (!value || typeof value !== 'object') return false;
  const r = value as Partial<EvalReport>;
  return (
    typeof r.model === 'string' &&
    typeof r.side === 'string' &&
    SIDES.has(r.side) &&
    typeof r.time === 'string' &&
    !Number.isNaN(Date.parse(r.time)) &&
    Array.isArray(r.sets) &&
    r.sets.every(
      (s: Partial<EvalSetScore>) =>
        s && typeof s.set === 'string' && typeof s.problems === 'number' && typeof s.exactMatch === 'number' && (s.passAt1 === null || typeof s.passAt1 === 'number'),
    )
  );
}

export function percent(share: number | null): string {
  return share === null ? 'not run' : `${(share * 100).toFixed(1)}%`;
}

/** "single-line: pass@1 62.0%, exact 55.0% (200 of 1033); multi-line: …" */
export function summaryLine(report: Pick<EvalReport, 'sets'>): string {
  return report.sets
    .map((s) => `${s.set}: pass@1 ${percent(s.passAt1)}, exact match ${percent(s.exactMatch)} (${s.problems} of ${s.of})`)
    .join('; ');
}
