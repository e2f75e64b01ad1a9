// Pure logic of the chat thread on the extension side: turning an engine result (or failure) into what the
// thread shows, the history sent with a question, and cleaning a thread restored after a reload.
// No `vscode` import.
import { LOCAL_CANNOT_CODES, type ChatErrorData, type ChatMessage, type ChatResult, type EditTarget, type Reason, type TextEditSpec } from '../shared/protocol';
import type { AnswerRoute, AssistantTurn, ErrorCause, RefactorFile, Turn, UserTurn } from '../shared/webview';

/** Turns kept per workspace; older ones are dropped first. */
export const MAX_TURNS = 200;
/** History sent with a question: at most this many earlier messages and characters. */
export const HISTORY_MESSAGES = 12;
export const HISTORY_CHARS = 24_000;

export function answerFromResult(result: ChatResult): AnswerRoute {
  const { decision, entry } = result;
  return {
    route: decision.route,
    model: entry.model || decision.model,
    reasons: decision.reasons.length ? decision.reasons : entry.reasons,
    costUsd: entry.costUsd,
    tokens: { ...entry.tokens },
    ttftMs: entry.ttftMs,
    totalMs: entry.totalMs,
    fallback: result.fallback ?? entry.fallback,
    manifest: entry.manifest ?? decision.manifest,
    entryId: entry.id,
    ...(result.confidence ? { confidence: result.confidence } : {}),
    ...(decision.blockedBy ? { blockedBy: decision.blockedBy } : {}),
    ...(entry.destination ? { destination: entry.destination } : {}),
  };
}

/** The local model cannot do a request with these reasons (a refactor across files, a context beyond its window). */
function localCannot(reasons: readonly Reason[] | undefined): boolean {
  return (reasons ?? []).some((r) => (LOCAL_CANNOT_CODES as readonly string[]).includes(r.code));
}

type Describe = (uri: string) => { label: string; description: string };

/** Edits grouped by file, in the order the files first appear; files that run code say so. */
export function summarizeEdits(edits: readonly TextEditSpec[], targets: readonly EditTarget[], describe: Describe): RefactorFile[] {
  const byUri = new Map<string, RefactorFile>();
  for (const edit of edits) {
    const file = byUri.get(edit.uri);
    if (file) file.edits += 1;
    else {
      const runsCode = targets.find((t) => t.uri === edit.uri)?.runsCode;
      byUri.set(edit.uri, { uri: edit.uri, ...describe(edit.uri), edits: 1, ...(runsCode ? { runsCode } : {}) });
    }
  }
  return [...byUri.values()];
}

/** The finished answer for a result: blocked routes and failed cloud calls without text become errors. */
const byName: Describe = (uri) => ({ label: uri.slice(uri.lastIndexOf('/') + 1), description: uri });

export function finishedTurn(turn: AssistantTurn, result: ChatResult, files: RefactorFile[], describe: Describe = byName): AssistantTurn {
  const answer = answerFromResult(result);
  const done: AssistantTurn = { ...turn, text: result.text || turn.text, answer, streamingFrom: undefined };
  if (result.decision.blockedBy === 'secret' && result.decision.secrets?.length) done.blockedSecrets = result.decision.secrets;
  if (result.decision.route === 'blocked') {
    return {
      ...done,
      state: 'error',
      error: {
        message: result.decision.reasons.map((r) => r.text).join(' ') || 'The router refused this request.',
        blockedBy: result.decision.blockedBy,
        ...(localCannot(result.decision.reasons) ? { noLocal: true } : {}),
      },
    };
  }
  if (!done.text && result.entry.error && !result.edits?.length) {
    return { ...done, state: 'error', error: { message: result.entry.error, blockedBy: answer.route === 'cloud' ? 'cloud' : undefined } };
  }
  if (result.stopped) done.stopped = result.stopped;
  done.state = result.stopped === 'cancelled' ? 'stopped' : 'done';
  if (turn.kind === 'refactor' || result.edits?.length || result.editErrors?.length || result.refusedEdits?.length) {
    const refused = (result.refusedEdits ?? []).map((r) => ({ ...describe(r.uri), edits: r.edits, reason: r.reason }));
    done.refactor = {
      files,
      errors: result.editErrors ?? [],
      ...(refused.length ? { refused } : {}),
      outcome: files.length ? 'previewing' : 'none',
    };
  }
  return done;
}

