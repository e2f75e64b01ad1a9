// Routing replay: a synthetic user's week (bench/routing-week.ts) through the fixed policy and the learned router,
// with the engine's own code: RouterService (privacy scan, policy.decide, the learner and its state file), runChat
// (the real egress gate and Anthropic SDK against the fake Messages API on 127.0.0.1, the real ledger and prices),
// and FeedbackService for every signal the simulated user gives. Only the local model is a stand-in (its answers'
// quality is what the week says). Writes bench/results/routing.json with, for both policies: acceptedShare,
// cloudUsd, allCloudUsd, costRatioToAllCloud, regretVsOracle, feedbackEventsToConverge.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { EngineContext, LocalChat } from '../src/server/context.js';
import { runChat } from '../src/server/router/chat.js';
import { FeedbackService } from '../src/server/router/feedback.js';
import { contextKey } from '../src/server/router/learn-context.js';
import { Learner } from '../src/server/router/learner-store.js';
import { costOf, priceFor, roundUsd } from '../src/server/router/prices.js';
import { RouterService } from '../src/server/router/service.js';
import { SettingsStore } from '../src/server/settings.js';
import type { ChatParams, FeedbackSignal, Route } from '../src/shared/protocol.js';
import type { RoutingPolicy } from '../src/shared/settings.js';
import { startFakeAnthropic } from '../test/fake-anthropic/server.js';
import { COMPLETION_TOKENS, COMPLETIONS_PER_DAY, DAYS, QUESTIONS_PER_DAY, TOPICS, week, type Question } from './routing-week.js';

const CLOUD_SHARE = 0.2;
const COUNTERFACTUAL = 'claude-sonnet-5-5';
/** The user's habits: rate an answer, ask the other side after a bad answer, copy code from a good one. */
const USER = { rate: 0.6, retryAfterBadLocal: 0.8, retryAfterBadCloud: 0.15, copy: 0.4 };
/** Convergence: decisions on clear-cut topics agree with the better side at least this often... */
const AGREEMENT = 0.8;
/** ...in every later window of this many of them. */
const AGREEMENT_WINDOW = 30;

const fake = await startFakeAnthropic({ lifetimeMs: 20 * 60_000 });
process.env.ANTHROPIC_BASE_URL = fake.url;
const counterfactual = priceFor(COUNTERFACTUAL);
if (!counterfactual) throw new Error(`no price for ${COUNTERFACTUAL}`);

let current: Question | undefined;
const noop = () => undefined;

/** The local model as the week says: answers of the right length; unsure (low mean log-probability) when it will not satisfy. */
const local: LocalChat = {
  modelName: () => 'bench-local',
  contextSize: () => 32_768,
  countTokens: (text) => Math.ceil(text.length / 3.5),
  destination: () => undefined,
  prepare: () => Promise.resolve('bench'),
  chat: async (options) => {
    const q = current as Question;
    const text = q.topic.kind === 'refactor' ? '{"edits": []}' : `Local answer to: ${q.prompt}`;
    options.onText(text);
    return { text, promptTokens: 600, outputTokens: q.topic.outTokens, ttftMs: 80, meanLogProb: q.localOk ? -0.3 : -1.1 };
  },
};

/** The side that satisfies this user more often on a topic, where the difference is clear; else undefined. */
function betterSide(q: Question): Route | undefined {
  const gain = q.topic.pCloud - q.topic.pLocal;
  return gain >= 0.3 ? 'cloud' : gain <= 0.15 ? 'local' : undefined;
}

interface PolicyResult {
  acceptedShare: number;
  finalAcceptedShare: number;
  cloudUsd: number;
  allCloudUsd: number;
  costRatioToAllCloud: number;
  questionsOnly: { cloudUsd: number; allCloudUsd: number; costRatioToAllCloud: number };
  regretVsOracle: number;
  regretUsd: number;
  cloudRequestShare: number;
  feedbackEvents: number;
  feedbackEventsToConverge: number | null;
  agreementWithBetterSide: number;
  perTopic: Record<string, { questions: number; firstRouteCloudPct: number; acceptedPct: number; cloudUsd: number }>;
}

