// Mocha reporter for the extension host: prints each result with a "[tandem-suite]" prefix (the offline
// runner picks those lines out of the page console) and writes a JSON summary where the runner asked for it
// (TANDEM_VSCODE_TEST_RESULTS), since a remote extension host has no terminal of its own.
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING, EVENT_SUITE_BEGIN } = Mocha.Runner.constants;

export class SuiteReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const log = (line: string): void => console.log(`[tandem-suite] ${line}`);
    const results = { passes: 0, pending: 0, failures: [] as { title: string; error: string }[] };
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.title) log(suite.title);
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      results.passes++;
      log(`  ✓ ${test.title} (${test.duration ?? 0} ms)`);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      results.pending++;
      log(`  - ${test.title} (pending)`);
    });
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, error: Error) => {
      const detail = error.stack ?? String(error);
      results.failures.push({ title: test.fullTitle(), error: detail });
      log(`  ✗ ${test.title}\n${detail}`);
    });
    runner.once(EVENT_RUN_END, () => {
      log(`${results.passes} passing, ${results.failures.length} failing, ${results.pending} pending`);
      const file = process.env.TANDEM_VSCODE_TEST_RESULTS;
      if (file) writeFileSync(file, JSON.stringify(results, null, 2));
    });
  }
}
