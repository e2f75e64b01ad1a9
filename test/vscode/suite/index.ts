// Entry of the extension-host integration suite (bundled to dist/test/vscode/index.cjs). VS Code loads it
// through --extensionTestsPath (desktop, @vscode/test-electron) or the URL payload (offline web client) and
// calls run(); the host exits with a failure code when it rejects.
import Mocha from 'mocha';
import { registerActivationTests } from './activation.test';
import { registerCompletionTests } from './completion.test';
import { registerFeedbackTests } from './feedback.test';
import { registerEvalTests } from './eval.test';
import { registerRouterTests } from './router.test';
import { SuiteReporter } from './reporter';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: SuiteReporter });
  // The tests are bundled with this file: give them mocha's globals, then let them declare their suites.
  mocha.suite.emit('pre-require', globalThis, 'tandem-suite', mocha);
  registerActivationTests();
  registerCompletionTests();
  registerFeedbackTests();
  registerRouterTests();
  registerEvalTests();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
