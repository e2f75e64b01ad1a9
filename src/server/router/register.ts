// Wires the router into the engine: tandem/route (dry run), tandem/chat, tandem/setApiKey, tandem/testApiKey,
// tandem/resetConsent, tandem/ledger, and the tandem/askConsent, tandem/chatDelta and tandem/ledgerEntry messages it
// sends, all typed by src/shared.
import { CancellationTokenSource, LSPErrorCodes, ResponseError, type CancellationToken, type ServerCapabilities } from 'vscode-languageserver';
import {
  AskConsentRequest,
  ChatDeltaNotification,
  ChatRequest,
  LedgerEntryNotification,
  LedgerRequest,
  ResetConsentNotification,
  RouteRequest,
  SetApiKeyNotification,
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

  onRequest(connection, RouteRequest, async (params): Promise<RouteDecision> => {
    checkParams(params, false);
    const prepared = await state.prepare(params);
    return publicDecision(state.decide(prepared));
  });

  onRequest(connection, ChatRequest, async (params, token): Promise<ChatResult> => {
    checkParams(params, true);
    if (typeof params.id !== 'string' || !params.id) throw new ResponseError(LSPErrorCodes.RequestFailed, 'tandem/chat needs an id.', { prompt: params.prompt });
    return runChat(
      state,
      params,
      signalOf(token),
      (delta) => void connection.sendNotification(ChatDeltaNotification, delta),
      (entry) => void connection.sendNotification(LedgerEntryNotification, entry),
    );
  });

  onNotification(connection, SetApiKeyNotification, (params) => {
    // Never logged: only whether a key is now set.
    const key = typeof params?.apiKey === 'string' ? params.apiKey.trim() : '';
    ctx.settings.apiKey = key || undefined;
    ctx.log.info(key ? 'Anthropic API key set by the client.' : 'Anthropic API key cleared by the client.');
  });

  onNotification(connection, ResetConsentNotification, () => {
    state.consent.reset();
    ctx.log.info('Cloud consent reset by the client: the next cloud use asks again.');
  });

  onRequest(connection, TestApiKeyRequest, (_params, token) =>
    testApiKey(state, signalOf(token), (entry) => void connection.sendNotification(LedgerEntryNotification, entry)),
  );

  onRequest(connection, LedgerRequest, (query): LedgerResult => {
    const entries = state.ledger.entries();
    const totals = state.ledger.totals();
    const since = query?.since ? Date.parse(query.since) : NaN;
    let list = Number.isNaN(since) ? entries : entries.filter((e) => Date.parse(e.time) >= since);
    const limit = typeof query?.limit === 'number' && query.limit >= 0 ? Math.floor(query.limit) : 500;
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
