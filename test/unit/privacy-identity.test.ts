// Which files never leave: built-in and user globs on the path shown AND the real path (symlinks resolved),
// without regard to case on every OS; files outside the workspace and untitled buffers by their absolute path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readContextFile } from '../../src/server/router/gather.js';
import { createLocalOnlyMatcher, fileIdentity, localOnlyReason } from '../../src/server/router/local-only.js';
import { credentialStore } from '../../src/server/router/scan/stores.js';

const matcher = createLocalOnlyMatcher(['proprietary/**', 'internal.ts']);
const match = async (uri: string, folders = ['/ws']) => {
  const m = matcher.match(await fileIdentity(uri, folders));
  return m ? localOnlyReason(m) : undefined;
};

void test('built-in credential files and the user\'s own folders are local-only', async () => {
  const yes: Record<string, string> = {
    'file:///ws/.env': '**/.env',
    'file:///ws/app/.env.production': '**/.env.*',
    '/ws/certs/server.pem': '**/*.pem',
    '/ws/deploy/id_rsa': '**/id_rsa*',
    '/ws/secrets/db.json': '**/secrets/**',
    '/home/u/.aws/credentials': '**/.aws/credentials',
    '/home/u/.config/gcloud/application_default_credentials.json': '**/gcloud/application_default_credentials.json',
    '/home/u/.azure/accessTokens.json': '**/.azure/**',
    '/ws/.npmrc': '**/.npmrc',
    '/home/u/.kube/config': '**/.kube/config',
    '/ws/proprietary/engine/core.ts': 'proprietary/**',
    '/ws/src/internal.ts': 'internal.ts',
  };
  for (const [path, glob] of Object.entries(yes)) assert.equal(await match(path), `matches ${glob}`, path);
  for (const path of ['/ws/src/env.ts', '/ws/src/keys.ts', '/ws/README.md', 'file:///ws/src/secretsManager.ts']) assert.equal(await match(path), undefined, path);
});

void test('secret-marking names match without regard to case, on every OS', async () => {
  assert.equal(await match('file:///ws/.ENV'), 'matches **/.env');
  assert.equal(await match('file:///ws/deploy/Id_RSA'), 'matches **/id_rsa*');
  assert.equal(await match('file:///ws/Secrets/Prod.json'), 'matches **/secrets/**');
  assert.equal(await match('file:///ws/Proprietary/x.ts'), 'matches proprietary/**');
});

void test('files outside the workspace and untitled buffers are matched by their absolute path', async () => {
  assert.equal(await match('file:///home/u/other/.env'), 'matches **/.env');
  assert.equal(await match('file:///elsewhere/keys/server.key'), 'matches **/*.key');
  assert.equal(await match('untitled:Untitled-1'), undefined);
  assert.equal(await match('untitled:/home/u/notes/.env'), 'matches **/.env');
});

void test('a symlink is matched by its real path: a link to .env, a linked folder into secrets/', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'tandem-id-'));
  const outside = mkdtempSync(join(tmpdir(), 'tandem-id-out-'));
  mkdirSync(join(outside, 'secrets'));
  writeFileSync(join(outside, 'secrets', 'db.json'), '{}');
  writeFileSync(join(ws, '.env'), 'A=1\n');
  mkdirSync(join(ws, 'src'));
  writeFileSync(join(ws, 'src', 'a.ts'), 'x');
  symlinkSync(join(ws, '.env'), join(ws, 'app.config'));
  symlinkSync(join(outside, 'secrets'), join(ws, 'conf'));
  symlinkSync(join(ws, 'src', 'a.ts'), join(ws, 'plain-link.ts'));
  const uri = (rel: string) => pathToFileURL(join(ws, rel)).href;
  assert.match((await match(uri('app.config'), [ws])) ?? '', /^its real path .*\/\.env matches \*\*\/\.env$/);
  assert.match((await match(uri('conf/db.json'), [ws])) ?? '', /^its real path .*\/secrets\/db\.json matches \*\*\/secrets\/\*\*$/);
  assert.equal(await match(uri('plain-link.ts'), [ws]), undefined);
  const identity = await fileIdentity(uri('app.config'), [ws]);
  assert.equal(identity.shown, 'app.config', 'the path shown stays the link');
  assert.equal(identity.real?.shown, '.env');
});

void test('an .env-shaped file with secret-looking keys is a credential store by its content, whatever its name', () => {
  // Passwords a format check alone would not take (letters only): the shape of the file says what they are.
  const env = '# production\nNODE_ENV=production\nPORT=8080\nDB_HOST=db.internal\nDB_PASSWORD=correcthorsebatterystaple\n';
  assert.equal(credentialStore(env, []), 'an environment file with secrets');
  assert.equal(credentialStore('NODE_ENV=production\nPORT=8080\nAPI_TOKEN=\nDB_PASSWORD=${DB_PASSWORD}\n', []), undefined, 'no secret values');
  const code = Array.from({ length: 40 }, (_, i) => `function f${i}() { return ${i}; }`).join('\n') + '\nconst password = "x";\n';
  assert.equal(credentialStore(code, []), undefined);
  assert.equal(credentialStore('x', [{ store: 'a kubeconfig' }]), 'a kubeconfig');
});

void test('a file is read as the file the rules judged: a link swapped after the check is not followed', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tandem-swap-'));
  writeFileSync(join(root, '.env'), 'DATABASE_PASSWORD=swapped-in-credential\n');
  writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
  const docs = new TextDocuments(TextDocument);
  const uri = (name: string) => pathToFileURL(join(root, name)).href;
  // A plain file when judged, a link to .env when read (within the identity cache's life).
  writeFileSync(join(root, 'plain.ts'), 'export const plain = 1;\n');
  const plainIdentity = await fileIdentity(uri('plain.ts'), [root]);
  assert.equal(plainIdentity.real, undefined);
  rmSync(join(root, 'plain.ts'));
  symlinkSync(join(root, '.env'), join(root, 'plain.ts'));
  const plain = await readContextFile({ uri: uri('plain.ts') }, docs, plainIdentity);
  assert.doesNotMatch(plain.text, /swapped-in-credential/);
  assert.match(plain.error ?? '', /became a symbolic link/);
  // A link to a.ts when judged, pointed at .env when read: the text is a.ts's, the file that was judged.
  symlinkSync(join(root, 'a.ts'), join(root, 'link.ts'));
  const linkIdentity = await fileIdentity(uri('link.ts'), [root]);
  assert.match(linkIdentity.real?.absolute ?? '', /a\.ts$/);
  rmSync(join(root, 'link.ts'));
  symlinkSync(join(root, '.env'), join(root, 'link.ts'));
  const link = await readContextFile({ uri: uri('link.ts') }, docs, linkIdentity);
  assert.equal(link.text, 'export const a = 1;\n');
  rmSync(root, { recursive: true, force: true });
});
