// Wires the router into the engine: tandem/route (dry run), tandem/chat, tandem/setApiKey, tandem/testApiKey,
// tandem/resetConsent, tandem/ledger, and the tandem/askConsent, tandem/chatDelta and tandem/ledgerEntry messages it
// sends, all typed by src/shared.
import { CancellationTokenSource, LSPErrorCodes, ResponseError, type CancellationToken, type ServerCapabilities } from 'vscode-languageserver';
import {
  AskConsentRequest,
  ChatDeltaNotification,
  ChatParamsSchema,
  ChatRequest,
  LedgerEntryNotification,
  LedgerQuerySchema,
  LedgerRequest,
  NO_PARAMS,
  ResetConsentNotification,
  RouteParamsSchema,
  RouteRequest,
  SetApiKeyNotification,
  SetApiKeyParamsSchema,
  TestApiKeyRequest,
  type ChatResult,
  type ConsentChoice,
  type LedgerResult,
  type RouteDecision,
  type RouteParams,
} from '../../shared/protocol.js';
import { onNotification, onRequest, signalOf } from '../rpc.js';
import type { EngineContext, LocalChat } from '../context.js';
import { publicDecision, runChat } from './chat.js';
import { testApiKey } from './key-test.js';
import { RouterService } from './service.js';


function tokenOf(signal: AbortSignal): CancellationToken {
  const source = new CancellationTokenSource();
  signal.addEventListener('abort', () => source.cancel(), { once: true });
  return source.token;
}

/** The shape is checked by the schema (rpc.ts); an empty prompt is well-formed but asks nothing. */
function checkPrompt(params: RouteParams): void {
  if (!params.prompt.trim()) throw new ResponseError(LSPErrorCodes.RequestFailed, 'The request has no prompt: type a question or an instruction.', { prompt: params.prompt });
}

export function registerRouter(ctx: EngineContext, local: LocalChat): { capabilities: ServerCapabilities; state: RouterService } {
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

  onRequest(connection, RouteRequest, RouteParamsSchema, async (params): Promise<RouteDecision> => {
    checkPrompt(params);
    const prepared = await state.prepare(params);
    return publicDecision(state.decide(prepared));
  });

  onRequest(connection, ChatRequest, ChatParamsSchema, async (params, token): Promise<ChatResult> => {
    checkPrompt(params);
    return runChat(
      state,
      params,
      signalOf(token),
      (delta) => void connection.sendNotification(ChatDeltaNotification, delta),
      (entry) => void connection.sendNotification(LedgerEntryNotification, entry),
    );
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

  onRequest(connection, TestApiKeyRequest, NO_PARAMS, (_params, token) =>
    testApiKey(state, signalOf(token), (entry) => void connection.sendNotification(LedgerEntryNotification, entry)),
  );

  onRequest(connection, LedgerRequest, LedgerQuerySchema, (query): LedgerResult => {
    const entries = state.ledger.entries();
    const totals = state.ledger.totals();
    const since = query.since ? Date.parse(query.since) : NaN;
    let list = Number.isNaN(since) ? entries : entries.filter((e) => Date.parse(e.time) >= since);
    const limit = query.limit ?? 500;
    list = list.slice(Math.max(0, list.length - limit));
    const budget = ctx.settings.value.budget;
    return {
      entries: list,
      ...totals,
      budget: { dailyUsd: budget.dailyUsd, monthlyUsd: budget.monthlyUsd, reservedUsd: state.reservations.total },
      skippedLines: state.ledger.skippedLines(),
    };
  });

  return { capabilities: {}, state };
}
