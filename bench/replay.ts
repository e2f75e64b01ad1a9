// Replays the recorded typing session (bench/typing-session.json) through one engine over stdio, the way an editor
// sends it: edits, then an inline completion request per keystroke, typing along with the suggestion on screen,
// accepting it. Shared by the completion benchmark and the backend benchmark, with the metrics both report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetStatsRequest, type CompletionRecord } from '../src/shared/protocol.js';
import { delay, firstText, type EngineClient } from '../test/support/lsp-client.js';
import type { Event } from './typing-session.js';

export interface Session {
  plan: Record<string, { before: string; after: string; typed: string }>;
  events: Event[];
}

export type Kind = 'cold' | 'forward' | 'delete' | 'matching' | 'accept';

export interface Sample {
  kind: Kind;
  latencyMs: number;
  shown: string;
  record?: CompletionRecord;
}

export const session = JSON.parse(readFileSync(join(import.meta.dirname, 'typing-session.json'), 'utf8')) as Session;

/** Warm the engine up (the model loads, or the server is probed) with one request that is not measured. */
export async function warmUp(engine: EngineClient, uri = 'file:///bench/warmup.ts'): Promise<void> {
  await engine.open(uri, 'typescript', 'const warm = \n');
  await engine.inlineCompletion(uri, { line: 0, character: 13 });
  await engine.close(uri);
}

/** Replays the session; `prefix` keeps several simulated developers' documents apart. Returns every request with
 * the engine's own record of it attached. */
export async function replay(engine: EngineClient, options: { speed?: number; prefix?: string } = {}): Promise<{ samples: Sample[]; wallMs: number }> {
  const speed = options.speed ?? 1;
  const rename = (uri: string) => (options.prefix ? uri.replace('file:///bench/', `file:///bench/${options.prefix}/`) : uri);
  const docs = new Map<string, { typed: string; planned: number }>();
  let file = '';
  let onScreen = '';
  const samples: Sample[] = [];
  const before = (await engine.request(GetStatsRequest, { recent: 0 })).requests;

  const textOf = (uri: string): string => session.plan[uri].before + docs.get(uri)!.typed + session.plan[uri].after;
  const cursorOf = (uri: string): { line: number; character: number } => {
    const lines = (session.plan[uri].before + docs.get(uri)!.typed).split('\n');
    return { line: lines.length - 1, character: lines[lines.length - 1].length };
  };
  const insert = async (text: string): Promise<void> => {
    const pos = cursorOf(file);
    docs.get(file)!.typed += text;
    await engine.edit(rename(file), { start: pos, end: pos }, text);
  };
  const reset = async (uri: string): Promise<void> => {
    const doc = docs.get(uri)!;
    doc.typed = session.plan[uri].typed.slice(0, doc.planned);
    await engine.change(rename(uri), textOf(uri));
  };
  const complete = async (kind: Kind): Promise<void> => {
    const started = performance.now();
    const list = await engine.inlineCompletion(rename(file), cursorOf(file));
    const latencyMs = performance.now() - started;
    onScreen = firstText(list);
    samples.push({ kind, latencyMs, shown: onScreen });
  };

  const wallStart = performance.now();
  for (const event of session.events) {
    if (event.dt) await delay(event.dt / speed);
    switch (event.type) {
      case 'open':
        file = event.file;
        docs.set(file, { typed: '', planned: 0 });
        await engine.open(rename(file), event.languageId, event.text);
        await complete('cold');
        break;
      case 'goto':
        file = event.file;
        await reset(file);
        await complete('cold');
        break;
      case 'type': {
        const matching = onScreen.length > 0 && onScreen.replace(/\r\n/g, '\n').startsWith(event.text);
        const doc = docs.get(file)!;
        const plan = session.plan[file].typed;
        await insert(event.text);
        if (doc.typed === plan.slice(0, doc.planned + 1)) doc.planned++;
        await complete(matching ? 'matching' : 'forward');
        break;
      }
      case 'backspace': {
        const doc = docs.get(file)!;
        const pos = cursorOf(file);
        const removed = doc.typed.slice(-1);
        doc.typed = doc.typed.slice(0, -1);
        if (doc.planned > doc.typed.length) doc.planned = doc.typed.length;
        const start = removed === '\n' ? cursorOf(file) : { line: pos.line, character: pos.character - 1 };
        await engine.edit(rename(file), { start, end: pos }, '');
        await complete('delete');
        break;
      }
      case 'typeSuggestion': {
        const typedAlong = onScreen.replace(/\r\n/g, '\n');
        for (let i = 0; i < event.count && i < typedAlong.length - 1; i++) {
          await delay(90 / speed);
          await insert(typedAlong[i]);
          await complete('matching');
        }
        // The user deletes what they typed along with (one edit, no request) and keeps to the plan.
        await reset(file);
        onScreen = '';
        break;
      }
      case 'accept':
      case 'acceptLine': {
        if (!onScreen) break;
        const text = event.type === 'accept' ? onScreen : onScreen.split(/\r?\n/)[0] + '\n';
        await insert(text.replace(/\r\n/g, '\n'));
        await complete('accept');
        break;
      }
    }
  }
  const wallMs = performance.now() - wallStart;
  const stats = await engine.request(GetStatsRequest, { recent: 2000 });
  const records = stats.recent.filter((r) => r.seq > before);
  if (records.length !== samples.length) throw new Error(`engine recorded ${records.length} requests, the bench sent ${samples.length}`);
  samples.forEach((s, i) => (s.record = records[i]));
  return { samples, wallMs };
}

