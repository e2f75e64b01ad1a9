// The extension as VS Code sees it: it activates, every command its menus offer exists, and the settings
// page shows the same defaults the engine uses.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tandem } from './helpers';

interface Contributes {
  commands?: { command: string; title: string }[];
  configuration?: { properties?: Record<string, { default?: unknown }> }[] | { properties?: Record<string, { default?: unknown }> };
}

function contributedSettings(): Record<string, { default?: unknown }> {
  const contributes = (tandem().packageJSON as { contributes?: Contributes }).contributes ?? {};
  const sections = Array.isArray(contributes.configuration) ? contributes.configuration : contributes.configuration ? [contributes.configuration] : [];
  return Object.assign({}, ...sections.map((s) => s.properties ?? {})) as Record<string, { default?: unknown }>;
}

export function registerActivationTests(): void {
  suite('Activation', () => {
    test('activates without error and reports its activation time', async () => {
      const extension = tandem();
      const api = (await extension.activate()) as { activationMs?: number } | undefined;
      assert.equal(extension.isActive, true);
      if (typeof api?.activationMs === 'number') console.log(`[tandem-suite]   Tandem activated in ${api.activationMs.toFixed(1)} ms`);
    });

    test('every contributed command is registered after activation', async () => {
      await tandem().activate();
      const declared = ((tandem().packageJSON as { contributes?: Contributes }).contributes?.commands ?? []).map((c) => c.command);
      assert.ok(declared.length > 0, 'package.json contributes no commands');
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = declared.filter((id) => !registered.has(id));
      assert.deepEqual(missing, [], `commands in the palette that would say "command not found": ${missing.join(', ')}`);
    });

    test('the settings page shows the engine defaults for every Tandem setting', () => {
      const contributed = contributedSettings();
      const mismatches: string[] = [];
      for (const [section, values] of Object.entries(DEFAULT_SETTINGS)) {
        for (const [key, engineDefault] of Object.entries(values as Record<string, unknown>)) {
          const id = `tandem.${section}.${key}`;
          if (!(id in contributed)) {
            mismatches.push(`${id} is not contributed`);
            continue;
          }
          const shown = vscode.workspace.getConfiguration().inspect(id)?.defaultValue;
          try {
            assert.deepEqual(shown, engineDefault);
          } catch {
            mismatches.push(`${id}: settings page shows ${JSON.stringify(shown)}, engine uses ${JSON.stringify(engineDefault)}`);
          }
        }
      }
      assert.deepEqual(mismatches, []);
    });
  });
}
