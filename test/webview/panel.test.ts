// The routing and cost panel in a real browser (Debian chromium), driven by a scripted host.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { CSV_COLUMNS } from '../../webview/panel/csv';
import { formatUsd } from '../../webview/shared/format';
import { ENTRIES, ledgerResult, REPORT_CARDS } from './fixtures';
import { hostPost, pageErrors, screenshot, startHost, waitPosted, type Host } from './host';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

async function panel(): Promise<Page> {
  const page = await host.open('panel');
  await hostPost(page, { type: 'ledger', result: ledgerResult() });
  await page.locator('table.decisions tbody tr').first().waitFor();
  return page;
}

const rows = (page: Page) => page.locator('table.decisions tbody tr[data-id]');

void describe('routing panel webview', () => {
  void it('shows every decision with its route, model, reasons, tokens, cost and timings', async () => {
    const page = await panel();
    assert.equal(await rows(page).count(), ENTRIES.length);
    assert.equal(await page.locator('table.decisions').getAttribute('role'), 'table');
    assert.equal(await page.locator('table.decisions th[role="columnheader"]').count(), 11);
    // Newest first: the cloud refactor and the completion are today's, at the same time; the oldest is last.
    const last = rows(page).last();
    assert.equal(await last.getAttribute('data-id'), 'e6');
    const refactor = page.locator('tr[data-id="e2"] td');
    const cells = await refactor.allTextContents();
    assert.equal(cells[1], 'refactor');
    assert.equal(cells[2], 'cloud');
    assert.equal(cells[3], 'claude-sonnet-4-5');
    assert.equal(cells[4], 'multi-file refactor (4 files)');
    assert.equal(cells[5], '9.0k / 1.5k / 4.0k');
    assert.equal(cells[6], '$0.05');
    assert.equal(cells[7], '900 ms');
    assert.equal(cells[8], '12.0 s');
    assert.match((await page.locator('tr[data-id="e5"] td').nth(9).textContent()) ?? '', /cloud → local: cloud overloaded \(529\)/);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  void it('filters by kind, route and text', async () => {
    const page = await panel();
    await page.selectOption('#filter-kind', 'chat');
    assert.deepEqual(await rows(page).evaluateAll((r) => r.map((e) => e.getAttribute('data-id'))), ['e3', 'e5', 'e6']);
    await page.selectOption('#filter-route', 'cloud');
    assert.deepEqual(await rows(page).evaluateAll((r) => r.map((e) => e.getAttribute('data-id'))), ['e6']);
    await page.selectOption('#filter-kind', 'all');
    await page.selectOption('#filter-route', 'all');
    await page.fill('#filter-text', 'secret aws');
    assert.deepEqual(await rows(page).evaluateAll((r) => r.map((e) => e.getAttribute('data-id'))), ['e3']);
    await page.fill('#filter-text', 'nothing-matches-this');
    assert.equal(await rows(page).count(), 0);
    assert.match((await page.locator('table.decisions tbody').textContent()) ?? '', /No decisions match the filters/);
    await page.close();
  });

  void it('totals for today and this month, savings against all-cloud, and the chart', async () => {
    const page = await panel();
    const result = ledgerResult();
    const today = page.locator('section.card[aria-label="Today"]');
    const month = page.locator('section.card[aria-label="This month"]');
    // Today: $0.05 spent (the cloud refactor); all-cloud $0.052; saved $0.002.
    assert.equal(await today.locator('.spent').textContent(), '$0.05');
    assert.equal(await today.locator('.saved').textContent(), '$0.002');
    assert.match((await today.textContent()) ?? '', /2 requests · 50% local · 50% cloud/);
    const monthSaved = result.month.counterfactualUsd - result.month.costUsd;
    assert.ok(monthSaved > 0);
    assert.match((await month.locator('.saved').textContent()) ?? '', /^\$0\.0\d+$/);
    assert.match((await page.locator('.budget').textContent()) ?? '', /Budget: \$2\.00 a day, \$40\.00 a month/);
    // uPlot draws on a canvas with a legend of the three series.
    await page.locator('.chart canvas').first().waitFor();
    const legend = await page.locator('.chart .u-legend .u-label').allTextContents();
    assert.deepEqual(legend.slice(-3), ['Spent', 'All-cloud would cost', 'Local share']);
    assert.match((await page.locator('.chart').getAttribute('aria-label')) ?? '', /Chart over 7 days: spent \$0\.054/);
    await page.close();
  });

  void it('payback calculator shows weeks to break even with its arithmetic', async () => {
    const page = await panel();
    const result = ledgerResult();
    const days = Object.values(result.byDay);
    const allCloud = days.reduce((s, d) => s + d.counterfactualUsd, 0);
    const actual = days.reduce((s, d) => s + d.costUsd, 0);
    const saved = allCloud - actual;
    const weekly = (saved / 7) * 7; // the fixture spans 7 days, today included
    await page.fill('#gpu-price', '1000');
    const weeks = (1000 / weekly).toFixed(1);
    await page.locator('.payback-weeks', { hasText: `${weeks} weeks to break even` }).waitFor();
    const steps = await page.locator('.arithmetic li').allTextContents();
    assert.equal(steps.length, 3);
    assert.equal(steps[0], `Measured over 7 days: all-cloud ${formatUsd(allCloud)} − actual ${formatUsd(actual)} = ${formatUsd(saved)} saved`);
    assert.equal(steps[1], `Per week: ${formatUsd(saved)} ÷ 7 × 7 = ${formatUsd(weekly)}`);
    assert.equal(steps[2], `Break-even: $1,000 ÷ ${formatUsd(weekly)} per week = ${weeks} weeks (${(Number(weeks) / 52).toFixed(1)} years)`);
    await page.fill('#gpu-price', '');
    await page.locator('.payback-result', { hasText: 'Enter the GPU price' }).waitFor();
    await page.close();
  });

  void it('clicking a cloud row shows its manifest; Enter on a local row says nothing left', async () => {
    const page = await panel();
    await page.locator('tr[data-id="e2"]').click();
    const details = page.locator('section.details');
    assert.match((await details.textContent()) ?? '', /Manifest: what left the machine \(3\.1k tokens\)/);
    assert.deepEqual(await details.locator('.manifest-table tbody td:first-child').allTextContents(), ['billing.ts', 'invoice.ts']);
    assert.match((await details.textContent()) ?? '', /Redacted: billing\.ts:12 \(aws-access-key\)/);
    assert.equal(await page.locator('tr[data-id="e2"]').getAttribute('aria-selected'), 'true');
    await screenshot(page, 'panel');
    await page.locator('tr[data-id="e4"]').focus();
    await page.keyboard.press('Enter');
    assert.match((await details.textContent()) ?? '', /Local: nothing left the machine/);
    await page.close();
  });

  void it('completions sent to a server on another machine show their manifest, the server and the request count', async () => {
    const page = await panel();
    const egress = {
      ...ENTRIES[0], id: 'srv1', time: new Date().toISOString(),
      reasons: [{ code: 'completion-egress' as const, text: 'Inline completions ran on llama-server at http://gpu-box:8080, another machine not marked trusted: 12 requests carried the code listed in the manifest.' }],
      manifest: { files: [{ uri: 'file:///work/app/src/cart.ts', ranges: [{ startLine: 0, endLine: 60 }], bytes: 40960 }], tokens: 4200, redactions: [] },
      destination: { kind: 'llama-server' as const, url: 'http://gpu-box:8080', trusted: false }, count: 12,
    };
    await hostPost(page, { type: 'entry', entry: egress });
    await page.locator('tr[data-id="srv1"]').click();
    const details = (await page.locator('section.details').textContent()) ?? '';
    assert.match(details, /Manifest: what left the machine to http:\/\/gpu-box:8080 \(another machine, not trusted\) \(4\.2k tokens, 12 requests\)/);
    assert.doesNotMatch(details, /nothing left the machine/);
    assert.deepEqual(await page.locator('section.details .manifest-table tbody td:first-child').allTextContents(), ['cart.ts']);
    await page.close();
  });

  void it('exports the matching rows as CSV through the extension', async () => {
    const page = await panel();
    await page.selectOption('#filter-route', 'cloud');
    await page.getByRole('button', { name: 'Export the matching decisions as CSV' }).click();
    const request = await waitPosted<{ csv: string; rows: number; suggestedName: string; id: string }>(page, 'exportCsv');
    assert.equal(request.rows, 2);
    assert.match(request.suggestedName, /^tandem-ledger-\d{4}-\d\d-\d\d\.csv$/);
    const lines = request.csv.split('\r\n');
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.equal(lines.length, 4); // header, two rows, final empty after the last CRLF
    assert.match(lines[1] ?? '', /,refactor,cloud,claude-sonnet-4-5,multi-file refactor \(4 files\),9000,1500,4000,0,0\.050000,0\.050000,0\.000000,900,12000,/);
    await hostPost(page, { type: 'exported', id: request.id, outcome: 'saved', message: 'Exported 2 decisions to /tmp/x.csv.' });
    await page.locator('.status', { hasText: 'Exported 2 decisions' }).waitFor();
    await page.close();
  });

  void it('adds live decisions as the engine writes them', async () => {
    const page = await panel();
    const live = { ...ENTRIES[0], id: 'live1', time: new Date().toISOString(), kind: 'explain', reasons: ['live entry reason'] };
    await hostPost(page, { type: 'entry', entry: live });
    await page.locator('tr[data-id="live1"]').waitFor();
    assert.equal(await rows(page).count(), ENTRIES.length + 1);
    assert.equal(await rows(page).first().getAttribute('data-id'), 'live1');
    await hostPost(page, { type: 'engine', running: false });
    await page.locator('.status', { hasText: 'engine is not running' }).waitFor();
    await page.close();
  });

  void it('an empty ledger says how to get data, and a stopped engine says so', async () => {
    const page = await host.open('panel');
    assert.equal(await page.locator('.status').textContent(), 'Loading the ledger…');
    await hostPost(page, { type: 'engine', running: false });
    await page.locator('.status', { hasText: 'decisions show here once it starts' }).waitFor();
    await hostPost(page, { type: 'ledger', result: ledgerResult([]) });
    await page.locator('table.decisions tbody', { hasText: 'No decisions yet' }).waitFor();
    assert.match((await page.locator('.payback-result').textContent()) ?? '', /No usage measured yet/);
    assert.equal(await page.locator('section.card[aria-label="Today"] .spent').textContent(), '$0.00');
    await page.getByRole('button', { name: 'Export the matching decisions as CSV' }).click();
    await page.locator('.status', { hasText: 'Nothing to export' }).waitFor();
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  void it('a row\'s details open in view: beside the table on a wide panel, scrolled to below it on a narrow one', async () => {
    // Forty decisions: the details below the table would be far below the fold.
    const many = Array.from({ length: 40 }, (_, i) => ({ ...ENTRIES[i % ENTRIES.length]!, id: `m${i}` }));
    const inView = (page: Page): Promise<boolean> =>
      page.locator('section.details').evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.top < window.innerHeight - 40;
      });
    for (const width of [1600, 900]) {
      const page = await host.open('panel', { width, height: 700 });
      await hostPost(page, { type: 'ledger', result: ledgerResult(many) });
      const row = page.locator('table.decisions tbody tr[data-id]').nth(2);
      await row.scrollIntoViewIfNeeded();
      await row.click();
      await page.locator('section.details h3').waitFor();
      assert.ok(await inView(page), `at ${width} px the details of the clicked row are out of view`);
      if (width === 1600) {
        const [table, details] = await Promise.all([page.locator('.table-area .table-scroll').boundingBox(), page.locator('section.details').boundingBox()]);
        assert.ok(table && details && details.x >= table.x + table.width - 1, 'on a wide panel the details sit beside the table');
        await screenshot(page, 'panel-details-beside');
      }
      await page.close();
    }
  });

  void it('the Reasons column is wide enough to read, and the chart legend shows the period\'s values before any hover', async () => {
    const page = await host.open('panel', { width: 1000, height: 800 });
    await hostPost(page, { type: 'ledger', result: ledgerResult() });
    await page.locator('table.decisions tbody tr').first().waitFor();
    const reasons = await page.locator('tr[data-id="e5"] td.reasons').boundingBox();
    assert.ok(reasons && reasons.width >= 200, `the Reasons column is ${reasons?.width} px wide`);
    await page.locator('.chart canvas').first().waitFor();
    const values = await page.locator('.chart .u-legend .u-value').allTextContents();
    assert.equal(values.length, 4);
    assert.ok(values.every((v) => v.trim() && v.trim() !== '—'), `legend values before hovering: ${values.join(' | ')}`);
    const result = ledgerResult();
    const local = Object.values(result.byDay).reduce((n, d) => n + d.local, 0);
    assert.deepEqual(values, ['7 days', formatUsd(0.054), formatUsd(ENTRIES.reduce((n, e) => n + e.counterfactualUsd, 0)), `${Math.round((local / ENTRIES.length) * 1000) / 10}%`]);
    await page.close();
  });

  void it('one day of data: the chart says "1 day" and the payback says there is not enough data yet', async () => {
    const page = await host.open('panel');
    await hostPost(page, { type: 'ledger', result: ledgerResult(ENTRIES.filter((e) => e.id === 'e1' || e.id === 'e2')) });
    await page.locator('.chart canvas').first().waitFor();
    assert.match((await page.locator('.chart').getAttribute('aria-label')) ?? '', /^Chart over 1 day:/);
    assert.equal((await page.locator('.chart .u-legend .u-value').first().textContent())?.trim(), '1 day');
    await page.locator('.payback-weeks', { hasText: 'Not enough data yet' }).waitFor();
    assert.match((await page.locator('.payback-result').textContent()) ?? '', /needs 3 days of use; 1 measured so far/);
    assert.doesNotMatch((await page.locator('.payback-result').textContent()) ?? '', /weeks to break even|years/);
    await screenshot(page, 'panel-one-day');
    await page.close();
  });

  void it('what the router learned: per-context records, the policy, a reset, the share sent to Claude, and feedback per decision', async () => {
    const page = await host.open('panel');
    const learnedEntry = { ...ENTRIES[5]!, id: 'e7', reasons: [{ code: 'learned-cloud' as const, text: 'Local chat answers of Rust were accepted 1 of 6 times, so this goes to Claude.' }] };
    const result = { ...ledgerResult([...ENTRIES, learnedEntry]), feedback: [
      { type: 'feedback' as const, id: 'f1', time: new Date().toISOString(), entryId: 'e4', signal: 'thumbs-up' as const, count: 1 },
      { type: 'feedback' as const, id: 'f2', time: new Date().toISOString(), entryId: 'e1', signal: 'completion-shown' as const, count: 12 },
      { type: 'feedback' as const, id: 'f3', time: new Date().toISOString(), entryId: 'e1', signal: 'completion-accepted' as const, count: 3 },
    ] };
    await hostPost(page, { type: 'ledger', result });
    await hostPost(page, { type: 'learned', state: {
      policy: 'learned', cloudShare: 0.2, events: 27,
      contexts: [
        { key: 'explain|typescript', label: 'explanations of TypeScript', level: 2, local: { accepted: 18, rejected: 2 }, cloud: { accepted: 0, rejected: 0 }, estimate: { local: 0.87, cloud: 0.8 } },
        { key: 'chat|rust', label: 'chat answers of Rust', level: 2, local: { accepted: 1, rejected: 5 }, cloud: { accepted: 4, rejected: 0 }, estimate: { local: 0.27, cloud: 0.88 } },
      ],
    } });
    const learned = page.locator('section.learned');
    await learned.locator('tbody tr').first().waitFor();
    assert.match((await learned.locator('.learned-summary').textContent()) ?? '', /up to 20% of the questions the rules keep local may go to Claude .* 27 feedback events used/);
    assert.deepEqual(await learned.locator('tbody tr[data-key="explain|typescript"] td').allTextContents(), ['explanations of TypeScript', '18 of 20 (90%)', '—', '87% / 80%']);
    assert.deepEqual(await learned.locator('tbody tr[data-key="chat|rust"] td').allTextContents(), ['chat answers of Rust', '1 of 6 (17%)', '4 of 4 (100%)', '27% / 88%']);
    assert.equal(await learned.locator('figure.share-chart').isVisible(), true);
    assert.match((await learned.locator('figure.share-chart').getAttribute('aria-label')) ?? '', /Share of questions answered by Claude per day/);
    assert.equal(await page.locator('tr[data-id="e4"] td.feedback').textContent(), 'thumbs up');
    assert.equal(await page.locator('tr[data-id="e1"] td.feedback').textContent(), '12 shown · 3 accepted');
    await learned.locator('button', { hasText: 'Reset learning' }).click();
    await waitPosted(page, 'resetLearning');
    // Live feedback lands on its decision.
    await hostPost(page, { type: 'feedback', feedback: { type: 'feedback', id: 'f4', time: new Date().toISOString(), entryId: 'e2', signal: 'refactor-applied', count: 1 } });
    await page.locator('tr[data-id="e2"] td.feedback', { hasText: 'applied' }).waitFor();
    await screenshot(page, 'panel-learned');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  void it('shows the report card: local and Claude per set, the harness check last, and runs an evaluation on request', async () => {
    const page = await panel();
    await page.locator('.report-card', { hasText: 'No evaluation yet' }).waitFor();
    await hostPost(page, { type: 'reportCards', reports: REPORT_CARDS });
    const cells = (key: string) => page.locator(`tr[data-key="${key}"] td`).allTextContents();
    await page.locator('tr[data-key="local:qwen2.5-coder-1.5b:single-line"]').waitFor();
    assert.deepEqual(await page.locator('.report-table tbody tr').evaluateAll((r) => r.map((e) => e.getAttribute('data-key'))), [
      'local:qwen2.5-coder-1.5b:single-line',
      'local:qwen2.5-coder-1.5b:multi-line',
      'cloud:claude-haiku-5-5:single-line',
      'oracle:oracle:single-line',
    ]);
    const local = await cells('local:qwen2.5-coder-1.5b:single-line');
    assert.deepEqual(local.slice(0, 10), ['qwen2.5-coder-1.5b', 'local · cuda', 'single-line', '200 of 1,033', '62.5%', '55.0%', '1.5%', '180 ms / 420 ms', '95 tok/s', '$0.00']);
    const claude = await cells('cloud:claude-haiku-5-5:single-line');
    assert.deepEqual([claude[1], claude[4], claude[9]], ['Claude', '81.0%', '$0.02']);
    assert.match((await page.locator('.report-table caption').textContent()) ?? '', /Measured on 8 cores .* up to 64 tokens and 1\.5 s per suggestion.* Python 3\.11\.7/);
    await page.getByRole('button', { name: 'Evaluate the local model on HumanEval-Infilling' }).click();
    await waitPosted(page, 'evaluate');
    await hostPost(page, { type: 'reportCards', reports: [], error: 'Could not read the report cards: engine stopped' });
    await page.locator('.report-card [role="alert"]', { hasText: 'engine stopped' }).waitFor();
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });
});

