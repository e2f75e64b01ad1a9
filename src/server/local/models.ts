// Owns node-llama-cpp: the runtime (GPU auto-detected, CPU fallback), the loaded models and their
// sequences, the model state of each role, downloads. Models load lazily on first use, stay warm, and are
// unloaded on shutdown or when a model setting changes. A failure is remembered until the file or the
// setting changes, so a bad model gives one clear state instead of a crash or retry loop.
import { availableParallelism, totalmem } from 'node:os';
import { stat } from 'node:fs/promises';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { Device, HardwareInfo, ModelRole, ModelState } from '../../shared/protocol.js';
import { ModelStateNotification } from '../../shared/protocol.js';
import { MODEL_RELOAD_KEYS, type TandemSettings } from '../../shared/settings.js';
import type { EngineContext } from '../context.js';
import { checkGguf, errorText, modelName, precheckGguf, type GgufPrecheck } from './gguf-check.js';
import { choosePresets, findPreset } from './presets.js';
import { resolveSource, type ModelSource } from './source.js';
import { DownloadCancelledError, DownloadManager } from './downloads.js';

export interface LoadedModel {
  model: LlamaModel;
  seq: LlamaContextSequence;
  name: string;
  fim: boolean;
}

interface Entry {
  path: string;
  model: LlamaModel;
  context: LlamaContext;
  free: LlamaContextSequence[];
  name: string;
  fim: boolean;
}

const ROLES: ModelRole[] = ['completion', 'chat'];

/** The context window a model gets: the setting, else its training window capped at the role's default. The same
 * function plans the window from the GGUF metadata before loading and sizes the context when loading, so the
 * first routing decision is the one a loaded model gets. */
export function plannedContextSize(setting: number, trainContextSize: number | undefined, defaultContext: number): number {
  return setting || Math.min(trainContextSize || defaultContext, defaultContext);
}

/** The role's default window: chat (and a file shared by both roles) 8192 tokens, completion 4096. */
function defaultContextFor(role: ModelRole, shared: boolean): number {
  return shared || role === 'chat' ? 8192 : 4096;
}

/** What the router needs from a model before it loads: its window and its tokenizer (vocabulary only). */
export interface ModelPlan {
  path: string;
  contextSize: number;
  /** The model loaded with its vocabulary only (no weights), for exact token counts. */
  vocabulary?: LlamaModel;
}

/** Before the engine has looked at the settings (describeIdle fills in the name). */
const UNLOADED = (role: ModelRole): ModelState => ({ role, state: 'idle', next: 'load', message: 'The model loads on first use' });

/** Threads for llama.cpp: the setting, else the real core count minus one for the editor and the engine's
 * own thread (measured here: on 2 cores, 2 threads made a tiny model 40x slower than 1). */
export function defaultThreads(setting: number, cores = availableParallelism()): number {
  if (setting > 0) return Math.floor(setting);
  return Math.max(1, cores - 1);
}

export class ModelManager {
  private llamaPromise: Promise<Llama> | undefined;
  private readonly states = new Map<ModelRole, ModelState>();
  private readonly entries = new Map<string, Promise<Entry>>();
  private readonly acquired = new Map<ModelRole, Promise<LoadedModel>>();
  private readonly failures = new Map<string, { key: string; message: string }>();
  private readonly plans = new Map<string, Promise<ModelPlan | undefined>>();
  /** Files whose precheck passed, by file key: an idle role's state is not re-read on every query. */
  private readonly prechecked = new Map<string, string>();
  /** Automatic downloads (a URL in the settings) the user cancelled; only an explicit download resumes. */
  readonly cancelledDownloads = new Set<string>();
  readonly downloads: DownloadManager;
  private generation = 0;

  constructor(private readonly ctx: EngineContext) {
    this.downloads = new DownloadManager(ctx, (state) => this.setState(state));
    for (const role of ROLES) this.states.set(role, UNLOADED(role));
    ctx.settings.onChange((next, previous) => {
      const changed = (key: string) => JSON.stringify(pick(next, key)) !== JSON.stringify(pick(previous, key));
      // The runtime itself depends on the GPU choice and the thread count.
      const runtime = changed('model.gpu') || changed('model.threads');
      if (MODEL_RELOAD_KEYS.some(changed)) void this.unload('model settings changed', false, runtime);
    });
  }

