// The chat thread's extension-side logic: results, failures, history, reload.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatResult, LedgerEntry } from '../../src/shared/protocol';
import type { AssistantTurn, Turn } from '../../src/shared/webview';
import { failedTurn, finishedTurn, historyBefore, HISTORY_MESSAGES, MAX_TURNS, questionOf, reviveTurns, summarizeEdits } from '../../src/views/turns';
import { EngineNotRunningError } from '../../src/client/engine-api';
import { chatAbilities } from '../../src/views/abilities';

const entry: LedgerEntry = {
  id: 'e', time: '2026-11-21T10:00:00.000Z', kind: 'chat', route: 'local', model: 'qwen', reasons: [{ code: 'note', text: 'local first' }],
  tokens: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 }, costUsd: 0, counterfactualUsd: 0.001, ttftMs: 100, totalMs: 900,
};
const result = (r: Partial<ChatResult> = {}): ChatResult => ({
  id: 'a1', text: 'answer', decision: { route: 'local', model: 'qwen', reasons: [{ code: 'note', text: 'local first' }], worstCaseUsd: 0, promptTokens: 10 }, entry, ...r,
});
const streaming: AssistantTurn = { role: 'assistant', id: 'a1', replyTo: 'u1', time: '', kind: 'chat', text: 'ans', state: 'streaming' };

