// Pure helpers of the chat view: request kind, @-mention detection, route badge text. No DOM.
import type { AnswerRoute, AssistantTurn, ChatAbilities, ChatKind, ErrorCause } from '../../src/shared/webview';
import { formatMs, formatUsd } from '../shared/format';

/** "refactor …"/"rename …" asks for a refactor even without the toggle; explicit toggle wins. */
export function kindForPrompt(text: string, refactorMode: boolean): ChatKind {
  if (refactorMode) return 'refactor';
  return /^\s*(?:\/)?(refactor|rename)\b/i.test(text) ? 'refactor' : 'chat';
}

/** The @-mention being typed at the caret: `@src/ut|` → { start: index of '@', query: 'src/ut' }. */
export function findMentionQuery(text: string, caret: number): { start: number; query: string } | undefined {
  const before = text.slice(0, caret);
  const match = /(^|[\s([{,;])@([\w./\\-]*)$/.exec(before);
  if (!match) return undefined;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** Replace the mention being typed with the chosen path and a trailing space; returns text and caret. */
export function completeMention(text: string, caret: number, path: string): { text: string; caret: number } {
  const found = findMentionQuery(text, caret);
  if (!found) return { text, caret };
  const insert = `@${path} `;
  const next = text.slice(0, found.start) + insert + text.slice(caret).replace(/^\s/, '');
  return { text: next, caret: found.start + insert.length };
}

/** "local · qwen2.5-coder-7b · $0.00" or "cloud · claude-sonnet-4-5 · $0.0123". */
export function badgeText(answer: AnswerRoute): string {
  return `${answer.route} · ${answer.model} · ${formatUsd(answer.costUsd)}`;
}

/** One line for screen readers and the badge's tooltip. */
export function badgeDescription(answer: AnswerRoute): string {
  const parts = [
    answer.route === 'local'
      ? answer.destination
        ? `Answered by ${answer.model} on ${answer.destination.url}, another machine`
        : `Answered locally by ${answer.model}`
      : `Answered by ${answer.model} in the cloud`,
    `cost ${formatUsd(answer.costUsd)}`,
    `first token ${formatMs(answer.ttftMs)}, total ${formatMs(answer.totalMs)}`,
  ];
  if (answer.reasons[0]) parts.push(`because ${answer.reasons[0].text}`);
  if (answer.fallback) parts.push(`fell back from ${answer.fallback.from}: ${answer.fallback.reason.text}`);
  return parts.join('; ');
}

/** What a blocked or failed request tells the user, by cause. */
export function errorTitle(cause: ErrorCause | undefined): string {
  switch (cause) {
    case 'settings':
      return 'Blocked: Tandem\'s settings could not be read';
    case 'secret':
      return 'Blocked by privacy: a secret would have left the machine';
    case 'local-only-file':
      return 'Blocked by privacy: a local-only file would have left the machine';
    case 'consent':
      return 'Blocked: this workspace has no consent to use the cloud';
    case 'local-only-mode':
      return 'Blocked: Tandem is in local-only mode';
    case 'budget':
      return 'Blocked by budget';
    case 'no-api-key':
      return 'No Anthropic API key set';
    case 'local-unavailable':
      return 'The local model is not available';
    case 'cloud-unavailable':
      return 'Claude is paused after repeated failures';
    case 'too-large':
      return 'No Claude model can take a request this large';
    case 'engine':
      return 'The Tandem engine is not running';
    case 'cloud':
      return 'The cloud request failed';
    case 'cloud-unreachable':
      return 'Claude is unreachable';
    default:
      return 'The request failed';
  }
}

/** Causes that rule the cloud out for this question (privacy, budget, configuration): asking Claude again cannot work. */
const CLOUD_RULED_OUT = new Set<ErrorCause>(['settings', 'secret', 'local-only-file', 'consent', 'local-only-mode', 'budget', 'no-api-key', 'cloud-unavailable', 'too-large']);
/** Failures that may pass when tried again as asked. */
const RETRYABLE = new Set<ErrorCause>(['cloud', 'cloud-unreachable', 'engine']);

export interface OfferedActions {
  retry: boolean;
  askClaude: boolean;
  answerLocally: boolean;
  /** Both sides side by side: only where both can answer. */
  compare: boolean;
}

/** The actions under a finished answer: only those that can work now. */
export function offeredActions(turn: AssistantTurn, abilities: ChatAbilities): OfferedActions {
  if (turn.state === 'streaming') return { retry: false, askClaude: false, answerLocally: false, compare: false };
  const route = turn.answer?.route;
  const cause = turn.error?.blockedBy ?? (turn.blockedSecrets?.length ? 'secret' : undefined);
  // A local answer the router kept off the cloud (privacy, budget, no key) says why in `answer.blockedBy`; values the
  // user allowed ("Allow this value") no longer rule the cloud out.
  const ruledOut = (c: ErrorCause | undefined): boolean => c !== undefined && CLOUD_RULED_OUT.has(c) && !(c === 'secret' && turn.allowed);
  const cloudRuledOut = ruledOut(cause) || ruledOut(turn.answer?.blockedBy);
  // Claude could not be reached for this question (it failed, or the local model answered instead): asking Claude
  // "instead" would fail the same way; Retry asks again as it was asked, once the connection is back.
  const unreachable = cause === 'cloud-unreachable' || turn.answer?.fallback?.reason.code === 'cloud-unreachable';
  const retry = unreachable || (cause !== undefined && RETRYABLE.has(cause));
  // A cloud failure is retried as asked rather than "asked again" on the same side.
  const cloudPossible = !abilities.cloudUnavailable && !unreachable && !cloudRuledOut;
  const localPossible = !abilities.localUnavailable && cause !== 'local-unavailable' && !turn.error?.noLocal;
  const askClaude = route !== 'cloud' && !retry && cloudPossible;
  const answerLocally = route !== 'local' && localPossible;
  const compare = turn.kind !== 'refactor' && turn.answer !== undefined && cloudPossible && localPossible;
  return { retry, askClaude, answerLocally, compare };
}
