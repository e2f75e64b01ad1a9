// One assistant answer: route badge (+ manifest on click), sanitized markdown with code-block actions,
// refactor proposal, error, and the "Ask Claude instead" / "Answer locally" actions.
import type { AnswerRoute, AssistantTurn, ChatAbilities } from '../../src/shared/webview';
import { linesLabel } from '../../src/shared/lines';
import { baseName, formatBytes, formatMs, formatTokens, formatUsd } from '../shared/format';
import { actionLink, button, h, icon } from '../shared/dom';
import { badgeDescription, badgeText, errorTitle, offeredActions } from './format';
import { refactorView } from './refactor-view';
import { LINK_CLASS, sanitizedMarkdown } from './sanitize';

export interface AnswerActions {
  /** Ask again: on the other route, or (no `prefer`) as it was asked. */
  retry(of: string, prefer?: 'cloud' | 'local'): void;
  /** `from`: the answer copied from; `what`: a code block or the whole answer. */
  copy(text: string, from?: string, what?: 'code' | 'answer'): void;
  insert(text: string, from?: string): void;
  applyEdits(id: string): void;
  openFile(uri: string, line?: number): void;
  allowValues(id: string): void;
  rate(id: string, rating: 'up' | 'down'): void;
  compare(of: string): void;
  /** A link in an answer: the extension shows the full URL and asks before opening anything but plain docs. */
  openLink(href: string, text: string): void;
}

/** Links in answers have no href (sanitize.ts): a click or Enter asks the extension to open them. */
function wireLinks(body: HTMLElement, actions: AnswerActions): void {
  for (const link of Array.from(body.querySelectorAll<HTMLElement>(`.${LINK_CLASS}`))) {
    const open = (ev: Event): void => {
      ev.preventDefault();
      ev.stopPropagation();
      actions.openLink(link.dataset.href ?? '', link.textContent ?? '');
    };
    link.addEventListener('click', open);
    link.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') open(ev);
    });
  }
}

/** Fills `body` with the sanitized answer and gives each code block Copy / Insert buttons. */
export function renderBody(body: HTMLElement, text: string, actions: AnswerActions, from?: string): void {
  body.replaceChildren(sanitizedMarkdown(text));
  wireLinks(body, actions);
  for (const block of Array.from(body.querySelectorAll<HTMLElement>('.code-block'))) {
    const code = block.querySelector('code');
    const source = (): string => code?.textContent ?? '';
    const bar = h('div', { class: 'code-actions' },
      h('span', { class: 'code-lang', text: /\blanguage-(\S+)/.exec(code?.className ?? '')?.[1] ?? 'text' }),
      button('Copy code', 'copy', undefined, () => actions.copy(source(), from, 'code'), 'icon-btn'),
      button('Insert code at cursor', 'insert', undefined, () => actions.insert(source(), from), 'icon-btn'));
    block.prepend(bar);
  }
}

