// Bad models and no model: a clear state with a reason, no crash, no retry loop.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GetModelStateRequest, GetStatsRequest, ListPresetsRequest, ModelStateNotification, type CompletionStats, type ModelState } from '../../src/shared/protocol.js';
import { delay, FIXTURES, startEngine, TINY_MODEL } from '../support/lsp-client.js';
import { DidChangeConfigurationNotification } from 'vscode-languageserver-protocol';

const URI = 'file:///workspace/a.ts';

async function completionState(model: string | undefined): Promise<{ state: ModelState; states: ModelState[]; alive: boolean; stats: CompletionStats; errors: number; result: unknown }> {
  const engine = await startEngine({ env: { TANDEM_MODEL: model } });
  try {
    await engine.open(URI, 'typescript', 'const x = \n');
    const result = await engine.inlineCompletion(URI, { line: 0, character: 10 });
    // A second keystroke must not retry a broken model (no loop, no second error).
    await engine.inlineCompletion(URI, { line: 0, character: 10 });
    const states = await engine.request(GetModelStateRequest);
    const stats = await engine.request(GetStatsRequest);
    const errors = engine.received(ModelStateNotification).filter((s) => s.role === 'completion' && s.state === 'error').length;
    const state = states.find((s) => s.role === 'completion')!;
    return { state, states, alive: engine.alive, stats, errors, result };
  } finally {
    await engine.shutdown();
  }
}

