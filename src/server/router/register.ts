// Wires the router into the engine: tandem/route (dry run), tandem/chat, tandem/setApiKey, tandem/ledger,
// tandem/feedback, tandem/learned, tandem/resetLearning, and the tandem/askConsent, tandem/chatDelta,
// tandem/ledgerEntry and tandem/ledgerFeedback messages it sends, all typed by src/shared.
import { CancellationTokenSource, LSPErrorCodes, ResponseError, type CancellationToken, type ServerCapabilities } from 'vscode-languageserver';
import {
  AskConsentRequest,
  ChatDeltaNotification,
  ChatRequest,
  FeedbackNotification,
  LearnedRequest,
  LedgerEntryNotification,
  LedgerFeedbackNotification,
  LedgerRequest,
  ResetLearningRequest,
  RouteRequest,
  SetApiKeyNotification,
  type ChatParams,
  type ChatResult,
  type ConsentChoice,
  type LearnedState,
  type LedgerEntry,
  type LedgerResult,
  type RouteDecision,
  type RouteParams,
} from '../../shared/protocol.js';
import { onNotification, onRequest, signalOf } from '../rpc.js';
import type { EngineContext, LocalChat } from '../context.js';
import { publicDecision, runChat } from './chat.js';
import { CompletionLedger } from './completion-ledger.js';
import { FeedbackService } from './feedback.js';
import { RouterService } from './service.js';

/** Completion entries and batched suggestion feedback are written at least this often. */
const FLUSH_MS = 60_000;

const KINDS = new Set(['completion', 'explain', 'chat', 'refactor']);

function tokenOf(signal: AbortSignal): CancellationToken {
  const source = new CancellationTokenSource();
  signal.addEventListener('abort', () => source.cancel(), { once: true });
  return source.token;
}

function checkParams(params: RouteParams | undefined, chat: boolean): asserts params is RouteParams {
  const bad = (m: string) => new ResponseError(LSPErrorCodes.RequestFailed, m, { prompt: params?.prompt });
  if (!params || typeof params !== 'object') throw bad('The request has no parameters.');
  if (!KINDS.has(params.kind) || (chat && params.kind === 'completion'))
    throw bad(`Unknown request kind "${String(params.kind)}": use ${chat ? 'explain, chat or refactor' : 'completion, explain, chat or refactor'}.`);
  if (typeof params.prompt !== 'string' || !params.prompt.trim()) throw bad('The request has no prompt: type a question or an instruction.');
  if (params.files !== undefined && !Array.isArray(params.files)) throw bad('files must be a list of {uri, text?, range?}.');
}

function checkCompare(params: ChatParams): void {
  if (params.compare === undefined) return;
  const bad = (m: string) => new ResponseError(LSPErrorCodes.RequestFailed, m, { prompt: params.prompt });
  if (typeof params.compare !== 'string' || !params.compare) throw bad('compare must be the id shared by both sides of a compare run.');
  if (params.prefer !== 'local' && params.prefer !== 'cloud') throw bad('A compare run names its side with prefer: "local" or "cloud".');
  if (params.kind === 'refactor') throw bad('Refactors cannot be compared: compare explain or chat questions.');
}

export function registerRouter(ctx: EngineContext, local: LocalChat): { capabilities: ServerCapabilities; state: RouterService; completions: CompletionLedger } {
  const { connection } = ctx;
  const state = new RouterService(
    ctx,
    local,
    async (info, signal) => {
      const answer: { choice?: ConsentChoice } | undefined = await connection.sendRequest(AskConsentRequest, info, tokenOf(signal));
      return answer?.choice as ConsentChoice;
    },
    // What leaves, in one line for the log: file count, tokens, redactions (never content or the key).
    (m) => ctx.log.info(`Egress: ${m.files.length} file(s), ~${m.tokens} tokens, ${m.redactions.length} redaction(s): ${m.files.map((f) => f.uri).join(', ') || 'message only'}`),
  );

  const entryWritten = (entry: LedgerEntry) => void connection.sendNotification(LedgerEntryNotification, entry);
  const completions = new CompletionLedger(state, entryWritten);
  const feedback = new FeedbackService(state, (id) => completions.pending(id), (f) => void connection.sendNotification(LedgerFeedbackNotification, f));
  const flush = (all: boolean) => {
    completions.flush(all);
    feedback.flush();
  };
  const timer = setInterval(() => flush(false), FLUSH_MS);
  timer.unref();
  ctx.onShutdown(() => {
    clearInterval(timer);
    flush(true);
    state.learner.dispose();
  });

  onRequest(connection, RouteRequest, async (params): Promise<RouteDecision> => {
    checkParams(params, false);
    const prepared = await state.prepare(params);
    return publicDecision(state.decide(prepared));
  });

  onRequest(connection, ChatRequest, async (params, token): Promise<ChatResult> => {
    checkParams(params, true);
    if (typeof params.id !== 'string' || !params.id) throw new ResponseError(LSPErrorCodes.RequestFailed, 'tandem/chat needs an id.', { prompt: params.prompt });
    checkCompare(params);
    return runChat(state, params, signalOf(token), (delta) => void connection.sendNotification(ChatDeltaNotification, delta), entryWritten);
  });

  onNotification(connection, FeedbackNotification, (params) => {
    const problem = feedback.handle(params);
    if (problem) ctx.log.warn(`Feedback dropped: ${problem}`);
  });

  const learned = (): LearnedState => {
    const routing = ctx.settings.value.routing;
    return state.learner.state(routing.policy, Math.min(1, Math.max(0, routing.cloudShare)));
  };
  onRequest(connection, LearnedRequest, learned);
  onRequest(connection, ResetLearningRequest, (): LearnedState => {
    state.learner.reset();
    ctx.log.info('Router learning reset: routes follow the rules until new feedback comes in.');
    return learned();
  });

  onNotification(connection, SetApiKeyNotification, (params) => {
    // Never logged: only whether a key is now set.
    const key = typeof params?.apiKey === 'string' ? params.apiKey.trim() : '';
    ctx.settings.apiKey = key || undefined;
    ctx.log.info(key ? 'Anthropic API key set by the client.' : 'Anthropic API key cleared by the client.');
  });

  onRequest(connection, LedgerRequest, (query): LedgerResult => {
    // Completion minutes and suggestion feedback in progress are written first, so the reader sees them.
    flush(true);
    const entries = state.ledger.entries();
    const totals = state.ledger.totals();
    const since = query?.since ? Date.parse(query.since) : NaN;
    let list = Number.isNaN(since) ? entries : entries.filter((e) => Date.parse(e.time) >= since);
    const notes = state.ledger.feedback();
    const returned = new Set<string>();
    const limit = typeof query?.limit === 'number' && query.limit >= 0 ? Math.floor(query.limit) : 500;
    list = list.slice(Math.max(0, list.length - limit));
    for (const e of list) returned.add(e.id);
    const budget = ctx.settings.value.budget;
    return {
      entries: list,
      ...totals,
      budget: { dailyUsd: budget.dailyUsd, monthlyUsd: budget.monthlyUsd, reservedUsd: state.reservations.total },
      skippedLines: state.ledger.skippedLines(),
      // Only the feedback on the entries returned: the panel shows it next to them.
      feedback: notes.filter((f) => returned.has(f.entryId)),
    };
  });

  return { capabilities: {}, state, completions };
}
