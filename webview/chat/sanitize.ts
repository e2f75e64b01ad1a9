// Model output becomes HTML only through here: markdown → HTML (markdown.ts) → DOMPurify → a fragment.
import DOMPurify from 'dompurify';
import { renderMarkdown, SANITIZE_CONFIG } from './markdown';

// Links open outside the webview (VS Code routes http(s) to the browser); never a same-frame target.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('rel', 'noreferrer noopener');
    node.removeAttribute('target');
  }
});

export function sanitizedMarkdown(source: string): DocumentFragment {
  const html = renderMarkdown(source);
  return DOMPurify.sanitize(html, { ...SANITIZE_CONFIG, RETURN_DOM_FRAGMENT: true }) as unknown as DocumentFragment;
}
