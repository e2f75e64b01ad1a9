// Writes bench/typing-session.json: a typing session over three files, replayed by bench/completion.ts.
// Run once (`node --import tsx bench/typing-session.gen.ts`); the JSON is committed so every run replays
// the same keystrokes. Deterministic: a seeded generator chooses the rhythm, the typos and the accepts.
//
// Events (dt = milliseconds since the previous event):
//   open {file, languageId, text, line, character}   open a file and put the cursor there
//   goto {file, line, character}                     move the cursor (cold position)
//   type {text}                                      one keystroke (a character or "\n")
//   backspace                                        delete the character before the cursor
//   typeSuggestion {count}                           type the next `count` characters of the suggestion
//                                                    on screen, one keystroke each (matching keystrokes)
//   accept / acceptLine                              Tab / accept the first line of the suggestion
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event } from './typing-session.js';


let seed = 20261121;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const gap = (): number => Math.round(70 + random() * 110);

const files = {
  'file:///bench/src/cart.ts': {
    languageId: 'typescript',
    before: "import { Item } from './item';\n\nexport interface Cart {\n  items: Item[];\n  currency: string;\n}\n\n",
    after: '\nexport const EMPTY_CART: Cart = { items: [], currency: "EUR" };\n',
    typed:
      'export function cartTotal(cart: Cart): number {\n' +
      '  let total = 0;\n' +
      '  for (const item of cart.items) {\n' +
      '    total += item.price * item.quantity;\n' +
      '  }\n' +
      '  return Math.round(total * 100) / 100;\n' +
      '}\n\n' +
      'export function addItem(cart: Cart, item: Item): Cart {\n' +
      '  return { ...cart, items: [...cart.items, item] };\n' +
      '}\n',
  },
  'file:///bench/src/report.py': {
    languageId: 'python',
    before: 'import csv\nfrom dataclasses import dataclass\n\n\n@dataclass\nclass Row:\n    name: str\n    amount: float\n\n\n',
    after: '\n\nif __name__ == "__main__":\n    main()\n',
    typed:
      'def read_rows(path):\n' +
      '    rows = []\n' +
      '    with open(path, newline="") as handle:\n' +
      '        for record in csv.DictReader(handle):\n' +
      '            rows.append(Row(record["name"], float(record["amount"])))\n' +
      '    return rows\n',
  },
  'file:///bench/src/item.ts': {
    languageId: 'typescript',
    before: 'export interface Item {\n  id: string;\n  price: number;\n  quantity: number;\n}\n\n',
    after: '',
    typed: 'export function isValid(item: Item): boolean {\n  return item.price >= 0 && item.quantity > 0;\n}\n',
  },
};

const events: Event[] = [];
const lineCol = (text: string): { line: number; character: number } => {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
};

function typeFile(uri: keyof typeof files, from: number, to: number): void {
  const f = files[uri];
  const text = f.typed;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    // Now and then a typo, noticed and deleted.
    if (/[a-z]/.test(ch) && random() < 0.04) {
      events.push({ dt: gap(), type: 'type', text: String.fromCharCode(97 + Math.floor(random() * 26)) });
      events.push({ dt: gap() + 120, type: 'backspace' });
    }
    events.push({ dt: gap(), type: 'type', text: ch });
    // After a word, sometimes the user types along with the suggestion, sometimes takes it with Tab.
    if (ch === ' ' && random() < 0.12) events.push({ dt: gap(), type: 'typeSuggestion', count: 2 + Math.floor(random() * 4) });
    if (ch === '\n' && random() < 0.1) {
      events.push({ dt: 400, type: random() < 0.5 ? 'acceptLine' : 'accept' });
      // Accepted text is undone by hand (the session keeps typing the planned code).
      events.push({ dt: 300, type: 'goto', file: uri, line: -1, character: -1 });
    }
  }
}

let first = true;
for (const uri of Object.keys(files) as (keyof typeof files)[]) {
  const f = files[uri];
  const pos = lineCol(f.before);
  events.push({ dt: first ? 0 : 1500, type: 'open', file: uri, languageId: f.languageId, text: f.before + f.after, ...pos });
  first = false;
  typeFile(uri, 0, Math.floor(f.typed.length * 0.6));
}
// Back to the first two files after a pause: continue where typing stopped.
for (const uri of Object.keys(files).slice(0, 2) as (keyof typeof files)[]) {
  const f = files[uri];
  events.push({ dt: 1500, type: 'goto', file: uri, line: -1, character: -1 });
  typeFile(uri, Math.floor(f.typed.length * 0.6), f.typed.length);
}
const third = Object.keys(files)[2] as keyof typeof files;
events.push({ dt: 1500, type: 'goto', file: third, line: -1, character: -1 });
typeFile(third, Math.floor(files[third].typed.length * 0.6), files[third].typed.length);

const session = {
  description: 'Typing session over three files: forward typing, typos and deletions, typing along with suggestions, accepts. goto with line -1 returns to where the planned text continues.',
  plan: Object.fromEntries(Object.entries(files).map(([uri, f]) => [uri, { before: f.before, after: f.after, typed: f.typed }])),
  events,
};
writeFileSync(join(import.meta.dirname, 'typing-session.json'), `${JSON.stringify(session, null, 1)}\n`);
const keystrokes = events.filter((e) => e.type === 'type' || e.type === 'backspace').length;
console.log(`typing-session.json: ${events.length} events, ${keystrokes} keystrokes`);
