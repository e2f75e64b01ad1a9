// The conversation: user turns, streaming answers (re-rendered at most every 50 ms), the empty state. It follows a
// growing answer only while the reader is at the end, and never past the answer's top: the route badge stays in
// view.
import type { AssistantTurn, ChatAbilities, ContextChip, Turn, UserTurn } from '../../src/shared/webview';
import { h, icon } from '../shared/dom';
import { renderAnswer, renderBody, type AnswerActions } from './answer-view';

const RENDER_INTERVAL_MS = 50;
/** Within this many pixels of the end, the reader is "at the end" and the thread follows new text. */
const AT_END_PX = 24;
/** Room kept above an answer's badge when the thread stops at it. */
const BADGE_MARGIN_PX = 6;

export class ThreadView {
  readonly element = h('div', { class: 'thread', role: 'log', 'aria-label': 'Conversation' });
  private readonly turns = new Map<string, Turn>();
  private readonly order: string[] = [];
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private abilities: ChatAbilities = {};
  /** The reader is at the end (or just asked): new text scrolls into view. */
  private following = true;

  constructor(private readonly actions: AnswerActions) {
    this.renderEmpty();
    this.element.addEventListener('scroll', () => {
      this.following = this.element.scrollHeight - this.element.clientHeight - this.element.scrollTop <= AT_END_PX;
    });
  }

  /** The routes answers may offer changed: finished answers show only the actions that can work now. */
  setAbilities(abilities: ChatAbilities): void {
    this.abilities = abilities;
    for (const turn of this.turns.values()) {
      if (turn.role !== 'assistant' || turn.state === 'streaming') continue;
      this.element.querySelector(`[data-id="${CSS.escape(turn.id)}"]`)?.replaceWith(renderAnswer(turn, this.actions, abilities));
    }
  }

  reset(turns: Turn[]): void {
    this.turns.clear();
    this.order.length = 0;
    this.element.replaceChildren();
    for (const turn of turns) this.upsert(turn);
    if (turns.length === 0) this.renderEmpty();
  }

  get(id: string): Turn | undefined {
    return this.turns.get(id);
  }

  upsert(turn: Turn): void {
    if (this.order.length === 0) this.element.replaceChildren();
    const existing = this.element.querySelector(`[data-id="${CSS.escape(turn.id)}"]`);
    if (!this.turns.has(turn.id)) this.order.push(turn.id);
    this.turns.set(turn.id, turn);
    this.pending.delete(turn.id);
    const el = turn.role === 'user' ? renderUser(turn) : renderAnswer(turn, this.actions, this.abilities);
    if (existing) existing.replaceWith(el);
    else this.element.append(el);
    // A new question brings the reader to the end.
    if (turn.role === 'user' && !existing) this.following = true;
    this.scrollToEnd();
  }

  appendDelta(id: string, delta: string, from?: AssistantTurn['streamingFrom'], reset = false): void {
    const turn = this.turns.get(id);
    if (!turn || turn.role !== 'assistant') return;
    turn.text = reset ? delta : turn.text + delta;
    if (from && (reset || !turn.streamingFrom)) {
      turn.streamingFrom = from;
      this.upsert(turn);
      return;
    }
    this.pending.add(id);
    this.timer ??= setTimeout(() => this.flush(), RENDER_INTERVAL_MS);
  }

  private flush(): void {
    this.timer = undefined;
    for (const id of this.pending) {
      const turn = this.turns.get(id);
      const body = this.element.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"] .answer-body`);
      if (turn && body) renderBody(body, turn.text, this.actions, id);
    }
    this.pending.clear();
    this.scrollToEnd();
  }

  private scrollToEnd(): void {
    if (!this.following) return;
    const end = this.element.scrollHeight - this.element.clientHeight;
    const last = this.order.length ? this.element.querySelector<HTMLElement>(`[data-id="${CSS.escape(this.order[this.order.length - 1] as string)}"]`) : null;
    // An answer taller than the view stops the scroll at its top, badge included.
    const answerTop = last?.classList.contains('assistant') ? last.offsetTop - BADGE_MARGIN_PX : end;
    const target = Math.max(0, Math.min(end, answerTop));
    this.element.scrollTop = target;
    // Stopped short of the end: the reader reads on by scrolling; further text does not move the view.
    if (target < end) this.following = false;
  }

  private renderEmpty(): void {
    this.element.replaceChildren(
      h('div', { class: 'empty' },
        h('p', {}, icon('comment-discussion'), h('strong', { text: ' Ask about your code' })),
        h('p', { class: 'muted', text: 'The local model answers by default, so your code stays on this machine. Hard questions and multi-file refactors go to Claude when your privacy and budget settings allow it; every answer shows where it ran and what it cost.' }),
        h('p', { class: 'muted', text: 'Type @ to attach a file. Turn on Refactor (or start with "refactor" or "rename") to get edits you review in the Refactor Preview before anything is written.' })),
    );
  }
}

function chipLabel(chip: ContextChip): HTMLElement {
  const name = chip.kind === 'selection' ? 'selection' : chip.kind === 'file' ? 'file-code' : 'mention';
  return h('span', { class: 'chip static', title: chip.description }, icon(name), h('span', { text: chip.label }));
}

function renderUser(turn: UserTurn): HTMLElement {
  const el = h('article', { class: `turn user kind-${turn.kind}`, 'data-id': turn.id, 'aria-label': 'Your message' });
  const meta: string[] = [];
  if (turn.kind !== 'chat') meta.push(turn.kind);
  if (turn.prefer === 'cloud') meta.push('asked Claude');
  if (turn.prefer === 'local') meta.push('asked the local model');
  if (meta.length) el.append(h('div', { class: 'user-meta muted', text: meta.join(' · ') }));
  el.append(h('div', { class: 'user-text', text: turn.text }));
  if (turn.chips.length) el.append(h('div', { class: 'chips' }, ...turn.chips.map(chipLabel)));
  return el;
}
