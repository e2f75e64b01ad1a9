// The secret rules, run over one text: secretlint's recommended rule set plus high-entropy strings. Shared by
// the engine's thread and the scan workers (scan-worker.ts), so both find exactly the same things.
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { rules as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { findHighEntropy, type Finding } from './entropy.js';

export type { Finding };

// secretlint's profiler puts performance marks in a global buffer and keeps every entry, searching them
// linearly on each scan: in a long-lived engine that is a leak and a growing slowdown. Marks are switched off.
secretLintProfiler.mark = () => undefined;

/** `secretlint-disable` comments silence a CI linter; they do not open the gate to the cloud (fail closed). A
 * comment at the top of a file would also apply to one chunk of it and not the next. */
const FILTER_COMMENTS = '@secretlint/secretlint-rule-filter-comments';
const CONFIG = { rules: recommended.filter((r) => r.meta.id !== FILTER_COMMENTS).map((rule) => ({ id: rule.meta.id, rule })) };

/** Findings in `text`, sorted by offset, overlapping findings merged, each widened to whole tokens. */
export async function runRules(text: string): Promise<Finding[]> {
  const result = await lintSource({
    source: { content: text, filePath: 'content.txt', contentType: 'text' },
    options: { config: CONFIG, maskSecrets: true, noPhysicFilePath: true },
  });
  const findings: Finding[] = result.messages
    .filter((m) => m.type === 'message' || m.severity === 'error' || m.severity === 'warning')
    .map((m) => widen(text, { start: m.range[0], end: m.range[1], rule: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, '') }));
  return mergeFindings([...findings, ...findHighEntropy(text)]);
}

/** Characters of keys and tokens: letters, digits and + / = _ - . ~ */
function tokenChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 43 || code === 47 || code === 61 || code === 95 || code === 45 || code === 46 || code === 126
  );
}

/** A finding that starts or ends inside a token covers the whole token: a redaction never leaves part of a key
 * behind. (secretlint's AWS secret-key rule reports a range that starts at the key's name and has the value's
 * length, so it stops short of the value's end.) */
function widen(text: string, f: Finding): Finding {
  let { start, end } = f;
  while (start > 0 && start < text.length && tokenChar(text.charCodeAt(start - 1)) && tokenChar(text.charCodeAt(start))) start--;
  while (end > 0 && end < text.length && tokenChar(text.charCodeAt(end - 1)) && tokenChar(text.charCodeAt(end))) end++;
  return { start, end, rule: f.rule };
}

/** Sorted, with overlaps merged (the first rule's name is kept). */
export function mergeFindings(findings: Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) last.end = Math.max(last.end, f.end);
    else out.push({ ...f });
  }
  return out;
}
