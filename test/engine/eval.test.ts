// The model report card end to end on small stable subsets (CI time): the oracle proves the harness (100%),
// the fixture model goes through the engine's own inline completion path and scores about 0, Claude goes
// through the engine's egress gate only after its cost was confirmed, tandem/evalReports serves saved cards,
// and a cancelled run stops.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureDataset, parseProblems, stableSubset } from '../../src/eval/dataset.js';
import { evaluate, saveReport, type EvaluateOptions } from '../../src/eval/run.js';
import { EVAL_REPORT_DIR, evalReportFileName } from '../../src/shared/eval-report.js';
import { EvalReportsRequest, type EvalCloudEstimate, type EvalReport, type LedgerEntry } from '../../src/shared/protocol.js';
import { DEFAULT_SETTINGS, type TandemSettings } from '../../src/shared/settings.js';
import { TEST_API_KEY } from '../fake-anthropic/harness.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fake-anthropic/server.js';
import { sharedEvalData } from '../support/eval-data.js';
import { REPO_ROOT, SERVER_PATH, startEngine, TINY_MODEL } from '../support/lsp-client.js';

const SHARED_EVAL_DATA = sharedEvalData(REPO_ROOT);
const DATA = SHARED_EVAL_DATA ?? '';

/** Temp folders of this file, removed at the end. */
const temps: string[] = [];
function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

function settings(change: (s: TandemSettings) => void = () => undefined): TandemSettings {
  const s = structuredClone(DEFAULT_SETTINGS);
  s.model.completion = TINY_MODEL;
  s.cloud.maxRetries = 0;
  change(s);
  return s;
}

function options(extra: Partial<EvaluateOptions> & { env?: Record<string, string>; settings?: TandemSettings } = {}): EvaluateOptions {
  const { env, settings: engineSettings, ...rest } = extra;
  return {
    sets: ['single-line', 'multi-line'],
    limit: 4,
    dataDir: DATA,
    offline: true,
    engine: { serverPath: SERVER_PATH, settings: engineSettings ?? settings(), dataDir: temp('tandem-eval-engine-'), env },
    signal: new AbortController().signal,
    ...rest,
  };
}

async function problems(set: 'single-line' | 'multi-line', limit: number) {
  return stableSubset(parseProblems(await ensureDataset(DATA, set, { offline: true }), set), limit);
}

