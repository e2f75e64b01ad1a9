// A synthetic user's week for the routing replay: questions of every kind in contexts where the local model is
// good, mediocre or poor (and Claude mostly good), each drawn with which side would satisfy the user and how that
// user reacts (rates, asks the other side, applies or discards edits), plus the inline completions of each day.
// Seeded: every run replays the same week. Pure data: bench/routing.ts runs it through the engine's code.
import { mulberry32 } from '../scripts/seeded-random.js';
import type { ContextFile, RequestKind } from '../src/shared/protocol.js';

export interface Topic {
  name: string;
  kind: Exclude<RequestKind, 'completion'>;
  language: string;
  ext: string;
  files: number;
  /** Characters of code attached per file. */
  charsPerFile: number;
  selection: boolean;
  /** Tokens the answer takes. */
  outTokens: number;
  /** Share of the week's questions. */
  share: number;
  /** Chance that the local model's / Claude's answer satisfies this user. */
  pLocal: number;
  pCloud: number;
}

export const TOPICS: Topic[] = [
  { name: 'explain TypeScript selection', kind: 'explain', language: 'typescript', ext: 'ts', files: 1, charsPerFile: 1_200, selection: true, outTokens: 350, share: 0.27, pLocal: 0.9, pCloud: 0.95 },
  { name: 'chat about a TypeScript file', kind: 'chat', language: 'typescript', ext: 'ts', files: 1, charsPerFile: 2_400, selection: false, outTokens: 400, share: 0.18, pLocal: 0.8, pCloud: 0.9 },
  { name: 'explain Python', kind: 'explain', language: 'python', ext: 'py', files: 1, charsPerFile: 1_500, selection: true, outTokens: 350, share: 0.12, pLocal: 0.85, pCloud: 0.92 },
  { name: 'explain Go', kind: 'explain', language: 'go', ext: 'go', files: 1, charsPerFile: 1_500, selection: true, outTokens: 350, share: 0.08, pLocal: 0.88, pCloud: 0.92 },
  { name: 'chat about Rust (local model weak)', kind: 'chat', language: 'rust', ext: 'rs', files: 1, charsPerFile: 6_000, selection: false, outTokens: 500, share: 0.08, pLocal: 0.3, pCloud: 0.9 },
  { name: 'general Python questions (local model weak)', kind: 'chat', language: 'none', ext: '', files: 0, charsPerFile: 0, selection: false, outTokens: 500, share: 0.05, pLocal: 0.4, pCloud: 0.9 },
  { name: 'single-file TypeScript refactor', kind: 'refactor', language: 'typescript', ext: 'ts', files: 1, charsPerFile: 3_000, selection: false, outTokens: 900, share: 0.08, pLocal: 0.75, pCloud: 0.9 },
  { name: 'multi-file TypeScript refactor (local model good)', kind: 'refactor', language: 'typescript', ext: 'ts', files: 3, charsPerFile: 3_000, selection: false, outTokens: 1_400, share: 0.08, pLocal: 0.85, pCloud: 0.92 },
  { name: 'multi-file Go refactor (local model poor)', kind: 'refactor', language: 'go', ext: 'go', files: 4, charsPerFile: 3_000, selection: false, outTokens: 1_600, share: 0.06, pLocal: 0.2, pCloud: 0.85 },
];

export const DAYS = 7;
export const QUESTIONS_PER_DAY = 45;
export const COMPLETIONS_PER_DAY = 600;
/** An inline completion's prompt and answer, in tokens (the FIM window and a short suggestion). */
export const COMPLETION_TOKENS = { input: 350, output: 24 };

export interface Question {
  seq: number;
  day: number;
  topic: Topic;
  prompt: string;
  files: ContextFile[];
  /** Which side would satisfy the user this time. */
  localOk: boolean;
  cloudOk: boolean;
  /** How the user reacts: uniform draws, so both policies meet the same user. */
  rates: number;
  retries: number;
  copies: number;
  ratesRetry: number;
}


function code(language: string, chars: number, salt: number): string {
  const line =
    language === 'python'
      ? (i: number) => `def handler_${salt}_${i}(value):\n    return value * ${i} + ${salt}\n`
      : language === 'go'
        ? (i: number) => `func Handler${salt}x${i}(value int) int { return value*${i} + ${salt} }\n`
        : language === 'rust'
          ? (i: number) => `pub fn handler_${salt}_${i}(value: i64) -> i64 { value * ${i} + ${salt} }\n`
          : (i: number) => `export function handler${salt}x${i}(value: number): number { return value * ${i} + ${salt}; }\n`;
  let out = '';
  for (let i = 0; out.length < chars; i++) out += line(i);
  return out.slice(0, chars);
}

function pick(r: number): Topic {
  let acc = 0;
  for (const t of TOPICS) {
    acc += t.share;
    if (r < acc) return t;
  }
  return TOPICS[TOPICS.length - 1] as Topic;
}

const PROMPTS: Record<Topic['kind'], string[]> = {
  explain: ['Explain this code.', 'What does this do?', 'Why is this written this way?'],
  chat: ['How can I make this faster?', 'Is there a bug here?', 'How do I test this?', 'What would you change here?'],
  refactor: ['Extract the repeated arithmetic into a helper.', 'Make these handlers share one implementation.', 'Inline the small helpers.'],
};

export function week(seed = 20261121): Question[] {
  const rand = mulberry32(seed);
  const out: Question[] = [];
  for (let day = 0; day < DAYS; day++) {
    for (let i = 0; i < QUESTIONS_PER_DAY; i++) {
      const seq = out.length;
      const topic = pick(rand());
      const prompts = PROMPTS[topic.kind];
      const files: ContextFile[] = Array.from({ length: topic.files }, (_, f) => {
        const text = code(topic.language, topic.charsPerFile, seq * 10 + f);
        const lines = text.split('\n').length;
        return {
          uri: `file:///bench/${topic.language}/q${seq}_${f}.${topic.ext}`,
          text,
          languageId: topic.language,
          ...(topic.selection ? { range: { startLine: 0, endLine: lines - 1 } } : {}),
        };
      });
      out.push({
        seq,
        day,
        topic,
        prompt: prompts[Math.floor(rand() * prompts.length)] as string,
        files,
        localOk: rand() < topic.pLocal,
        cloudOk: rand() < topic.pCloud,
        rates: rand(),
        retries: rand(),
        copies: rand(),
        ratesRetry: rand(),
      });
    }
  }
  return out;
}
