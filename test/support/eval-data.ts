// Where the HumanEval-Infilling files for tests and `npm run eval` live: `../shared/data/human-eval-infilling/`
// beside the repository (a worktree may sit deeper, so each ancestor is tried). Never copied into the repo.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

function find(): string | undefined {
  for (let dir = dirname(REPO_ROOT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'data', 'human-eval-infilling');
    if (existsSync(join(candidate, 'HumanEval-SingleLineInfilling.jsonl.gz'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The shared benchmark folder, or undefined when this checkout has none beside it. */
export const SHARED_EVAL_DATA: string | undefined = find();
