// A refactor answer's proposal: the files and their edit counts (files that run code flagged), edits that
// could not be validated, edits refused because their file is outside the workspace, and after Apply what
// the documents really hold.
import type { AppliedFile, AssistantTurn, RefactorProposal } from '../../src/shared/webview';
import { actionLink, button, h, icon } from '../shared/dom';
import type { AnswerActions } from './answer-view';

const edits = (n: number): string => `${n} edit${n === 1 ? '' : 's'}`;
const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;

/** "Applied 3 edits in 2 files: a.ts (2), b.ts (1). Not applied: tasks.json (0 of 1, runs code)." */
export function appliedText(applied: readonly AppliedFile[]): string {
  const written = applied.filter((f) => f.applied !== 0);
  const left = applied.filter((f) => f.applied !== null && f.applied < f.of);
  const count = written.reduce((n, f) => n + (f.applied ?? 0), 0);
  const each = written.map((f) => (f.applied === null ? `${f.label} (changed, but not as proposed)` : `${f.label} (${f.applied === f.of ? f.applied : `${f.applied} of ${f.of}`})`));
  const parts = [written.length ? `Applied ${edits(count)} in ${files(written.length)}: ${each.join(', ')}.` : 'No file was changed.'];
  if (left.length) parts.push(`Not applied: ${left.map((f) => `${f.label} (${f.applied} of ${f.of}${f.runsCode ? ', runs code' : ''})`).join(', ')}.`);
  if (written.some((f) => !f.saved)) parts.push('The changed files are not saved yet; undo with Ctrl+Z / Cmd+Z in each editor.');
  return parts.join(' ');
}

const OUTCOME: Record<RefactorProposal['outcome'], string> = {
  none: '',
  previewing: 'Review the edits in the Refactor Preview, then press Apply: they are ticked, except edits to files that run code. Nothing is written before you apply.',
  applied: '',
  discarded: 'Discarded: no file was changed.',
  failed: 'The edits could not be applied.',
  stale: 'Not applied.',
};

export function refactorView(turn: AssistantTurn, proposal: RefactorProposal, actions: AnswerActions): HTMLElement {
  const box = h('div', { class: 'refactor', role: 'group', 'aria-label': 'Proposed edits' });
  const total = proposal.files.reduce((n, f) => n + f.edits, 0);
  box.append(h('p', { class: 'refactor-title', text: proposal.files.length ? `Proposed ${edits(total)} in ${files(proposal.files.length)}:` : 'No edits proposed.' }));
  if (proposal.files.length) {
    const list = h('ul', { class: 'refactor-files' });
    for (const f of proposal.files) {
      const link = actionLink(f.label, f.uri, () => actions.openFile(f.uri));
      const runs = f.runsCode
        ? h('span', { class: 'runs-code', title: f.runsCode }, icon('warning'), ` runs code: ${f.runsCode}. Left unticked in the preview.`)
        : null;
      list.append(h('li', {}, icon('file'), link, h('span', { class: 'muted', text: ` ${f.description} · ${edits(f.edits)}` }), runs));
    }
    box.append(list);
  }
  if (proposal.errors.length) {
    box.append(h('p', { class: 'refactor-errors-title', text: `${edits(proposal.errors.length).replace('edit', 'proposed edit')} could not be validated and will not be applied:` }));
    box.append(h('ul', { class: 'refactor-errors' }, ...proposal.errors.map((e) => h('li', { text: e }))));
  }
  const refused = proposal.refused ?? [];
  if (refused.length) {
    const n = refused.reduce((sum, r) => sum + r.edits, 0);
    box.append(h('p', { class: 'refactor-refused-title', text: `Refused ${edits(n)} to files Tandem does not edit:` }));
    box.append(h('ul', { class: 'refactor-refused' }, ...refused.map((r) => h('li', { title: r.description }, icon('circle-slash'), ` ${r.description} (${edits(r.edits)}): ${r.reason}`))));
  }
  const outcome = proposal.outcome === 'applied' && proposal.applied ? appliedText(proposal.applied) : OUTCOME[proposal.outcome];
  // An undo within 5 minutes took the applied edits back: say so instead of what was applied.
  const text = proposal.undone ? 'You undid these edits.' : [outcome, proposal.message].filter(Boolean).join(' ');
  if (text) box.append(h('p', { class: `refactor-outcome outcome-${proposal.outcome}`, role: 'status', text }));
  if (proposal.files.length && (proposal.outcome === 'discarded' || proposal.outcome === 'failed')) {
    box.append(button('Review the proposed edits again', 'diff', 'Review edits again', () => actions.applyEdits(turn.id)));
  }
  if (proposal.outcome === 'stale') {
    const route = turn.answer?.route === 'local' ? 'local' : 'cloud';
    box.append(button('Ask again for edits to the current text', 'refresh', 'Ask again', () => actions.retry(turn.id, route)));
  }
  return box;
}
