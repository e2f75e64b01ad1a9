// The compare view in a real browser (Debian chromium), driven by a scripted host: both sides stream side by
// side with their latency, tokens and cost; the user picks one; a side the gate refused shows why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompareRun } from '../../src/shared/webview';
import { cloudAnswer, localAnswer } from './fixtures';
import { hostPost, pageErrors, screenshot, startHost, waitPosted, type Host } from './host';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const base: CompareRun = {
  id: 'cmp-1',
  kind: 'explain',
  prompt: 'Explain the selected code.',
  context: ['billing.ts:10-21'],
  local: { route: 'local', state: 'streaming', text: '' },
  cloud: { route: 'cloud', state: 'streaming', text: '' },
};

void describe('compare webview', () => {
  void it('streams both answers side by side, then shows each side’s cost and timings; the pick is posted', async () => {
    const page = await host.open('compare');
    await hostPost(page, { type: 'run', run: base });
    await hostPost(page, { type: 'delta', id: 'cmp-1', side: 'local', delta: 'It sums ', model: 'qwen2.5-coder-7b' });
    await hostPost(page, { type: 'delta', id: 'cmp-1', side: 'cloud', delta: 'This function **totals**', model: 'claude-sonnet-4-5' });
    await page.locator('[data-side="cloud"] strong', { hasText: 'totals' }).waitFor();
    await page.locator('[data-side="local"] .answer-body', { hasText: 'It sums' }).waitFor();
    const box = async (side: string) => page.locator(`[data-side="${side}"]`).boundingBox();
    const [left, right] = [await box('local'), await box('cloud')];
    assert.ok(left && right && left.x < right.x && Math.abs(left.y - right.y) < 2, 'the two answers are side by side');
    assert.equal(await page.locator('button.pick').count(), 0, 'nothing to pick while streaming');
    await hostPost(page, { type: 'run', run: { ...base, local: { ...base.local, state: 'done', text: 'It sums the items.', model: 'qwen2.5-coder-7b', answer: { ...localAnswer, entryId: 'l1' } }, cloud: { ...base.cloud, state: 'done', text: 'This function **totals** the invoice.', model: 'claude-sonnet-4-5', answer: { ...cloudAnswer, entryId: 'c1' } } } });
    assert.match((await page.locator('[data-side="local"] .stats').textContent()) ?? '', /first token 240 ms · total 3\.1 s · 1\.2k in \/ 310 out · \$0\.00/);
    assert.match((await page.locator('[data-side="cloud"] .stats').textContent()) ?? '', /first token 820 ms · total 5\.4 s · 3\.1k in \/ 420 out · \$0\.0123/);
    assert.match((await page.locator('.compare-header').textContent()) ?? '', /Explain the selected code\.With billing\.ts:10-21/);
    await page.locator('[data-side="cloud"] button.pick').click();
    assert.deepEqual(await waitPosted<{ id: string; side: string }>(page, 'pick').then((m) => [m.id, m.side]), ['cmp-1', 'cloud']);
    await hostPost(page, { type: 'run', run: { ...base, picked: 'cloud', local: { ...base.local, state: 'done', text: 'x', answer: localAnswer }, cloud: { ...base.cloud, state: 'done', text: 'y', answer: cloudAnswer } } });
    assert.equal(await page.locator('[data-side="cloud"] button.pick').getAttribute('aria-pressed'), 'true');
    assert.match((await page.locator('.compare-header').textContent()) ?? '', /You preferred the Claude answer/);
    await screenshot(page, 'compare');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  void it('a side the gate refused shows why, and nothing can be picked', async () => {
    const page = await host.open('compare');
    await hostPost(page, { type: 'run', run: { ...base, local: { ...base.local, state: 'done', text: 'Local answer.', answer: localAnswer }, cloud: { route: 'cloud', state: 'error', text: '', error: { message: 'Claude was not asked: src/config.ts line 3 contains what looks like a secret (github).', blockedBy: 'secret' } } } });
    const cloud = page.locator('[data-side="cloud"] .error');
    await cloud.waitFor();
    assert.match((await cloud.textContent()) ?? '', /Blocked by privacy.*Claude was not asked: src\/config\.ts line 3/);
    assert.equal(await page.locator('[data-side="local"] button.pick').isDisabled(), true);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });
});