export function pct(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Model compute of a request: what the model (or the server's model) spent; everything else is overhead. */
export const compute = (r: CompletionRecord): number => r.prefillMs + r.firstTokenMs + r.decodeMs;

/** The figures both benchmarks report. */
export function metricsOf(samples: Sample[]) {
  const answered = samples.filter((s) => s.record!.source === 'model' || s.record!.source === 'cache');
  const overhead = answered.map((s) => Math.max(0, s.latencyMs - compute(s.record!)));
  const engineOverhead = answered.map((s) => Math.max(0, s.record!.totalMs - compute(s.record!)));
  const forwardModel = samples.filter((s) => s.kind === 'forward' && s.record!.source === 'model');
  const evaluated = forwardModel.reduce((sum, s) => sum + s.record!.evaluatedTokens, 0);
  const prompt = forwardModel.reduce((sum, s) => sum + s.record!.promptTokens, 0);
  const perKeystroke = forwardModel.map((s) => (100 * s.record!.evaluatedTokens) / Math.max(1, s.record!.promptTokens));
  const matching = samples.filter((s) => s.kind === 'matching');
  const matchingHits = matching.filter((s) => s.record!.source === 'cache');
  const keystrokes = samples.filter((s) => s.kind !== 'cold').length;
  const generations = samples.filter((s) => s.record!.source === 'model').length;
  return {
    requests: samples.length,
    keystrokes,
    overheadP50Ms: round(pct(overhead, 50)),
    overheadP95Ms: round(pct(overhead, 95)),
    /** The engine's own share of the overhead (handler time minus model compute), without the LSP transport. */
    engineOverheadP50Ms: round(pct(engineOverhead, 50)),
    engineOverheadP95Ms: round(pct(engineOverhead, 95)),
    reevalPercent: round(prompt ? (100 * evaluated) / prompt : 0),
    reevalPercentMeanPerKeystroke: round(perKeystroke.reduce((a, b) => a + b, 0) / Math.max(1, perKeystroke.length)),
    reevalPercentP95: round(pct(perKeystroke, 95)),
    typedAheadHitRate: round(matching.length ? matchingHits.length / matching.length : 0, 4),
    matchingKeystrokes: matching.length,
    generationsPerKeystroke: round(keystrokes ? generations / keystrokes : 0, 3),
    latencyP50Ms: round(pct(answered.map((s) => s.latencyMs), 50)),
    latencyP95Ms: round(pct(answered.map((s) => s.latencyMs), 95)),
    cacheLatencyP95Ms: round(pct(samples.filter((s) => s.record!.source === 'cache').map((s) => s.latencyMs), 95)),
    modelComputeP50Ms: round(pct(samples.filter((s) => s.record!.source === 'model').map((s) => compute(s.record!)), 50)),
    promptTokensP50: pct(forwardModel.map((s) => s.record!.promptTokens), 50),
    evaluatedTokensP50: pct(forwardModel.map((s) => s.record!.evaluatedTokens), 50),
    coldRequests: samples.filter((s) => s.kind === 'cold').length,
    shownNonEmpty: round(answered.filter((s) => s.shown.trim()).length / Math.max(1, answered.length), 3),
    sources: Object.fromEntries(['model', 'cache', 'cancelled', 'skipped', 'error'].map((k) => [k, samples.filter((s) => s.record!.source === k).length])),
  };
}
