// Compare view: the same question answered by the local model and by Claude, side by side, streaming; each
// column shows its route, first-token and total time, tokens and cost; the user picks the better answer.
import type { CompareRun, CompareSide, CompareToHost, HostToCompare } from '../../src/shared/webview';
import { button, connect, h, icon } from '../shared/dom';
import { formatMs, formatTokens, formatUsd } from '../shared/format';
import { errorTitle } from '../chat/format';
import { sanitizedMarkdown } from '../chat/sanitize';

const vscode = connect<CompareToHost>();
const RENDER_INTERVAL_MS = 50;
let run: CompareRun | undefined;
let renderTimer: ReturnType<typeof setTimeout> | undefined;

const header = h('header', { class: 'compare-header' });
const columns = h('div', { class: 'compare-columns' });
const notice = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite' });
const banner = h('div', { class: 'banner', role: 'status', hidden: true },
  icon('warning'), h('span', { text: ' The Tandem engine is not running. Run "Tandem: Restart Engine" or open the log.' }));
document.getElementById('app')?.append(h('main', { class: 'compare' }, banner, header, columns, notice));

function body(text: string): HTMLElement {
  const el = h('div', { class: 'answer-body' });
  el.append(sanitizedMarkdown(text));
  for (const block of Array.from(el.querySelectorAll<HTMLElement>('.code-block'))) {
    const code = block.querySelector('code');
    block.prepend(h('div', { class: 'code-actions' },
      h('span', { class: 'code-lang', text: /\blanguage-(\S+)/.exec(code?.className ?? '')?.[1] ?? 'text' }),
      button('Copy code', 'copy', undefined, () => vscode.post({ type: 'copy', text: code?.textContent ?? '' }), 'icon-btn')));
  }
  return el;
}

function stats(side: CompareSide): string {
  const a = side.answer;
  if (!a) return side.state === 'streaming' ? 'Answering…' : side.state === 'waiting' ? 'Checking whether this may go to Claude…' : '';
  return `first token ${formatMs(a.ttftMs)} · total ${formatMs(a.totalMs)} · ${formatTokens(a.tokens.input)} in / ${formatTokens(a.tokens.output)} out · ${formatUsd(a.costUsd)}`;
}

function column(r: CompareRun, side: CompareSide): HTMLElement {
  const name = side.route === 'local' ? 'Local model' : 'Claude';
  const picked = r.picked === side.route;
  const col = h('section', { class: `compare-side side-${side.route} state-${side.state}${picked ? ' picked' : ''}`, 'data-side': side.route, 'aria-label': `${name} answer` });
  col.append(h('h2', {}, icon(side.route === 'cloud' ? 'cloud' : 'vm'), h('span', { class: `route-${side.route}`, text: ` ${name}` }), h('span', { class: 'muted model', text: side.model ? ` · ${side.model}` : '' })));
  col.append(h('p', { class: 'stats muted', text: stats(side) }));
  if (side.error) {
    col.append(h('div', { class: 'error', role: 'alert' }, icon('error'), h('strong', { text: ` ${errorTitle(side.error.blockedBy)}` }), h('p', { text: side.error.message })));
  }
  const text = h('div', { class: 'side-text', 'aria-live': 'polite', 'aria-busy': String(side.state === 'streaming') });
  if (side.text) text.append(body(side.text));
  else if (side.state === 'streaming') text.append(h('span', { class: 'thinking', text: 'Thinking…' }));
  col.append(text);
  const bothDone = r.local.state === 'done' && r.cloud.state === 'done';
  if (side.state === 'done') {
    const pick = button(picked ? `You preferred the ${name.toLowerCase()} answer` : `This answer is better (${name})`, picked ? 'pass-filled' : 'thumbsup', picked ? 'Preferred' : 'This one is better', () => {
      if (run) vscode.post({ type: 'pick', id: run.id, side: side.route });
    }, picked ? 'primary pick' : 'pick');
    pick.setAttribute('aria-pressed', String(picked));
    if (!bothDone) pick.disabled = true;
    col.append(h('div', { class: 'turn-actions' }, pick));
  }
  return col;
}

function render(): void {
  renderTimer = undefined;
  if (!run) {
    header.replaceChildren(h('p', { class: 'muted', text: 'Run "Tandem: Compare Local and Claude" or use "Compare" on a chat answer.' }));
    columns.replaceChildren();
    return;
  }
  const r = run;
  const running = r.local.state === 'streaming' || r.cloud.state === 'streaming';
  header.replaceChildren(
    h('h1', {}, icon('split-horizontal'), h('span', { text: ' Local vs Claude' })),
    h('p', { class: 'question', text: r.prompt }),
    r.context.length ? h('p', { class: 'muted', text: `With ${r.context.join(', ')}` }) : '',
    h('p', { class: 'muted', text: r.picked ? `You preferred the ${r.picked === 'local' ? 'local' : 'Claude'} answer: the router learns from it.` : 'Both answers are kept in the routing panel as a compare run; they do not count as savings. Pick the better one when both are done.' }),
    running ? button('Stop both answers', 'debug-stop', 'Stop', () => vscode.post({ type: 'stop', id: r.id }), 'stop') : '',
  );
  columns.replaceChildren(column(r, r.local), column(r, r.cloud));
}

function schedule(): void {
  renderTimer ??= setTimeout(render, RENDER_INTERVAL_MS);
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('message', (event: MessageEvent<HostToCompare>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'run':
      run = msg.run;
      render();
      break;
    case 'delta': {
      if (!run || run.id !== msg.id) return;
      const side = run[msg.side];
      side.text = msg.reset ? msg.delta : side.text + msg.delta;
      if (msg.model) side.model = msg.model;
      side.state = 'streaming';
      schedule();
      break;
    }
    case 'notice':
      notice.textContent = msg.message;
      clearTimeout(noticeTimer);
      noticeTimer = setTimeout(() => (notice.textContent = ''), 4000);
      break;
    case 'engine':
      banner.hidden = msg.running;
      break;
  }
});

render();
vscode.post({ type: 'ready' });
