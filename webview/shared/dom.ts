// Tiny DOM helpers and the typed VS Code webview API, shared by the chat view and the routing panel.

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

/** The webview API, typed with the messages this webview sends. Call once per page. */
export function connect<Out, State = unknown>(): { post(message: Out): void; getState(): State | undefined; setState(state: State): void } {
  const api = acquireVsCodeApi<State>();
  return {
    post: (message: Out) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state: State) => api.setState(state),
  };
}

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** Element with attributes (false/undefined skipped; `text` sets textContent) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'text') el.textContent = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** A codicon glyph, hidden from screen readers (the control carries the label). */
export function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** A button with an icon and/or text; `label` is its accessible name and tooltip. */
export function button(label: string, iconName: string | undefined, text: string | undefined, onClick: (ev: MouseEvent) => void, cls = ''): HTMLButtonElement {
  const b = h('button', { type: 'button', class: `btn ${cls}`.trim(), 'aria-label': label, title: label });
  if (iconName) b.append(icon(iconName));
  if (text) b.append(h('span', { text }));
  b.addEventListener('click', onClick);
  return b;
}

/**
 * A link-styled control that runs `onActivate` on click or Enter. It has no href: VS Code's webview host acts
 * on every href clicked in a webview (it opens URLs and scrolls to the top for "#").
 */
export function actionLink(text: string, title: string, onActivate: () => void, cls = 'file-link'): HTMLElement {
  const link = h('a', { class: cls, role: 'link', tabindex: 0, title, text });
  link.addEventListener('click', (ev) => {
    ev.preventDefault();
    onActivate();
  });
  link.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    onActivate();
  });
  return link;
}
