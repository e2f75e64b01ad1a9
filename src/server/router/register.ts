// Wires the router into the engine: tandem/route (dry run), tandem/chat, tandem/allowValues, tandem/setApiKey,
// tandem/testApiKey, tandem/resetConsent, tandem/ledger, tandem/feedback, tandem/learned, tandem/resetLearning, and
// the tandem/askConsent, tandem/chatDelta, tandem/ledgerEntry and tandem/ledgerFeedback messages it sends, all typed
// by src/shared.
import { CancellationTokenSource, LSPErrorCodes, ResponseError, type CancellationToken, type ServerCapabilities } from 'vscode-languageserver';
import {
  AllowValuesParamsSchema,
  AllowValuesRequest,
  AskConsentRequest,
  ChatDeltaNotification,
  ChatParamsSchema,
  ChatRequest,
  FeedbackNotification,
  FeedbackSchema,
  LearnedRequest,
  LedgerEntryNotification,
  LedgerFeedbackNotification,
  LedgerQuerySchema,
  LedgerRequest,
  NO_PARAMS,
  ResetConsentNotification,
  ResetLearningRequest,
  RouteParamsSchema,
  RouteRequest,
  SetApiKeyNotification,
  SetApiKeyParamsSchema,
  TestApiKeyRequest,
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
import { testApiKey } from './key-test.js';
import { RouterService } from './service.js';

/** Completion entries and batched suggestion feedback are written at least this often. */
const FLUSH_MS = 60_000;

function tokenOf(signal: AbortSignal): CancellationToken {
  const source = new CancellationTokenSource();
  signal.addEventListener('abort', () => source.cancel(), { once: true });
  return source.token;
}

/** The shape is checked by the schema (rpc.ts); an empty prompt is well-formed but asks nothing. */
function checkPrompt(params: RouteParams): void {
  if (!params.prompt.trim()) throw new ResponseError(LSPErrorCodes.RequestFailed, 'The request has no prompt: type a question or an instruction.', { prompt: params.prompt });
}

/** A compare run names its side and compares answers, not edits. */
function checkCompare(params: ChatParams): void {
  if (params.compare === undefined) return;
  const bad = (m: string) => new ResponseError(LSPErrorCodes.RequestFailed, m, { prompt: params.prompt });
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
    (entry) => void connection.sendNotification(LedgerEntryNotification, entry),
  );
  // The ledger's first read parses the whole file (about 0.3 s at 50,000 entries): done right after start, while the
  // model loads, rather than by the first completion entry or decision, which would hold the engine meanwhile.
  setTimeout(() => state.ledger.sync(), 0).unref();
  // Completions sent to a server on another machine since the last entry are written before the engine stops.
  ctx.onShutdown(() => state.serverGate.completions.flush());

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

  // The dry run gathers exactly what tandem/chat would send (refactor callers included) and decides the same way.
  onRequest(connection, RouteRequest, RouteParamsSchema, async (params, token): Promise<RouteDecision> => {
    checkPrompt(params);
    const prepared = await state.gather(params, signalOf(token));
    return publicDecision(state.decide(prepared));
  });

  onRequest(connection, AllowValuesRequest, AllowValuesParamsSchema, (params) => {
    try {
      const added = state.allowList.add(params.hashes);
      // Never the values: only how many hashes were stored.
      ctx.log.info(`Privacy: ${added} value(s) allowed by the user.`);
      return { added };
    } catch (error) {
      throw new ResponseError(
        LSPErrorCodes.RequestFailed,
        `The value could not be allowed: ${error instanceof Error ? error.message : String(error)}. Check that Tandem's data folder is writable.`,
      );
    }
  });

  onRequest(connection, ChatRequest, ChatParamsSchema, async (params, token): Promise<ChatResult> => {
    checkPrompt(params);
    checkCompare(params);
    return runChat(state, params, signalOf(token), (delta) => void connection.sendNotification(ChatDeltaNotification, delta), entryWritten);
  });

  onNotification(
    connection,
    SetApiKeyNotification,
    SetApiKeyParamsSchema,
    (params) => {
      // Never logged: only whether a key is now set.
      const key = params.apiKey.trim();
      ctx.settings.apiKey = key || undefined;
      ctx.log.info(key ? 'Anthropic API key set by the client.' : 'Anthropic API key cleared by the client.');
    },
    ctx.log.warn,
  );

  onNotification(
    connection,
    ResetConsentNotification,
    NO_PARAMS,
    () => {
      state.consent.reset();
      ctx.log.info('Cloud consent reset by the client: the next cloud use asks again.');
    },
    ctx.log.warn,
  );

  onNotification(
    connection,
    FeedbackNotification,
    FeedbackSchema,
    (params) => {
      const problem = feedback.handle(params);
      if (problem) ctx.log.warn(`Feedback dropped: ${problem}`);
    },
    ctx.log.warn,
  );

  onRequest(connection, TestApiKeyRequest, NO_PARAMS, (_params, token) =>
    testApiKey(state, signalOf(token), entryWritten),
  );

  const learned = (): LearnedState => {
    const routing = ctx.settings.value.routing;
    return state.learner.state(routing.policy, Math.min(1, Math.max(0, routing.cloudShare)));
  };
  onRequest(connection, LearnedRequest, NO_PARAMS, learned);
  onRequest(connection, ResetLearningRequest, NO_PARAMS, (): LearnedState => {
    state.learner.reset();
    ctx.log.info('Router learning reset: routes follow the rules until new feedback comes in.');
    return learned();
  });

  onRequest(connection, LedgerRequest, LedgerQuerySchema, (query): LedgerResult => {
    // Completion minutes and suggestion feedback in progress are written first, so the reader sees them.
    flush(true);
    const entries = state.ledger.entries();
    const totals = state.ledger.totals();
    const since = query.since ? Date.parse(query.since) : NaN;
    let list = Number.isNaN(since) ? entries : entries.filter((e) => Date.parse(e.time) >= since);
    const limit = query.limit ?? 500;
    list = list.slice(Math.max(0, list.length - limit));
    const returned = new Set(list.map((e) => e.id));
    const budget = ctx.settings.value.budget;
    return {
      entries: list,
      ...totals,
      budget: { dailyUsd: budget.dailyUsd, monthlyUsd: budget.monthlyUsd, reservedUsd: state.reservations.total },
      skippedLines: state.ledger.skippedLines(),
      // Only the feedback on the entries returned: the panel shows it next to them.
      feedback: state.ledger.feedback().filter((f) => returned.has(f.entryId)),
    };
  });

  return { capabilities: {}, state, completions };
}
