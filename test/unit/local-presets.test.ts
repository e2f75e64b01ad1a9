import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checksumFromUrl, fileNameForUrl } from '../../src/server/local/download.js';
import { defaultThreads } from '../../src/server/local/models.js';
import { PRESETS, choosePresets, findPreset } from '../../src/server/local/presets.js';

const GB = 1024 ** 3;

void describe('model presets', () => {
  void it('are real Hugging Face GGUF URLs, FIM base models for completion and instruct models for chat', () => {
    for (const p of PRESETS) {
      assert.match(p.url, /^https:\/\/huggingface\.co\/[\w.-]+\/[\w.-]+\/resolve\/main\/[\w.-]+\.gguf$/);
      assert.ok(p.url.endsWith(p.fileName));
      if (p.role === 'chat') assert.match(p.id, /instruct/);
      else assert.doesNotMatch(p.id, /instruct/);
    }
  });

  void it('picks bigger models on a big GPU, and the completion model leaves room for chat', () => {
    const r = choosePresets({ gpu: 'cuda', vramBytes: 24 * GB, ramBytes: 64 * GB, cores: 16 });
    assert.equal(r.completion, 'qwen2.5-coder-3b');
    assert.equal(r.chat, 'qwen2.5-coder-14b-instruct');
    const small = choosePresets({ gpu: 'vulkan', vramBytes: 6 * GB, ramBytes: 16 * GB, cores: 8 });
    const c = findPreset(small.completion)!;
    const h = findPreset(small.chat)!;
    assert.ok(c.minMemoryBytes + h.minMemoryBytes <= 6 * GB);
  });

  void it('keeps completions small on a CPU, smallest on a small machine', () => {
    assert.equal(choosePresets({ gpu: false, vramBytes: 0, ramBytes: 24 * GB, cores: 2 }).completion, 'qwen2.5-coder-0.5b');
    const big = choosePresets({ gpu: false, vramBytes: 0, ramBytes: 64 * GB, cores: 16 });
    assert.equal(big.completion, 'qwen2.5-coder-1.5b');
    assert.equal(big.chat, 'qwen2.5-coder-7b-instruct');
  });

  void it('still proposes something on a tiny machine', () => {
    const r = choosePresets({ gpu: false, vramBytes: 0, ramBytes: 1 * GB, cores: 1 });
    assert.ok(findPreset(r.completion) && findPreset(r.chat));
  });
});

void describe('model files', () => {
  void it('names downloads after the URL and reads a pinned checksum', () => {
    assert.equal(fileNameForUrl('https://h.co/x/resolve/main/Model-Q8_0.gguf?download=true'), 'Model-Q8_0.gguf');
    assert.equal(fileNameForUrl('http://127.0.0.1:9/get'), 'get.gguf');
    assert.equal(checksumFromUrl(`https://h.co/m.gguf#sha256=${'A'.repeat(64)}`), 'a'.repeat(64));
    assert.equal(checksumFromUrl('https://h.co/m.gguf'), undefined);
  });

  void it('threads: the setting, else the real core count minus one for the editor', () => {
    assert.equal(defaultThreads(3, 16), 3);
    assert.equal(defaultThreads(0, 2), 1);
    assert.equal(defaultThreads(0, 8), 7);
    assert.equal(defaultThreads(0, 1), 1);
  });
});
