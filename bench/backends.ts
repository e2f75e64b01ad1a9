// Backend benchmark: the same typing session (bench/typing-session.json) against the embedded model and against a
// REAL llama-server (scripts/build-llama-server.sh) serving the same GGUF, measured in the same run, then four
// simulated developers typing at once against one llama-server with -np 4. Writes bench/results/backends.json.
//   overheadP50Ms / overheadP95Ms  latency at the client minus model compute (for a server: its prompt and
//                                  predict timings), so for llama-server it includes the HTTP round trip
//   reevalPercent                  prompt tokens evaluated per forward keystroke, as % of the prompt (server:
//                                  timings.prompt_n of tokens_evaluated; the rest is timings.cache_n)
//   typedAheadHitRate              keystrokes matching the suggestion on screen served with no model call
// Targets: server overhead p95 <= embedded p95 + 5 ms, reevalPercent <= 3, typedAheadHitRate = 1.
// BENCH_SPEED=4 replays four times faster (for a quick look; the reported numbers use 1).
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, TINY_MODEL, type EngineClient } from '../test/support/lsp-client.js';
import { startLlamaServer } from '../test/support/llama-server.js';
import { metricsOf, pct, replay, round, warmUp, type Sample } from './replay.js';

const speed = Number(process.env.BENCH_SPEED ?? 1) || 1;
// A private copy: `npm run fixture` rewrites the fixture in place, which would kill a server that maps it.
const model = join(mkdtempSync(join(tmpdir(), 'tandem-bench-model-')), 'tiny.gguf');
copyFileSync(process.env.BENCH_MODEL ?? TINY_MODEL, model);
const DEVELOPERS = 4;

async function run(engine: EngineClient, prefix?: string): Promise<{ samples: Sample[]; wallMs: number }> {
  await warmUp(engine, `file:///bench/${prefix ?? 'one'}-warmup.ts`);
  return replay(engine, { speed, prefix });
}

function serverSettings(url: string): Record<string, unknown> {
  return { local: { backend: 'llama-server', url } };
}

console.log('embedded: replaying the session against node-llama-cpp in the engine');
const embeddedEngine = await startEngine({ env: { TANDEM_MODEL: model } });
const embedded = await run(embeddedEngine);
await embeddedEngine.shutdown();

console.log('llama-server: the same session against a real llama-server (1 slot) serving the same GGUF');
const single = await startLlamaServer({ model, slots: 1 });
const serverEngine = await startEngine({ settings: serverSettings(single.url), env: { TANDEM_MODEL: undefined } });
const server = await run(serverEngine);
await serverEngine.shutdown();
await single.stop();

console.log(`team: ${DEVELOPERS} developers typing the session at once against one llama-server with -np ${DEVELOPERS}`);
const shared = await startLlamaServer({ model, slots: DEVELOPERS });
const engines = await Promise.all(Array.from({ length: DEVELOPERS }, () => startEngine({ settings: serverSettings(shared.url), env: { TANDEM_MODEL: undefined } })));
const team = await Promise.all(engines.map((engine, i) => run(engine, `dev${i + 1}`)));
await Promise.all(engines.map((engine) => engine.shutdown()));
await shared.stop();

const e = metricsOf(embedded.samples);
const s = metricsOf(server.samples);
const answered = (samples: Sample[]) => samples.filter((x) => x.record!.source === 'model' || x.record!.source === 'cache');
const teamLatencies = team.flatMap((t) => answered(t.samples).map((x) => x.latencyMs));
const teamModel = team.flatMap((t) => t.samples.filter((x) => x.record!.source === 'model').map((x) => x.latencyMs));
const perDeveloper = team.map((t) => metricsOf(t.samples));

const result = {
  model: 'test/fixtures/generated/tiny.gguf (random weights), CPU, 1 thread in both backends',
  speed,
  embedded: { ...e, wallSeconds: round(embedded.wallMs / 1000, 1) },
  llamaServer: { ...s, wallSeconds: round(server.wallMs / 1000, 1), slots: 1 },
  /** Server overhead p95 above the embedded backend's, measured in this run (target <= 5 ms). */
  overheadP95AboveEmbeddedMs: round(s.overheadP95Ms - e.overheadP95Ms),
  team: {
    developers: DEVELOPERS,
    slots: DEVELOPERS,
    latencyP50Ms: round(pct(teamLatencies, 50)),
    latencyP95Ms: round(pct(teamLatencies, 95)),
    modelLatencyP95Ms: round(pct(teamModel, 95)),
    /** The same figure for one developer alone on the server (above), for comparison. */
    singleDeveloperLatencyP95Ms: s.latencyP95Ms,
    overheadP95Ms: round(Math.max(...perDeveloper.map((d) => d.overheadP95Ms))),
    reevalPercent: round(perDeveloper.reduce((a, d) => a + d.reevalPercent, 0) / DEVELOPERS),
    typedAheadHitRate: round(Math.min(...perDeveloper.map((d) => d.typedAheadHitRate)), 4),
    cancelled: perDeveloper.reduce((a, d) => a + (d.sources.cancelled ?? 0), 0),
    errors: perDeveloper.reduce((a, d) => a + (d.sources.error ?? 0), 0),
  },
  loadAverage: loadavg().map((n) => round(n)),
  cores: availableParallelism(),
  measuredAt: new Date().toISOString(),
};

mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'backends.json'), `${JSON.stringify(result, null, 2)}\n`);
const row = (name: string, a: number | string, b: number | string, note = '') => console.log(`${name.padEnd(22)} ${String(a).padStart(10)} ${String(b).padStart(12)}  ${note}`);
row('', 'embedded', 'llama-server');
row('overheadP50Ms', e.overheadP50Ms, s.overheadP50Ms);
row('overheadP95Ms', e.overheadP95Ms, s.overheadP95Ms, `(server - embedded = ${result.overheadP95AboveEmbeddedMs}; target <= 5)`);
row('reevalPercent', e.reevalPercent, s.reevalPercent, '(target <= 3)');
row('typedAheadHitRate', e.typedAheadHitRate, s.typedAheadHitRate, '(target = 1)');
row('latencyP95Ms', e.latencyP95Ms, s.latencyP95Ms);
console.log(`team: ${DEVELOPERS} developers, -np ${DEVELOPERS}: latency p50 ${result.team.latencyP50Ms} ms, p95 ${result.team.latencyP95Ms} ms (alone: ${s.latencyP95Ms} ms), generations p95 ${result.team.modelLatencyP95Ms} ms, hit rate ${result.team.typedAheadHitRate}, errors ${result.team.errors}`);
console.log(`load ${result.loadAverage.join(' ')} on ${result.cores} cores; wrote bench/results/backends.json`);
