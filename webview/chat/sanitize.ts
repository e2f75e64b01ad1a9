// Model output becomes HTML only through here: markdown → HTML (markdown.ts) → DOMPurify → a fragment.
import DOMPurify from 'dompurify';
import { renderMarkdown, SANITIZE_CONFIG } from './markdown';

/** Class of the links in answers; their URL is in data-href (answer-view.ts opens them through the extension). */
export const LINK_CLASS = 'answer-link';

// A link in model output never navigates by itself: without an href neither the webview nor VS Code's own click
// handler (which opens any href it sees) acts on it. The extension shows the full URL and asks first.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName !== 'A') return;
  const href = node.getAttribute('href');
  for (const name of ['href', 'target', 'rel', 'ping', 'download']) node.removeAttribute(name);
  if (!href) return;
  node.setAttribute('data-href', href);
  node.setAttribute('class', LINK_CLASS);
  node.setAttribute('role', 'link');
  node.setAttribute('tabindex', '0');
  node.setAttribute('title', href);
});

export function sanitizedMarkdown(source: string): DocumentFragment {
  const html = renderMarkdown(source);
  return DOMPurify.sanitize(html, { ...SANITIZE_CONFIG, RETURN_DOM_FRAGMENT: true }) as unknown as DocumentFragment;
}