async function replay(policy: RoutingPolicy, questions: Question[], oracle: { accepted: number; cloudUsd: number }, allCloudQuestionsUsd: number, completionsUsd: number): Promise<PolicyResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `tandem-routing-${policy}-`));
  const ctx = {
    connection: undefined as unknown as EngineContext['connection'],
    documents: new TextDocuments(TextDocument),
    settings: new SettingsStore(
      {
        privacy: { cloudConsent: 'always' },
        // The whole week runs in a few seconds of one real day: the budget would stop it after "day" one.
        budget: { dailyUsd: -1, monthlyUsd: -1 },
        cloud: { maxRetries: 0, counterfactualModel: COUNTERFACTUAL },
        routing: { policy, cloudShare: CLOUD_SHARE },
      },
      {},
    ),
    dataDir,
    workspaceFolders: [dataDir],
    onShutdown: noop,
    log: { info: noop, warn: noop, error: noop },
  } satisfies EngineContext;
  ctx.settings.apiKey = 'bench-key';
  const state = new RouterService(ctx, local, () => Promise.resolve('never'));
  const feedback = new FeedbackService(state, () => undefined, noop);
  let events = 0;
  const give = (entryId: string, signal: FeedbackSignal): void => {
    const problem = feedback.handle({ entryId, signal });
    if (problem) throw new Error(`feedback refused: ${problem}`);
    events++;
  };
  const ask = async (q: Question, id: string, extra: Partial<ChatParams> = {}) => {
    const params: ChatParams = { id, kind: q.topic.kind, prompt: q.prompt, files: q.files, ...extra };
    // The dry run (tandem/route) says where it will go, so the fake answers a cloud request with its length.
    if (state.decide(await state.prepare(params)).route === 'cloud') fake.enqueue({ type: 'echo', usage: { output_tokens: q.topic.outTokens } });
    current = q;
    return runChat(state, params, new AbortController().signal, noop, noop);
  };

  let accepted = 0;
  let finalAccepted = 0;
  let cloudFirst = 0;
  const clear: { events: number; agrees: boolean }[] = [];
  const perTopic: Record<string, { questions: number; cloud: number; accepted: number; usd: number }> = {};
  for (const q of questions) {
    const first = await ask(q, `q${q.seq}`);
    const route = first.entry.route;
    const ok = route === 'cloud' ? q.cloudOk : q.localOk;
    const better = betterSide(q);
    if (better) clear.push({ events, agrees: route === better });
    const t = (perTopic[q.topic.name] ??= { questions: 0, cloud: 0, accepted: 0, usd: 0 });
    t.usd += first.entry.costUsd;
    t.questions++;
    if (route === 'cloud') {
      t.cloud++;
      cloudFirst++;
    }
    if (ok) {
      accepted++;
      t.accepted++;
    }
    let final = ok;
    if (q.topic.kind === 'refactor') give(first.entry.id, ok ? 'refactor-applied' : 'refactor-discarded');
    else if (q.rates < USER.rate) give(first.entry.id, ok ? 'thumbs-up' : 'thumbs-down');
    else if (ok && q.copies < USER.copy) give(first.entry.id, 'code-copied');
    const retry = !ok && q.retries < (route === 'local' ? USER.retryAfterBadLocal : USER.retryAfterBadCloud);
    if (retry) {
      give(first.entry.id, 'asked-other-side');
      const other: Route = route === 'local' ? 'cloud' : 'local';
      const second = await ask(q, `q${q.seq}-again`, other === 'cloud' ? { prefer: 'cloud', rejectedLocal: true } : { prefer: 'local' });
      const secondOk = second.entry.route === 'cloud' ? q.cloudOk : q.localOk;
      t.usd += second.entry.costUsd;
      final = secondOk;
      if (q.topic.kind === 'refactor') give(second.entry.id, secondOk ? 'refactor-applied' : 'refactor-discarded');
      else if (q.ratesRetry < USER.rate) give(second.entry.id, secondOk ? 'thumbs-up' : 'thumbs-down');
    }
    if (final) finalAccepted++;
  }
  state.learner.flush();

  const cloudUsd = roundUsd(state.ledger.entries().reduce((n, e) => n + e.costUsd, 0));
  const allCloudUsd = roundUsd(allCloudQuestionsUsd + completionsUsd);
  let converged: number | null = null;
  for (let i = 0; i + 2 * AGREEMENT_WINDOW <= clear.length; i++) {
    const rest = clear.slice(i);
    let ok = true;
    for (let j = 0; j + AGREEMENT_WINDOW <= rest.length && ok; j += 5) {
      const window = rest.slice(j, j + AGREEMENT_WINDOW);
      ok = window.filter((c) => c.agrees).length / window.length >= AGREEMENT;
    }
    if (ok) {
      converged = clear[i]?.events ?? null;
      break;
    }
    // Later starts only shorten the tail; a tail shorter than a window proves nothing.
  }
  if (process.env.BENCH_TRACE) {
    const curve: string[] = [];
    for (let i = 0; i + AGREEMENT_WINDOW <= clear.length; i += 10) curve.push(`${clear[i]?.events}:${Math.round((clear.slice(i, i + AGREEMENT_WINDOW).filter((c) => c.agrees).length / AGREEMENT_WINDOW) * 100)}`);
    console.log(`${policy} agreement by feedback events: ${curve.join(' ')}`);
  }
  const n = questions.length;
  return {
    acceptedShare: round(accepted / n),
    finalAcceptedShare: round(finalAccepted / n),
    cloudUsd,
    allCloudUsd,
    costRatioToAllCloud: round(cloudUsd / allCloudUsd),
    questionsOnly: { cloudUsd, allCloudUsd: roundUsd(allCloudQuestionsUsd), costRatioToAllCloud: round(cloudUsd / allCloudQuestionsUsd) },
    regretVsOracle: round((oracle.accepted - accepted) / n),
    regretUsd: roundUsd(cloudUsd - oracle.cloudUsd),
    cloudRequestShare: round(cloudFirst / n),
    feedbackEvents: events,
    feedbackEventsToConverge: policy === 'fixed' ? (converged === 0 ? 0 : null) : converged,
    agreementWithBetterSide: round(clear.filter((c) => c.agrees).length / Math.max(1, clear.length)),
    perTopic: Object.fromEntries(
      Object.entries(perTopic).map(([name, t]) => [name, { questions: t.questions, firstRouteCloudPct: Math.round((t.cloud / t.questions) * 100), acceptedPct: Math.round((t.accepted / t.questions) * 100), cloudUsd: roundUsd(t.usd) }]),
    ),
  };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

