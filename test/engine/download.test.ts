// Model download against a loopback HTTP server: progress, cancel, resume with Range, size and checksum
// verification, and offline reuse of the cached file with no request at all.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DownloadModelRequest, GetStatsRequest, ModelStateNotification } from '../../src/shared/protocol.js';
import { CancellationTokenSource, delay, startEngine, TINY_MODEL } from '../support/lsp-client.js';
import { refusedUrl } from '../fake-anthropic/server.js';

const MODEL = readFileSync(TINY_MODEL);
const SHA = createHash('sha256').update(MODEL).digest('hex');

interface Hit {
  url: string;
  range?: string;
}

/** Serves the fixture model; /slow/ paths trickle 8 KB every 15 ms. Stops itself after 2 minutes. */
function startServer(): Promise<{ server: Server; base: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    hits.push({ url: req.url ?? '', range: req.headers.range });
    if (!req.url?.endsWith('.gguf')) {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= MODEL.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${MODEL.length}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Length': MODEL.length - start, 'Content-Range': `bytes ${start}-${MODEL.length - 1}/${MODEL.length}`, 'Accept-Ranges': 'bytes' });
    } else {
      res.writeHead(200, { 'Content-Length': MODEL.length, 'Accept-Ranges': 'bytes' });
    }
    if (!req.url.includes('/slow/')) {
      res.end(MODEL.subarray(start));
      return;
    }
    let at = start;
    const timer = setInterval(() => {
      if (res.destroyed || at >= MODEL.length) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(MODEL.subarray(at, at + 8192));
      at += 8192;
    }, 15);
    res.on('close', () => clearInterval(timer));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      setTimeout(() => server.close(), 120_000).unref();
      resolve({ server, base: `http://127.0.0.1:${port}`, hits });
    });
  });
}