function manifestView(answer: AnswerRoute, actions: AnswerActions): HTMLElement {
  const box = h('div', { class: 'manifest', role: 'region', 'aria-label': 'What left this machine' });
  const left = answer.manifest && (answer.route === 'cloud' || answer.destination);
  if (!answer.manifest || !left) {
    box.append(h('p', { text: 'Nothing left this machine: the local model answered.' }));
  } else {
    const m = answer.manifest;
    const to = answer.destination ? `${answer.model} on ${answer.destination.url} (another machine${answer.destination.trusted ? ', trusted' : ''})` : answer.model;
    box.append(h('p', { text: `Sent to ${to}: ${formatTokens(m.tokens)} tokens from ${m.files.length} file${m.files.length === 1 ? '' : 's'}.` }));
    if (m.files.length > 0) {
      const list = h('ul', { class: 'manifest-files' });
      for (const f of m.files) {
        const ranges = f.ranges.map((r) => linesLabel(r.startLine, r.endLine)).join(', ') || 'whole file';
        const link = actionLink(baseName(f.uri), f.uri, () => actions.openFile(f.uri, f.ranges[0]?.startLine));
        list.append(h('li', {}, link, ` ${ranges} · ${formatBytes(f.bytes)}`));
      }
      box.append(list);
    }
    box.append(h('p', { text: m.redactions.length ? `${m.redactions.length} secret${m.redactions.length === 1 ? '' : 's'} redacted before sending:` : 'No redactions.' }));
    if (m.redactions.length) {
      box.append(h('ul', {}, ...m.redactions.map((r) => h('li', { text: `${baseName(r.uri)}:${r.line + 1} (${r.rule})` }))));
    }
  }
  const reasons = h('ul', { class: 'reasons' }, ...answer.reasons.map((r) => h('li', { 'data-code': r.code, text: r.text })));
  box.append(h('p', { text: 'Why this route:' }), reasons);
  box.append(h('p', { class: 'muted', text: `Tokens ${formatTokens(answer.tokens.input)} in, ${formatTokens(answer.tokens.output)} out, ${formatTokens(answer.tokens.cacheRead)} cached · first token ${formatMs(answer.ttftMs)} · total ${formatMs(answer.totalMs)} · ${formatUsd(answer.costUsd)}` }));
  return box;
}

function badge(turn: AssistantTurn, answer: AnswerRoute, actions: AnswerActions): HTMLElement {
  const manifestId = `manifest-${turn.id}`;
  const b = h('button', {
    type: 'button',
    class: `route-badge route-${answer.route}`,
    'aria-expanded': 'false',
    'aria-controls': manifestId,
    'aria-label': `${badgeDescription(answer)}. Show what left the machine.`,
    title: badgeDescription(answer),
  }, icon(answer.route === 'cloud' ? 'cloud' : 'vm'), h('span', { text: badgeText(answer) }));
  const reason = h('span', { class: 'route-reason', text: answer.reasons[0]?.text ?? '' });
  const wrap = h('div', { class: 'route' }, b, reason);
  const manifest = manifestView(answer, actions);
  manifest.id = manifestId;
  manifest.hidden = true;
  b.addEventListener('click', () => {
    manifest.hidden = !manifest.hidden;
    b.setAttribute('aria-expanded', String(!manifest.hidden));
  });
  wrap.append(manifest);
  return wrap;
}

/** What looked like a secret, and the "Allow this value" action (only a salted hash is kept). */
function secretsView(turn: AssistantTurn, actions: AnswerActions): HTMLElement {
  const secrets = turn.blockedSecrets ?? [];
  const box = h('div', { class: 'secrets', role: 'note' });
  const first = secrets[0];
  const where = `${first.where}${first.where.startsWith('Your message') || first.where.startsWith('Message ') ? '' : ` line ${first.line + 1}`}`;
  const more = secrets.length > 1 ? ` (and ${secrets.length - 1} more)` : '';
  if (turn.allowed) {
    box.append(icon('pass'), h('span', { text: ` Allowed: ${secrets.length === 1 ? 'this value is' : 'these values are'} no longer treated as secret. Ask Claude again to send the question.` }));
    return box;
  }
  box.append(icon('shield'), h('span', { text: ` Kept off the cloud: ${where} looks like a secret (${first.rule}${first.via ? `, ${first.via}` : ''})${more}.` }));
  const label = secrets.length === 1 ? 'Allow this value' : `Allow these ${secrets.length} values`;
  box.append(button(`${label}: it is not a secret (only a salted hash is kept)`, 'check', label, () => actions.allowValues(turn.id)));
  return box;
}

