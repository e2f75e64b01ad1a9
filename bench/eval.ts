// `npm run eval -- [options]`: the model report card. Runs HumanEval-Infilling (single-line and multi-line)
// through the engine's own inline completion path, scores exact match and pass@1 (tests run by Python 3 in a
// sandbox), measures latency and tokens/s, and writes bench/results/eval-<model>.json. Run `--help` for options.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { evaluate, saveReport, type Phase } from '../src/eval/run.js';
import { EVAL_REPORT_DIR, evalReportFileName, percent, summaryLine } from '../src/shared/eval-report.js';
import type { EvalCloudEstimate, EvalReport, EvalSetName } from '../src/shared/protocol.js';
import { DEFAULT_SETTINGS, type TandemSettings } from '../src/shared/settings.js';
import { sharedEvalData } from '../test/support/eval-data.js';

const REPO = resolve(import.meta.dirname, '..');
const SHARED_EVAL_DATA = sharedEvalData(REPO);

const USAGE = `Usage: npm run eval -- [options]
  --model PATH|URL     completion model (default: TANDEM_MODEL, else the model selected in the engine's data dir)
  --oracle             score the canonical solutions instead of a model: proves the harness (must be 100%)
  --sets LIST          single-line,multi-line (default both)
  --limit N            problems per set, the same stable subset every run (default 100)
  --all                every problem (1,033 single-line and 5,815 multi-line)
  --data DIR           the benchmark files, offline (default ../shared/data/human-eval-infilling when present,
                       else downloaded once from github.com/openai/human-eval-infilling, checked by SHA-256)
  --cloud MODEL        also run the problems on this Claude tier (costs money: the cost is shown and asked first)
  --yes                confirm the Claude cost without asking
  --engine-data-dir D  the engine's data dir (models, ledger, and a copy of the report card for the routing
                       panel; default TANDEM_DATA_DIR, else a temporary one)
  --timeout S          seconds each test program may run (default 3)
  --python PATH        Python 3 for the tests (default python3)
  --out FILE           report path (default bench/results/eval-<model>.json)`;

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    oracle: { type: 'boolean', default: false },
    sets: { type: 'string', default: 'single-line,multi-line' },
    limit: { type: 'string', default: '100' },
    all: { type: 'boolean', default: false },
    data: { type: 'string' },
    cloud: { type: 'string' },
    yes: { type: 'boolean', default: false },
    'engine-data-dir': { type: 'string' },
    timeout: { type: 'string', default: '3' },
    python: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

function fail(message: string): never {
  console.error(`eval: ${message}`);
  process.exit(2);
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const sets = values.sets.split(',').map((s) => s.trim()) as EvalSetName[];
if (!sets.length || sets.some((s) => s !== 'single-line' && s !== 'multi-line')) fail(`--sets takes single-line and/or multi-line\n${USAGE}`);
const limit = values.all ? null : Number(values.limit);
if (limit !== null && (!Number.isInteger(limit) || limit < 1)) fail('--limit needs a whole number of problems (1 or more), or --all');
if (values.oracle && (values.cloud || values.model)) fail('--oracle scores the canonical solutions: it takes no --model or --cloud');
const timeoutS = Number(values.timeout);
if (!(timeoutS > 0 && timeoutS <= 600)) fail('--timeout needs seconds between 0 and 600');

const offline = Boolean(values.data ?? SHARED_EVAL_DATA);
const dataDir = values.data ? resolve(values.data) : SHARED_EVAL_DATA ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tandem', 'human-eval-infilling');
const engineDataDir = values['engine-data-dir'] ?? process.env.TANDEM_DATA_DIR;
const scratch = engineDataDir ? undefined : mkdtempSync(join(tmpdir(), 'tandem-eval-engine-'));
const serverPath = join(REPO, 'dist', 'server.mjs');
if (!values.oracle && !existsSync(serverPath)) fail('dist/server.mjs is missing: run `npm run build` first (npm run eval builds it).');

const settings: TandemSettings = structuredClone(DEFAULT_SETTINGS);
if (values.model) settings.model.completion = values.model;

async function confirm(estimate: EvalCloudEstimate): Promise<boolean> {
  const what = `${estimate.requests} requests to ${estimate.model}, about ${estimate.inputTokens.toLocaleString('en-US')} input tokens: at most $${estimate.worstCaseUsd.toFixed(4)}`;
  console.log(`Claude run: ${what}. Only public benchmark code is sent, through the engine's egress gate.`);
  if (values.yes) return true;
  if (!process.stdin.isTTY) {
    console.log('Not confirmed (no terminal to ask): pass --yes to accept the cost.');
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question('Spend it? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}

let lastLine = 0;
function onPhase(phase: Phase): void {
  if (phase.phase !== 'problems') {
    console.log(phase.message);
    return;
  }
  const p = phase.progress;
  const now = Date.now();
  if (p.done !== p.total && p.done !== 0 && now - lastLine < 2000) return;
  lastLine = now;
  const share = (k: number) => (p.done ? percent(k / p.done) : '—');
  console.log(`${phase.model} ${p.set}: ${p.done}/${p.total} scored, pass@1 ${share(p.passed)}, exact ${share(p.exact)}`);
}

function print(report: EvalReport, path: string): void {
  console.log(`\n== ${report.model} (${report.side}, ${report.device}) on ${report.machine}, ${report.durationS} s`);
  for (const s of report.sets) {
    const speed = s.tokensPerS === null ? '' : `, ${s.tokensPerS} tokens/s`;
    const cost = s.costUsd ? `, $${s.costUsd.toFixed(4)}` : '';
    console.log(
      `${s.set.padEnd(12)} ${String(s.problems).padStart(5)} of ${s.of}: pass@1 ${percent(s.passAt1)}, exact match ${percent(s.exactMatch)}, ` +
        `no suggestion ${percent(s.noSuggestion)}, latency p50 ${s.latencyMs.p50} ms / p95 ${s.latencyMs.p95} ms${speed}${cost}`,
    );
  }
  if (report.sandbox) console.log(`tests: Python ${report.sandbox.python}, network ${report.sandbox.network}, ${report.sandbox.timeoutS} s limit`);
  console.log(`wrote ${path}`);
}

const controller = new AbortController();
process.once('SIGINT', () => {
  console.log('\nCancelling…');
  controller.abort(new Error('Cancelled'));
});

try {
  const reports = await evaluate({
    sets,
    limit,
    dataDir,
    offline,
    oracle: values.oracle,
    engine: { serverPath, settings, dataDir: engineDataDir ?? scratch!, askConsent: async () => 'once' },
    cloudModel: values.cloud,
    confirmCloud: confirm,
    python: values.python,
    timeoutS,
    signal: controller.signal,
    onPhase,
    onNotice: (m) => console.warn(`note: ${m}`),
  });
  for (const report of reports) {
    const name = evalReportFileName(report.model);
    const out = report === reports[0] && values.out ? resolve(values.out) : join(REPO, 'bench', 'results', name);
    await saveReport(report, engineDataDir ? [out, join(engineDataDir, EVAL_REPORT_DIR, name)] : [out]);
    print(report, out);
  }
  if (reports.length > 1) console.log(`\n${reports.map((r) => `${r.model}: ${summaryLine(r)}`).join('\n')}`);
} catch (error) {
  console.error(`eval: ${controller.signal.aborted ? 'cancelled; nothing was written.' : error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
