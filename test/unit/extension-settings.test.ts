// package.json settings match src/shared/settings.ts exactly, and each change has the right effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js';
import { changeEffect, effectiveConsent, planChange, SETTING_KEYS } from '../../src/client/setting-changes.js';
import { engineEnv } from '../../src/client/engine-env.js';

interface Property {
  type: string;
  default: unknown;
  enum?: string[];
  enumDescriptions?: string[];
  description?: string;
  markdownDescription?: string;
  minimum?: number;
}
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const sections: { title: string; properties: Record<string, Property> }[] = pkg.contributes.configuration;
const properties: Record<string, Property> = Object.assign({}, ...sections.map((s) => s.properties));

function defaultOf(key: string): unknown {
  const [section, leaf] = key.split('.');
  return (DEFAULT_SETTINGS as unknown as Record<string, Record<string, unknown>>)[section][leaf];
}

void test('every setting in settings.ts is contributed with its default, and nothing else is', () => {
  assert.deepEqual(Object.keys(properties).sort(), SETTING_KEYS.map((k) => `tandem.${k}`).sort());
  for (const key of SETTING_KEYS) {
    const property = properties[`tandem.${key}`];
    assert.deepEqual(property.default, defaultOf(key), `default of tandem.${key}`);
    const value = defaultOf(key);
    const expectedType = Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : null;
    if (expectedType) assert.equal(property.type, expectedType, `type of tandem.${key}`);
    else assert.ok(property.type === 'number' || property.type === 'integer', `tandem.${key} is numeric`);
    assert.ok((property.markdownDescription ?? property.description ?? '').length > 20, `tandem.${key} is described`);
    if (property.minimum !== undefined) assert.ok((value as number) >= property.minimum, `default of tandem.${key} respects its minimum`);
  }
});

void test('settings come in the six titled sections, enums fully described', () => {
  assert.deepEqual(sections.map((s) => s.title), ['Model', 'Local Backend', 'Completions', 'Privacy', 'Cloud', 'Budget', 'Routing']);
  for (const section of sections) {
    const prefix = `tandem.${section.title.split(' ')[0].toLowerCase()}.`;
    for (const key of Object.keys(section.properties)) assert.ok(key.startsWith(prefix), `${key} is in ${section.title}`);
  }
  for (const [key, property] of Object.entries(properties)) {
    if (!property.enum) continue;
    assert.ok(property.enum.includes(property.default as string), `${key} default is in its enum`);
    assert.equal(property.enumDescriptions?.length, property.enum.length, `${key} describes each enum value`);
  }
  assert.deepEqual(properties['tandem.model.gpu'].enum, ['auto', 'cuda', 'vulkan', 'metal', 'cpu']);
  assert.deepEqual(properties['tandem.privacy.cloudConsent'].enum, ['ask', 'always', 'never']);
  assert.deepEqual(properties['tandem.privacy.serverConsent'].enum, ['ask', 'always', 'never']);
  assert.deepEqual(properties['tandem.local.backend'].enum, ['embedded', 'llama-server', 'ollama', 'openai-compatible']);
});

void test('a workspace in Restricted Mode cannot point Tandem at another server, trust it, or consent for it', () => {
  const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const key of ['tandem.local.backend', 'tandem.local.url', 'tandem.local.trusted', 'tandem.privacy.serverConsent', 'tandem.privacy.cloudConsent']) {
    assert.ok(restricted.includes(key), `${key} is restricted`);
  }
});

void test('every command is in category Tandem with an icon, and the ones the code registers are all declared', () => {
  const commands: { command: string; title: string; category?: string; icon: string }[] = pkg.contributes.commands;
  const inContextMenu = new Set((pkg.contributes.menus['editor/context'] as { command: string }[]).map((m) => m.command));
  for (const command of commands) {
    // A context menu shows the title without its category: such a command carries "Tandem: " in its title instead.
    if (inContextMenu.has(command.command)) assert.match(command.title, /^Tandem: /, command.command);
    else assert.equal(command.category, 'Tandem', command.command);
    assert.match(command.icon, /^\$\([a-z-]+\)$/, command.command);
  }
  const source = readFileSync(new URL('../../src/commands.ts', import.meta.url), 'utf8');
  const registered = [...source.matchAll(/id: '(tandem\.[A-Za-z]+)'/g)].map((m) => m[1]).concat('tandem.showActions');
  assert.deepEqual([...new Set(registered)].sort(), commands.map((c) => c.command).sort());
  const steps: { completionEvents: string[] }[] = pkg.contributes.walkthroughs[0].steps;
  for (const step of steps) {
    for (const event of step.completionEvents.filter((e) => e.startsWith('onCommand:tandem.'))) {
      assert.ok(registered.includes(event.slice('onCommand:'.length)), `${event} names a real command`);
    }
  }
});

void test('a GPU backend change restarts the engine; model keys reload; the rest apply live', () => {
  assert.equal(changeEffect('model.gpu'), 'restart-engine');
  assert.equal(changeEffect('model.completion'), 'reload-model');
  assert.equal(changeEffect('model.threads'), 'reload-model');
  assert.equal(changeEffect('completions.enabled'), 'client');
  assert.equal(changeEffect('budget.dailyUsd'), 'engine');
  const gpu = planChange((key) => key === 'model.gpu' || key === 'model');
  assert.deepEqual(gpu.keys, ['model.gpu']);
  assert.equal(gpu.restartEngine, true);
  const toggle = planChange((key) => key === 'completions.enabled');
  assert.deepEqual(toggle, { keys: ['completions.enabled'], restartEngine: false, notifyEngine: true, refreshClient: true });
  const budget = planChange((key) => key === 'budget.monthlyUsd');
  assert.equal(budget.restartEngine, false);
  assert.equal(budget.notifyEngine, true);
  assert.equal(planChange(() => false).notifyEngine, false);
});

void test('cloud consent: an explicit workspace setting, then the stored answer, then the user setting', () => {
  assert.equal(effectiveConsent({ fallback: 'ask' }, undefined), 'ask');
  assert.equal(effectiveConsent({ fallback: 'ask' }, 'always'), 'always');
  assert.equal(effectiveConsent({ global: 'always', fallback: 'always' }, 'never'), 'never');
  assert.equal(effectiveConsent({ workspace: 'never', fallback: 'never' }, 'always'), 'never');
  assert.equal(effectiveConsent({ global: 'never', fallback: 'never' }, undefined), 'never');
});

void test('the engine process gets the test endpoint and model from the extension host, nothing else added', () => {
  assert.deepEqual(engineEnv({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', TANDEM_MODEL: '/m.gguf', PATH: '/bin', ANTHROPIC_API_KEY: 'k' }), {
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
    TANDEM_MODEL: '/m.gguf',
  });
  assert.deepEqual(engineEnv({}), {});
});
