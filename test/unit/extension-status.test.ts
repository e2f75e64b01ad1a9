// The status bar texts users read: model state, why suggestions cannot appear, today's cloud spend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUsd, statusView, type StatusInput } from '../../src/status-text.js';
import { completionBlock } from '../../src/client/completion-gate.js';
import { LATENCY_WINDOW, LatencyRing, summarizeLatency } from '../../src/client/latency.js';
import type { CompletionRecord, ModelState } from '../../src/shared/protocol.js';

const ready: ModelState = { role: 'completion', state: 'ready', name: 'tiny', device: 'cpu', gpuLayers: 0, contextSize: 2048, fim: true };
const base: StatusInput = { engine: 'running', completion: ready, todayUsd: 0, dailyBudgetUsd: 2, localOnly: false, hasApiKey: true };

void test('ready model on the CPU with no spend: the exact text the VS Code tests look for', () => {
  const view = statusView(base);
  assert.equal(view.text, '$(check) Tandem: tiny (CPU) · $0.00 today');
  assert.equal(view.kind, 'normal');
  assert.equal(view.noSuggestionsBecause, undefined);
  assert.match(view.tooltip, /Completion model: \*\*tiny\*\* ready on CPU/);
  assert.match(view.tooltip, /Suggestions: \$\(check\) appear as you type/);
});

void test('ready on a GPU names the backend and the layers', () => {
  const view = statusView({ ...base, completion: { ...ready, device: 'cuda', gpuLayers: 33 }, todayUsd: 0.4213 });
  assert.equal(view.text, '$(check) Tandem: tiny (CUDA) · $0.42 today');
  assert.match(view.tooltip, /ready on CUDA \(33 GPU layers\)/);
});

void test('downloading shows the percentage and says suggestions wait for it', () => {
  const view = statusView({
    ...base,
    completion: { role: 'completion', state: 'downloading', name: 'qwen', receivedBytes: 42, totalBytes: 100, percent: 42.7 },
  });
  assert.equal(view.text, '$(cloud-download) Tandem: downloading qwen 42% · $0.00 today');
  assert.equal(view.noSuggestionsBecause, 'the model qwen is downloading');
});

void test('loading, no model and model error each say why nothing appears', () => {
  const loading = statusView({ ...base, completion: { role: 'completion', state: 'loading', name: 'qwen' } });
  assert.equal(loading.text, '$(loading~spin) Tandem: loading qwen · $0.00 today');
  const none = statusView({ ...base, completion: { role: 'completion', state: 'none', message: 'No model is configured.', recommended: 'qwen-1.5b' } });
  assert.equal(none.text, '$(circle-slash) Tandem: no model · $0.00 today');
  assert.equal(none.kind, 'warning');
  assert.match(none.tooltip, /Recommended: qwen-1\.5b/);
  const broken = statusView({ ...base, completion: { role: 'completion', state: 'error', name: 'bad', message: 'not a GGUF file' } });
  assert.equal(broken.text, '$(error) Tandem: model error · $0.00 today');
  assert.equal(broken.kind, 'error');
  assert.equal(broken.noSuggestionsBecause, 'the local model failed: not a GGUF file');
});

void test('engine stopped wins over everything and shows no stale spend', () => {
  const view = statusView({ ...base, engine: 'stopped', engineMessage: 'crashed 5 times' });
  assert.equal(view.text, '$(error) Tandem: engine stopped');
  assert.equal(view.kind, 'error');
  assert.match(view.tooltip, /Engine: stopped \(crashed 5 times\)/);
  assert.equal(statusView({ ...base, engine: 'starting', completion: undefined }).text, '$(sync~spin) Tandem: starting · $0.00 today');
});

void test('completions turned off and excluded files are named in the status bar', () => {
  const off = completionBlock({ enabled: false, exclude: [], maxFileBytes: 1e6, sizeBytes: 10 });
  assert.equal(statusView({ ...base, block: off }).text, '$(circle-slash) Tandem: completions off · $0.00 today');
  const excluded = completionBlock({ enabled: true, exclude: ['*.md'], maxFileBytes: 1e6, relativePath: 'docs/README.md', sizeBytes: 10 });
  const view = statusView({ ...base, block: excluded });
  assert.equal(view.text, '$(eye-closed) Tandem: file excluded · $0.00 today');
  assert.match(view.noSuggestionsBecause ?? '', /matches `\*\.md` in `tandem\.completions\.exclude`/);
});

void test('a model problem outranks an excluded file; completions off outranks a model problem', () => {
  const excluded = completionBlock({ enabled: true, exclude: ['*.md'], maxFileBytes: 1e6, relativePath: 'a.md', sizeBytes: 1 });
  const loading: ModelState = { role: 'completion', state: 'loading', name: 'qwen' };
  assert.equal(statusView({ ...base, completion: loading, block: excluded }).text, '$(loading~spin) Tandem: loading qwen · $0.00 today');
  const off = completionBlock({ enabled: false, exclude: [], maxFileBytes: 1e6, sizeBytes: 1 });
  assert.equal(statusView({ ...base, completion: loading, block: off }).text, '$(circle-slash) Tandem: completions off · $0.00 today');
});

