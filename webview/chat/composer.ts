// The input area: context chips, @-mention autocomplete, Refactor toggle, Send / Stop.
// Keyboard: Enter sends (Shift+Enter: new line), Escape stops a running answer (or closes the mention list),
// Up/Down + Enter/Tab pick a mention.
import type { ChatKind, ContextChip } from '../../src/shared/webview';
import { button, h, icon } from '../shared/dom';
import { completeMention, findMentionQuery, kindForPrompt } from './format';

export interface ComposerEvents {
  send(text: string, kind: ChatKind, chips: ContextChip[]): void;
  stop(): void;
  mentionQuery(query: string): void;
  changed(draft: { text: string; refactor: boolean }): void;
}

export class Composer {
  readonly element: HTMLElement;
  private readonly input = h('textarea', { class: 'input', rows: 3, 'aria-label': 'Ask Tandem. Enter sends, Shift+Enter adds a line, @ attaches a file', placeholder: 'Ask about your code — @ to attach a file' });
  private readonly chipRow = h('div', { class: 'chips', role: 'list', 'aria-label': 'Context sent with your question' });
  private readonly list = h('ul', { class: 'mentions', role: 'listbox', id: 'mention-list', 'aria-label': 'Workspace files' });
  private readonly refactorToggle: HTMLButtonElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private editorChips: ContextChip[] = [];
  private mentionChips: ContextChip[] = [];
  private readonly dismissed = new Set<string>();
  private options: ContextChip[] = [];
  private active = -1;
  private refactor = false;
  private busy = false;

  constructor(private readonly events: ComposerEvents) {
    this.list.hidden = true;
    this.refactorToggle = button('Refactor mode: propose multi-file edits', 'wand', 'Refactor', () => this.setRefactor(!this.refactor), 'toggle');
    this.refactorToggle.setAttribute('aria-pressed', 'false');
    this.sendButton = button('Send (Enter)', 'send', undefined, () => this.submit(), 'icon-btn primary send');
    this.stopButton = button('Stop (Escape)', 'debug-stop', 'Stop', () => this.events.stop(), 'stop');
    this.stopButton.hidden = true;
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-controls', 'mention-list');
    this.input.addEventListener('keydown', (ev) => this.onKey(ev));
    this.input.addEventListener('input', () => this.onInput());
    // Close the list when focus leaves for good (not when it comes back before the timer, e.g. a chip click).
    this.input.addEventListener('blur', () => setTimeout(() => {
      if (document.activeElement !== this.input) this.closeList();
    }, 150));
    this.element = h('div', { class: 'composer' },
      this.chipRow,
      h('div', { class: 'input-wrap' }, this.list, this.input),
      h('div', { class: 'composer-bar' }, this.refactorToggle, h('span', { class: 'spacer' }), this.stopButton, this.sendButton));
  }

  get text(): string {
    return this.input.value;
  }

  focus(): void {
    this.input.focus();
  }

  /** Put a prompt back (after an error) unless the user has typed something new. */
  restore(text: string): void {
    if (this.input.value.trim()) return;
    this.input.value = text;
    this.emitChange();
  }

  setDraft(text: string, refactor: boolean): void {
    this.input.value = text;
    this.setRefactor(refactor);
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.stopButton.hidden = !busy;
    this.sendButton.disabled = busy;
  }

  setEditorChips(chips: ContextChip[]): void {
    this.editorChips = chips;
    this.renderChips();
  }

  showMentions(items: ContextChip[]): void {
    if (!findMentionQuery(this.input.value, this.input.selectionStart)) return this.closeList();
    this.options = items;
    this.active = items.length ? 0 : -1;
    this.renderList();
  }

  private setRefactor(on: boolean): void {
    this.refactor = on;
    this.refactorToggle.setAttribute('aria-pressed', String(on));
    this.refactorToggle.classList.toggle('on', on);
    this.emitChange();
  }

  private chips(): ContextChip[] {
    return [...this.editorChips.filter((c) => !this.dismissed.has(c.key)), ...this.mentionChips];
  }

  private renderChips(): void {
    this.chipRow.replaceChildren(...this.chips().map((chip) => {
      const name = chip.kind === 'selection' ? 'selection' : chip.kind === 'file' ? 'file-code' : 'mention';
      const remove = button(`Remove ${chip.label} from context`, 'close', undefined, () => {
        if (chip.kind === 'mention') this.mentionChips = this.mentionChips.filter((c) => c.key !== chip.key);
        else this.dismissed.add(chip.key);
        this.renderChips();
        this.input.focus();
      }, 'chip-remove');
      return h('span', { class: `chip chip-${chip.kind}`, role: 'listitem', title: chip.description }, icon(name), h('span', { text: chip.label }), remove);
    }));
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.busy) return;
    this.events.send(text, kindForPrompt(text, this.refactor), this.chips());
    this.input.value = '';
    this.mentionChips = [];
    this.renderChips();
    this.emitChange();
  }

  private onKey(ev: KeyboardEvent): void {
    const listOpen = !this.list.hidden && this.options.length > 0;
    if (listOpen && (ev.key === 'ArrowDown' || ev.key === 'ArrowUp')) {
      ev.preventDefault();
      this.active = (this.active + (ev.key === 'ArrowDown' ? 1 : -1) + this.options.length) % this.options.length;
      this.renderList();
    } else if (listOpen && (ev.key === 'Enter' || ev.key === 'Tab') && this.active >= 0) {
      ev.preventDefault();
      this.pick(this.options[this.active] as ContextChip);
    } else if (ev.key === 'Escape' && !this.list.hidden) {
      ev.preventDefault();
      this.closeList();
    } else if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      this.submit();
    }
  }

  private onInput(): void {
    const found = findMentionQuery(this.input.value, this.input.selectionStart);
    if (found) this.events.mentionQuery(found.query);
    else this.closeList();
    this.emitChange();
  }

  private pick(chip: ContextChip): void {
    const done = completeMention(this.input.value, this.input.selectionStart, chip.description);
    this.input.value = done.text;
    this.input.setSelectionRange(done.caret, done.caret);
    if (!this.mentionChips.some((c) => c.key === chip.key)) this.mentionChips.push(chip);
    this.closeList();
    this.renderChips();
    this.input.focus();
    this.emitChange();
  }

  private renderList(): void {
    this.list.hidden = this.options.length === 0;
    this.list.replaceChildren(...this.options.map((chip, i) => {
      const li = h('li', { id: `mention-${i}`, role: 'option', 'aria-selected': String(i === this.active), class: i === this.active ? 'active' : '' },
        icon('file'), h('span', { class: 'mention-name', text: chip.label }), h('span', { class: 'muted', text: ` ${chip.description}` }));
      li.addEventListener('mousedown', (ev) => {
        ev.preventDefault();
        this.pick(chip);
      });
      return li;
    }));
    if (this.active >= 0) this.input.setAttribute('aria-activedescendant', `mention-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  private closeList(): void {
    this.options = [];
    this.active = -1;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.input.removeAttribute('aria-activedescendant');
  }

  private emitChange(): void {
    this.events.changed({ text: this.input.value, refactor: this.refactor });
  }
}