  get settings(): TandemSettings {
    return this.ctx.settings.value;
  }

  get threads(): number {
    return defaultThreads(this.settings.model.threads);
  }

  state(role: ModelRole): ModelState {
    return this.states.get(role) ?? { role, state: 'none', message: 'No model' };
  }

  allStates(): ModelState[] {
    return ROLES.map((role) => this.state(role));
  }

  setState(state: ModelState): void {
    // The same state again (every keystroke without a model) is not news.
    if (JSON.stringify(this.states.get(state.role)) === JSON.stringify(state)) return;
    this.states.set(state.role, state);
    // With an inference server as the backend, the server's states are the news; a download's progress still is.
    if (this.settings.local.backend !== 'embedded' && state.state !== 'downloading') return;
    void this.ctx.connection.sendNotification(ModelStateNotification, state).catch(() => undefined);
  }

  /** The runtime: the GPU the setting asks for ('auto' detects CUDA/Vulkan/Metal), CPU when that fails. */
  llama(): Promise<Llama> {
    this.llamaPromise ??= (async () => {
      const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
      const choice = this.settings.model.gpu;
      const base = {
        build: 'never' as const,
        maxThreads: this.threads,
        logLevel: LlamaLogLevel.warn,
        logger: (_level: unknown, message: string) => {
          if (message.trim()) this.ctx.log.warn(`llama.cpp: ${message.trim()}`);
        },
      };
      if (choice === 'cpu') return getLlama({ ...base, gpu: false });
      try {
        return await getLlama({ ...base, gpu: choice });
      } catch (error) {
        this.ctx.log.warn(`GPU backend "${choice}" failed (${errorText(error)}); using the CPU`);
        return getLlama({ ...base, gpu: false });
      }
    })();
    return this.llamaPromise;
  }

  async hardware(): Promise<HardwareInfo> {
    const llama = await this.llama();
    const gpu = llama.gpu ? (llama.gpu as Device) : false;
    const vramBytes = gpu ? (await llama.getVramState()).total : 0;
    return { gpu, vramBytes, ramBytes: totalmem(), cores: availableParallelism() };
  }

  async recommended(): Promise<Record<ModelRole, string>> {
    return choosePresets(await this.hardware());
  }

  /** The loaded model and a private sequence for `role`; rejects with a message the user can act on. */
  acquire(role: ModelRole): Promise<LoadedModel> {
    let pending = this.acquired.get(role);
    if (!pending) {
      pending = this.load(role);
      this.acquired.set(role, pending);
      pending.catch(() => this.acquired.delete(role));
    }
    return pending;
  }

  /** Fills in the state of roles that have not been used yet: what is set, or the recommended preset. */
  async describeIdle(): Promise<ModelState[]> {
    for (const role of ROLES) {
      const current = this.state(role);
      if ((current.state !== 'none' && current.state !== 'idle') || this.acquired.has(role)) continue;
      const source = await resolveSource(this.settings.model[role], role, this.ctx.dataDir, this.ctx.workspaceFolders);
      if (source.kind === 'none') {
        const preset = findPreset((await this.recommended().catch(() => undefined))?.[role]);
        const message = `No ${role} model set. Download the recommended ${preset?.label ?? 'preset'} or set tandem.model.${role}`;
        this.states.set(role, { role, state: 'none', message, recommended: preset?.id });
      } else {
        const path = source.kind === 'file' ? source.path : source.dest;
        const failure = this.failures.get(path);
        if (failure) continue;
        // A file that is missing or broken is said at once, not on the first keystroke.
        if (source.kind === 'file' && (await this.refused(role, path))) continue;
        const next = source.kind === 'url' && !source.cached ? 'download' : 'load';
        const name = modelName(path);
        if (current.state === 'none' && this.cancelledDownloads.has(path)) continue;
        this.states.set(role, { role, state: 'idle', name, next, message: `${name} ${next === 'download' ? 'downloads and loads' : 'loads'} on first use` });
      }
    }
    return this.allStates();
  }

