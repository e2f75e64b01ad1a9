// The report card's benchmark files: read from the shared folder, downloaded from a (local) HTTP server when
// missing and kept only when the SHA-256 matches, refused when damaged, and a stable subset.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DATASET_BASE_URL, DatasetError, ensureDataset, parseProblems, stableSubset } from '../../src/eval/dataset.js';
import { sharedEvalData } from '../support/eval-data.js';
import { REPO_ROOT } from '../support/lsp-client.js';

const SINGLE = 'HumanEval-SingleLineInfilling.jsonl.gz';
const SHARED_EVAL_DATA = sharedEvalData(REPO_ROOT);

function shared(): string {
  assert.ok(SHARED_EVAL_DATA, 'the HumanEval-Infilling files are beside the repository (../shared/data/human-eval-infilling)');
  return SHARED_EVAL_DATA;
}

void describe('benchmark files', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];
  /** What the server answers per path: bytes, or a status. */
  const routes = new Map<string, Buffer | number>();
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-eval-data-'));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const answer = routes.get(req.url ?? '') ?? 404;
      if (typeof answer === 'number') {
        res.writeHead(answer).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': answer.length }).end(answer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  void it('reads and verifies the shared files: 1,033 single-line and 5,815 multi-line problems', async () => {
    const single = parseProblems(await ensureDataset(shared(), 'single-line', { offline: true }), SINGLE);
    const multi = parseProblems(await ensureDataset(shared(), 'multi-line', { offline: true }), 'multi');
    assert.equal(single.length, 1033);
    assert.equal(multi.length, 5815);
    assert.equal(single[0].taskId, 'SingleLineInfilling/HumanEval/0/L0');
    assert.equal(single[0].entryPoint, 'has_close_elements');
  });

  void it('downloads a missing file from the public repository layout once, keeps it, and then needs no network', async () => {
    assert.equal(DATASET_BASE_URL, 'https://raw.githubusercontent.com/openai/human-eval-infilling/master/data/');
    routes.set(`/data/${SINGLE}`, readFileSync(join(shared(), SINGLE)));
    const dir = fresh();
    const announced: string[] = [];
    const before = hits.length;
    const text = await ensureDataset(dir, 'single-line', { baseUrl: base, onDownload: (f) => announced.push(f) });
    assert.equal(parseProblems(text, SINGLE).length, 1033);
    assert.deepEqual(announced, [SINGLE]);
    assert.deepEqual(readdirSync(dir), [SINGLE], 'the file, and no partial file');
    assert.deepEqual(readFileSync(join(dir, SINGLE)), readFileSync(join(shared(), SINGLE)));
    await ensureDataset(dir, 'single-line', { baseUrl: base, offline: true });
    assert.equal(hits.length - before, 1, 'one request in all');
  });

  void it('refuses a download whose SHA-256 differs and leaves nothing behind', async () => {
    const real = readFileSync(join(shared(), SINGLE));
    const tampered = Buffer.from(real);
    tampered[tampered.length - 20] ^= 0xff;
    routes.set(`/data/${SINGLE}`, tampered);
    const dir = fresh();
    await assert.rejects(ensureDataset(dir, 'single-line', { baseUrl: base }), (e: Error) => e instanceof DatasetError && /SHA-256 .* expected 1277073e/.test(e.message));
    assert.deepEqual(readdirSync(dir), []);
  });

  void it('says which URL failed when the server answers an error', async () => {
    routes.set(`/data/${SINGLE}`, 503);
    await assert.rejects(ensureDataset(fresh(), 'single-line', { baseUrl: base }), /HumanEval-SingleLineInfilling\.jsonl\.gz: HTTP 503/);
  });

  void it('offline, a missing file is an error that says where to get it; a damaged file is never used', async () => {
    const dir = fresh();
    await assert.rejects(ensureDataset(dir, 'multi-line', { offline: true }), /HumanEval-MultiLineInfilling\.jsonl\.gz is not in .*github.*--data/s);
    writeFileSync(join(dir, SINGLE), readFileSync(join(shared(), SINGLE)).subarray(0, 1000));
    await assert.rejects(ensureDataset(dir, 'single-line', { offline: true }), /damaged or another version .*Delete it/);
    assert.ok(existsSync(join(dir, SINGLE)), 'the user\'s file is left for them to look at');
  });

  void it('names the line of a file that is not benchmark JSON', () => {
    assert.throws(() => parseProblems('{"task_id":"a"}\n', 'x.jsonl'), /x\.jsonl line 1 has no entry_point, prompt, suffix, canonical_solution, test/);
    assert.throws(() => parseProblems('\nnot json\n', 'x.jsonl'), /x\.jsonl line 2 is not JSON/);
  });

  void it('takes the same subset whatever the file order, spread over many functions', async () => {
    const all = parseProblems(await ensureDataset(shared(), 'multi-line', { offline: true }), 'multi');
    const a = stableSubset(all, 100).map((p) => p.taskId);
    const b = stableSubset([...all].reverse(), 100).map((p) => p.taskId);
    assert.equal(a.length, 100);
    assert.deepEqual(a, b);
    const functions = new Set(a.map((id) => id.split('/')[2]));
    assert.ok(functions.size >= 40, `100 problems from ${functions.size} functions`);
    assert.equal(stableSubset(all, null).length, all.length);
  });
});
