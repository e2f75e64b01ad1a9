// One event of the recorded typing session (bench/typing-session.json): written by typing-session.gen.ts,
// replayed by completion.ts.
export type Event =
  | { dt: number; type: 'open'; file: string; languageId: string; text: string; line: number; character: number }
  | { dt: number; type: 'goto'; file: string; line: number; character: number }
  | { dt: number; type: 'type'; text: string }
  | { dt: number; type: 'backspace' }
  | { dt: number; type: 'typeSuggestion'; count: number }
  | { dt: number; type: 'accept' }
  | { dt: number; type: 'acceptLine' };
