// Files that never leave the machine. A file is local-only when a built-in glob (credential and key files) or
// one of tandem.privacy.localOnlyGlobs matches the path the user sees OR its real path (symlinks resolved, so a
// link named `app.config` to `.env`, or a linked folder into `secrets/`, is caught), without regard to case on
// every OS (`.ENV`, `Id_RSA`); or when its content is a credential store (a private key, a kubeconfig, an
// .npmrc with a token, …: the scan marks those findings, see scan/rules-*.ts), whatever its name.
// Files outside the workspace and untitled buffers are matched by their absolute path and their content.
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globMatcher } from '../../shared/glob.js';

export const DEFAULT_LOCAL_ONLY_GLOBS = [
  '**/.env',
  '**/.env.*',
  '**/*.env',
  '**/.envrc',
  '**/*.pem',
  '**/*.key',
  '**/*.p8',
  '**/*.p12',
  '**/*.pfx',
  '**/*.keystore',
  '**/*.jks',
  '**/*.ppk',
  '**/*.asc',
  '**/*.gpg',
  '**/*.kdbx',
  '**/id_rsa*',
  '**/id_dsa*',
  '**/id_ecdsa*',
  '**/id_ed25519*',
  '**/secrets/**',
  '**/.secrets/**',
  '**/.ssh/**',
  '**/.gnupg/**',
  '**/.aws/credentials',
  '**/.aws/config',
  '**/gcloud/application_default_credentials.json',
  '**/gcloud/credentials.db',
  '**/gcloud/access_tokens.db',
  '**/.azure/**',
  '**/.npmrc',
  '**/.yarnrc.yml',
  '**/.pypirc',
  '**/.netrc',
  '**/_netrc',
  '**/.pgpass',
  '**/.my.cnf',
  '**/.git-credentials',
  '**/.docker/config.json',
  '**/.kube/config',
  '**/kubeconfig',
  '**/*.kubeconfig',
  '**/.htpasswd',
  '**/terraform.tfstate',
  '**/*.tfstate',
  '**/*.tfstate.backup',
  '**/*.tfvars',
  '**/credentials.json',
  '**/service-account*.json',
  '**/secrets.y*ml',
  '**/secrets.json',
];

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

function slashes(path: string): string {
  return path.split(sep).join('/');
}

/** The path as the user sees it: relative to the workspace folder that holds it, else absolute. */
export function displayPath(uriOrPath: string, workspaceFolders: readonly string[]): string {
  const path = toPath(uriOrPath);
  for (const folder of workspaceFolders) {
    const rel = relative(folder, path);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return slashes(rel);
  }
  return slashes(path);
}

/** Who a file is: the path shown, and where it really is. */
export interface FileIdentity {
  uri: string;
  /** Workspace-relative when inside a folder, else absolute. */
  shown: string;
  /** Absolute path (the path part of an untitled: URI for buffers). */
  absolute: string;
  /** The real path when it differs (a symlink on the way): absolute, and relative to a folder's real path. */
  real?: { absolute: string; shown: string };
}

const realFolders = new Map<string, Promise<string>>();

function realFolder(folder: string): Promise<string> {
  let pending = realFolders.get(folder);
  if (!pending) {
    pending = realpath(folder).catch(() => folder);
    realFolders.set(folder, pending);
  }
  return pending;
}

/** The file's identity, with its real path resolved for files on disk (a missing file keeps its own path). */
export async function fileIdentity(uri: string, workspaceFolders: readonly string[]): Promise<FileIdentity> {
  const absolute = toPath(uri);
  const identity: FileIdentity = { uri, shown: displayPath(uri, workspaceFolders), absolute: slashes(absolute) };
  if (!uri.startsWith('file:') && (uri.includes(':') || !isAbsolute(absolute))) return identity;
  const real = await realpath(absolute).catch(() => undefined);
  if (!real || real === absolute) return identity;
  const folders = await Promise.all(workspaceFolders.map(realFolder));
  identity.real = { absolute: slashes(real), shown: displayPath(real, folders) };
  return identity;
}

export interface LocalOnlyMatch {
  glob: string;
  /** Set when only the real path matched: that path. */
  realPath?: string;
}

export interface LocalOnlyMatcher {
  match(identity: FileIdentity): LocalOnlyMatch | undefined;
}

export function createLocalOnlyMatcher(userGlobs: readonly unknown[]): LocalOnlyMatcher {
  const globs = [...DEFAULT_LOCAL_ONLY_GLOBS, ...userGlobs.filter((g): g is string => typeof g === 'string' && g.trim() !== '')];
  // Stricter is safer here: the privacy globs ignore case on every OS.
  const matcher = globMatcher(globs, { nocase: true });
  return {
    match(identity) {
      const shown = matcher([identity.shown, identity.absolute]);
      if (shown) return { glob: shown };
      if (!identity.real) return undefined;
      const real = matcher([identity.real.shown, identity.real.absolute]);
      return real ? { glob: real, realPath: identity.real.absolute } : undefined;
    },
  };
}

/** Why a file is local-only, in words (for the decision's reasons). */
export function localOnlyReason(match: LocalOnlyMatch): string {
  return match.realPath ? `its real path ${match.realPath} matches ${match.glob}` : `matches ${match.glob}`;
}
