// Reliability benchmark: the engine over stdio against the fake Messages API with scripted faults, two engines on
// one data dir, and malformed requests. Writes bench/results/reliability.json:
//   maxFaultAnswerMs          the longest time from request to answer (the fallback's first words) or clear error
//                             across the fault set, under the default settings; target <= deadlineMs + 1 s
//   faults                    per fault: time to the answer, time to the complete answer, what was said
//   budgetOvershootUsd        what 30 concurrent requests from 2 engines on one data dir spent beyond the daily cap,
//                             the worst of an ASCII and a CJK round; target 0
//   malformedAnswered / malformedSent   malformed requests answered (an error or a result) out of those sent;
//                             target all, and the engine still serving afterwards (engineStillServing)
//   ledgerDecision*           the ledger's share of a routing decision at 50,000 entries: running totals, against
//                             the full recount every decision did before (the baseline, measured in the same run)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, InlineCompletionRequest } from 'vscode-languageserver-protocol';
import type { RequestType } from 'vscode-languageserver-protocol';
import { Ledger } from '../src/server/router/ledger.js';
import { totalsOf } from '../src/server/router/ledger-math.js';
import { DEFAULT_SETTINGS } from '../src/shared/settings.js';
import {
  ChatDeltaNotification,
  ChatRequest,
  DownloadModelRequest,
  GetModelStateRequest,
  GetStatsRequest,
  LedgerRequest,
  ListPresetsRequest,
  RouteRequest,
  SetApiKeyNotification,
  type LedgerEntry,
} from '../src/shared/protocol.js';
import { startHarness, type Harness } from '../test/fake-anthropic/harness.js';
import { refusedUrl, type Behaviour } from '../test/fake-anthropic/server.js';
import { delay } from '../test/support/lsp-client.js';

const DEFAULTS = { privacy: { cloudConsent: 'always' } };
const deadlineMs = DEFAULT_SETTINGS.cloud.deadlineMs;

// ---------------------------------------------------------------------------------------------------------------
// Faults under the default settings (deadline, retries, timeouts as shipped).

const FAULTS: [string, Behaviour | 'refused'][] = [
  ['429 with retry-after: 3600', { type: 'status', status: 429, errorType: 'rate_limit_error', retryAfter: 3600 }],
  ['529 overloaded', { type: 'status', status: 529, errorType: 'overloaded_error' }],
  ['500 server error', { type: 'status', status: 500, errorType: 'api_error' }],
  ['connection refused', 'refused'],
  ['stall before headers', { type: 'hang' }],
  ['stall mid-stream', { type: 'stall', text: 'The answer starts and then' }],
  ['error event mid-stream', { type: 'error-event', text: 'Half an ans', errorType: 'overloaded_error' }],
  ['malformed stream', { type: 'malformed' }],
];

interface FaultResult {
  fault: string;
  answerMs: number;
  completeMs: number;
  outcome: string;
}

async function fault(name: string, behaviour: Behaviour | 'refused'): Promise<FaultResult> {
  const h = await startHarness({ settings: DEFAULTS, ...(behaviour === 'refused' ? { baseUrl: await refusedUrl() } : {}) });
  try {
    // The local model is warm, as it is after the first local answer of a session.
    await h.chat({ kind: 'chat', prompt: 'warm up', prefer: 'local' });
    if (behaviour !== 'refused') {
      // Retries of 529 and 500 meet the same fault again.
      for (let i = 0; i < 3; i++) h.fake.enqueue(behaviour);
    }
    const id = `fault-${name}`;
    const started = performance.now();
    let answerMs = Infinity;
    void h.engine.waitFor(ChatDeltaNotification, (d) => d.id === id && d.route === 'local', 120_000).then(() => (answerMs = Math.min(answerMs, performance.now() - started)), () => undefined);
    const outcome = await h.chat({ id, kind: 'chat', prompt: 'What does computeTotal return?', prefer: 'cloud' }).then(
      (r) => r.fallback?.reason.text ?? `answered by ${r.entry.route}`,
      (e: Error) => `error: ${e.message}`,
    );
    const completeMs = performance.now() - started;
    answerMs = Math.min(answerMs, completeMs);
    const result = { fault: name, answerMs: Math.round(answerMs), completeMs: Math.round(completeMs), outcome };
    console.log(`${name.padEnd(28)} answer ${String(result.answerMs).padStart(6)} ms   complete ${String(result.completeMs).padStart(6)} ms   ${outcome.slice(0, 110)}`);
    return result;
  } finally {
    await h.close();
  }
}

