// The report card's Claude side before anything is sent: the worst-case cost, every reason a run is refused
// (each says what to do), and how an answer becomes a completion.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { EngineContext, LocalChat } from '../../src/server/context.js';
import { cleanInfill, estimateInfills, infillPrompt } from '../../src/server/eval/cloud-infill.js';
import { RouterService } from '../../src/server/router/service.js';
import { cloudTokenBound } from '../../src/server/router/prompts.js';
import { SettingsStore } from '../../src/server/settings.js';
import type { EvalCloudItem } from '../../src/shared/protocol.js';

const ITEMS: EvalCloudItem[] = [
  { prefix: 'def f(x):\n', suffix: '    return y\n', set: 'single-line' },
  { prefix: 'def g(x):\n', suffix: '    return z\n', set: 'multi-line' },
];

const temps: string[] = [];
after(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function service(settings: Record<string, unknown>, apiKey: string | null = 'key'): RouterService {
  const store = new SettingsStore(settings, {});
  store.apiKey = apiKey ?? undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-eval-cloud-'));
  temps.push(dataDir);
  const ctx = { settings: store, dataDir, workspaceFolders: [], log: { info() {}, warn() {}, error() {} } };
  const local = { modelName: () => undefined, contextSize: () => undefined, countTokens: (t: string) => t.length } as unknown as LocalChat;
  return new RouterService(ctx as unknown as EngineContext, local, () => Promise.resolve('never'));
}

void describe('Claude evaluation before sending', () => {
  void it('estimates an upper bound: every prompt at its UTF-8 bytes (never chars/3) and every answer at its token cap', () => {
    const e = estimateInfills(service({}), { model: 'claude-haiku-5-5', items: ITEMS });
    const tokens = ITEMS.map((i) => {
      const p = infillPrompt(i);
      return Math.ceil((p.system.length + p.user.length) / 3);
    });
    const bounds = ITEMS.map((i) => {
      const p = infillPrompt(i);
      return cloudTokenBound(Buffer.byteLength(p.system) + Buffer.byteLength(p.user), 1);
    });
    assert.equal(e.requests, 2);
    assert.equal(e.inputTokens, tokens[0] + tokens[1], 'the size shown is the estimate');
    // claude-haiku-5-5: $0.10 in, $0.50 out per million; caps 128 and 640 tokens.
    const expected = ((bounds[0] + bounds[1]) * 0.1 + (128 + 640) * 0.5) / 1e6;
    assert.ok(Math.abs(e.worstCaseUsd - expected) < 1e-8, `${e.worstCaseUsd} vs ${expected}`);
    assert.equal(e.refusal, undefined);
  });

  void it('refuses with a reason that says what to do', () => {
    const refusal = (settings: Record<string, unknown>, model = 'claude-haiku-5-5') => estimateInfills(service(settings), { model, items: ITEMS }).refusal ?? '';
    assert.match(refusal({ privacy: { localOnly: true } }), /Local-only mode is on \(tandem\.privacy\.localOnly\)/);
    assert.match(refusal({}, 'claude-unknown-9'), /claude-unknown-9 is not one of your Claude tiers \(tandem\.cloud\.tiers: claude-haiku-5-5, /);
    assert.match(refusal({ cloud: { tiers: ['my-proxy-model'] } }, 'my-proxy-model'), /No price is known for my-proxy-model: add it to tandem\.cloud\.prices/);
    assert.match(estimateInfills(service({}, null), { model: 'claude-haiku-5-5', items: ITEMS }).refusal ?? '', /No Anthropic API key is set: run "Tandem: Set Anthropic API Key"/);
    assert.match(refusal({ privacy: { cloudConsent: 'never' } }), /Cloud use is turned off for this workspace/);
    assert.match(refusal({ budget: { dailyUsd: 0 } }), /does not fit your budget\. Your daily cloud budget is \$0/);
    assert.match(refusal({ budget: { dailyUsd: 0.0001 } }), /does not fit your budget\. It could cost up to \$/);
  });

  void it('turns an answer into the gap\'s text: fences and blank lines removed, one line for the single-line set', () => {
    assert.equal(cleanInfill('```python\n    y = x * 2\n    z = y\n```', 'multi-line'), '    y = x * 2\n    z = y');
    assert.equal(cleanInfill('\n    y = x * 2\n    z = y\n', 'single-line'), '    y = x * 2');
    assert.equal(cleanInfill('    return x\r\n', 'multi-line'), '    return x');
    assert.equal(cleanInfill('', 'single-line'), '');
  });
});