void test('spend: small amounts, budget reached, local-only and missing key in the tooltip', () => {
  assert.equal(formatUsd(0), '$0.00');
  assert.equal(formatUsd(0.004), '<$0.01');
  assert.equal(formatUsd(1.005), '$1.00');
  assert.equal(formatUsd(Number.NaN), '$0.00');
  const over = statusView({ ...base, todayUsd: 2.5 });
  assert.equal(over.text, '$(check) Tandem: tiny (CPU) · $2.50 today (budget reached)');
  assert.equal(over.kind, 'warning');
  assert.match(statusView({ ...base, localOnly: true }).tooltip, /Cloud: off \(local-only mode\)/);
  assert.match(statusView({ ...base, hasApiKey: false }).tooltip, /no Anthropic API key set/);
  assert.match(statusView({ ...base, dailyBudgetUsd: -1 }).tooltip, /no daily limit/);
  assert.equal(statusView({ ...base, todayUsd: undefined }).text, '$(check) Tandem: tiny (CPU)');
});

void test('a configured model the engine has not loaded yet is idle, not missing: suggestions still appear', () => {
  // Whatever the engine's words ("is downloaded", "The model loads on first use"), the state says what it is.
  const idle: ModelState = { role: 'completion', state: 'idle', name: 'tiny', next: 'load', message: 'tiny is downloaded; it loads on first use' };
  const view = statusView({ ...base, completion: idle });
  assert.equal(view.text, '$(circle-large-outline) Tandem: tiny (loads on first use) · $0.00 today');
  assert.equal(view.noSuggestionsBecause, undefined);
  assert.match(view.tooltip, /Completion model: \*\*tiny\*\*, loads on first use/);
  const unnamed: ModelState = { role: 'completion', state: 'idle', next: 'load', message: 'The model loads on first use' };
  const fromSetting = statusView({ ...base, completion: unnamed, configuredCompletion: '/models/qwen2.5-coder-0.5b-q8_0.gguf' });
  assert.equal(fromSetting.text, '$(circle-large-outline) Tandem: qwen2.5-coder-0.5b-q8_0 (loads on first use) · $0.00 today');
  const url = statusView({ ...base, completion: { ...unnamed, name: 'model', next: 'download' } });
  assert.equal(url.text, '$(circle-large-outline) Tandem: model (downloads and loads on first use) · $0.00 today');
  const none = statusView({ ...base, completion: { role: 'completion', state: 'none', message: 'No completion model set.', recommended: 'qwen' }, configuredCompletion: '' });
  assert.equal(none.text, '$(circle-slash) Tandem: no model · $0.00 today');
});

void test('a chat model download shows in the status bar without claiming suggestions are blocked', () => {
  const chat: ModelState = { role: 'chat', state: 'downloading', name: 'qwen-chat', receivedBytes: 1, totalBytes: 4, percent: 25 };
  const view = statusView({ ...base, chat });
  assert.equal(view.text, '$(cloud-download) Tandem: downloading qwen-chat 25% · $0.00 today');
  assert.equal(view.noSuggestionsBecause, undefined);
  assert.match(view.tooltip, /Chat model: downloading \*\*qwen-chat\*\* 25%/);
});

void test('a model on an inference server names the server, and for another machine its host and trust', () => {
  const here = { kind: 'llama-server' as const, url: 'http://127.0.0.1:8080', remote: false, trusted: true, slots: 4 };
  const local = statusView({ ...base, completion: { ...ready, name: 'qwen2.5-coder', device: 'server', backend: here } });
  assert.equal(local.text, '$(check) Tandem: qwen2.5-coder (llama-server) · $0.00 today');
  assert.match(local.tooltip, /ready on llama-server at http:\/\/127\.0\.0\.1:8080 \(this machine; 4 slots\)/);
  const away = { kind: 'ollama' as const, url: 'http://gpu-box:11434', remote: true, trusted: false };
  const remote = statusView({ ...base, completion: { ...ready, name: 'qwen', device: 'server', backend: away } });
  assert.equal(remote.text, '$(check) Tandem: qwen (Ollama @ gpu-box:11434) · $0.00 today');
  assert.match(remote.tooltip, /another machine, not trusted: local-only files and secrets never go there/);
  const probing = statusView({ ...base, completion: { role: 'completion', state: 'loading', name: 'llama-server', backend: here } });
  assert.equal(probing.text, '$(loading~spin) Tandem: checking llama-server · $0.00 today');
});