  /** The role's window and tokenizer as loading would give them, read from the GGUF without loading the weights
   * (checked first, as before a load). Undefined when there is no usable file yet (none set, downloading,
   * corrupt). Cached per file, its size and mtime, and the settings. */
  async plan(role: ModelRole): Promise<ModelPlan | undefined> {
    const source = await resolveSource(this.settings.model[role], role, this.ctx.dataDir, this.ctx.workspaceFolders);
    const path = source.kind === 'file' ? source.path : source.kind === 'url' && source.cached ? source.dest : undefined;
    if (!path) return undefined;
    const shared = await this.sharedPath(role, path);
    const key = `${role}:${path}:${await fileKey(path)}:${this.settings.model.contextSize}:${shared}:${this.generation}`;
    let pending = this.plans.get(key);
    if (!pending) {
      pending = this.makePlan(path, role, shared);
      this.plans.set(key, pending);
    }
    return pending;
  }

  private async makePlan(path: string, role: ModelRole, shared: boolean): Promise<ModelPlan | undefined> {
    // A broken file is refused before the runtime starts, as for a load.
    const pre = await precheckGguf(path);
    if (!pre.ok) return undefined;
    const llama = await this.llama();
    const check = await checkGguf(path, llama, pre);
    if (!check.ok) return undefined;
    const contextSize = plannedContextSize(this.settings.model.contextSize, check.trainContextSize, defaultContextFor(role, shared));
    const vocabulary = await llama.loadModel({ modelPath: path, vocabOnly: true, gpuLayers: 0 }).catch((error: unknown) => {
      this.ctx.log.warn(`Could not read the vocabulary of ${check.name}: ${errorText(error)}; token counts are estimated until it loads`);
      return undefined;
    });
    return { path, contextSize, vocabulary };
  }

  /** The model is loaded (no waiting on a load or download). */
  isReady(role: ModelRole): boolean {
    return this.state(role).state === 'ready';
  }

  private async load(role: ModelRole): Promise<LoadedModel> {
    const generation = this.generation;
    const source = await resolveSource(this.settings.model[role], role, this.ctx.dataDir, this.ctx.workspaceFolders);
    const path = await this.pathFor(role, source);
    const failure = this.failures.get(path) ?? this.failures.get(`${role}:${path}`);
    const key = await fileKey(path);
    if (failure && failure.key === key) throw new Error(failure.message);
    const name = modelName(path);
    let entryPromise = this.entries.get(path);
    // The file is checked before the model runtime starts (seconds): a missing or broken file is said at once.
    const pre = entryPromise ? undefined : await precheckGguf(path);
    if (pre && !pre.ok) {
      this.failures.set(path, { key, message: pre.message });
      this.setState({ role, state: 'error', name, message: pre.message });
      throw new Error(pre.message);
    }
    this.setState({ role, state: 'loading', name });
    const shared = await this.sharedPath(role, path);
    entryPromise = this.entries.get(path);
    if (!entryPromise) {
      entryPromise = this.open(path, shared ? 2 : 1, defaultContextFor(role, shared), pre);
      this.entries.set(path, entryPromise);
    }
    let entry: Entry;
    try {
      entry = await entryPromise;
    } catch (error) {
      this.entries.delete(path);
      const message = errorText(error);
      this.failures.set(path, { key, message });
      this.setState({ role, state: 'error', name, message });
      throw error;
    }
    if (generation !== this.generation) throw new Error('Model settings changed while loading');
    if (role === 'completion' && !entry.fim) {
      const message = `${name} has no fill-in-the-middle (FIM) tokens, so it cannot write inline completions; choose a coder base model such as Qwen2.5-Coder`;
      this.failures.set(`${role}:${path}`, { key, message });
      this.setState({ role, state: 'error', name, message });
      throw new Error(message);
    }
    const seq = entry.free.shift() ?? entry.context.getSequence();
    const llama = await this.llama();
    this.setState({
      role, state: 'ready', name, device: (llama.gpu || 'cpu') as Device, gpuLayers: entry.model.gpuLayers,
      contextSize: seq.contextSize, fim: entry.fim,
    });
    return { model: entry.model, seq, name, fim: entry.fim };
  }

