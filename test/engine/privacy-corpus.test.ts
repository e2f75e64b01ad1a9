// The privacy corpus end to end: every format (test/privacy/formats.ts, generated at run time) in every
// placement, through the real tandem/chat path (engine over stdio) to the fake Messages API, which records
// what it received. Zero leaks: no piece of any secret ever reaches it. And on every case the dry run
// (tandem/route) decides exactly what the real request does. Requests are batched where a batch still proves
// each secret (redact mode sends one request holding many), so the test stays fast.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { routeAndChat, startHarness, testSettings, workspace, type Harness } from '../fake-anthropic/harness.js';
import { fragments, samples, type Sample } from '../privacy/formats.js';
import { PLACEMENTS, placeAll, type Case } from '../privacy/placements.js';

const SEED = 20261124;
const corpus: Sample[] = samples(SEED);
const ws = workspace({ 'README.md': '# corpus\n' });

let blocking: Harness;
let redacting: Harness;
void before(async () => {
  // No local model: a request the cloud may not take fails at once, so each case costs milliseconds.
  blocking = await startHarness({ workspace: ws.root, localModel: false, settings: testSettings() });
  redacting = await startHarness({ workspace: ws.root, localModel: false, settings: testSettings({ privacy: { secrets: 'redact' } }) });
});
void after(async () => {
  await blocking.close();
  await redacting.close();
});

function leaks(h: Harness, cases: readonly Sample[]): string[] {
  const received = h.fake.received();
  return cases.filter((s) => fragments(s.secret).some((f) => received.includes(f))).map((s) => s.rule);
}

/** Samples of the case that no finding of the decision names (a batch is blocked by any one of them, so each
 * must be reported in its own place). */
function unreported(c: Case, found: readonly { where: string; line: number }[]): string[] {
  return c.samples.filter((_, i) => !found.some((f) => f.where === c.locations[i].where && f.line >= c.locations[i].from && f.line <= c.locations[i].to)).map((s) => s.rule);
}

/** Every sample at every placement, in batches: formats × placements checked, and requests made. */
const counted = { checks: 0, requests: 0 };

void test(`block mode: each of ${corpus.length} formats in each placement keeps the request off the cloud, and the dry run agrees`, async () => {
  const problems: string[] = [];
  for (const placement of PLACEMENTS) {
    for (const c of placeAll(placement, corpus, ws, 'block')) {
      const { route, chat } = await routeAndChat(blocking, c.params);
      counted.requests += 2;
      counted.checks += c.samples.length;
      if (JSON.stringify(route) !== JSON.stringify(chat)) problems.push(`${c.name}: the dry run decided ${route.route}/${route.blockedBy}, the request ${chat.route}/${chat.blockedBy}`);
      if (chat.route === 'cloud' || chat.blockedBy !== c.expect.block) problems.push(`${c.name}: ${chat.route}/${chat.blockedBy}, expected blocked by ${c.expect.block}: ${chat.reasons.map((x) => x.text).join(' ')}`);
      else if (c.expect.block === 'secret') {
        const missed = unreported(c, chat.secrets ?? []);
        if (missed.length) problems.push(`${c.name}: not reported: ${missed.join(', ')}`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.equal(blocking.fake.requests.length, 0, 'nothing reached the API');
  assert.deepEqual(leaks(blocking, corpus), []);
});

void test('redact mode: every format goes to the cloud replaced whole, credential stores in files stay local', async () => {
  const problems: string[] = [];
  for (const placement of PLACEMENTS) {
    for (const c of placeAll(placement, corpus, ws, 'redact')) {
      const before = redacting.fake.requests.length;
      const { route, chat, sent: manifest } = await routeAndChat(redacting, c.params);
      counted.requests += 2;
      counted.checks += c.samples.length;
      if (JSON.stringify(route) !== JSON.stringify(chat)) problems.push(`${c.name}: the dry run and the request disagree (${route.route}/${route.blockedBy} vs ${chat.route}/${chat.blockedBy})`);
      if (c.expect.redact === 'cloud') {
        if (chat.route !== 'cloud' || redacting.fake.requests.length !== before + 1) problems.push(`${c.name}: ${chat.route}/${chat.blockedBy}: ${chat.reasons.map((x) => x.text).join(' ')}`);
        const where = (uri: string) => (chat.secrets ?? []).find((x) => x.uri === uri)?.where ?? uri;
        const missed = unreported(c, (manifest?.redactions ?? []).map((x) => ({ where: where(x.uri), line: x.line })));
        if (missed.length) problems.push(`${c.name}: not redacted: ${missed.join(', ')}`);
      } else if (chat.route === 'cloud' || chat.blockedBy !== c.expect.redact) {
        problems.push(`${c.name}: ${chat.route}/${chat.blockedBy}, expected blocked by ${c.expect.redact}`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(redacting.fake.requests.length > 0, 'the redacted batches were sent');
  assert.deepEqual(leaks(redacting, corpus), [], 'no fragment of any secret reached the API');
  assert.ok(counted.checks >= corpus.length * PLACEMENTS.length * 2, `${counted.checks} format × placement checks in ${counted.requests} requests`);
});