const questions = week();
// What everything would have cost on the counterfactual model (as the ledger prices "all-cloud"): each question
// once, and every inline completion of the week.
const promptTokens = (q: Question) => Math.ceil((q.prompt.length + q.files.reduce((n, f) => n + (f.text?.length ?? 0), 0)) / 3) + 400;
const zero = { cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
const allCloudQuestionsUsd = questions.reduce((n, q) => n + costOf(counterfactual, { input: promptTokens(q), output: q.topic.outTokens, ...zero }), 0);
const completionsUsd = DAYS * COMPLETIONS_PER_DAY * costOf(counterfactual, { ...COMPLETION_TOKENS, ...zero });
// The oracle knows which side satisfies: local when it does, else Claude when it does (at the haiku price a
// question costs there; multi-file refactors at the tier the rules pick, sonnet).
const oracleCloudUsd = questions
  .filter((q) => !q.localOk && q.cloudOk)
  .reduce((n, q) => n + costOf(priceFor(q.topic.kind === 'refactor' && q.topic.files >= 2 ? 'claude-sonnet-5-5' : 'claude-haiku-5-5') ?? counterfactual, { input: promptTokens(q), output: q.topic.outTokens, ...zero }), 0);
const oracle = { accepted: questions.filter((q) => q.localOk || q.cloudOk).length, cloudUsd: roundUsd(oracleCloudUsd) };

const started = performance.now();
const fixed = await replay('fixed', questions, oracle, allCloudQuestionsUsd, completionsUsd);
const learned = await replay('learned', questions, oracle, allCloudQuestionsUsd, completionsUsd);
await fake.close();

/** The learner's own cost: an update (one feedback event) and an estimate (stat of the state file included). */
function learnerTimings(): { observeUs: number; adviseUs: number } {
  const learner = new Learner(mkdtempSync(join(tmpdir(), 'tandem-routing-timing-')), { warn: noop });
  const keys = TOPICS.map((t) => contextKey({ kind: t.kind, language: t.language, files: t.files, tokens: 1000, selection: t.selection }));
  const n = 20_000;
  let t = performance.now();
  for (let i = 0; i < n; i++) learner.observe(keys[i % keys.length] as string, i % 2 ? 'local' : 'cloud', { value: i % 3 ? 1 : 0, weight: 1 }, 1, 1);
  const observeUs = ((performance.now() - t) / n) * 1000;
  learner.flush();
  t = performance.now();
  for (let i = 0; i < n; i++) learner.advise(keys[i % keys.length] as string, 'local', CLOUD_SHARE);
  const adviseUs = ((performance.now() - t) / n) * 1000;
  learner.dispose();
  return { observeUs: Math.round(observeUs * 100) / 100, adviseUs: Math.round(adviseUs * 100) / 100 };
}
const learnerCost = learnerTimings();

const targets = {
  learnedAcceptsAtLeastAsOftenAsFixed: learned.acceptedShare >= fixed.acceptedShare,
  learnedCostsNoMoreThanFixed: learned.cloudUsd <= fixed.cloudUsd,
  learnedAtMostATenthOfAllCloud: learned.costRatioToAllCloud <= 0.1,
};
const result = {
  workload: {
    days: DAYS,
    questionsPerDay: QUESTIONS_PER_DAY,
    completionsPerDay: COMPLETIONS_PER_DAY,
    questions: questions.length,
    cloudShare: CLOUD_SHARE,
    counterfactualModel: COUNTERFACTUAL,
    user: USER,
    topics: TOPICS.map((t) => ({ name: t.name, kind: t.kind, share: t.share, pLocal: t.pLocal, pCloud: t.pCloud })),
  },
  fixed,
  learned,
  oracle: { acceptedShare: round(oracle.accepted / questions.length), cloudUsd: oracle.cloudUsd },
  definitions: {
    acceptedShare: 'questions whose first (routed) answer satisfied the user; finalAcceptedShare counts an answer after "ask the other side" too',
    cloudUsd: 'what the ledger recorded as spent on Claude (first answers and retries), priced by the engine from the API usage',
    allCloudUsd: `every question and every inline completion of the week priced on ${COUNTERFACTUAL}, as the ledger prices all-cloud`,
    regretVsOracle: 'share of questions the oracle (which knows which side satisfies) gets accepted and the policy did not; regretUsd is the cost above the oracle',
    feedbackEventsToConverge: `feedback events given before the decisions on clear-cut topics (Claude better by 0.3 or more, or local within 0.15) agree with the better side in at least ${AGREEMENT * 100}% of every later window of ${AGREEMENT_WINDOW} such decisions; null: never (the fixed policy does not learn)`,
  },
  targets,
  learner: learnerCost,
  seconds: Math.round((performance.now() - started) / 100) / 10,
  node: process.version,
  date: new Date().toISOString(),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/routing.json', JSON.stringify(result, null, 2) + '\n');
const row = (name: string, r: PolicyResult) =>
  `${name.padEnd(8)} accepted ${(r.acceptedShare * 100).toFixed(1)}% (final ${(r.finalAcceptedShare * 100).toFixed(1)}%)  cloud $${r.cloudUsd.toFixed(4)}  ` +
  `all-cloud $${r.allCloudUsd.toFixed(4)}  ratio ${r.costRatioToAllCloud.toFixed(4)} (questions only ${r.questionsOnly.costRatioToAllCloud.toFixed(3)})  ` +
  `regret ${r.regretVsOracle.toFixed(3)}  to Claude ${(r.cloudRequestShare * 100).toFixed(1)}%  feedback ${r.feedbackEvents}  converged after ${r.feedbackEventsToConverge ?? 'never'}`;
console.log(row('fixed', fixed));
console.log(row('learned', learned));
console.log(`learner  one update ${learnerCost.observeUs} µs, one estimate ${learnerCost.adviseUs} µs (state-file stat included)`);
console.log(`oracle   accepted ${(result.oracle.acceptedShare * 100).toFixed(1)}%  cloud $${oracle.cloudUsd.toFixed(4)}`);
console.log(`wrote bench/results/routing.json (${Object.entries(targets).map(([k, v]) => `${k}: ${v ? 'met' : 'NOT met'}`).join(', ')})`);
