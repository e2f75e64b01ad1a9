// What the Tandem status bar item says: local model state, why suggestions cannot appear, today's cloud spend.
// Pure (no `vscode` import) so the texts are unit-tested; src/status.ts puts them on screen.
import type { CompletionBlock } from './client/completion-gate';
import type { LatencySummary } from './client/latency';
import type { BackendInfo, BackendProblem, Device, ModelState } from './shared/protocol';
import type { CloudConsent } from './shared/settings';

export type EngineStatus = 'starting' | 'running' | 'stopped';

export interface StatusInput {
  engine: EngineStatus;
  /** Why the engine is stopped, for the tooltip. */
  engineMessage?: string;
  completion?: ModelState;
  chat?: ModelState;
  /** `tandem.model.completion` as set (a path or URL), '' when the engine picks the recommended preset. */
  configuredCompletion?: string;
  /** Why the active editor gets no completions (disabled, excluded, too large). */
  block?: CompletionBlock;
  /** Today's cloud spend from the ledger; undefined until known. */
  todayUsd?: number;
  /** USD per day; 0 = no cloud spend allowed, negative = no limit. */
  dailyBudgetUsd: number;
  localOnly: boolean;
  hasApiKey: boolean;
  /** This workspace's cloud consent (the setting with the stored answer applied). */
  cloudConsent?: CloudConsent;
  /** The latest suggestions' timings; undefined until the first one. */
  latency?: LatencySummary;
}

export type StatusKind = 'normal' | 'warning' | 'error';

export interface StatusView {
  /** The whole state in one line: the item's accessible name and the hover's first line. */
  text: string;
  /** What the status bar shows: an icon and a word or two (details are in the hover). */
  short: string;
  /** Markdown with theme icons. */
  tooltip: string;
  kind: StatusKind;
  /** Why suggestions cannot appear right now; undefined when they can. */
  noSuggestionsBecause?: string;
}

const DEVICE_LABEL: Record<Device, string> = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal', cpu: 'CPU' };

export function deviceLabel(device: Device): string {
  return DEVICE_LABEL[device] ?? device;
}

/** Where a ready model runs: the device, or the server ("llama-server", "Ollama @ gpu-box:11434"). */
export function whereLabel(device: Device | 'server', backend?: BackendInfo): string {
  if (device !== 'server' || !backend) return deviceLabel(device === 'server' ? 'cpu' : device);
  return backend.remote ? `${serverLabel(backend)} @ ${hostOf(backend.url)}` : serverLabel(backend);
}

const SERVER_LABEL: Record<BackendInfo['kind'], string> = { 'llama-server': 'llama-server', ollama: 'Ollama', 'openai-compatible': 'OpenAI-compatible server' };