const faults: FaultResult[] = [];
for (const [name, behaviour] of FAULTS) faults.push(await fault(name, behaviour));
const maxFaultAnswerMs = Math.max(...faults.map((f) => f.answerMs));

// ---------------------------------------------------------------------------------------------------------------
// Budget: 30 concurrent requests from two engines on one data dir.

const CAP_USD = 0.01;

async function budgetRound(label: string, prompt: (i: number) => string): Promise<{ label: string; sent: number; spentUsd: number; overshootUsd: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-budget-'));
  const settings = { ...DEFAULTS, budget: { dailyUsd: CAP_USD, monthlyUsd: 20 } };
  const engines: Harness[] = [await startHarness({ settings, dataDir, localModel: false }), await startHarness({ settings, dataDir, localModel: false })];
  try {
    // Every answer as long as it may be: the API bills up to max_tokens (the fake clamps to it).
    for (const h of engines) for (let i = 0; i < 15; i++) h.fake.enqueue({ type: 'text', text: 'x '.repeat(100), chunks: 10, delayMs: 20, usage: { output_tokens: 128_000 } });
    await Promise.allSettled(engines.flatMap((h, e) => Array.from({ length: 15 }, (_, i) => h.chat({ kind: 'chat', prompt: prompt(e * 15 + i), prefer: 'cloud' }))));
    const ledger = await engines[0].ledger();
    const sent = engines.reduce((n, h) => n + h.fake.requests.length, 0);
    const spentUsd = ledger.today.costUsd;
    const overshootUsd = Math.max(0, Math.round((spentUsd - CAP_USD) * 1e8) / 1e8);
    console.log(`budget ${label.padEnd(6)} ${sent} of 30 sent, spent $${spentUsd} of a $${CAP_USD} cap, overshoot $${overshootUsd}`);
    return { label, sent, spentUsd, overshootUsd };
  } finally {
    for (const h of engines) await h.close();
  }
}

const rounds = [
  await budgetRound('ascii', (i) => `Question ${i}: what does this function return for [1, 2, 3]? ${'const total = items.reduce((a, b) => a + b, 0); '.repeat(40)}`),
  await budgetRound('cjk', (i) => `質問${i}：この関数は何を返しますか。`.repeat(120)),
];
const budgetOvershootUsd = Math.max(...rounds.map((r) => r.overshootUsd));

// ---------------------------------------------------------------------------------------------------------------
// Malformed requests: every request the engine serves, with params of the wrong shape.

const BAD: unknown[] = [undefined, null, 42, 'text', [], {}, { kind: 7 }, { a: { b: { c: [1, [2, [3]]] } } }, { line: 1e308 }];
async function malformed(): Promise<{ sent: number; answered: number; serving: boolean }> {
  const h = await startHarness({ settings: DEFAULTS });
  let sent = 0;
  let answered = 0;
  const send = async (type: RequestType<unknown, unknown, unknown>, params: unknown) => {
    sent++;
    const reply = h.engine.request(type, params as never).then(
      () => true,
      (e: { code?: number }) => typeof e.code === 'number',
    );
    if (await Promise.race([reply, delay(5000).then(() => false)])) answered++;
  };
  try {
    await h.engine.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri: 'file:///w/a.ts', languageId: 'typescript', version: 1, text: 'const x = ' } });
    const types = [RouteRequest, ChatRequest, LedgerRequest, GetStatsRequest, DownloadModelRequest, GetModelStateRequest, ListPresetsRequest, InlineCompletionRequest.type] as RequestType<unknown, unknown, unknown>[];
    for (const type of types) for (const params of BAD) await send(type, params);
    // Shapes close to right, each wrong in one field.
    const nearMisses: [RequestType<unknown, unknown, unknown>, unknown][] = [
      [RouteRequest, { kind: 'chat', prompt: 5 }],
      [RouteRequest, { kind: 'chat', prompt: 'x', files: [{ uri: 'file:///dev/zero' }, { uri: 9 }] }],
      [RouteRequest, { kind: 'chat', prompt: 'x', files: [{ uri: 'file:///a', range: { startLine: 1e308, endLine: -1 } }] }],
      [ChatRequest, { id: '', kind: 'chat', prompt: 'x' }],
      [ChatRequest, { id: 'a', kind: 'chat', prompt: 'x', history: 'none' }],
      [LedgerRequest, { since: 5, limit: 1.5 }],
      [DownloadModelRequest, { role: 'chat', sizeBytes: -1 }],
      [InlineCompletionRequest.type as RequestType<unknown, unknown, unknown>, { textDocument: { uri: 'file:///w/a.ts' }, position: { line: 1e308, character: 0 }, context: { triggerKind: 2 } }],
      [InlineCompletionRequest.type as RequestType<unknown, unknown, unknown>, { textDocument: { uri: 'file:///w/a.ts' }, position: { line: -1, character: 0.5 }, context: { triggerKind: 2 } }],
    ];
    for (const [type, params] of nearMisses) await send(type, params);
    // Malformed notifications have no answer; the engine must shrug them off.
    await h.engine.notify(DidOpenTextDocumentNotification.type, { textDocument: { uri: 7 } } as never);
    await h.engine.notify(DidChangeTextDocumentNotification.type, { textDocument: { uri: 'file:///w/a.ts', version: 2 }, contentChanges: [{ range: { start: { line: 1e308, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }] } as never);
    await h.engine.notify(SetApiKeyNotification, { apiKey: ['x'] } as never);
    const route = await Promise.race([h.route({ kind: 'chat', prompt: 'still there?' }).then(() => true), delay(10_000).then(() => false)]);
    const completion = await Promise.race([h.engine.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 }).then(() => true), delay(30_000).then(() => false)]);
    return { sent, answered, serving: route && completion && h.engine.alive };
  } finally {
    await h.close();
  }
}

