// Server URLs and where they point, and the FIM prompts Tandem builds for OpenAI-compatible servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHost, parseServerUrl } from '../../src/server/backends/destination.js';
import { FIM_TEMPLATES, fimTemplateFor } from '../../src/server/backends/fim-templates.js';

void test('loopback is this machine; every other host, names included, is another machine', () => {
  for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', 'api.localhost', '[::1]', '::1', '0.0.0.0', '[::ffff:127.0.0.1]', '::ffff:7f00:1']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ['10.0.0.5', '192.168.1.20', 'gpu-box', 'gpu-box.corp.example', '128.0.0.1', '[::2]', '::ffff:a00:5', 'localhost.evil.com', '1.2.3.4']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});

void test('server URLs: defaults per kind, /v1 for OpenAI-compatible, remote by host, bad ones explained', () => {
  const ok = (kind: Parameters<typeof parseServerUrl>[0], setting: string, remoteFlag = false) => {
    const parsed = parseServerUrl(kind, setting, remoteFlag);
    assert.ok(!('error' in parsed), JSON.stringify(parsed));
    return parsed;
  };
  assert.equal(ok('llama-server', '').url.href, 'http://127.0.0.1:8080/');
  assert.equal(ok('ollama', '').url.href, 'http://127.0.0.1:11434/');
  assert.equal(ok('openai-compatible', '').url.href, 'http://127.0.0.1:8000/v1');
  assert.equal(ok('openai-compatible', 'https://vllm.internal:8443').url.href, 'https://vllm.internal:8443/v1');
  assert.equal(ok('openai-compatible', 'https://proxy/team/v1/').url.pathname, '/team/v1/');
  assert.equal(ok('llama-server', 'gpu-box:8080').url.href, 'http://gpu-box:8080/');
  assert.equal(ok('llama-server', 'http://gpu-box:8080').remote, true);
  assert.equal(ok('llama-server', 'http://127.0.0.1:8080').remote, false);
  assert.equal(ok('llama-server', 'http://127.0.0.1:8080', true).remote, true, 'TANDEM_LOOPBACK_IS_REMOTE');
  for (const bad of ['ftp://host/', 'http://', 'http://host:8080/?model=x', 'file:///etc/passwd']) {
    const parsed = parseServerUrl('llama-server', bad);
    assert.ok('error' in parsed && /tandem\.local\.url/.test(parsed.error), `${bad}: ${JSON.stringify(parsed)}`);
  }
});

void test('the FIM template comes from the model name unless the setting names one', () => {
  const cases: [string, string][] = [
    ['Qwen/Qwen2.5-Coder-7B', 'qwen'],
    ['bigcode/starcoder2-15b', 'starcoder'],
    ['codellama/CodeLlama-13b-hf', 'codellama'],
    ['deepseek-ai/deepseek-coder-6.7b-base', 'deepseek'],
    ['mistralai/Codestral-22B-v0.1', 'codestral'],
    ['google/codegemma-7b', 'codegemma'],
    ['ibm-granite/granite-8b-code-base', 'starcoder'],
    ['my-company/house-model', 'qwen'],
  ];
  for (const [model, name] of cases) assert.equal(fimTemplateFor('auto', model).name, name, model);
  assert.equal(fimTemplateFor('starcoder', 'Qwen/Qwen2.5-Coder-7B').name, 'starcoder');
});

void test('each template lays out prefix, suffix and extra files with its family tokens, context first', () => {
  const parts = { path: 'src/a.ts', prefix: 'const x = ', suffix: ';\n', context: [{ path: 'src/b.ts', text: 'export const y = 1;' }] };
  assert.equal(
    FIM_TEMPLATES.qwen.build(parts),
    '<|repo_name|>workspace\n<|file_sep|>src/b.ts\nexport const y = 1;\n<|file_sep|>src/a.ts\n<|fim_prefix|>const x = <|fim_suffix|>;\n<|fim_middle|>',
  );
  assert.equal(FIM_TEMPLATES.qwen.build({ ...parts, context: [] }), '<|fim_prefix|>const x = <|fim_suffix|>;\n<|fim_middle|>');
  assert.equal(FIM_TEMPLATES.codestral.build(parts), '[SUFFIX];\n[PREFIX]// src/b.ts\nexport const y = 1;\nconst x = ');
  assert.equal(FIM_TEMPLATES.codellama.build({ ...parts, context: [] }), '<PRE> const x =  <SUF>;\n <MID>');
  assert.match(FIM_TEMPLATES.deepseek.build(parts), /^<｜fim▁begin｜>\/\/ src\/b\.ts\nexport const y = 1;\nconst x = <｜fim▁hole｜>;\n<｜fim▁end｜>$/);
  assert.match(FIM_TEMPLATES.starcoder.build(parts), /<file_sep>src\/b\.ts\nexport const y = 1;\n<file_sep>src\/a\.ts\n<fim_prefix>const x = <fim_suffix>;\n<fim_middle>$/);
  assert.match(FIM_TEMPLATES.codegemma.build({ ...parts, context: [{ path: 'x.py', text: 'y = 1' }] }), /^<\|file_separator\|>x\.py\ny = 1\n<\|file_separator\|>src\/a\.ts\n<\|fim_prefix\|>/);
  for (const t of Object.values(FIM_TEMPLATES)) assert.ok(t.stop.length > 0, `${t.name} has stop strings`);
});
