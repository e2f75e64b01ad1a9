// The chat session against a fake engine: streaming, history that survives a reload, stop, "ask Claude
// instead", refactor previews and errors, as the chat view would see them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { EngineNotRunningError, type EngineApi } from '../../src/client/engine-api';
import type { ChatDelta, ChatParams, ChatResult, ContextFile, Feedback, TextEditSpec } from '../../src/shared/protocol';
import type { AssistantTurn, ContextChip, HostToChat } from '../../src/shared/webview';
import { ChatSession, HISTORY_KEY } from '../../src/views/chat-session';
import type { ApplyReport } from '../../src/views/refactor-edits';
import type { PendingRefactor } from '../../src/views/refactor-plan';

class Memento {
  readonly data = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.data.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return (this.data.has(key) ? structuredClone(this.data.get(key)) : fallback) as T | undefined;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.data.set(key, structuredClone(value));
    return Promise.resolve();
  }
}

function tokenSource(): vscode.CancellationTokenSource {
  const listeners: (() => void)[] = [];
  const token = {
    isCancellationRequested: false,
    onCancellationRequested: (fn: () => void) => {
      listeners.push(fn);
      return { dispose: () => undefined };
    },
  };
  return {
    token,
    cancel: () => {
      token.isCancellationRequested = true;
      for (const fn of listeners) fn();
    },
    dispose: () => undefined,
  } as unknown as vscode.CancellationTokenSource;
}

type Script = (params: ChatParams, onDelta: (d: ChatDelta) => void, token: vscode.CancellationToken) => Promise<ChatResult>;

function result(params: ChatParams, text: string, extra: Partial<ChatResult> = {}): ChatResult {
  const route = params.prefer === 'cloud' ? 'cloud' : 'local';
  return {
    id: params.id,
    text,
    decision: { route, model: route === 'cloud' ? 'claude-sonnet-4-5' : 'qwen', reasons: [{ code: 'note', text: route === 'cloud' ? 'you asked for Claude' : 'local first' }], worstCaseUsd: 0, promptTokens: 5 },
    entry: { id: 'e', time: '', kind: params.kind, route, model: route === 'cloud' ? 'claude-sonnet-4-5' : 'qwen', reasons: [], tokens: { input: 5, output: 2, cacheRead: 0, cacheWrite: 0 }, costUsd: route === 'cloud' ? 0.01 : 0, counterfactualUsd: 0.01, ttftMs: 5, totalMs: 10 },
    ...extra,
  };
}

function setup(script: Script, options: { memento?: Memento; report?: (pending: PendingRefactor) => ApplyReport } = {}) {
  const posted: HostToChat[] = [];
  const allowed: string[][] = [];
  const calls: ChatParams[] = [];
  const feedback: Feedback[] = [];
  const undo: (() => void)[] = [];
  const previews: PendingRefactor[] = [];
  const memento = options.memento ?? new Memento();
  let files: ContextFile[] = [{ uri: 'file:///a.ts', text: 'const a = 1;' }];
  const engine = {
    isRunning: () => true,
    feedback: (f: Feedback) => feedback.push(f),
    chat: (params: ChatParams, onDelta: (d: ChatDelta) => void, token: vscode.CancellationToken) => {
      calls.push(structuredClone(params));
      return script(params, onDelta, token);
    },
    allowValues: (hashes: string[]) => {
      allowed.push(hashes);
      return Promise.resolve({ added: hashes.length });
    },
  } as unknown as EngineApi;
  const session = new ChatSession({
    engine,
    state: memento as unknown as vscode.Memento,
    log: { warn: () => undefined },
    post: (m) => posted.push(structuredClone(m)),
    tokenSource,
    resolveFiles: () => files,
    describe: (uri) => ({ label: uri.slice(uri.lastIndexOf('/') + 1), description: uri.slice(8) }),
    applyRefactor: async (pending) => {
      previews.push(structuredClone(pending));
      const all = (uri: string) => pending.specs.filter((s) => s.uri === uri).length;
      const uris = [...new Set(pending.specs.map((s) => s.uri))];
      return (
        options.report?.(pending) ?? {
          outcome: 'applied',
          applied: uris.map((uri) => ({ uri, label: uri.slice(8), applied: all(uri), of: all(uri), saved: false })),
          refused: [],
          changed: uris.map((uri) => ({ uri, before: 'x' })),
        }
      );
    },
    watchUndo: (_changed, onUndone) => {
      undo.push(onUndone);
      return { dispose: () => undefined };
    },
  });
  return { session, posted, calls, previews, memento, allowed, feedback, undo, setFiles: (f: ContextFile[]) => (files = f) };
}

