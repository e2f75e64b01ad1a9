// One compare run: the same question on the local model and on Claude at once, each streaming into its own
// column, with latency, tokens and cost; the user picks the better answer, which the learner takes as strong
// feedback. The cloud side runs only where the gate would let the content leave (a dry run asks first, and the
// engine refuses a compare side that would need a fallback). No `vscode` import at run time.
import type * as vscode from 'vscode';
import type { EngineApi } from '../client/engine-api';
import type { ContextFile } from '../shared/protocol';
import type { CompareRun, CompareSide, HostToCompare } from '../shared/webview';
import { newId } from '../shared/webview';
import { answerFromResult, failedTurn } from './turns';

export interface CompareRequest {
  prompt: string;
  kind: 'chat' | 'explain';
  files: ContextFile[];
  /** What went with the question, in words. */
  context: string[];
}

export interface CompareDeps {
  engine: EngineApi;
  post(message: HostToCompare): void;
  tokenSource(): vscode.CancellationTokenSource;
  log: Pick<vscode.LogOutputChannel, 'warn'>;
}

type Side = 'local' | 'cloud';

const HIDDEN_CODES = new Set(['asked-cloud', 'stays-local', 'nothing-sent', 'compare']);

export class CompareSession implements vscode.Disposable {
  private current: CompareRun | undefined;
  private readonly sources = new Map<string, vscode.CancellationTokenSource>();
  private readonly entries = new Map<string, string>();

  constructor(private readonly deps: CompareDeps) {}

  get run(): CompareRun | undefined {
    return this.current;
  }

  async start(request: CompareRequest): Promise<void> {
    this.stopAll();
    const run: CompareRun = {
      id: newId('cmp'),
      kind: request.kind,
      prompt: request.prompt,
      context: request.context,
      local: { route: 'local', state: 'streaming', text: '' },
      cloud: { route: 'cloud', state: 'waiting', text: '' },
    };
    this.current = run;
    this.post();
    const params = { kind: request.kind, prompt: request.prompt, files: request.files };
    // Ask first whether the content may leave: content the gate keeps local is never compared.
    let cloudAllowed = true;
    try {
      const decision = await this.deps.engine.route({ ...params, prefer: 'cloud' });
      if (decision.route !== 'cloud') {
        cloudAllowed = false;
        const why = decision.reasons.filter((r) => !HIDDEN_CODES.has(r.code)).map((r) => r.text).join(' ');
        this.update(run, 'cloud', { state: 'error', error: { message: `Claude was not asked: ${why}`, blockedBy: decision.blockedBy } });
      } else this.update(run, 'cloud', { state: 'streaming' });
    } catch (error) {
      cloudAllowed = false;
      this.update(run, 'cloud', { state: 'error', error: failedTurn(this.placeholder(run), error, false).error });
    }
    await Promise.all([this.side(run, 'local', params), cloudAllowed ? this.side(run, 'cloud', params) : Promise.resolve()]);
  }

  /** The user picked the better answer: strong feedback for both sides' contexts. */
  pick(id: string, side: Side): void {
    const run = this.current;
    if (!run || run.id !== id) return;
    const winner = this.entries.get(`${id}:${side}`);
    const loser = this.entries.get(`${id}:${side === 'local' ? 'cloud' : 'local'}`);
    if (!winner) {
      this.deps.post({ type: 'notice', message: 'Wait until this answer is complete before picking it.' });
      return;
    }
    if (run.picked === side) return;
    run.picked = side;
    this.deps.engine.feedback({ entryId: winner, signal: 'compare-preferred' });
    if (loser) this.deps.engine.feedback({ entryId: loser, signal: 'compare-not-preferred' });
    this.post();
  }

  stop(id: string): void {
    if (this.current?.id === id) this.stopAll();
  }

  dispose(): void {
    this.stopAll();
  }

  private async side(run: CompareRun, side: Side, params: { kind: 'chat' | 'explain'; prompt: string; files: ContextFile[] }): Promise<void> {
    const source = this.deps.tokenSource();
    const key = `${run.id}:${side}`;
    this.sources.set(key, source);
    try {
      const result = await this.deps.engine.chat(
        { ...params, id: `${run.id}-${side}`, prefer: side, compare: run.id },
        ({ delta, model, reset }) => {
          const s = run[side];
          s.text = reset ? delta : s.text + delta;
          s.model = model;
          if (this.current === run) this.deps.post({ type: 'delta', id: run.id, side, delta, model, ...(reset ? { reset } : {}) });
        },
        source.token,
      );
      this.entries.set(key, result.entry.id);
      const answer = answerFromResult(result);
      const failed = !result.text && result.entry.error;
      this.update(run, side, {
        state: result.stopped === 'cancelled' ? 'stopped' : failed ? 'error' : 'done',
        text: result.text || run[side].text,
        model: answer.model,
        answer,
        ...(failed ? { error: { message: result.entry.error as string } } : {}),
      });
    } catch (error) {
      const cancelled = source.token.isCancellationRequested;
      if (!cancelled) this.deps.log.warn(`Compare (${side}) failed: ${error instanceof Error ? error.message : String(error)}`);
      const turn = failedTurn(this.placeholder(run), error, cancelled);
      this.update(run, side, { state: cancelled ? 'stopped' : 'error', ...(turn.error ? { error: turn.error } : {}) });
    } finally {
      this.sources.delete(key);
      source.dispose();
    }
  }

  private placeholder(run: CompareRun) {
    return { role: 'assistant' as const, id: run.id, replyTo: run.id, time: '', kind: run.kind, text: '', state: 'streaming' as const };
  }

  private update(run: CompareRun, side: Side, change: Partial<CompareSide>): void {
    run[side] = { ...run[side], ...change };
    if (this.current === run) this.post();
  }

  private post(): void {
    if (this.current) this.deps.post({ type: 'run', run: structuredClone(this.current) });
  }

  private stopAll(): void {
    for (const source of this.sources.values()) source.cancel();
  }
}
