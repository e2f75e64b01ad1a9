// Files that never leave the machine: built-in globs for secrets and cloud credentials, plus the user's
// tandem.privacy.localOnlyGlobs. Pure: paths in, verdicts out.
import picomatch from 'picomatch';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_LOCAL_ONLY_GLOBS = [
  '**/.env',
  '**/.env.*',
  '**/*.env',
  '**/*.pem',
  '**/*.key',
  '**/*.p12',
  '**/*.pfx',
  '**/*.keystore',
  '**/*.jks',
  '**/id_rsa*',
  '**/id_dsa*',
  '**/id_ecdsa*',
  '**/id_ed25519*',
  '**/secrets/**',
  '**/.secrets/**',
  '**/.aws/credentials',
  '**/.aws/config',
  '**/gcloud/application_default_credentials.json',
  '**/gcloud/credentials.db',
  '**/gcloud/access_tokens.db',
  '**/.azure/**',
  '**/.npmrc',
  '**/.pypirc',
  '**/.netrc',
  '**/.git-credentials',
  '**/.docker/config.json',
  '**/.kube/config',
  '**/kubeconfig',
  '**/*.kubeconfig',
  '**/.htpasswd',
  '**/terraform.tfstate',
  '**/*.tfstate.backup',
  '**/credentials.json',
  '**/service-account*.json',
];

export interface LocalOnlyMatcher {
  /** The glob that makes this file local-only, or undefined. */
  match(uriOrPath: string): string | undefined;
}

/** A file path from a file: URI or a plain path; other schemes (untitled:) keep their path part. */
export function toPath(uriOrPath: string): string {
  if (uriOrPath.startsWith('file:')) {
    try {
      return fileURLToPath(uriOrPath);
    } catch {
      return uriOrPath.slice(5);
    }
  }
  const scheme = uriOrPath.match(/^[a-z][a-z0-9+.-]*:(.*)$/i);
  return scheme && !/^[a-z]:[\\/]/i.test(uriOrPath) ? scheme[1] : uriOrPath;
}

/** The path as the user sees it: relative to the workspace folder that holds it, else absolute. */
export function displayPath(uriOrPath: string, workspaceFolders: string[]): string {
  const path = toPath(uriOrPath);
  for (const folder of workspaceFolders) {
    const rel = relative(folder, path);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return path.split(sep).join('/');
}

export function createLocalOnlyMatcher(userGlobs: string[], workspaceFolders: string[]): LocalOnlyMatcher {
  const globs = [...DEFAULT_LOCAL_ONLY_GLOBS, ...userGlobs.filter((g) => typeof g === 'string' && g.trim())];
  const options = { dot: true, nocase: process.platform !== 'linux' };
  // A glob without a slash matches the file name anywhere, as in .gitignore.
  const matchers = globs.map((glob) => {
    const g = glob.trim().replace(/^\.\//, '');
    const test = g.includes('/') ? picomatch(g, options) : picomatch(g, { ...options, basename: true });
    const folderGlob = g.endsWith('/') ? picomatch(`${g}**`, options) : undefined;
    return { glob, test, folderGlob };
  });
  return {
    match(uriOrPath: string): string | undefined {
      const abs = toPath(uriOrPath).split(sep).join('/');
      const rel = displayPath(uriOrPath, workspaceFolders);
      const candidates = rel === abs ? [abs] : [rel, abs];
      for (const m of matchers) {
        for (const c of candidates) {
          if (m.test(c) || m.folderGlob?.(c)) return m.glob;
        }
      }
      return undefined;
    },
  };
}
