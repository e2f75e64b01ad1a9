// Settings that cannot be read or have the wrong shape: logged with the reason, and the privacy settings at their
// strictest (nothing goes to the cloud) until valid settings arrive. Other shapes a client may send are read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from 'vscode-languageserver';
import { SettingsStore } from '../../src/server/settings.js';
import { DEFAULT_SETTINGS, parseSettings } from '../../src/shared/settings.js';

void test('the section, a { tandem } wrapper and flat dotted keys all read the same', () => {
  for (const raw of [
    { privacy: { localOnly: true }, budget: { dailyUsd: 5 } },
    { tandem: { privacy: { localOnly: true }, budget: { dailyUsd: 5 } } },
    { 'privacy.localOnly': true, 'budget.dailyUsd': 5 },
    { 'tandem.privacy.localOnly': true, 'tandem.budget.dailyUsd': 5 },
  ]) {
    const r = parseSettings(raw);
    assert.deepEqual(r.problems, [], JSON.stringify(raw));
    assert.equal(r.settings.privacy.localOnly, true, JSON.stringify(raw));
    assert.equal(r.settings.budget.dailyUsd, 5, JSON.stringify(raw));
  }
  // No settings at all: the defaults, nothing wrong.
  assert.deepEqual(parseSettings(undefined).settings, DEFAULT_SETTINGS);
});

void test('a wrong shape or type is a problem, named, and makes the privacy settings strictest', () => {
  const cases: [unknown, RegExp][] = [
    ['privacy.localOnly=true', /should be an object, not "privacy\.localOnly=true"/],
    [[{ privacy: { localOnly: true } }], /should be an object, not a list/],
    [{ settings: { privacy: { localOnly: true } } }, /none of the keys \(settings\) is a Tandem setting/],
    [{ privacy: 'local' }, /tandem\.privacy should be an object of settings/],
    [{ privacy: { localOnly: 'yes' } }, /tandem\.privacy\.localOnly should be true or false, not "yes"/],
    [{ privacy: { secrets: 'Block' } }, /tandem\.privacy\.secrets should be one of "block", "redact"/],
    [{ privacy: { localOnlyGlobs: 'src/**' } }, /should be a list of strings/],
    [{ privacy: { allow: ['/x/', 3] } }, /should hold only strings, not number 3/],
    [{ budget: { dailyUsd: '2' } }, /tandem\.budget\.dailyUsd should be a number/],
  ];
  for (const [raw, message] of cases) {
    const r = parseSettings(raw);
    assert.match(r.problems.join('; '), message, JSON.stringify(raw));
    assert.equal(r.settings.privacy.localOnly, true, JSON.stringify(raw));
    assert.equal(r.settings.privacy.cloudConsent, 'never');
    assert.equal(r.settings.privacy.secrets, 'block');
  }
  // Keys Tandem does not know are reported, and do not make the settings untrusted.
  const unknown = parseSettings({ privacy: { cloudConsent: 'always' }, telemetry: { on: true } });
  assert.deepEqual(unknown.problems, []);
  assert.deepEqual(unknown.unknown, ['telemetry']);
  assert.equal(unknown.settings.privacy.cloudConsent, 'always');
});

function connection(answer: () => unknown): Connection {
  return { workspace: { getConfiguration: () => Promise.resolve().then(answer) } } as unknown as Connection;
}

void test('the engine logs the reason, stays strict until a valid answer arrives, and recovers then', async () => {
  const logged: string[] = [];
  const store = new SettingsStore({ privacy: { cloudConsent: 'always' } }, {}, (m) => logged.push(m));
  store.enablePull(true);
  assert.equal(store.problem, undefined);
  await store.refresh(connection(() => [{ privacy: { localOnly: true } }]));
  assert.equal(store.value.privacy.localOnly, true);
  assert.match(store.problem ?? '', /workspace\/configuration answer have the wrong shape: the settings should be an object, not a list/);
  assert.match(logged.join('\n'), /Nothing goes to the cloud until valid settings arrive/);
  await store.refresh(connection(() => {
    throw new Error('boom');
  }));
  assert.match(store.problem ?? '', /could not be read.*boom/);
  assert.equal(store.value.privacy.cloudConsent, 'never');
  await store.refresh(connection(() => ({ privacy: { cloudConsent: 'always' } })));
  assert.equal(store.problem, undefined);
  assert.equal(store.value.privacy.localOnly, false);
  assert.equal(store.value.privacy.cloudConsent, 'always');
});
