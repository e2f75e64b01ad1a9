// Where a secret can sit in a request: the placements of the privacy corpus, each a way to build tandem/chat
// params (files written to a temp workspace) and what the gate must then decide. Shared by the engine corpus
// test and the privacy bench.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChatParams } from '../../src/shared/protocol.js';
import type { Sample } from './formats.js';

export const PLACEMENTS = ['attached file', 'message', 'selection', 'history', 'gathered file', 'split', 'encoded'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** Where a sample sits in the request, as the decision names places: the file's path, "Your message" or
 * "Message N of the conversation", and its lines (0-based, inclusive). */
export interface Location {
  where: string;
  from: number;
  to: number;
}

export interface Case {
  name: string;
  params: Omit<ChatParams, 'id'>;
  samples: Sample[];
  /** Per sample, where it is. */
  locations: Location[];
  /** What the gate must decide: with secrets blocked, and with secrets redacted. */
  expect: { block: 'secret' | 'local-only-file'; redact: 'cloud' | 'local-only-file' };
}

interface Workspace {
  root: string;
  uri(path: string): string;
}

const FILLER = ['// billing helpers', 'export const VERSION = 3;', 'function round(n: number) {', '  return Math.round(n * 100) / 100;', '}'];

function write(ws: Workspace, path: string, text: string): string {
  mkdirSync(dirname(join(ws.root, path)), { recursive: true });
  writeFileSync(join(ws.root, path), text);
  return ws.uri(path);
}

/** The secret cut in two inside its longest run of token characters (so both halves are real pieces of it). */
function halves(secret: string): [string, string] {
  let best = [0, 0];
  for (const m of secret.matchAll(/[A-Za-z0-9+/=_-]+/g)) if (m[0].length > best[1] - best[0]) best = [m.index, m.index + m[0].length];
  const cut = Math.floor((best[0] + best[1]) / 2);
  return [secret.slice(0, cut), secret.slice(cut)];
}

/** The sample's text with its secret split over two lines: the string literal holding it cut into two pieces
 * joined with `+` (or a `NAME=value` line written as such), or the line wrapped inside the secret. Credential
 * stores and secrets of several lines are whole files or blocks: they stay as they are. */
function split(s: Sample, i: number): string {
  if (s.store || s.secret.includes('\n')) return s.text;
  const [a, b] = halves(s.secret);
  const at = s.text.indexOf(s.secret);
  const literal = /(["'`])[^"'`\n]*$/.exec(s.text.slice(0, at));
  const closes = literal ? s.text.indexOf(literal[1], at + s.secret.length) : -1;
  if (i % 2 === 0 && literal && closes !== -1) {
    const q = literal[1];
    return `${s.text.slice(0, at)}${a}${q} +\n    ${q}${b}${s.text.slice(at + s.secret.length)}`;
  }
  if (i % 2 === 0 && /^[A-Z_][A-Z0-9_]*=$/.test(s.text.slice(0, at))) return `${s.text.slice(0, at)}"${a}" +\n  "${b}"`;
  return `${s.text.slice(0, at)}${a}\n${b}${s.text.slice(at + s.secret.length)}`;
}

function encode(text: string, i: number): string {
  if (i % 3 === 0) return `export const blob = "${Buffer.from(text).toString('base64')}";`;
  if (i % 3 === 1) return `export const hexBlob = "${Buffer.from(text).toString('hex')}";`;
  return `const callback = "https://acme.dev/cb?data=${encodeURIComponent(text)}";`;
}

const lineCount = (text: string) => text.split('\n').length;

/** The samples' texts joined by blank lines, and the lines each one takes, counted from `firstLine`. */
function stack(texts: string[], where: string, firstLine: number): { body: string; locations: Location[] } {
  const locations: Location[] = [];
  let line = firstLine;
  for (const t of texts) {
    locations.push({ where, from: line, to: line + lineCount(t) - 1 });
    line += lineCount(t) + 1;
  }
  return { body: texts.join('\n\n'), locations };
}

const inFile = (samples: Sample[]): Case['expect'] =>
  samples.some((s) => s.store) ? { block: 'local-only-file', redact: 'local-only-file' } : { block: 'secret', redact: 'cloud' };
const inTalk: Case['expect'] = { block: 'secret', redact: 'cloud' };

/** One case for `samples` (one, or a batch) at `placement`; `key` names its files. */
function place(placement: Placement, samples: Sample[], ws: Workspace, key: string): Case {
  const name = `${placement}: ${samples.length === 1 ? samples[0].rule : `${samples.length} formats`}`;
  const texts = samples.map((s) => s.text);
  const ask = { kind: 'chat' as const, prompt: 'Can you check this?' };
  const file = (path: string, lines: string[], before: string[] = FILLER, after: string[] = []) => {
    const { body, locations } = stack(lines, path, before.length);
    const uri = write(ws, path, `${[...before, body, ...after].join('\n')}\n`);
    return { uri, locations, lines: lineCount(body) };
  };
  switch (placement) {
    case 'attached file': {
      const f = file(`attached/${key}.ts`, texts);
      return { name, samples, locations: f.locations, expect: inFile(samples), params: { ...ask, files: [{ uri: f.uri }] } };
    }
    case 'message': {
      const { body, locations } = stack(texts, 'Your message', 1);
      return { name, samples, locations, expect: inTalk, params: { kind: 'chat', prompt: `Why does this fail?\n${body}\nThanks!` } };
    }
    case 'selection': {
      const f = file(`selection/${key}.ts`, texts, FILLER, FILLER);
      const range = { startLine: FILLER.length, endLine: FILLER.length + f.lines - 1 };
      return { name, samples, locations: f.locations, expect: inFile(samples), params: { ...ask, files: [{ uri: f.uri, range }] } };
    }
    case 'history': {
      const { body, locations } = stack(texts, 'Message 1 of the conversation', 1);
      const history = [
        { role: 'user' as const, content: `Look at this:\n${body}` },
        { role: 'assistant' as const, content: 'Noted.' },
      ];
      return { name, samples, locations, expect: inTalk, params: { kind: 'chat', prompt: 'And what about the second part?', history } };
    }
    case 'gathered file': {
      // Only the callers hold the secrets, and nobody attached them: the engine finds them for the rename.
      const fn = `useThing${key.replace(/\W/g, '')}`;
      const main = write(ws, `gathered/${key}/main.ts`, `export function ${fn}() {\n  return 1;\n}\n`);
      const per = Math.ceil(samples.length / 20);
      const locations: Location[] = [];
      for (let c = 0; c * per < samples.length; c++) {
        const f = file(`gathered/${key}/callers/c${c}.ts`, texts.slice(c * per, (c + 1) * per), [`import { ${fn} } from "../main";`, `${fn}();`, ...FILLER]);
        locations.push(...f.locations);
      }
      return { name, samples, locations, expect: inFile(samples), params: { kind: 'refactor', prompt: `Rename ${fn} to ${fn}Renamed`, files: [{ uri: main }] } };
    }
    case 'split': {
      const f = file(`split/${key}.ts`, samples.map((s, i) => split(s, i)));
      return { name, samples, locations: f.locations, expect: inFile(samples), params: { ...ask, files: [{ uri: f.uri }] } };
    }
    case 'encoded': {
      const f = file(`encoded/${key}.ts`, samples.map((s, i) => encode(s.text, i)));
      return { name, samples, locations: f.locations, expect: inFile(samples), params: { ...ask, files: [{ uri: f.uri }] } };
    }
  }
}

/** Every sample at `placement`: credential stores in files one by one (such a file never leaves, so nothing else
 * in it is looked at), the rest in batches whose decision names each secret's place. */
export function placeAll(placement: Placement, samples: Sample[], ws: Workspace, mode: string): Case[] {
  const tag = `${mode}-${placement.replace(/\W+/g, '-')}`;
  const fileBased = !['message', 'history'].includes(placement);
  const stores = fileBased ? samples.filter((s) => s.store) : [];
  const rest = fileBased ? samples.filter((s) => !s.store) : samples;
  const cases = stores.map((s, i) => place(placement, [s], ws, `${tag}-store-${i}`));
  for (let b = 0; b * 60 < rest.length; b++) cases.push(place(placement, rest.slice(b * 60, (b + 1) * 60), ws, `${tag}-batch-${b}`));
  return cases;
}