export function renderAnswer(turn: AssistantTurn, actions: AnswerActions, abilities: ChatAbilities): HTMLElement {
  const el = h('article', { class: `turn assistant state-${turn.state}`, 'data-id': turn.id, 'aria-label': 'Tandem answer' });
  if (turn.answer) el.append(badge(turn, turn.answer, actions));
  else if (turn.streamingFrom) el.append(h('div', { class: 'route' }, h('span', { class: `route-badge route-${turn.streamingFrom.route}`, text: `${turn.streamingFrom.route} · ${turn.streamingFrom.model}` })));
  // Only what can work now: no "Ask Claude" without a key, consent or connection, no "Answer locally" without a
  // model that can do the job.
  const offered = offeredActions(turn, abilities);
  const confidence = turn.answer?.confidence;
  if (turn.answer?.route === 'local' && confidence?.suggestCloud && offered.askClaude && turn.state === 'done') {
    // The local model was unsure: offer Claude before the user has to ask.
    el.append(h('div', { class: 'low-confidence', role: 'note' }, icon('question'), h('span', { text: ` ${confidence.text} ` }),
      button('Ask Claude: the local model was unsure of this answer', 'cloud', 'Ask Claude', () => actions.retry(turn.id, 'cloud'), 'primary')));
  }
  if (turn.error) {
    el.append(h('div', { class: 'error', role: 'alert' }, icon('error'), h('strong', { text: ` ${errorTitle(turn.error.blockedBy)}` }), h('p', { text: turn.error.message })));
  }
  const body = h('div', { class: 'answer-body', 'aria-live': 'polite', 'aria-busy': turn.state === 'streaming' ? 'true' : 'false' });
  if (turn.text) renderBody(body, turn.text, actions, turn.id);
  else if (turn.state === 'streaming') body.append(h('span', { class: 'thinking', text: 'Thinking…' }));
  el.append(body);
  if (turn.stopped) {
    const why = { cancelled: 'Stopped.', budget: 'Stopped: the budget ran out while streaming.', 'max-tokens': 'Stopped: the answer reached the output token limit.' }[turn.stopped];
    el.append(h('p', { class: 'stopped muted', role: 'note', text: why }));
  }
  if (turn.refactor) el.append(refactorView(turn, turn.refactor, actions));
  if (turn.blockedSecrets?.length && turn.state !== 'streaming') el.append(secretsView(turn, actions));
  // Where the answer ends, so it is read with the answer rather than scrolled away above it.
  if (turn.answer?.fallback) {
    el.append(h('p', { class: 'fallback', role: 'note' }, icon('warning'), ` Answered by ${turn.answer.route} instead of ${turn.answer.fallback.from}: ${turn.answer.fallback.reason.text}`));
  }
  if (turn.state !== 'streaming') {
    const bar = h('div', { class: 'turn-actions' });
    if (turn.answer?.entryId && turn.text) {
      for (const [rating, name, label] of [['up', 'thumbsup', 'Good answer'], ['down', 'thumbsdown', 'Bad answer']] as const) {
        const on = turn.rating === rating;
        const b = button(label, on ? `${name}-filled` : name, undefined, () => actions.rate(turn.id, rating), `icon-btn rate rate-${rating}${on ? ' on' : ''}`);
        b.setAttribute('aria-pressed', String(on));
        bar.append(b);
      }
    }
    if (offered.retry) bar.append(button('Retry this request as it was asked', 'refresh', 'Retry', () => actions.retry(turn.id)));
    if (offered.askClaude) bar.append(button('Ask Claude instead', 'cloud', 'Ask Claude instead', () => actions.retry(turn.id, 'cloud')));
    if (offered.answerLocally) bar.append(button('Answer locally', 'vm', 'Answer locally', () => actions.retry(turn.id, 'local')));
    if (offered.compare) {
      bar.append(button('Compare the local model and Claude on this question, side by side', 'split-horizontal', 'Compare', () => actions.compare(turn.id)));
    }
    if (turn.text) bar.append(button('Copy answer', 'copy', undefined, () => actions.copy(turn.text, turn.id, 'answer'), 'icon-btn'));
    el.append(bar);
  }
  return el;
}
