import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baseName, formatBytes, formatMs, formatTime, formatTokens, formatUsd } from '../../webview/shared/format';
import { badgeText, completeMention, errorTitle, findMentionQuery, kindForPrompt, offeredActions } from '../../webview/chat/format';
import { lineSpan, linesLabel } from '../../src/shared/lines';
import type { AnswerRoute, AssistantTurn } from '../../src/shared/webview';
import { rankMentions } from '../../src/views/mention-rank';

void describe('webview formatting', () => {
  void it('money, time, tokens and bytes', () => {
    assert.deepEqual([0, 0.00004, 0.0042, 0.0123, 0.5, 12.5, 2500].map(formatUsd), ['$0.00', '<$0.0001', '$0.0042', '$0.0123', '$0.50', '$12.50', '$2,500']);
    assert.equal(formatUsd(-0.25), '-$0.25');
    assert.deepEqual([null, 12.4, 999, 2400].map(formatMs), ['—', '12 ms', '999 ms', '2.4 s']);
    assert.deepEqual([950, 12_345, 2_500_000].map(formatTokens), ['950', '12.3k', '2.5M']);
    assert.deepEqual([512, 2048, 3 * 1024 * 1024].map(formatBytes), ['512 B', '2.0 KB', '3.0 MB']);
    assert.equal(baseName('file:///work/src/my%20file.ts'), 'my file.ts');
    const now = new Date(2026, 10, 21, 15, 0, 0);
    assert.equal(formatTime(new Date(2026, 10, 21, 9, 5, 7).toISOString(), now), '09:05:07');
    assert.equal(formatTime(new Date(2026, 10, 19, 9, 5, 7).toISOString(), now), 'Nov 19 09:05');
  });

  void it('refactor kind from the toggle or a leading "refactor"/"rename"', () => {
    assert.equal(kindForPrompt('rename foo to bar', false), 'refactor');
    assert.equal(kindForPrompt('  Refactor the parser', false), 'refactor');
    assert.equal(kindForPrompt('why rename this?', false), 'chat');
    assert.equal(kindForPrompt('renamed files?', false), 'chat');
    assert.equal(kindForPrompt('anything', true), 'refactor');
  });

  void it('finds the @-mention at the caret and completes it', () => {
    assert.deepEqual(findMentionQuery('look at @src/ut', 15), { start: 8, query: 'src/ut' });
    assert.deepEqual(findMentionQuery('@', 1), { start: 0, query: '' });
    assert.equal(findMentionQuery('mail me@example', 15), undefined);
    assert.equal(findMentionQuery('@done and more', 14), undefined);
    assert.deepEqual(completeMention('see @ut now', 7, 'src/utils.ts'), { text: 'see @src/utils.ts now', caret: 18 });
  });

  void it('badge text and error titles say where an answer ran and why it failed', () => {
    assert.equal(badgeText({ route: 'cloud', model: 'claude-haiku-4-5', reasons: [], costUsd: 0.0042, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, ttftMs: null, totalMs: 0 }), 'cloud · claude-haiku-4-5 · $0.0042');
    assert.match(errorTitle('secret'), /privacy/);
    assert.match(errorTitle('budget'), /budget/);
    assert.match(errorTitle('engine'), /not running/);
  });

  void it('ranks @-mention candidates: exact name, prefix, substring, then subsequence', () => {
    const files = ['src/utils.ts', 'test/utils.test.ts', 'src/server/router/util-x.ts', 'docs/usage.md', 'src/deep/a/b/u_t_i_l.ts'].map((path) => ({ path, uri: `file:///${path}` }));
    assert.deepEqual(rankMentions(files, 'utils.ts').map((f) => f.path)[0], 'src/utils.ts');
    assert.deepEqual(rankMentions(files, 'util').map((f) => f.path), ['src/utils.ts', 'src/server/router/util-x.ts', 'test/utils.test.ts', 'src/deep/a/b/u_t_i_l.ts']);
    assert.deepEqual(rankMentions(files, 'zzz'), []);
    assert.equal(rankMentions(files, '', 2).length, 2);
  });
});

void describe('actions under an answer', () => {
  const turn = (over: Partial<AssistantTurn>): AssistantTurn => ({ role: 'assistant', id: 'a', replyTo: 'u', time: '', kind: 'chat', text: 'x', state: 'done', ...over });
  const local: AnswerRoute = { route: 'local', model: 'qwen', reasons: [], costUsd: 0, tokens: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 }, ttftMs: 1, totalMs: 2 };

  void it('offer the other route only when it can work now', () => {
    assert.deepEqual(offeredActions(turn({ answer: local }), {}), { retry: false, askClaude: true, answerLocally: false, compare: true });
    // No key, no consent, local-only mode: no "Ask Claude instead", and no compare (it needs both sides).
    assert.deepEqual(offeredActions(turn({ answer: local }), { cloudUnavailable: 'no Anthropic API key is set' }), { retry: false, askClaude: false, answerLocally: false, compare: false });
    // A local answer the router kept off the cloud (no key at the time) offers no Claude either.
    assert.equal(offeredActions(turn({ answer: { ...local, blockedBy: 'secret' } }), {}).askClaude, false);
    // No local model: no "Answer locally" under a cloud answer.
    assert.equal(offeredActions(turn({ answer: { ...local, route: 'cloud' } }), { localUnavailable: 'no local chat model can run' }).answerLocally, false);
    // Neither works (no model, no key): neither is shown.
    const failed = turn({ text: '', state: 'error', error: { message: 'no model', blockedBy: 'local-unavailable' } });
    assert.deepEqual(offeredActions(failed, { cloudUnavailable: 'no Anthropic API key is set', localUnavailable: 'no local chat model can run' }), { retry: false, askClaude: false, answerLocally: false, compare: false });
  });

  void it('Claude unreachable for a multi-file refactor: Retry, never "Answer locally"', () => {
    const offline = turn({ kind: 'refactor', text: '', state: 'error', error: { message: 'offline', blockedBy: 'cloud-unreachable', noLocal: true } });
    assert.deepEqual(offeredActions(offline, {}), { retry: true, askClaude: false, answerLocally: false, compare: false });
    assert.equal(errorTitle('cloud-unreachable'), 'Claude is unreachable');
    const chatOffline = turn({ text: '', state: 'error', error: { message: 'offline', blockedBy: 'cloud-unreachable' } });
    assert.deepEqual(offeredActions(chatOffline, {}), { retry: true, askClaude: false, answerLocally: true, compare: false });
    // The local model answered because Claude was unreachable: "Ask Claude instead" would fail the same way.
    const fellBack = turn({ answer: { ...local, fallback: { from: 'cloud', reason: { code: 'cloud-unreachable', text: 'offline' } } } });
    assert.deepEqual(offeredActions(fellBack, {}), { retry: true, askClaude: false, answerLocally: false, compare: false });
  });
});

void describe('line spans', () => {
  void it('one line reads "18", several "10-17"', () => {
    assert.equal(lineSpan(17, 17), '18');
    assert.equal(lineSpan(9, 16), '10-17');
    assert.equal(linesLabel(17, 17), 'line 18');
    assert.equal(linesLabel(0, 41), 'lines 1-42');
  });
});
