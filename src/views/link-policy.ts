// Links in model answers, modelled on VS Code's openExternal with trusted-domain protection: a prompt-injected
// answer can carry a link whose query or path holds the user's code, so one click must never send it. A plain
// documentation link (https, a documentation site Tandem knows, a short readable path, no query, no user
// name, default port, text that does not pretend to be another site) opens at once; any other web or mail
// link opens only after the user has seen the full URL and why it was held; other schemes never open.
// Pure: no `vscode`.

/** Documentation sites whose pages nobody else can log: exact host names (subdomains are not included). */
export const DOCUMENTATION_HOSTS = new Set([
  'developer.mozilla.org', 'docs.python.org', 'peps.python.org', 'nodejs.org', 'www.typescriptlang.org', 'typescriptlang.org',
  'code.visualstudio.com', 'learn.microsoft.com', 'docs.microsoft.com', 'doc.rust-lang.org', 'docs.rs', 'pkg.go.dev', 'go.dev',
  'docs.oracle.com', 'en.cppreference.com', 'docs.anthropic.com', 'react.dev', 'vuejs.org', 'docs.npmjs.com', 'kotlinlang.org',
  'developer.apple.com', 'developer.android.com', 'docs.github.com', 'man7.org', 'www.postgresql.org', 'www.sqlite.org', 'sqlite.org',
  'docs.docker.com', 'kubernetes.io', 'git-scm.com', 'eslint.org', 'webpack.js.org', 'vite.dev', 'vitejs.dev', 'jestjs.io',
  'docs.djangoproject.com', 'numpy.org', 'pandas.pydata.org', 'docs.swift.org', 'dart.dev', 'api.flutter.dev', 'docs.spring.io',
  'tc39.es', 'html.spec.whatwg.org', 'www.w3.org', 'datatracker.ietf.org', 'www.rfc-editor.org',
]);

export type LinkDecision =
  | { action: 'open'; url: string }
  | { action: 'confirm'; url: string; why: string[] }
  | { action: 'refuse'; reason: string };

const READABLE_SEGMENT = /^[\w.~+@:-]{0,64}$/;
const READABLE_FRAGMENT = /^[\w.~:-]{0,80}$/;
const MAX_PATH = 160;

const clip = (text: string, n = 80): string => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** The host a link's visible text names, when the text looks like a URL or a host name. */
function hostShown(text: string): string | undefined {
  const t = text.trim();
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:?#]|$)/i.exec(t);
  return m?.[1]?.toLowerCase();
}

function pathReadable(url: URL): boolean {
  if (url.pathname.length > MAX_PATH) return false;
  let segments: string[];
  try {
    segments = url.pathname.split('/').map(decodeURIComponent);
  } catch {
    return false;
  }
  return segments.every((s) => READABLE_SEGMENT.test(s)) && READABLE_FRAGMENT.test(url.hash.slice(1));
}

export function linkDecision(href: string, text: string): LinkDecision {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return { action: 'refuse', reason: 'Tandem did not open the link: it is not a valid address.' };
  }
  if (url.protocol === 'mailto:') {
    const why = [`It starts an email to ${clip(decodeURIComponent(url.pathname)) || 'nobody named'}.`];
    if (url.search) why.push(`It fills in the mail (${clip(url.search)}), which could carry your code.`);
    return { action: 'confirm', url: url.href, why };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { action: 'refuse', reason: `Tandem does not open ${url.protocol.replace(/:$/, '')}: links from answers.` };
  }
  const host = url.hostname.toLowerCase();
  const why: string[] = [];
  if (url.username || url.password) why.push(`It carries a user name${url.password ? ' and password' : ''} before the host, so it goes to ${host}, not to "${clip(decodeURIComponent(url.username))}".`);
  const shown = hostShown(text);
  if (shown && shown !== host && shown.replace(/^www\./, '') !== host.replace(/^www\./, '')) why.push(`Its text shows ${shown}, but it goes to ${host}.`);
  if (url.search) why.push(`It sends data in its query string: ${clip(url.search)}`);
  if (url.protocol === 'http:') why.push('It is not encrypted (http).');
  if (url.port) why.push(`It uses port ${url.port}.`);
  if (!DOCUMENTATION_HOSTS.has(host)) why.push(`${host} is not a documentation site Tandem knows.`);
  else if (!pathReadable(url)) why.push('Its path is long or encoded, so it could carry data.');
  return why.length ? { action: 'confirm', url: url.href, why } : { action: 'open', url: url.href };
}