const bad = await malformed();
console.log(`malformed: ${bad.answered} of ${bad.sent} answered; engine still serving: ${bad.serving}`);

// ---------------------------------------------------------------------------------------------------------------
// The ledger's share of a decision at 50,000 entries.

const ENTRIES = 50_000;
const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-ledger-'));
const now = Date.now();
const lines: string[] = [];
for (let i = 0; i < ENTRIES; i++) {
  const entry: LedgerEntry = {
    id: `e${i}`,
    time: new Date(now - (ENTRIES - i) * 60_000).toISOString(),
    kind: i % 3 ? 'chat' : 'explain',
    route: i % 4 ? 'local' : 'cloud',
    model: 'claude-haiku-5-5',
    reasons: [{ code: 'asked-cloud', text: 'You asked for Claude.' }],
    tokens: { input: 1000, output: 200, cacheRead: 0, cacheWrite: 0 },
    costUsd: i % 4 ? 0 : 0.0002,
    counterfactualUsd: 0.004,
    ttftMs: 300,
    totalMs: 900,
  };
  lines.push(JSON.stringify(entry));
}
writeFileSync(join(dir, 'ledger.jsonl'), lines.join('\n') + '\n');
const ledger = new Ledger(dir);
const loadStart = performance.now();
ledger.totals();
const firstReadMs = performance.now() - loadStart;

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 1000) / 1000;
}

function time(fn: () => void, runs: number): number[] {
  for (let i = 0; i < 20; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out;
}

const running = time(() => ledger.totals(), 2000);
const recount = time(() => totalsOf(ledger.entries(), new Date()), 100);
console.log(
  `ledger at ${ENTRIES} entries: running totals p50 ${pct(running, 50)} ms p99 ${pct(running, 99)} ms; ` +
    `full recount (before) p50 ${pct(recount, 50)} ms p99 ${pct(recount, 99)} ms; first read ${firstReadMs.toFixed(1)} ms`,
);

const result = {
  deadlineMs,
  maxFaultAnswerMs,
  targetMaxFaultAnswerMs: deadlineMs + 1000,
  maxFaultCompleteMs: Math.max(...faults.map((f) => f.completeMs)),
  faults,
  budgetCapUsd: CAP_USD,
  budgetOvershootUsd,
  budgetRounds: rounds,
  malformedSent: bad.sent,
  malformedAnswered: bad.answered,
  engineStillServing: bad.serving,
  ledgerEntries: ENTRIES,
  ledgerDecisionP50Ms: pct(running, 50),
  ledgerDecisionP99Ms: pct(running, 99),
  ledgerRecountBaselineP50Ms: pct(recount, 50),
  ledgerRecountBaselineP99Ms: pct(recount, 99),
  ledgerFirstReadMs: Math.round(firstReadMs * 10) / 10,
  cores: availableParallelism(),
  loadAverage: loadavg()[0],
  node: process.version,
  date: new Date().toISOString(),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/reliability.json', JSON.stringify(result, null, 2) + '\n');
console.log(
  `wrote bench/results/reliability.json (max fault answer ${maxFaultAnswerMs} ms, target <= ${deadlineMs + 1000}: ${maxFaultAnswerMs <= deadlineMs + 1000 ? 'met' : 'NOT met'}; ` +
    `overshoot $${budgetOvershootUsd}; malformed ${bad.answered}/${bad.sent}, serving ${bad.serving})`,
);
process.exit(0);