void describe('model problems', () => {
  void it('no model set: proposes the recommended preset, completions are skipped with a reason', async () => {
    const r = await completionState(undefined);
    assert.equal(r.result, null);
    assert.equal(r.state.state, 'none');
    assert.ok(r.state.state === 'none' && r.state.recommended && /^qwen2\.5-coder/.test(r.state.recommended));
    assert.match(r.state.state === 'none' ? r.state.message : '', /No completion model set/);
    assert.equal(r.stats.skipped['no-model'], 2);
    assert.equal(r.alive, true);
  });

  void it('missing file: error state naming the path', async () => {
    const r = await completionState('/nonexistent/dir/model.gguf');
    assert.equal(r.state.state, 'error');
    assert.match(r.state.state === 'error' ? r.state.message : '', /not found: \/nonexistent\/dir\/model\.gguf/);
    assert.equal(r.errors, 1, 'one error, no retry loop');
    assert.equal(r.alive, true);
  });

  void it('truncated GGUF: refused before llama.cpp sees it', async () => {
    const r = await completionState(join(FIXTURES, 'truncated.gguf'));
    assert.equal(r.state.state, 'error');
    assert.match(r.state.state === 'error' ? r.state.message : '', /truncated/);
    assert.equal(r.alive, true);
  });

  void it('corrupt header: refused with a message', async () => {
    const r = await completionState(join(FIXTURES, 'corrupt.gguf'));
    assert.equal(r.state.state, 'error');
    assert.match(r.state.state === 'error' ? r.state.message : '', /Not a GGUF model file/);
    assert.equal(r.alive, true);
  });

  void it('metadata llama.cpp would abort on: refused, and the engine keeps running', async () => {
    const r = await completionState(join(FIXTURES, 'missing-key.gguf'));
    assert.equal(r.state.state, 'error');
    assert.match(r.state.state === 'error' ? r.state.message : '', /missing required metadata \(llama\.attention\.head_count\)/);
    assert.equal(r.alive, true);
  });

  void it('a model without FIM tokens: completions refuse it with the reason', async () => {
    const r = await completionState(join(FIXTURES, 'no-fim.gguf'));
    assert.equal(r.state.state, 'error');
    assert.match(r.state.state === 'error' ? r.state.message : '', /fill-in-the-middle/);
    assert.equal(r.errors, 1);
    assert.equal(r.alive, true);
  });

  void it('recovers when the setting is fixed, without a restart', async () => {
    const engine = await startEngine({ settings: { model: { completion: join(FIXTURES, 'no-fim.gguf') } } });
    try {
      await engine.open(URI, 'typescript', 'const x = \n');
      assert.equal(await engine.inlineCompletion(URI, { line: 0, character: 10 }), null);
      await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'error');
      await engine.notify(DidChangeConfigurationNotification.type, { settings: { tandem: { model: { completion: TINY_MODEL } } } });
      // Unloaded for the new setting: idle (set, loads on first use), never "no model".
      await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'idle');
      const idle = (await engine.request(GetModelStateRequest)).find((s) => s.role === 'completion');
      assert.deepEqual(idle && idle.state === 'idle' && [idle.name, idle.next], ['tiny', 'load']);
      const list = await engine.inlineCompletion(URI, { line: 0, character: 10 });
      assert.ok(list && list.items.length === 1);
    } finally {
      await engine.shutdown();
    }
  });

  void it('a GGUF cut inside its header says "truncated" in plain text (no NUL bytes), wherever the cut falls', async () => {
    const whole = readFileSync(TINY_MODEL);
    const dir = mkdtempSync(join(tmpdir(), 'tandem-cut-'));
    const engine = await startEngine({});
    try {
      await engine.open(URI, 'typescript', 'const x = \n');
      // 8: magic and version only; 59 and 66: inside the architecture name; 300: inside the metadata; 2000: inside the vocabulary.
      for (const bytes of [8, 59, 66, 300, 2000]) {
        const path = join(dir, `cut${bytes}.gguf`);
        writeFileSync(path, whole.subarray(0, bytes));
        const since = engine.notifications.length;
        await engine.notify(DidChangeConfigurationNotification.type, { settings: { tandem: { model: { completion: path } } } });
        await delay(50);
        assert.equal(await engine.inlineCompletion(URI, { line: 0, character: 10 }), null);
        const state = await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'error', 10_000, since);
        const message = state.state === 'error' ? state.message : '';
        assert.match(message, new RegExp(`cut${bytes} is truncated: the file ends inside its header`), message);
        assert.doesNotMatch(message, /[\u0000-\u001f]/, `plain text: ${JSON.stringify(message)}`);
      }
      assert.ok(engine.alive);
    } finally {
      await engine.shutdown();
    }
  });

  void it('a missing model file is reported at once, before the model runtime starts', async () => {
    const engine = await startEngine({ env: { TANDEM_MODEL: '/nonexistent/dir/model.gguf' } });
    try {
      // No keystroke yet: the state already says what is wrong.
      const states = await engine.request(GetModelStateRequest);
      const completion = states.find((s) => s.role === 'completion')!;
      assert.equal(completion.state, 'error');
      assert.match(completion.state === 'error' ? completion.message : '', /Model file not found: \/nonexistent\/dir\/model\.gguf/);
      await engine.open(URI, 'typescript', 'const x = \n');
      assert.equal(await engine.inlineCompletion(URI, { line: 0, character: 10 }), null);
      // The file was refused before anything started loading.
      assert.deepEqual(engine.received(ModelStateNotification).filter((s) => s.state === 'loading'), []);
    } finally {
      await engine.shutdown();
    }
  });

  void it('no model: repeated keystrokes do not repeat the same state notification', async () => {
    const engine = await startEngine({});
    try {
      await engine.open(URI, 'typescript', 'const x = \n');
      for (let i = 0; i < 5; i++) await engine.inlineCompletion(URI, { line: 0, character: 10 });
      const states = engine.received(ModelStateNotification);
      assert.ok(states.length <= 2, `${states.length} notifications`);
    } finally {
      await engine.shutdown();
    }
  });

  void it('lists presets with the hardware they were chosen for', async () => {
    const engine = await startEngine({});
    try {
      const result = await engine.request(ListPresetsRequest);
      assert.ok(result.hardware.cores >= 1 && result.hardware.ramBytes > 0);
      assert.ok(result.presets.some((p) => p.id === result.recommended.completion));
      assert.ok(result.presets.some((p) => p.id === result.recommended.chat));
    } finally {
      await engine.shutdown();
    }
  });
});
