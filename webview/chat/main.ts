// Chat webview: wires the thread and the composer to the extension (messages in src/shared/webview.ts).
import type { ChatToHost, HostToChat, Turn } from '../../src/shared/webview';
import { newId } from '../../src/shared/webview';
import { connect, h, icon } from '../shared/dom';
import { Composer } from './composer';
import { ThreadView } from './thread-view';

interface DraftState {
  text: string;
  refactor: boolean;
}

const vscode = connect<ChatToHost, DraftState>();
let busyId: string | undefined;
let mentionSeq = '';

const thread = new ThreadView({
  retry: (of, prefer) => {
    if (busyId) return;
    vscode.post({ type: 'retry', id: newId(), of, ...(prefer ? { prefer } : {}) });
  },
  copy: (text, from, what) => vscode.post({ type: 'copy', text, from, what }),
  insert: (text, from) => vscode.post({ type: 'insert', text, from }),
  rate: (id, rating) => vscode.post({ type: 'rate', id, rating }),
  compare: (of) => vscode.post({ type: 'compare', of }),
  applyEdits: (id) => vscode.post({ type: 'applyEdits', id }),
  allowValues: (id) => vscode.post({ type: 'allowValues', id }),
  openFile: (uri, line) => vscode.post({ type: 'openFile', uri, line }),
  openLink: (href, text) => vscode.post({ type: 'openLink', href, text }),
});

const composer = new Composer({
  send: (text, kind, chips) => vscode.post({ type: 'send', id: newId(), text, kind, chips }),
  stop: () => {
    if (busyId) vscode.post({ type: 'stop', id: busyId });
  },
  mentionQuery: (query) => {
    mentionSeq = newId('m');
    vscode.post({ type: 'mentionQuery', id: mentionSeq, query });
  },
  changed: (draft) => vscode.setState(draft),
});

const banner = h('div', { class: 'banner', role: 'status', hidden: true },
  icon('warning'), h('span', { text: ' The Tandem engine is not running. Run "Tandem: Restart Engine" or open the log.' }));
const notice = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite' });

// "Clear Conversation" lives in the view's title bar (tandem.clearConversation), as in other chat views.
document.getElementById('app')?.append(
  h('main', { class: 'chat' }, h('div', { class: 'chat-header' }, banner), thread.element, notice, composer.element),
);

const saved = vscode.getState();
if (saved) composer.setDraft(saved.text, saved.refactor);

function setBusy(id: string | undefined): void {
  busyId = id;
  composer.setBusy(Boolean(id));
}

function busyFrom(turns: Turn[]): string | undefined {
  return turns.find((t) => t.role === 'assistant' && t.state === 'streaming')?.id;
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function showNotice(message: string): void {
  notice.textContent = message;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.textContent = ''), 4000);
}

window.addEventListener('message', (event: MessageEvent<HostToChat>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'init':
      thread.reset(msg.turns);
      composer.setEditorChips(msg.chips);
      banner.hidden = msg.running;
      setBusy(busyFrom(msg.turns));
      break;
    case 'turn':
      thread.upsert(msg.turn);
      if (msg.turn.role === 'assistant' && msg.turn.state === 'streaming') setBusy(msg.turn.id);
      break;
    case 'delta':
      thread.appendDelta(msg.id, msg.delta, msg.route && msg.model ? { route: msg.route, model: msg.model } : undefined, msg.reset);
      break;
    case 'done': {
      thread.upsert(msg.turn);
      if (busyId === msg.id) setBusy(undefined);
      if (msg.turn.state === 'error') {
        const asked = thread.get(msg.turn.replyTo);
        if (asked?.role === 'user') composer.restore(asked.text);
      }
      break;
    }
    case 'context':
      composer.setEditorChips(msg.chips);
      break;
    case 'mentionResults':
      if (msg.id === mentionSeq) composer.showMentions(msg.items);
      break;
    case 'engine':
      banner.hidden = msg.running;
      break;
    case 'abilities':
      thread.setAbilities(msg.abilities);
      break;
    case 'notice':
      showNotice(msg.message);
      break;
    case 'focus':
      composer.focus();
      break;
  }
});

// Escape stops a running answer wherever the focus is in the view (the input handles its own keys first).
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && !ev.defaultPrevented && busyId) {
    ev.preventDefault();
    vscode.post({ type: 'stop', id: busyId });
  }
});

vscode.post({ type: 'ready' });
composer.focus();
