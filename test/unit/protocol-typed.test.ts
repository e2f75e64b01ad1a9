// Every custom message is declared once (src/shared/protocol/, re-exported by src/shared/protocol.ts) and used through its declaration: a method name
// typed by hand in a handler or a test call can drift from the declaration without any compiler noticing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as protocol from '../../src/shared/protocol.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'generated') return [];
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|mts)$/.test(name) ? [path] : [];
  });
}

void test('no handler, request, notification or test call names a tandem/ method by a string of its own', () => {
  const declared = join('src', 'shared', 'protocol');
  const files = ['src', 'webview', 'test', 'bench', 'scripts'].flatMap(sources).filter((f) => !f.startsWith(declared));
  // A method string passed to a call or compared with a method: the declaration's `.method` is the one to use.
  const raw = /(?:\(\s*|===?\s*|method:\s*)['"`]tandem\/[A-Za-z]+['"`]/;
  const offenders = files.filter((f) => raw.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});

void test('each tandem/ method is declared exactly once', () => {
  const methods = Object.values(protocol as Record<string, unknown>)
    .filter((v): v is { method: string } => typeof v === 'object' && v !== null && typeof (v as { method?: unknown }).method === 'string')
    .map((v) => v.method);
  assert.ok(methods.length >= 12);
  assert.deepEqual(methods.filter((m, i) => methods.indexOf(m) !== i), []);
  assert.ok(methods.every((m) => m.startsWith('tandem/')));
});