void test('each server problem has its own short text, and the tooltip says why completions are off', () => {
  const backend = { kind: 'openai-compatible' as const, url: 'http://vllm:8000/v1', remote: true, trusted: true };
  const cases: [NonNullable<Extract<ModelState, { state: 'error' }>['problem']>, string, string][] = [
    ['unreachable', '$(error) Tandem: server unreachable', 'error'],
    ['timeout', '$(warning) Tandem: server too slow', 'warning'],
    ['wrong-model', '$(error) Tandem: model not on server', 'error'],
    ['no-fim', '$(warning) Tandem: server model cannot complete', 'warning'],
    ['unauthorized', '$(key) Tandem: server refused the key', 'error'],
    ['consent', '$(shield) Tandem: server needs consent', 'warning'],
  ];
  for (const [problem, text, kind] of cases) {
    const message = `message for ${problem}`;
    const view = statusView({ ...base, completion: { role: 'completion', state: 'error', message, problem, backend } });
    assert.equal(view.text, `${text} · $0.00 today`);
    assert.equal(view.kind, kind);
    assert.equal(view.noSuggestionsBecause, `completions are off: ${message}`);
    assert.match(view.tooltip, /on OpenAI-compatible server at http:\/\/vllm:8000\/v1 \(another machine, trusted\)/);
  }
});
void test('the status bar shows an icon and a word; the whole state is its accessible name and the hover', () => {
  const view = statusView(base);
  assert.equal(view.short, '$(check) Tandem');
  assert.match(view.tooltip, /^\*\*Tandem: tiny \(CPU\) · \$0\.00 today\*\*/);
  const cases: [Partial<StatusInput>, string][] = [
    [{ engine: 'stopped' }, '$(error) Tandem'],
    [{ engine: 'starting' }, '$(sync~spin) Tandem'],
    [{ completion: { role: 'completion', state: 'downloading', name: 'a-very-long-model-name-q8_0', receivedBytes: 1, totalBytes: 3, percent: 33.3 } }, '$(cloud-download) 33%'],
    [{ completion: { role: 'completion', state: 'none', message: 'none' } }, '$(circle-slash) No model'],
    [{ completion: { role: 'completion', state: 'error', message: 'bad file' } }, '$(error) Model error'],
    [{ block: completionBlock({ enabled: false, exclude: [], maxFileBytes: 1e6, sizeBytes: 1 }) }, '$(eye-closed) Tandem'],
  ];
  for (const [change, short] of cases) {
    const v = statusView({ ...base, ...change });
    assert.equal(v.short, short, JSON.stringify(change));
    // Narrow: the icon and at most two short words, whatever the model is called or costs.
    assert.ok(v.short.replace(/\$\([^)]*\)\s*/g, '').length <= 12, v.short);
  }
});

void test('the hover shows the last suggestions\' latency: p50/p90 keystroke → ghost text and model time, tokens/s, where it runs', () => {
  const view = statusView({
    ...base,
    completion: { ...ready, device: 'cuda', gpuLayers: 33 },
    latency: { shown: { p50: 182, p90: 431, count: 20 }, model: { p50: 121, p90: 298, count: 18 }, tokensPerSecond: 52 },
  });
  assert.match(
    view.tooltip,
    /- Latency of the last 20 suggestions: keystroke → ghost text p50 182 ms, p90 431 ms · model p50 121 ms, p90 298 ms · 52 tokens\/s on CUDA \(33 GPU layers\)/,
  );
  assert.match(statusView(base).tooltip, /- Latency: no suggestions measured yet \(the model runs on CPU\)/);
  assert.doesNotMatch(statusView({ ...base, engine: 'stopped' }).tooltip, /Latency/);
});

void test('latency figures come from the editor\'s timings and the engine\'s records of generated suggestions', () => {
  const record = (over: Partial<CompletionRecord>): CompletionRecord => ({
    seq: 1, uri: 'file:///a.ts', source: 'model', waitMs: 0, contextMs: 1, prefillMs: 20, firstTokenMs: 10, decodeMs: 90, postProcessMs: 0, totalMs: 125,
    promptTokens: 200, evaluatedTokens: 4, generatedTokens: 10, chars: 30, ...over,
  });
  const records = [record({}), record({ prefillMs: 40, decodeMs: 190, generatedTokens: 20 }), record({ source: 'cache', generatedTokens: 0 }), record({ source: 'skipped', generatedTokens: 0 })];
  const summary = summarizeLatency([100, 300, 200], records);
  assert.deepEqual(summary.shown, { p50: 200, p90: 300, count: 3 });
  assert.deepEqual(summary.model, { p50: 120, p90: 240, count: 2 });
  // 30 tokens in (10 + 90) + (10 + 190) ms of generation.
  assert.equal(summary.tokensPerSecond, 100);
  const ring = new LatencyRing();
  for (let i = 0; i < LATENCY_WINDOW + 10; i++) ring.add(i);
  ring.add(Number.NaN);
  assert.equal(ring.values.length, LATENCY_WINDOW);
  assert.equal(ring.values[0], 10);
  assert.deepEqual(summarizeLatency([], []), { shown: undefined, model: undefined, tokensPerSecond: undefined });
});
