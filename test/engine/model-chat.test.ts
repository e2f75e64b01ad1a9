// LocalChat (what the router calls) on the fixture model, in process: streams text, counts tokens, stops on
// abort, and shares one model file with completions on a second sequence.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Connection } from 'vscode-languageserver';
import { LocalUnavailableError, type EngineContext } from '../../src/server/context.js';
import { LocalChatService } from '../../src/server/local/chat.js';
import { ModelManager } from '../../src/server/local/models.js';
import { SettingsStore } from '../../src/server/settings.js';
import type { ModelState } from '../../src/shared/protocol.js';
import { FIXTURES, TINY_MODEL } from '../support/lsp-client.js';

function fakeContext(model: string): { ctx: EngineContext; states: ModelState[] } {
  const states: ModelState[] = [];
  const connection = {
    sendNotification: (_method: string, params: ModelState) => {
      states.push(params);
      return Promise.resolve();
    },
  } as unknown as Connection;
  const ctx = {
    connection,
    documents: undefined as never,
    settings: new SettingsStore({ model: { completion: model, chat: model } }, {}),
    dataDir: mkdtempSync(join(tmpdir(), 'tandem-chat-')),
    workspaceFolders: [],
    onShutdown: () => undefined,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  } satisfies EngineContext;
  return { ctx, states };
}

void describe('LocalChat', () => {
  const { ctx, states } = fakeContext(TINY_MODEL);
  const models = new ModelManager(ctx);
  const chat = new LocalChatService(models);
  after(() => models.unload('test done', true));

  void it('knows the model name and estimates tokens before loading', () => {
    assert.equal(chat.modelName(), 'tiny');
    assert.equal(chat.countTokens('x'.repeat(35)), 10);
  });

  void it('streams an answer with the chat template, with token counts and time to first token', async () => {
    const deltas: string[] = [];
    const result = await chat.chat({
      system: 'You explain code.',
      messages: [{ role: 'user', content: 'What does add() do?' }],
      maxTokens: 24,
      signal: new AbortController().signal,
      onText: (d) => deltas.push(d),
    });
    assert.ok(result.text.length > 0);
    assert.equal(deltas.join(''), result.text);
    assert.ok(result.outputTokens > 0 && result.outputTokens <= 24);
    assert.ok(result.promptTokens > 5);
    assert.ok(result.ttftMs !== null && result.ttftMs >= 0);
    assert.ok(states.some((s) => s.role === 'chat' && s.state === 'ready'));
    assert.equal(chat.contextSize(), 4096, 'capped by the training context of the fixture model');
    // The loaded tokenizer counts now: one token per character in the byte vocabulary.
    assert.equal(chat.countTokens('abc'), 3);
  });

  void it('keeps the conversation history and answers again', async () => {
    const result = await chat.chat({
      system: '',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'and now?' },
      ],
      maxTokens: 8,
      signal: new AbortController().signal,
      onText: () => undefined,
    });
    assert.ok(result.outputTokens > 0);
  });

  void it('stops promptly when aborted and resolves with the partial text', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const result = await chat.chat({
      system: 'x',
      messages: [{ role: 'user', content: 'write a lot' }],
      maxTokens: 2000,
      signal: controller.signal,
      onText: () => {
        if (++chunks === 3) controller.abort();
      },
    });
    assert.ok(result.outputTokens < 2000);
  });

  void it('shares the file with completions: both roles get their own sequence', async () => {
    const completion = await models.acquire('completion');
    assert.equal(completion.fim, true);
    const chatModel = await models.acquire('chat');
    assert.equal(completion.model, chatModel.model, 'one model in memory');
    assert.notEqual(completion.seq, chatModel.seq, 'separate KV caches');
  });

  void it('rejects with LocalUnavailableError when the chat model is broken', async () => {
    const broken = fakeContext(join(FIXTURES, 'corrupt.gguf'));
    const brokenModels = new ModelManager(broken.ctx);
    try {
      const brokenChat = new LocalChatService(brokenModels);
      await assert.rejects(
        brokenChat.chat({ system: '', messages: [{ role: 'user', content: 'hi' }], maxTokens: 4, signal: new AbortController().signal, onText: () => undefined }),
        (error: Error) => error instanceof LocalUnavailableError && /Not a GGUF/.test(error.message),
      );
    } finally {
      await brokenModels.unload('test done', true);
    }
  });
});