export function serverLabel(backend: BackendInfo): string {
  return SERVER_LABEL[backend.kind] ?? backend.kind;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The short status bar text for a server problem, by code. */
const PROBLEM_TEXT: Record<BackendProblem, { icon: string; text: string; kind: StatusKind }> = {
  unreachable: { icon: 'error', text: 'server unreachable', kind: 'error' },
  timeout: { icon: 'warning', text: 'server too slow', kind: 'warning' },
  'server-error': { icon: 'error', text: 'server error', kind: 'error' },
  unauthorized: { icon: 'key', text: 'server refused the key', kind: 'error' },
  'wrong-model': { icon: 'error', text: 'model not on server', kind: 'error' },
  'no-fim': { icon: 'warning', text: 'server model cannot complete', kind: 'warning' },
  'no-chat': { icon: 'warning', text: 'server model cannot chat', kind: 'warning' },
  'bad-url': { icon: 'error', text: 'bad server URL', kind: 'error' },
  consent: { icon: 'shield', text: 'server needs consent', kind: 'warning' },
  'local-only-mode': { icon: 'shield', text: 'server off (local-only mode)', kind: 'warning' },
};

export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return '$0.00';
  if (usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

/** A model file (or file name) without folders and the .gguf extension. */
export function modelNameOf(pathOrUrl: string): string {
  const last = pathOrUrl.split(/[\\/]/).pop() ?? pathOrUrl;
  return last.replace(/[?#].*$/, '').replace(/\.gguf$/i, '') || pathOrUrl;
}

/** The name of a model that is set but not loaded yet: the engine's, else the setting's, else none. */
function idleName(state: Extract<ModelState, { state: 'idle' }>, configured?: string): string {
  return state.name ?? (configured ? modelNameOf(configured) : 'the model');
}

/** The main part of the text for a model state, with its icon. */
interface MainText {
  text: string;
  short: string;
  kind: StatusKind;
  blocks?: string;
}

export function modelText(state: ModelState | undefined, configured?: string): MainText {
  if (!state) return { text: '$(loading~spin) Tandem: checking model', short: '$(loading~spin) Tandem', kind: 'normal', blocks: 'the engine is still checking the local model' };
  switch (state.state) {
    case 'idle':
      return {
        text: `$(circle-large-outline) Tandem: ${idleName(state, configured)} (${state.next === 'download' ? 'downloads and loads' : 'loads'} on first use)`,
        short: '$(circle-large-outline) Tandem',
        kind: 'normal',
      };
    case 'ready':
      return { text: `$(check) Tandem: ${state.name} (${whereLabel(state.device, state.backend)})`, short: '$(check) Tandem', kind: 'normal' };
    case 'downloading': {
      const percent = `${Math.floor(clampPercent(state.percent))}%`;
      return {
        text: `$(cloud-download) Tandem: downloading ${state.name} ${percent}`,
        short: `$(cloud-download) ${percent}`,
        kind: 'normal',
        blocks: `the model ${state.name} is downloading`,
      };
    }
    case 'loading':
      if (state.backend) {
        const server = serverLabel(state.backend);
        return { text: `$(loading~spin) Tandem: checking ${server}`, short: '$(loading~spin) Tandem', kind: 'normal', blocks: `Tandem is still checking what ${server} at ${state.backend.url} can do` };
      }
      return { text: `$(loading~spin) Tandem: loading ${state.name}`, short: '$(loading~spin) Tandem', kind: 'normal', blocks: `the model ${state.name} is loading` };
    case 'error':
      if (state.problem) {
        const p = PROBLEM_TEXT[state.problem];
        return { text: `$(${p.icon}) Tandem: ${p.text}`, short: `$(${p.icon}) Tandem`, kind: p.kind, blocks: `completions are off: ${state.message}` };
      }
      return { text: '$(error) Tandem: model error', short: '$(error) Model error', kind: 'error', blocks: `the local model failed: ${state.message}` };
    case 'none':
      return { text: '$(circle-slash) Tandem: no model', short: '$(circle-slash) No model', kind: 'warning', blocks: `no local model is available: ${state.message}` };
  }
}

function clampPercent(percent: number): number {
  return Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : 0;
}

function spendSuffix(input: StatusInput): { text: string; kind: StatusKind } {
  if (input.todayUsd === undefined) return { text: '', kind: 'normal' };
  const spent = formatUsd(input.todayUsd);
  if (input.dailyBudgetUsd > 0 && input.todayUsd >= input.dailyBudgetUsd) {
    return { text: ` · ${spent} today (budget reached)`, kind: 'warning' };
  }
  return { text: ` · ${spent} today`, kind: 'normal' };
}

function describeModel(role: string, state: ModelState | undefined, configured?: string): string {
  if (!state) return `${role}: not known yet`;
  switch (state.state) {
    case 'idle':
      return `${role}: **${idleName(state, configured)}**, ${state.next === 'download' ? 'downloads and loads' : 'loads'} on first use`;
    case 'ready':
      if (state.backend) return `${role}: **${state.name}** ready on ${describeServer(state.backend)}, context ${state.contextSize} tokens`;
      return `${role}: **${state.name}** ready on ${deviceLabel(state.device === 'server' ? 'cpu' : state.device)}${state.gpuLayers > 0 ? ` (${state.gpuLayers} GPU layers)` : ''}, context ${state.contextSize} tokens${role === 'Completion model' && !state.fim ? ', no fill-in-the-middle tokens' : ''}`;
    case 'downloading':
      return `${role}: downloading **${state.name}** ${Math.floor(clampPercent(state.percent))}%`;
    case 'loading':
      return state.backend ? `${role}: checking ${describeServer(state.backend)}` : `${role}: loading **${state.name}**`;
    case 'error':
      return `${role}: error${state.name ? ` in **${state.name}**` : ''}${state.backend ? ` on ${describeServer(state.backend)}` : ''}: ${state.message}`;
    case 'none':
      return `${role}: none. ${state.message}${state.recommended ? ` Recommended: ${state.recommended}.` : ''}`;
  }
}

/** "llama-server at http://gpu-box:8080 (another machine, not trusted; 4 slots)". */
export function describeServer(backend: BackendInfo): string {
  const where = backend.remote ? `another machine, ${backend.trusted ? 'trusted' : 'not trusted: local-only files and secrets never go there'}` : 'this machine';
  const slots = backend.slots ? `; ${backend.slots} slot${backend.slots === 1 ? '' : 's'}` : '';
  return `${serverLabel(backend)} at ${backend.url} (${where}${slots})`;
}

function budgetLine(input: StatusInput): string {
  if (input.localOnly) return 'Cloud: off (local-only mode)';
  if (input.cloudConsent === 'never') return 'Cloud: off in this workspace (you chose never to use it here)';
  const spent = input.todayUsd === undefined ? 'unknown' : formatUsd(input.todayUsd);
  const budget =
    input.dailyBudgetUsd < 0 ? 'no daily limit' : input.dailyBudgetUsd === 0 ? 'no cloud spend allowed' : `of ${formatUsd(input.dailyBudgetUsd)} daily budget`;
  const key = input.hasApiKey ? '' : ' · no Anthropic API key set';
  return `Cloud spend today: ${spent} ${budget}${key}`;
}

/** "keystroke → ghost text p50 180 ms, p90 420 ms · model p50 120 ms, p90 300 ms · 52 tokens/s on CPU". */
export function latencyLine(latency: LatencySummary | undefined, where: string | undefined): string {
  const parts: string[] = [];
  if (latency?.shown) parts.push(`keystroke → ghost text p50 ${latency.shown.p50} ms, p90 ${latency.shown.p90} ms`);
  if (latency?.model) parts.push(`model p50 ${latency.model.p50} ms, p90 ${latency.model.p90} ms`);
  if (latency?.tokensPerSecond !== undefined) parts.push(`${latency.tokensPerSecond} tokens/s`);
  const on = where ? ` on ${where}` : '';
  if (parts.length === 0) return `Latency: no suggestions measured yet${on ? ` (the model runs${on})` : ''}`;
  const count = Math.max(latency?.shown?.count ?? 0, latency?.model?.count ?? 0);
  return `Latency of the last ${count} suggestion${count === 1 ? '' : 's'}: ${parts.join(' · ')}${on}`;
}

function runsOn(state: ModelState | undefined): string | undefined {
  if (state?.state !== 'ready') return undefined;
  return `${whereLabel(state.device, state.backend)}${state.gpuLayers > 0 ? ` (${state.gpuLayers} GPU layers)` : ''}`;
}

/** The status bar text, tooltip and colour for the current state. */
export function statusView(input: StatusInput): StatusView {
  let main: MainText;
  if (input.engine === 'stopped') {
    main = { text: '$(error) Tandem: engine stopped', short: '$(error) Tandem', kind: 'error', blocks: 'the Tandem engine is not running' };
  } else if (input.engine === 'starting') {
    main = { text: '$(sync~spin) Tandem: starting', short: '$(sync~spin) Tandem', kind: 'normal', blocks: 'the Tandem engine is starting' };
  } else if (input.block?.reason === 'disabled') {
    main = { text: '$(circle-slash) Tandem: completions off', short: '$(eye-closed) Tandem', kind: 'normal', blocks: 'inline completions are turned off' };
  } else {
    main = modelText(input.completion, input.configuredCompletion);
    // A chat model download is long and worth seeing, but it does not stop suggestions.
    if (!main.blocks && input.chat?.state === 'downloading') main = { ...modelText(input.chat), blocks: undefined };
    if (!main.blocks && input.block) {
      main = { text: `$(eye-closed) Tandem: ${input.block.label}`, short: '$(eye-closed) Tandem', kind: 'normal', blocks: input.block.detail };
    }
  }
  const spend = input.engine === 'stopped' ? { text: '', kind: 'normal' as StatusKind } : spendSuffix(input);
  const kind: StatusKind = main.kind === 'error' || spend.kind === 'error' ? 'error' : main.kind === 'warning' || spend.kind === 'warning' ? 'warning' : 'normal';

  const text = `${main.text}${spend.text}`;
  const lines = [`**${text.replace(/\$\([^)]*\)\s*/g, '')}**`, ''];
  lines.push(`- Engine: ${input.engine}${input.engineMessage ? ` (${input.engineMessage})` : ''}`);
  lines.push(`- ${describeModel('Completion model', input.completion, input.configuredCompletion)}`);
  lines.push(`- ${describeModel('Chat model', input.chat)}`);
  const because = main.blocks ?? input.block?.detail;
  lines.push(`- Suggestions: ${because ? `$(circle-slash) none, because ${because}` : '$(check) appear as you type'}`);
  if (input.engine === 'running') lines.push(`- ${latencyLine(input.latency, runsOn(input.completion))}`);
  lines.push(`- ${budgetLine(input)}`);
  lines.push('', 'Click for Tandem actions.');

  return {
    text,
    short: main.short,
    tooltip: lines.join('\n'),
    kind,
    noSuggestionsBecause: because,
  };
}
