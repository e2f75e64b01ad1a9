import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LedgerEntry } from '../../src/shared/protocol';
import { buildCsv, csvField, csvFileName, CSV_COLUMNS } from '../../webview/panel/csv';

const entry: LedgerEntry = {
  id: 'x',
  time: '2026-11-21T10:00:00.000Z',
  kind: 'chat',
  route: 'cloud',
  model: 'claude-sonnet-4-5',
  reasons: [{ code: 'note', text: 'you asked for Claude' }, { code: 'note', text: 'context has "quotes", commas' }],
  tokens: { input: 100, output: 20, cacheRead: 5, cacheWrite: 0 },
  costUsd: 0.0001234,
  counterfactualUsd: 0.001,
  ttftMs: null,
  totalMs: 900,
  fallback: { from: 'local', reason: { code: 'cloud-failed', text: 'local model\nnot loaded' } },
  manifest: { files: [{ uri: 'file:///a.ts', ranges: [], bytes: 10 }, { uri: 'file:///b c.ts', ranges: [], bytes: 3 }], tokens: 90, redactions: [] },
  error: '=HYPERLINK("http://evil")',
};

void describe('ledger CSV', () => {
  void it('quotes fields with commas, quotes and line breaks, doubling inner quotes', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(null), '');
    assert.equal(csvField(-3), '-3');
  });

  void it('guards text that a spreadsheet would run as a formula', () => {
    assert.equal(csvField('=1+2'), "'=1+2");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('-cmd'), "'-cmd");
    assert.equal(csvField('+x,y'), `"'+x,y"`);
  });

  void it('writes a header and one CRLF-terminated row per entry', () => {
    const csv = buildCsv([entry, { ...entry, id: 'y', route: 'local', manifest: undefined, fallback: undefined, error: undefined, reasons: [] }]);
    const lines = csv.split('\r\n');
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.equal(lines.at(-1), '');
    const row = lines.slice(1, -1).join('\r\n');
    assert.ok(row.startsWith('2026-11-21T10:00:00.000Z,chat,cloud,claude-sonnet-4-5,"you asked for Claude; context has ""quotes"", commas",100,20,5,0,0.000123,0.001000,0.000877,,900,local,"local model\nnot loaded","\'=HYPERLINK(""http://evil"")",file:///a.ts file:///b c.ts,90'));
    assert.ok(csv.endsWith(',local,claude-sonnet-4-5,,100,20,5,0,0.000123,0.001000,0.000877,,900,,,,,\r\n'));
  });

  void it('names the file after the local date', () => {
    assert.equal(csvFileName(new Date(2026, 0, 5)), 'tandem-ledger-2026-01-05.csv');
  });
});

void describe('ledger CSV timings', () => {
  void it('writes milliseconds as whole numbers, without float noise', () => {
    const plain = { ...entry, reasons: [{ code: 'note' as const, text: 'asked' }], fallback: undefined, error: undefined, manifest: undefined };
    const row = buildCsv([{ ...plain, ttftMs: 33.46376600000076, totalMs: 1204.4999999999 }]).split('\r\n')[1] ?? '';
    const cells = row.split(',');
    const at = (name: string): string | undefined => cells[CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number])];
    assert.equal(at('ttft_ms'), '33');
    assert.equal(at('total_ms'), '1204');
  });
});