  private async pathFor(role: ModelRole, source: ModelSource): Promise<string> {
    if (source.kind === 'file') return source.path;
    if (source.kind === 'url') {
      if (source.cached) return source.dest;
      if (this.cancelledDownloads.has(source.dest)) {
        throw new Error(`The download of ${modelName(source.dest)} was cancelled; run "Tandem: Restart Engine" to resume it`);
      }
      // A URL in the settings: download it in the background (progress and errors arrive as model state)
      // and load it when it is complete; nothing waits for the download meanwhile.
      const generation = this.generation;
      this.downloads.start({ role, url: source.url, dest: source.dest, sha256: source.sha256 }).then(
        () => {
          if (generation === this.generation) void this.acquire(role).catch(() => undefined);
        },
        (error: unknown) => {
          // The user cancelled: do not start again on the next keystroke.
          if (error instanceof DownloadCancelledError) this.cancelledDownloads.add(source.dest);
        },
      );
      throw new Error(`${modelName(source.dest)} is downloading; it loads when the download is complete`);
    }
    const recommended = await this.recommended().catch(() => undefined);
    const preset = findPreset(recommended?.[role]);
    const message = `No ${role} model set. Download the recommended ${preset?.label ?? 'preset'} or set tandem.model.${role}`;
    this.setState({ role, state: 'none', message, recommended: preset?.id });
    throw new Error(message);
  }

  /** Both roles use the same file: one model, one context with two sequences. */
  private async sharedPath(role: ModelRole, path: string): Promise<boolean> {
    const other = role === 'completion' ? 'chat' : 'completion';
    const source = await resolveSource(this.settings.model[other], other, this.ctx.dataDir, this.ctx.workspaceFolders);
    if (source.kind === 'file') return source.path === path;
    if (source.kind === 'url') return source.dest === path;
    return false;
  }

  /** Checks the file of an idle role without the runtime; true (and an error state) when it cannot load. */
  private async refused(role: ModelRole, path: string): Promise<boolean> {
    const key = await fileKey(path);
    if (this.prechecked.get(path) === key) return false;
    const pre = await precheckGguf(path);
    if (pre.ok) {
      this.prechecked.set(path, key);
      return false;
    }
    this.failures.set(path, { key, message: pre.message });
    this.states.set(role, { role, state: 'error', name: modelName(path), message: pre.message });
    return true;
  }

  private async open(path: string, sequences: number, defaultContext: number, pre?: GgufPrecheck): Promise<Entry> {
    const llama = await this.llama();
    const check = await checkGguf(path, llama, pre);
    if (!check.ok) throw new Error(check.message);
    const model = await llama.loadModel({ modelPath: path, gpuLayers: llama.gpu ? 'auto' : 0 });
    try {
      const wanted = plannedContextSize(this.settings.model.contextSize, check.trainContextSize ?? model.trainContextSize, defaultContext);
      const context = await model.createContext({ contextSize: { max: wanted }, sequences, threads: this.threads });
      const fim = model.tokens.infill.prefix !== null && model.tokens.infill.suffix !== null && model.tokens.infill.middle !== null;
      this.ctx.log.info(
        `Loaded ${check.name} (${check.architecture}) on ${llama.gpu || 'cpu'}, ${model.gpuLayers} GPU layers, context ${context.contextSize}, ${this.threads} threads, FIM ${fim}`,
      );
      return { path, model, context, free: [], name: check.name, fim };
    } catch (error) {
      await model.dispose();
      throw new Error(`Could not create a context for ${check.name}: ${errorText(error)}`);
    }
  }

  /** Unloads every model (settings change or shutdown); the next use loads again. */
  async unload(reason: string, final = false, runtime = final): Promise<void> {
    this.generation++;
    const plans = [...this.plans.values()];
    this.plans.clear();
    for (const plan of plans) await (await plan.catch(() => undefined))?.vocabulary?.dispose().catch(() => undefined);
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.acquired.clear();
    this.failures.clear();
    this.cancelledDownloads.clear();
    for (const pending of entries) {
      const entry = await pending.catch(() => undefined);
      if (!entry) continue;
      await entry.context.dispose().catch(() => undefined);
      await entry.model.dispose().catch(() => undefined);
    }
    if (runtime) {
      const llama = await this.llamaPromise?.catch(() => undefined);
      this.llamaPromise = undefined;
      await llama?.dispose().catch(() => undefined);
    }
    if (final) {
      this.downloads.cancelAll();
      return;
    }
    if (reason && entries.length) this.ctx.log.info(`Models unloaded: ${reason}`);
    for (const role of ROLES) this.setState(UNLOADED(role));
  }
}

function pick(settings: TandemSettings, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), settings);
}

async function fileKey(path: string): Promise<string> {
  try {
    const st = await stat(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
