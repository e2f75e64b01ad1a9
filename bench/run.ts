// `npm run bench`: each benchmark runs in its own process and writes bench/results/<name>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

mkdirSync('bench/results', { recursive: true });
let failed = false;
for (const name of ['completion', 'router', 'reliability', 'routing']) {
  const file = `bench/${name}.ts`;
  if (!existsSync(file)) continue;
  console.log(`\n== bench: ${name}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