void describe('model download', () => {
  let server: Server;
  let base: string;
  let hits: Hit[];
  before(async () => {
    ({ server, base, hits } = await startServer());
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  void it('downloads with progress, verifies the checksum, and reuses the file with no request', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-dl-'));
    const engine = await startEngine({ dataDir });
    try {
      const url = `${base}/models/tiny-a.gguf`;
      const result = await engine.request(DownloadModelRequest, { role: 'completion', url, sha256: SHA });
      assert.equal(result.cached, false);
      assert.equal(result.path, join(dataDir, 'models', 'tiny-a.gguf'));
      assert.equal(createHash('sha256').update(readFileSync(result.path)).digest('hex'), SHA);
      const progress = engine.received(ModelStateNotification).filter((s) => s.state === 'downloading');
      assert.ok(progress.length >= 1);
      const lastProgress = progress[progress.length - 1];
      assert.equal(lastProgress.percent, 100);
      assert.equal(lastProgress.totalBytes, MODEL.length);
      // The downloaded model becomes the completion model and loads.
      await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'ready');
      const count = hits.length;
      const again = await engine.request(DownloadModelRequest, { role: 'completion', url });
      assert.equal(again.cached, true);
      assert.equal(hits.length, count, 'no request for a complete file');
    } finally {
      await engine.shutdown();
    }
  });

  void it('refuses a checksum or size mismatch and keeps nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-dl-'));
    const engine = await startEngine({ dataDir });
    try {
      const url = `${base}/models/tiny-b.gguf`;
      await assert.rejects(engine.request(DownloadModelRequest, { role: 'completion', url, sha256: '0'.repeat(64) }), /Checksum mismatch/);
      assert.equal(existsSync(join(dataDir, 'models', 'tiny-b.gguf')), false);
      assert.equal(existsSync(join(dataDir, 'models', 'tiny-b.gguf.part')), false);
      const since = engine.notifications.length;
      await assert.rejects(engine.request(DownloadModelRequest, { role: 'completion', url, sizeBytes: 1234 }), /expected 1234/);
      const state = await engine.waitFor(ModelStateNotification, (s) => s.state === 'error', 5000, since);
      assert.match(state.state === 'error' ? state.message : '', /expected 1234/);
      await assert.rejects(engine.request(DownloadModelRequest, { role: 'completion', url: `${base}/missing.txt` }), /HTTP 404/);
    } finally {
      await engine.shutdown();
    }
  });

  void it('cancels, keeps the partial file, and resumes with a Range request', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-dl-'));
    const engine = await startEngine({ dataDir });
    try {
      const url = `${base}/slow/tiny-c.gguf`;
      const source = new CancellationTokenSource();
      const first = engine.request(DownloadModelRequest, { role: 'chat', url }, source);
      await engine.waitFor(ModelStateNotification, (s) => s.state === 'downloading' && s.receivedBytes > 0);
      source.cancel();
      await assert.rejects(first, (error: { code?: number; message?: string }) => error.code === -32800 && /cancelled/.test(error.message ?? ''));
      const part = join(dataDir, 'models', 'tiny-c.gguf.part');
      const partial = statSync(part).size;
      assert.ok(partial > 0 && partial < MODEL.length, `partial file kept (${partial} bytes)`);
      const cancelled = await engine.waitFor(ModelStateNotification, (s) => s.role === 'chat' && s.state === 'none');
      assert.match(cancelled.state === 'none' ? cancelled.message : '', /resumes/);

      const resumed = await engine.request(DownloadModelRequest, { role: 'chat', url, sha256: SHA });
      const last = hits.filter((h) => h.url === '/slow/tiny-c.gguf').pop();
      assert.ok(last?.range, 'resumed with a Range header');
      const from = Number(/bytes=(\d+)-/.exec(last.range)![1]);
      assert.ok(from > 0 && from <= statSync(resumed.path).size);
      assert.equal(createHash('sha256').update(readFileSync(resumed.path)).digest('hex'), SHA, 'resumed file is intact');
    } finally {
      await engine.shutdown();
    }
  });

  void it('a model URL in the settings: cancelling its download is respected until asked again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-dl-'));
    const url = `${base}/slow/tiny-e.gguf`;
    const engine = await startEngine({ dataDir, env: { TANDEM_MODEL: url } });
    try {
      await engine.open('file:///w/a.ts', 'typescript', 'const a = \n');
      assert.equal(await engine.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 }), null);
      await engine.waitFor(ModelStateNotification, (s) => s.state === 'downloading' && s.receivedBytes > 0);
      let stats = await engine.request(GetStatsRequest);
      // Keystrokes during the download are skipped at once.
      assert.equal(await engine.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 }), null);
      stats = await engine.request(GetStatsRequest);
      assert.equal(stats.skipped['model-downloading'], 1);
      // The user cancels (the client's downloadModel for the same file joins the running download).
      const source = new CancellationTokenSource();
      const join = engine.request(DownloadModelRequest, { role: 'completion', url }, source);
      await delay(100); // the request is being handled (a cancel before dispatch never reaches it)
      source.cancel();
      await assert.rejects(join);
      await engine.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'none');
      const requestsBefore = hits.filter((h) => h.url === '/slow/tiny-e.gguf').length;
      assert.equal(await engine.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 }), null);
      await delay(100);
      assert.equal(hits.filter((h) => h.url === '/slow/tiny-e.gguf').length, requestsBefore, 'no new download after a cancel');
      // Asking again resumes and loads.
      await engine.request(DownloadModelRequest, { role: 'completion', url });
      const list = await engine.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 });
      assert.ok(list && list.items.length === 1);
    } finally {
      await engine.shutdown();
    }
  });

  void it('works offline: a model URL whose file is cached loads with the server down', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-dl-'));
    const url = `${base}/models/tiny-d.gguf`;
    const first = await startEngine({ dataDir, env: { TANDEM_MODEL: url } });
    try {
      // A URL in the settings downloads on first use without holding up the keystroke, then loads.
      await first.open('file:///w/a.ts', 'typescript', 'const a = \n');
      assert.equal(await first.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 }), null);
      await first.waitFor(ModelStateNotification, (s) => s.role === 'completion' && s.state === 'ready');
      assert.ok(first.received(ModelStateNotification).some((s) => s.state === 'downloading'));
      const list = await first.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 });
      assert.ok(list && list.items.length === 1);
    } finally {
      await first.shutdown();
    }
    const offline = `http://127.0.0.1:9/models/tiny-d.gguf`; // nothing listens on port 9
    const before = hits.length;
    const second = await startEngine({ dataDir, env: { TANDEM_MODEL: url.replace(base, 'http://127.0.0.1:9') } });
    try {
      await second.open('file:///w/a.ts', 'typescript', 'const a = \n');
      const started = performance.now();
      const list = await second.inlineCompletion('file:///w/a.ts', { line: 0, character: 10 });
      assert.ok(list && list.items.length === 1, `completion from the cached file of ${offline}`);
      assert.ok(performance.now() - started < 20_000);
      assert.ok(!second.received(ModelStateNotification).some((s) => s.state === 'downloading'));
      assert.equal(hits.length, before, 'no request to any server');
    } finally {
      await second.shutdown();
    }
  });

  void it('a host that cannot be reached says the machine looks offline and what to do, not "fetch failed"', async () => {
    const engine = await startEngine({ dataDir: mkdtempSync(join(tmpdir(), 'tandem-dl-')) });
    try {
      // Nothing listens there: the connection is refused, as it is for every host on a machine without a network.
      const refused = await refusedUrl();
      const error = await engine.request(DownloadModelRequest, { role: 'chat', url: `${refused}/models/offline.gguf` }).then(
        () => assert.fail('the download succeeded'),
        (e: Error) => e,
      );
      assert.doesNotMatch(error.message, /^fetch failed$/);
      assert.match(error.message, new RegExp(`cannot reach ${new URL(refused).host.replaceAll('.', '\\.')} \\(ECONNREFUSED\\): this machine looks offline`));
      assert.match(error.message, /Connect to the internet and try again/);
      assert.match(error.message, /"Tandem: Select Local Model"/);
      const state = await engine.waitFor(ModelStateNotification, (s) => s.role === 'chat' && s.state === 'error');
      assert.match(state.state === 'error' ? state.message : '', /looks offline/);
    } finally {
      await engine.shutdown();
    }
  });
});
