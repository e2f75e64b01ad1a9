// Completion benchmark: replays bench/typing-session.json through the stdio engine on the fixture model
// (or BENCH_MODEL) and writes bench/results/completion.json.
//   overheadP50Ms / overheadP95Ms  client-side latency minus model compute (prefill, first token, decode)
//   reevalPercent                  prompt tokens evaluated per forward-typing keystroke, as % of the prompt
//   typedAheadHitRate              keystrokes matching the suggestion on screen served with no model call
//   generationsPerKeystroke        model generations / keystrokes
// BENCH_SPEED=4 replays the session four times faster (pauses shorter than the quiet period change what
// the context ring does; the reported numbers use 1).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { GetModelStateRequest, GetStatsRequest } from '../src/shared/protocol.js';
import { startEngine, TINY_MODEL } from '../test/support/lsp-client.js';
import { compute, metricsOf, pct, replay, round, warmUp } from './replay.js';

const speed = Number(process.env.BENCH_SPEED ?? 1) || 1;
const model = process.env.BENCH_MODEL ?? TINY_MODEL;

const engine = await startEngine({ env: { TANDEM_MODEL: model } });
// Load the model first (kept warm in real use): loading is not per-keystroke overhead.
await warmUp(engine);
const { samples, wallMs } = await replay(engine, { speed });

// Baseline: a round trip that does no completion work, under the same machine load.
const pings: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  await engine.request(GetModelStateRequest);
  pings.push(performance.now() - t);
}
const stats = await engine.request(GetStatsRequest, { recent: 2000 });
await engine.shutdown();
const answered = samples.filter((s) => s.record!.source === 'model' || s.record!.source === 'cache');

const result = {
  model: model === TINY_MODEL ? 'test/fixtures/generated/tiny.gguf (random weights, CPU)' : model,
  speed,
  ...metricsOf(samples),
  /** A bare JSON-RPC round trip to the engine (tandem/getModelState) on this machine at this load. */
  rpcRoundTripP50Ms: round(pct(pings, 50)),
  rpcRoundTripP95Ms: round(pct(pings, 95)),
  /** Engine-side stage timings over the whole run (milliseconds). */
  engineStages: stats.stages,
  loadAverage: loadavg().map((n) => round(n)),
  cores: availableParallelism(),
  wallSeconds: round(wallMs / 1000, 1),
  measuredAt: new Date().toISOString(),
};

mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'completion.json'), `${JSON.stringify(result, null, 2)}\n`);
const targets: [string, number, string][] = [
  ['overheadP50Ms', result.overheadP50Ms, ''],
  ['overheadP95Ms', result.overheadP95Ms, '(target <= 5)'],
  ['engineOverheadP95Ms', result.engineOverheadP95Ms, '(handler only, no transport)'],
  ['rpcRoundTripP95Ms', result.rpcRoundTripP95Ms, '(bare JSON-RPC round trip, same load)'],
  ['reevalPercent', result.reevalPercent, '(target <= 3)'],
  ['typedAheadHitRate', result.typedAheadHitRate, '(target = 1)'],
  ['generationsPerKeystroke', result.generationsPerKeystroke, ''],
];
for (const [name, value, note] of targets) console.log(`${name.padEnd(26)} ${String(value).padStart(8)} ${note}`);
console.log(`requests ${result.requests}, keystrokes ${result.keystrokes}, matching ${result.matchingKeystrokes}, latency p50 ${result.latencyP50Ms} ms / p95 ${result.latencyP95Ms} ms, wall ${result.wallSeconds} s, load ${result.loadAverage.join(' ')} on ${result.cores} cores`);
console.log('wrote bench/results/completion.json');
if (process.env.BENCH_DEBUG) {
  const rows = answered.map((s) => ({ o: Math.max(0, s.latencyMs - compute(s.record!)), s })).sort((a, b) => b.o - a.o).slice(0, 25);
  for (const { o, s } of rows) {
    const r = s.record!;
    console.log(`${o.toFixed(1)} kind=${s.kind} src=${r.source} lat=${s.latencyMs.toFixed(1)} total=${r.totalMs.toFixed(1)} wait=${r.waitMs.toFixed(1)} ctx=${r.contextMs.toFixed(1)} pre=${r.prefillMs.toFixed(1)} ft=${r.firstTokenMs.toFixed(1)} dec=${r.decodeMs.toFixed(1)} post=${r.postProcessMs.toFixed(1)} ev=${r.evaluatedTokens}/${r.promptTokens} gen=${r.generatedTokens}`);
  }
}
