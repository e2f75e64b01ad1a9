// Where the HumanEval-Infilling files for tests and `npm run eval` live: `../shared/data/human-eval-infilling/`
// beside the repository (a worktree may sit deeper, so each ancestor is tried). Never copied into the repo.
// Takes the repository root: the extension-host suite is bundled and knows it as the extension's path.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The shared benchmark folder, or undefined when this checkout has none beside it. */
export function sharedEvalData(repoRoot: string): string | undefined {
  for (let dir = dirname(repoRoot); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'data', 'human-eval-infilling');
    if (existsSync(join(candidate, 'HumanEval-SingleLineInfilling.jsonl.gz'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
