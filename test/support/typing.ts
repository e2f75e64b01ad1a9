// Typing in engine tests: the sample function the completion tests complete, an edit helper, and typing along with
// the suggestion on screen (each keystroke asks again and must get the rest of the same suggestion).
import assert from 'node:assert/strict';
import { firstText, type EngineClient } from './lsp-client.js';

export const SAMPLE_URI = 'file:///workspace/src/math.ts';
export const SAMPLE_TEXT = 'export function add(a: number, b: number): number {\n  return \n}\n';
export const SAMPLE_CURSOR = { line: 1, character: 9 };

/** `text` with `insert` at (line, character). */
export function insertAt(text: string, line: number, character: number, insert: string): string {
  const lines = text.split('\n');
  lines[line] = lines[line].slice(0, character) + insert + lines[line].slice(character);
  return lines.join('\n');
}

/** Asks for a suggestion at `cursor` in `text`, then (after `shown`, where a test notes what it counts) types up to
 * `steps` of its characters one by one; each answer must be the rest of the same suggestion. Returns the number of
 * characters typed. */
export async function typeAlong(
  engine: EngineClient,
  at: { uri: string; text: string; cursor: { line: number; character: number } },
  steps: number,
  shown: () => Promise<void> | void = () => undefined,
): Promise<number> {
  await engine.change(at.uri, at.text);
  const suggestion = firstText(await engine.inlineCompletion(at.uri, at.cursor));
  assert.ok(suggestion.length >= 3, `a suggestion to type into: ${JSON.stringify(suggestion)}`);
  await shown();
  const typed = Math.min(steps, suggestion.length - 1);
  let text = at.text;
  for (let i = 0; i < typed; i++) {
    text = insertAt(text, at.cursor.line, at.cursor.character + i, suggestion[i]);
    await engine.change(at.uri, text);
    const list = await engine.inlineCompletion(at.uri, { line: at.cursor.line, character: at.cursor.character + i + 1 });
    assert.equal(list?.items[0]?.insertText, suggestion.slice(i + 1), 'the rest of the same suggestion');
  }
  return typed;
}