const chip: ContextChip = { key: 'file:file:///a.ts', kind: 'file', uri: 'file:///a.ts', label: 'a.ts', description: 'a.ts' };
const done = (posted: HostToChat[]) => posted.filter((m): m is Extract<HostToChat, { type: 'done' }> => m.type === 'done').map((m) => m.turn);

void describe('chat session', () => {
  void it('a fallback that starts over (reset) replaces the text streamed by the failed route', async () => {
    const t = setup(async (params, onDelta) => {
      onDelta({ id: params.id, delta: 'Half a cloud ans', route: 'cloud', model: 'claude-haiku-5-5' });
      onDelta({ id: params.id, delta: 'Local ', route: 'local', model: 'tiny', reset: true });
      onDelta({ id: params.id, delta: 'answer', route: 'local', model: 'tiny' });
      return result(params, 'Local answer');
    });
    await t.session.ask('Why?', 'chat', []);
    const deltas = t.posted.filter((m): m is Extract<HostToChat, { type: 'delta' }> => m.type === 'delta');
    assert.deepEqual(deltas.map((d) => [d.route, d.reset ?? false]), [['cloud', false], ['local', true], ['local', false]]);
    assert.equal(done(t.posted)[0]?.text, 'Local answer');
  });

  void it('streams deltas with the answer id, then a finished turn with its route; history survives a reload', async () => {
    const t = setup(async (params, onDelta) => {
      onDelta({ id: params.id, delta: 'Hel', route: 'local', model: 'tiny' });
      onDelta({ id: params.id, delta: 'lo', route: 'local', model: 'tiny' });
      return result(params, 'Hello');
    });
    await t.session.ask('What is a?', 'chat', [chip]);
    const [call] = t.calls;
    assert.ok(call);
    assert.deepEqual({ kind: call.kind, prompt: call.prompt, files: call.files, history: call.history }, { kind: 'chat', prompt: 'What is a?', files: [{ uri: 'file:///a.ts', text: 'const a = 1;' }], history: [] });
    assert.deepEqual(t.posted.map((m) => m.type), ['turn', 'turn', 'delta', 'delta', 'done']);
    assert.deepEqual(t.posted.filter((m) => m.type === 'delta'), [
      { type: 'delta', id: call.id, delta: 'Hel', route: 'local', model: 'tiny' },
      { type: 'delta', id: call.id, delta: 'lo', route: 'local', model: 'tiny' },
    ]);
    const answer = done(t.posted)[0];
    assert.equal(answer?.id, call.id);
    assert.equal(answer?.state, 'done');
    assert.equal(answer?.text, 'Hello');
    assert.equal(answer?.answer?.route, 'local');

    await t.session.ask('And b?', 'chat', []);
    assert.deepEqual(t.calls[1]?.history, [{ role: 'user', content: 'What is a?' }, { role: 'assistant', content: 'Hello' }]);

    const reloaded = setup(async (p) => result(p, 'x'), { memento: t.memento });
    assert.deepEqual(reloaded.session.all.map((turn) => turn.text), ['What is a?', 'Hello', 'And b?', 'Hello']);
    assert.equal((t.memento.get<unknown[]>(HISTORY_KEY) ?? []).length, 4);
  });

  void it('stop cancels the request and keeps the text streamed so far', async () => {
    const t = setup((params, onDelta, token) => {
      onDelta({ id: params.id, delta: 'partial ', route: 'local', model: 'tiny' });
      return new Promise((_ok, fail) => token.onCancellationRequested(() => fail(new Error('Request cancelled'))));
    });
    const asking = t.session.ask('long', 'chat', []);
    await new Promise((r) => setImmediate(r));
    assert.equal(t.session.busy, true);
    // A second question while one runs is refused with a notice, not sent.
    await t.session.ask('another', 'chat', []);
    assert.equal(t.calls.length, 1);
    assert.ok(t.posted.some((m) => m.type === 'notice'));
    t.session.stop(t.calls[0]?.id ?? '');
    await asking;
    const answer = done(t.posted)[0] as AssistantTurn;
    assert.deepEqual([answer.state, answer.stopped, answer.text], ['stopped', 'cancelled', 'partial ']);
    assert.equal(t.session.busy, false);
  });

  void it('"Ask Claude instead" asks the same question with the same context, prefer cloud, local rejected', async () => {
    const t = setup(async (params) => result(params, params.prefer === 'cloud' ? 'cloud answer' : 'local answer'));
    await t.session.ask('Explain a.ts:1-1', 'explain', [chip], { files: [{ uri: 'untitled:Untitled-1', text: 'let x = 1', range: { startLine: 0, endLine: 0 } }] });
    t.setFiles([]);
    const first = done(t.posted)[0] as AssistantTurn;
    await t.session.retry(first.id, 'cloud', 'retry-1');
    const call = t.calls[1];
    assert.deepEqual({ id: call?.id, kind: call?.kind, prompt: call?.prompt, prefer: call?.prefer, rejectedLocal: call?.rejectedLocal, files: call?.files }, {
      id: 'retry-1',
      kind: 'explain',
      prompt: 'Explain a.ts:1-1',
      prefer: 'cloud',
      rejectedLocal: true,
      files: [{ uri: 'untitled:Untitled-1', text: 'let x = 1', range: { startLine: 0, endLine: 0 } }],
    });
    assert.equal(done(t.posted)[1]?.answer?.route, 'cloud');
    await t.session.retry(done(t.posted)[1]?.id ?? '', 'local');
    assert.deepEqual([t.calls[2]?.prefer, t.calls[2]?.rejectedLocal], ['local', undefined]);
    // "Retry" (no route given) asks again exactly as the question was asked: here, Claude with the local answer rejected.
    await t.session.retry(done(t.posted)[1]?.id ?? '', undefined, 'retry-2');
    assert.deepEqual([t.calls[3]?.id, t.calls[3]?.prefer, t.calls[3]?.rejectedLocal, t.calls[3]?.prompt], ['retry-2', 'cloud', true, 'Explain a.ts:1-1']);
  });

  void it('refactor edits open the preview; the outcome (applied or discarded) is shown; errors are listed, not applied', async () => {
    const edits: TextEditSpec[] = [
      { uri: 'file:///a.ts', range: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }, newText: 'b' },
      { uri: 'file:///c.ts', range: { start: { line: 2, character: 0 }, end: { line: 2, character: 1 } }, newText: 'b' },
    ];
    const targets = [{ uri: 'file:///a.ts', sha256: 'aa' }, { uri: 'file:///c.ts', sha256: 'cc', runsCode: 'the build runs it as code' }];
    const refusedEdits = [{ path: 'src/linked.ts', uri: 'file:///src/linked.ts', edits: 2, reason: 'it is a link to /etc/x, outside the workspace folders' }];
    let busyWhilePreviewing: boolean | undefined;
    const discarded = () => ({ outcome: 'discarded' as const, applied: [], refused: [], changed: [] });
    const t = setup(async (params) => result(params, 'Renamed.', { edits, editErrors: ['d.ts: range outside the file'], editTargets: targets, refusedEdits }), {
      report: () => {
        busyWhilePreviewing = t.session.busy;
        return discarded();
      },
    });
    await t.session.ask('rename a to b', 'refactor', []);
    assert.equal(busyWhilePreviewing, false, 'the chat refuses new questions while the Refactor Preview is open');
    assert.equal(t.previews.length, 1);
    assert.deepEqual(t.previews[0], { specs: edits, targets, prompt: 'rename a to b' });
    const turns = t.posted.filter((m): m is Extract<HostToChat, { type: 'turn' | 'done' }> => m.type === 'turn' || m.type === 'done').map((m) => m.turn as AssistantTurn);
    const last = turns.at(-1);
    assert.deepEqual(last?.refactor?.files.map((f) => [f.label, f.edits, f.runsCode]), [['a.ts', 1, undefined], ['c.ts', 1, 'the build runs it as code']]);
    assert.deepEqual(last?.refactor?.errors, ['d.ts: range outside the file']);
    assert.deepEqual(last?.refactor?.refused, [{ label: 'linked.ts', description: 'src/linked.ts', edits: 2, reason: 'it is a link to /etc/x, outside the workspace folders' }]);
    assert.equal(last?.refactor?.outcome, 'discarded');
    // "Review edits again" opens the preview a second time; this time the user applies and the report says what the documents hold.
    const again = setup(async (p) => result(p, 'Renamed.', { edits, editTargets: targets }));
    await again.session.ask('rename a to b', 'refactor', []);
    const applied = again.posted.filter((m) => m.type === 'turn').at(-1) as Extract<HostToChat, { type: 'turn' }>;
    assert.equal((applied.turn as AssistantTurn).refactor?.outcome, 'applied');
    assert.deepEqual((applied.turn as AssistantTurn).refactor?.applied?.map((f) => [f.label, f.applied, f.of]), [['a.ts', 1, 1], ['c.ts', 1, 1]]);
    await again.session.preview(applied.turn.id);
    assert.equal(again.previews.length, 2);
  });

  void it('engine not running and blocked requests end as errors with their cause', async () => {
    const t = setup(async () => {
      throw new EngineNotRunningError();
    });
    await t.session.ask('hello', 'chat', []);
    assert.deepEqual(done(t.posted)[0]?.error?.blockedBy, 'engine');
    const b = setup(async (params) => result(params, '', { decision: { route: 'blocked', model: '', reasons: [{ code: 'note', text: 'Daily budget $1.00 would be exceeded' }], worstCaseUsd: 1.2, promptTokens: 0, blockedBy: 'budget' } }));
    await b.session.ask('hello', 'chat', []);
    assert.deepEqual(done(b.posted)[0]?.error, { message: 'Daily budget $1.00 would be exceeded', blockedBy: 'budget' });
    b.session.clear();
    assert.deepEqual(b.session.all, []);
    assert.deepEqual(b.memento.get(HISTORY_KEY), []);
  });

  void it('a question kept off the cloud by a secret can allow the values: the engine gets their hashes, never the values', async () => {
    const secrets = [
      { where: 'src/a.ts', uri: 'file:///a.ts', line: 3, rule: 'high-entropy', hash: 'b'.repeat(64) },
      { where: 'Your message', uri: 'tandem:prompt', line: 0, rule: 'password-assignment', hash: 'c'.repeat(64) },
    ];
    const t = setup(async (params) =>
      result(params, 'local answer', {
        decision: { route: 'local', model: 'qwen', reasons: [{ code: 'secret', text: 'kept local' }], worstCaseUsd: 0, promptTokens: 5, blockedBy: 'secret', secrets },
      }),
    );
    await t.session.ask('check this', 'chat', [chip]);
    const answer = done(t.posted)[0];
    assert.deepEqual(answer?.blockedSecrets, secrets);
    await t.session.allowValues(answer!.id);
    assert.deepEqual(t.allowed, [['b'.repeat(64), 'c'.repeat(64)]]);
    const updated = t.session.all.find((x) => x.id === answer!.id);
    assert.equal(updated?.role === 'assistant' && updated.allowed, true);
    assert.ok(t.posted.some((m) => m.type === 'notice' && /only a salted hash/.test(m.message)));
  });

  void it('feedback reaches the engine linked to the answer: thumbs, copies, asking the other side, partial applies, undo', async () => {
    const edits: TextEditSpec[] = [
      { uri: 'file:///a.ts', range: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }, newText: 'b' },
      { uri: 'file:///c.ts', range: { start: { line: 2, character: 0 }, end: { line: 2, character: 1 } }, newText: 'b' },
    ];
    // The user unticked c.ts's edit in the preview: the documents hold one of the two edits.
    const partly: ApplyReport = {
      outcome: 'applied',
      applied: [{ uri: 'file:///a.ts', label: 'a.ts', applied: 1, of: 1, saved: false }, { uri: 'file:///c.ts', label: 'c.ts', applied: 0, of: 1, saved: true }],
      refused: [],
      changed: [{ uri: 'file:///a.ts', before: 'const a = 1;' }],
    };
    const t = setup(async (params) => result(params, 'Answer', params.kind === 'refactor' ? { edits, entry: { ...result(params, '').entry, id: 'entry-refactor' } } : { entry: { ...result(params, '').entry, id: 'entry-chat' } }), { report: () => partly });
    await t.session.ask('What is a?', 'chat', []);
    const answer = done(t.posted)[0] as AssistantTurn;
    assert.equal(answer.answer?.entryId, 'entry-chat');
    t.session.rate(answer.id, 'down');
    t.session.rate(answer.id, 'down');
    t.session.used(answer.id, 'code-copied');
    await t.session.retry(answer.id, 'cloud');
    assert.deepEqual(t.feedback, [
      { entryId: 'entry-chat', signal: 'thumbs-down' },
      { entryId: 'entry-chat', signal: 'code-copied' },
      { entryId: 'entry-chat', signal: 'asked-other-side' },
    ]);
    assert.equal((t.session.all.find((x) => x.id === answer.id) as AssistantTurn).rating, 'down', 'the thumbs is kept on the turn');

    t.feedback.length = 0;
    await t.session.ask('rename a to b', 'refactor', []);
    assert.deepEqual(t.feedback, [{ entryId: 'entry-refactor', signal: 'refactor-partly-applied', applied: 1, proposed: 2 }]);
    t.undo[0]?.();
    assert.deepEqual(t.feedback.at(-1), { entryId: 'entry-refactor', signal: 'edits-undone' });
    assert.equal((t.session.all.at(-1) as AssistantTurn).refactor?.undone, true);
  });
});
