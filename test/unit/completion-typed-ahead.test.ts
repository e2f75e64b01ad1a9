import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TypedAheadCache } from '../../src/server/completion/typed-ahead.js';

function reader(text: string) {
  return (start: number, end: number) => text.slice(start, end);
}

void describe('typed-ahead cache', () => {
  const before = 'function add(a, b) {\n  return ';
  const after = '\n}\n';
  const entry = { uri: 'file:///a.ts', offset: before.length, tail: before, after, text: 'a + b;\n  // done' };

  void it('serves the rest of the suggestion when the user types matching characters', () => {
    const cache = new TypedAheadCache();
    cache.store(entry);
    const text = before + 'a +' + after;
    const hit = cache.lookup('file:///a.ts', before.length + 3, after, reader(text));
    assert.equal(hit?.rest, ' b;\n  // done');
  });

  void it('serves the next line after the first line was accepted (line by line costs nothing)', () => {
    const cache = new TypedAheadCache();
    cache.store(entry);
    const typed = 'a + b;\n';
    const hit = cache.lookup('file:///a.ts', before.length + typed.length, after, reader(before + typed + after));
    assert.equal(hit?.rest, '  // done');
  });

  void it('misses when the typed text diverges, the text after the cursor changed, or the suggestion is used up', () => {
    const cache = new TypedAheadCache();
    cache.store(entry);
    assert.equal(cache.lookup('file:///a.ts', before.length + 1, after, reader(before + 'x' + after)), undefined);
    assert.equal(cache.lookup('file:///a.ts', before.length + 1, '\n}', reader(before + 'a' + '\n}')), undefined);
    const all = 'a + b;\n  // done';
    assert.equal(cache.lookup('file:///a.ts', before.length + all.length, after, reader(before + all + after)), undefined);
    assert.equal(cache.lookup('file:///b.ts', before.length, after, reader(before + after)), undefined);
  });

  void it('misses when the text before the original position changed', () => {
    const cache = new TypedAheadCache();
    cache.store(entry);
    const edited = 'function sub(a, b) {\n  return a';
    assert.equal(cache.lookup('file:///a.ts', edited.length, after, reader(edited + after)), undefined);
  });

  void it('matches CRLF typing against LF suggestions', () => {
    const cache = new TypedAheadCache();
    cache.store(entry);
    const typed = 'a + b;\r\n';
    const hit = cache.lookup('file:///a.ts', before.length + typed.length, after, reader(before + typed + after));
    assert.equal(hit?.rest, '  // done');
  });

  void it('serves again after a backspace back to the original position', () => {
    const cache = new TypedAheadCache();
    cache.store(entry);
    assert.equal(cache.lookup('file:///a.ts', before.length, after, reader(before + after))?.rest, entry.text);
  });

  void it('keeps a bounded number of entries', () => {
    const cache = new TypedAheadCache(2);
    for (let i = 0; i < 5; i++) cache.store({ ...entry, offset: i });
    assert.equal(cache.size, 2);
  });
});