void describe('chat turns', () => {
  void it('a finished answer carries route, model, cost, timings and reasons for the badge', () => {
    const t = finishedTurn(streaming, result(), []);
    assert.equal(t.state, 'done');
    assert.equal(t.text, 'answer');
    assert.deepEqual(t.answer, { route: 'local', model: 'qwen', reasons: [{ code: 'note', text: 'local first' }], costUsd: 0, tokens: entry.tokens, ttftMs: 100, totalMs: 900, fallback: undefined, manifest: undefined, entryId: 'e' });
    assert.equal(t.refactor, undefined);
  });

  void it('a blocked route is an error with its reason and cause', () => {
    const t = finishedTurn(streaming, result({ text: '', decision: { route: 'blocked', model: '', reasons: [{ code: 'note', text: 'a secret (aws key) would leave' }], worstCaseUsd: 0, promptTokens: 0, blockedBy: 'secret' } }), []);
    assert.equal(t.state, 'error');
    assert.deepEqual(t.error, { message: 'a secret (aws key) would leave', blockedBy: 'secret' });
  });

  void it('a cloud error without text is an error; a fallback with text is an answer', () => {
    const cloud = result({ text: '', decision: { route: 'cloud', model: 'claude', reasons: [{ code: 'note', text: 'asked' }], worstCaseUsd: 0.1, promptTokens: 5 }, entry: { ...entry, route: 'cloud', error: '529 overloaded' } });
    const failed = finishedTurn({ ...streaming, text: '' }, cloud, []);
    assert.deepEqual(failed.error, { message: '529 overloaded', blockedBy: 'cloud' });
    const fell = finishedTurn(streaming, result({ fallback: { from: 'cloud', reason: { code: 'cloud-failed', text: 'overloaded' } } }), []);
    assert.equal(fell.state, 'done');
    assert.deepEqual(fell.answer?.fallback, { from: 'cloud', reason: { code: 'cloud-failed', text: 'overloaded' } });
  });

  void it('stopped answers keep their text; refactors list files and edit errors', () => {
    assert.equal(finishedTurn(streaming, result({ stopped: 'cancelled', text: 'part' }), []).state, 'stopped');
    assert.equal(finishedTurn(streaming, result({ stopped: 'budget' }), []).stopped, 'budget');
    const edits = [
      { uri: 'file:///a.ts', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, newText: 'x' },
      { uri: 'file:///b.ts', range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, newText: 'y' },
      { uri: 'file:///a.ts', range: { start: { line: 5, character: 0 }, end: { line: 5, character: 1 } }, newText: 'z' },
    ];
    const files = summarizeEdits(edits, [], (uri) => ({ label: uri.slice(8), description: uri.slice(8) }));
    assert.deepEqual(files.map((f) => [f.label, f.edits]), [['a.ts', 2], ['b.ts', 1]]);
    const t = finishedTurn({ ...streaming, kind: 'refactor' }, result({ edits, editErrors: ['c.ts: range outside the file'] }), files);
    assert.deepEqual(t.refactor, { files, errors: ['c.ts: range outside the file'], outcome: 'previewing' });
    const none = finishedTurn({ ...streaming, kind: 'refactor' }, result({ edits: [] }), []);
    assert.equal(none.refactor?.outcome, 'none');
  });

  void it('failures: engine not running, transport errors, cancel', () => {
    assert.deepEqual(failedTurn(streaming, new EngineNotRunningError(), false).error?.blockedBy, 'engine');
    const decision = { route: 'blocked' as const, model: 'none', reasons: [{ code: 'budget' as const, text: 'budget exceeded' }], worstCaseUsd: 0, promptTokens: 0, blockedBy: 'budget' as const };
    const withData = Object.assign(new Error('budget exceeded'), { data: { prompt: 'q', decision } });
    assert.deepEqual(failedTurn(streaming, withData, false).error, { message: 'budget exceeded', blockedBy: 'budget' });
    assert.equal(failedTurn(streaming, new Error('x'), false).error?.blockedBy, undefined);
    // Claude unreachable for a multi-file refactor: the cause says so by code, and the local model cannot do it.
    const unreachable = {
      route: 'cloud' as const, model: 'claude', worstCaseUsd: 0, promptTokens: 10,
      reasons: [{ code: 'multi-file-refactor' as const, text: 'touches 2 files' }, { code: 'cloud-unreachable' as const, text: 'Cannot reach the Anthropic API' }],
    };
    const offline = Object.assign(new Error('Cannot reach the Anthropic API'), { data: { prompt: 'q', decision: unreachable, entry: { ...entry, route: 'cloud' as const } } });
    assert.deepEqual(failedTurn(streaming, offline, false).error, { message: 'Cannot reach the Anthropic API', blockedBy: 'cloud-unreachable', noLocal: true });
    const stopped = failedTurn(streaming, new Error('cancelled'), true);
    assert.deepEqual([stopped.state, stopped.stopped, stopped.text], ['stopped', 'cancelled', 'ans']);
  });

  void it('history: finished question/answer pairs before the question, newest kept, bounded', () => {
    const turns: Turn[] = [];
    for (let i = 0; i < 10; i++) {
      turns.push({ role: 'user', id: `u${i}`, time: '', text: `q${i}`, kind: 'chat', chips: [] });
      turns.push({ role: 'assistant', id: `a${i}`, replyTo: `u${i}`, time: '', kind: 'chat', text: i === 8 ? '' : `a${i}`, state: i === 8 ? 'error' : 'done' });
    }
    turns.push({ role: 'user', id: 'now', time: '', text: 'now', kind: 'chat', chips: [] });
    const h = historyBefore(turns, 'now');
    assert.equal(h.length, HISTORY_MESSAGES);
    assert.deepEqual(h.slice(-2), [{ role: 'user', content: 'q9' }, { role: 'assistant', content: 'a9' }]);
    assert.ok(!h.some((m) => m.content === 'q8'));
    assert.deepEqual(historyBefore(turns, 'u1'), [{ role: 'user', content: 'q0' }, { role: 'assistant', content: 'a0' }]);
    assert.equal(questionOf(turns, 'a3')?.text, 'q3');
    assert.equal(questionOf(turns, 'u3'), undefined);
  });

  void it('after a reload, streaming answers are stopped, previews discarded, junk dropped, the thread capped', () => {
    const stored = [
      { role: 'user', id: 'u1', time: '', text: 'q', kind: 'chat', chips: [] },
      { ...streaming },
      { ...streaming, id: 'a2', state: 'done', refactor: { files: [], errors: [], outcome: 'previewing' } },
      { role: 'system', id: 'x', text: 'junk' },
      null,
    ];
    const turns = reviveTurns(stored);
    assert.equal(turns.length, 3);
    assert.equal((turns[1] as AssistantTurn).state, 'stopped');
    assert.equal((turns[2] as AssistantTurn).refactor?.outcome, 'discarded');
    assert.deepEqual(reviveTurns(undefined), []);
    const many = Array.from({ length: MAX_TURNS + 20 }, (_, i) => ({ role: 'user', id: `u${i}`, time: '', text: 'q', kind: 'chat', chips: [] }));
    assert.equal(reviveTurns(many).length, MAX_TURNS);
    assert.equal(reviveTurns(many)[0]?.id, 'u20');
  });

  void it('the chat offers Claude only with a key, consent and no local-only mode, and the local model only when one can run', () => {
    const ready = { role: 'chat' as const, state: 'ready' as const, name: 'q', device: 'cpu' as const, gpuLayers: 0, contextSize: 4096, fim: false };
    const ok = { hasApiKey: true, localOnly: false, cloudConsent: 'ask' as const, chat: ready, engineRunning: true };
    assert.deepEqual(chatAbilities(ok), { cloudUnavailable: undefined, localUnavailable: undefined });
    assert.equal(chatAbilities({ ...ok, hasApiKey: false }).cloudUnavailable, 'no Anthropic API key is set');
    assert.equal(chatAbilities({ ...ok, localOnly: true }).cloudUnavailable, 'local-only mode is on');
    assert.equal(chatAbilities({ ...ok, cloudConsent: 'never' }).cloudUnavailable, 'this workspace does not allow cloud use');
    assert.equal(chatAbilities({ ...ok, chat: { role: 'chat', state: 'none', message: 'none' } }).localUnavailable, 'no local chat model can run');
    assert.equal(chatAbilities({ ...ok, chat: { role: 'chat', state: 'idle', next: 'load', message: '' } }).localUnavailable, undefined);
    assert.deepEqual(chatAbilities({ ...ok, engineRunning: false }), { cloudUnavailable: 'the Tandem engine is not running', localUnavailable: 'the Tandem engine is not running' });
  });
});