void describe('model report card', () => {
  before(() => assert.ok(SHARED_EVAL_DATA, 'the HumanEval-Infilling files are beside the repository'));
  after(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  void it('the oracle (canonical solutions) scores pass@1 and exact match 100% on both sets', async () => {
    const [report] = await evaluate(options({ oracle: true, limit: 10 }));
    assert.equal(report.side, 'oracle');
    assert.deepEqual(
      report.sets.map((s) => [s.set, s.problems, s.passAt1, s.exactMatch]),
      [['single-line', 10, 1, 1], ['multi-line', 10, 1, 1]],
      JSON.stringify(report.results?.filter((r) => r.outcome !== 'passed')),
    );
    assert.equal(report.sandbox?.timeoutS, 3);
  });

  void it('the fixture model answers through the engine\'s inline completion path and scores about 0', async () => {
    const phases: string[] = [];
    // Completions the user turned off or excluded in the editor are still evaluated.
    const off = settings((s) => {
      s.completions.enabled = false;
      s.completions.exclude = ['**/*.py'];
    });
    const [report] = await evaluate(options({ limit: 4, settings: off, onPhase: (p) => phases.push(p.phase) }));
    assert.equal(report.model, 'tiny');
    assert.equal(report.side, 'local');
    assert.equal(report.device, 'cpu');
    assert.ok(phases.includes('engine') && phases.includes('problems'));
    const results = report.results ?? [];
    assert.equal(results.length, 8);
    assert.ok(results.every((r) => r.completion && r.generatedTokens > 0), 'every problem got a generated suggestion');
    assert.ok(results.filter((r) => r.set === 'single-line').every((r) => !r.completion?.includes('\n')), 'single-line problems get one line');
    for (const s of report.sets) {
      assert.equal(s.exactMatch, 0, `${s.set}: nonsense never matches`);
      assert.ok(s.passAt1 !== null && s.passAt1 <= 0.2, `${s.set}: pass@1 ${s.passAt1}`);
      assert.ok(s.latencyMs.p50 > 0 && s.latencyMs.p95 >= s.latencyMs.p50);
      assert.ok(s.tokensPerS !== null && s.tokensPerS > 0);
    }
    assert.deepEqual(report.settings, { maxTokens: 64, timeBudgetMs: 1500, maxPrefixLines: 60, maxSuffixLines: 20 });
  });

  void it('a model that cannot load is an error that says why, not a report of zeros', async () => {
    const broken = settings((s) => (s.model.completion = join(tmpdir(), 'no-such-model.gguf')));
    await assert.rejects(evaluate(options({ settings: broken, limit: 1, sets: ['single-line'] })), /The completion model is not ready: .*no-such-model/);
  });

  void describe('Claude side', () => {
    let fake: FakeAnthropic;
    before(async () => {
      fake = await startFakeAnthropic({ lifetimeMs: 5 * 60_000 });
    });
    after(() => fake.close());
    const cloud = (extra: Partial<EvaluateOptions> & { settings?: TandemSettings } = {}) =>
      options({
        limit: 2,
        cloudModel: 'claude-haiku-5-5',
        env: { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: TEST_API_KEY },
        settings: settings((s) => (s.privacy.cloudConsent = 'always')),
        ...extra,
      });

    void it('shows the worst-case cost before anything is sent, then runs every problem through the gate and ledgers it', async () => {
      fake.reset();
      const single = await problems('single-line', 2);
      const multi = await problems('multi-line', 2);
      // Claude answers the canonical lines: bare for one line, fenced for several (the engine strips fences).
      fake.enqueue(
        ...single.map((p) => ({ type: 'text' as const, text: p.canonical.trimEnd() })),
        ...multi.map((p) => ({ type: 'text' as const, text: `\`\`\`python\n${p.canonical}\`\`\`` })),
      );
      const asked: EvalCloudEstimate[] = [];
      const o = cloud({
        confirmCloud: (estimate) => {
          asked.push(estimate);
          assert.equal(fake.requests.length, 0, 'nothing sent before the cost is confirmed');
          return Promise.resolve(true);
        },
      });
      const [local, claude] = await evaluate(o);
      assert.equal(local.side, 'local');
      assert.equal(asked.length, 1);
      assert.equal(asked[0].requests, 4);
      assert.ok(asked[0].worstCaseUsd > 0 && asked[0].refusal === undefined);
      assert.equal(claude.side, 'cloud');
      assert.equal(claude.model, 'claude-haiku-5-5');
      assert.deepEqual(claude.sets.map((s) => [s.passAt1, s.exactMatch]), [[1, 1], [1, 1]]);
      assert.ok(claude.costUsd > 0 && claude.costUsd <= asked[0].worstCaseUsd);
      assert.equal(fake.requests.length, 4);
      assert.match(JSON.stringify(fake.requests[0].body.messages), /<code_before_gap>/);
      const ledger = readFileSync(join(o.engine.dataDir, 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LedgerEntry);
      assert.equal(ledger.length, 4);
      for (const e of ledger) {
        assert.equal(e.route, 'cloud');
        assert.equal(e.counterfactualUsd, e.costUsd, 'an evaluation is never counted as savings');
        assert.ok(e.manifest, 'the gate wrote a manifest');
      }
    });

    void it('sends nothing when the cost is declined', async () => {
      fake.reset();
      const notices: string[] = [];
      const declined = await evaluate(cloud({ sets: ['single-line'], limit: 1, confirmCloud: () => Promise.resolve(false), onNotice: (m) => notices.push(m) }));
      assert.deepEqual(declined.map((x) => x.side), ['local']);
      assert.equal(fake.requests.length, 0);
      assert.deepEqual(notices, ['Claude run skipped: the cost was not confirmed.']);
    });
  });

  void it('tandem/evalReports serves the newest card per model, without per-problem results, and skips broken files', async () => {
    const dataDir = temp('tandem-eval-cards-');
    const card = (model: string, time: string, passAt1: number): EvalReport => ({
      model, side: 'local', time, device: 'cpu', machine: '2 cores', limit: 10, durationS: 1, costUsd: 0, sandbox: null,
      settings: { maxTokens: 64, timeBudgetMs: 1500, maxPrefixLines: 60, maxSuffixLines: 20 },
      sets: [{ set: 'single-line', problems: 10, of: 1033, exactMatch: 0.1, passAt1, noSuggestion: 0, timedOut: 0, latencyMs: { p50: 1, p95: 2 }, tokensPerS: 9, costUsd: 0 }],
      results: [{ taskId: 't', set: 'single-line', completion: 'x', exact: false, outcome: 'failed', latencyMs: 1, generatedTokens: 1 }],
    });
    const dir = join(dataDir, EVAL_REPORT_DIR);
    await saveReport(card('qwen', '2026-11-01T10:00:00.000Z', 0.4), [join(dir, evalReportFileName('qwen'))]);
    await saveReport(card('qwen', '2026-11-02T10:00:00.000Z', 0.5), [join(dir, 'eval-qwen-copy.json')]);
    await saveReport(card('deepseek', '2026-10-01T10:00:00.000Z', 0.3), [join(dir, evalReportFileName('deepseek'))]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'eval-broken.json'), '{"model": 1');
    const engine = await startEngine({ dataDir });
    try {
      const cards = await engine.request(EvalReportsRequest);
      assert.deepEqual(cards.map((c) => [c.model, c.sets[0].passAt1]), [['qwen', 0.5], ['deepseek', 0.3]]);
      assert.ok(cards.every((c) => c.results === undefined));
      const logged = engine.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as { message: string }).message);
      assert.ok(logged.some((m) => /eval-broken\.json skipped: /.test(m)), logged.join('\n'));
    } finally {
      await engine.shutdown();
    }
  });

  void it('a cancelled run stops at once and writes nothing', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const run = evaluate(
      options({
        limit: 200,
        sets: ['multi-line'],
        signal: controller.signal,
        onPhase: (p) => {
          if (p.phase === 'problems' && p.progress.done === 1) controller.abort(new Error('user cancelled'));
        },
      }),
    );
    await assert.rejects(run, /user cancelled/);
    assert.ok(performance.now() - started < 30_000);
  });
});