/** A failure: engine not running, transport or cloud error (tandem/chat errors carry ChatErrorData), or a cancel
 * that rejected. */
export function failedTurn(turn: AssistantTurn, error: unknown, cancelled: boolean): AssistantTurn {
  if (cancelled) return { ...turn, state: 'stopped', stopped: 'cancelled', streamingFrom: undefined };
  const err = error as { name?: string; message?: string; data?: ChatErrorData } | undefined;
  const message = err?.message || String(error);
  const data = err?.data && typeof err.data === 'object' ? err.data : undefined;
  const reasons = data?.decision?.reasons;
  const blockedBy: ErrorCause | undefined =
    err?.name === 'EngineNotRunningError'
      ? 'engine'
      : (data?.decision?.blockedBy ??
        (reasons?.some((r) => r.code === 'cloud-unreachable') ? 'cloud-unreachable' : data?.entry?.route === 'cloud' ? 'cloud' : undefined));
  // "Allow this value" needs the secrets that kept it off the cloud (their salted hashes, never the values).
  const secrets = blockedBy === 'secret' ? data?.decision?.secrets : undefined;
  return {
    ...turn,
    state: 'error',
    streamingFrom: undefined,
    error: { message, blockedBy, ...(localCannot(reasons) ? { noLocal: true } : {}) },
    ...(secrets?.length ? { blockedSecrets: secrets } : {}),
  };
}

/** Earlier messages for the engine: finished answers with their questions, newest kept, bounded. */
export function historyBefore(turns: readonly Turn[], userTurnId: string): ChatMessage[] {
  const end = turns.findIndex((t) => t.id === userTurnId);
  const earlier = end < 0 ? turns : turns.slice(0, end);
  const pairs: ChatMessage[][] = [];
  for (let i = 0; i < earlier.length; i++) {
    const q = earlier[i];
    if (q?.role !== 'user') continue;
    const a = earlier.slice(i + 1).find((t): t is AssistantTurn => t.role === 'assistant' && t.replyTo === q.id);
    if (!a || !a.text || a.state === 'error' || a.state === 'streaming') continue;
    pairs.push([{ role: 'user', content: q.text }, { role: 'assistant', content: a.text }]);
  }
  const out: ChatMessage[] = [];
  let chars = 0;
  for (let i = pairs.length - 1; i >= 0; i--) {
    const pair = pairs[i] as ChatMessage[];
    const size = pair.reduce((n, m) => n + m.content.length, 0);
    if (out.length + 2 > HISTORY_MESSAGES || chars + size > HISTORY_CHARS) break;
    out.unshift(...pair);
    chars += size;
  }
  return out;
}

/** After a reload: answers that were streaming are stopped; the thread is capped. */
export function reviveTurns(stored: unknown): Turn[] {
  if (!Array.isArray(stored)) return [];
  const turns = stored.filter((t): t is Turn => {
    const r = (t as Turn | undefined)?.role;
    return (r === 'user' || r === 'assistant') && typeof (t as Turn).id === 'string' && typeof (t as Turn).text === 'string';
  });
  return turns.slice(-MAX_TURNS).map((t) => {
    if (t.role === 'assistant' && t.state === 'streaming') return { ...t, state: 'stopped', stopped: 'cancelled', streamingFrom: undefined };
    if (t.role === 'assistant' && t.refactor?.outcome === 'previewing') return { ...t, refactor: { ...t.refactor, outcome: 'discarded' } };
    return t;
  });
}

/** The user turn that an answer replies to. */
export function questionOf(turns: readonly Turn[], answerId: string): UserTurn | undefined {
  const answer = turns.find((t) => t.id === answerId);
  if (answer?.role !== 'assistant') return undefined;
  const q = turns.find((t) => t.id === answer.replyTo);
  return q?.role === 'user' ? q : undefined;
}
