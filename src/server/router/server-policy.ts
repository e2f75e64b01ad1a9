// The local route when the local model runs on a server on another machine. A trusted server (the team's own box)
// is like this machine. An untrusted one gets the cloud's hard rules: local-only mode, local-only files, secrets
// (blocked, or redacted by setting) and the workspace's consent decide before anything is sent, and the decision
// names the server. Pure, like policy.decide.
import type { Destination } from '../../shared/protocol.js';
import { plural, why, type Decision, type PolicyInput } from './policy.js';

export function onServer(d: Decision, input: PolicyInput, server: Destination): Decision {
  const routed: Decision = { ...d, destination: server };
  if (server.trusted) {
    return { ...routed, reasons: [...d.reasons, why('trusted-server', `The local model runs on ${server.kind} at ${server.url}, another machine you trust (tandem.local.trusted).`)] };
  }
  const where = `${server.kind} at ${server.url}, another machine not marked trusted (tandem.local.trusted)`;
  const block = (blockedBy: NonNullable<Decision['blockedBy']>, reason: string): Decision => ({
    ...routed,
    route: 'blocked',
    reasons: [...d.reasons.filter((r) => r.code !== 'stays-local'), why(blockedBy, reason), why('nothing-sent', 'Nothing was sent.')],
    blockedBy,
    redact: false,
    needsConsent: false,
  });
  const privacy = input.settings.privacy;
  if (privacy.localOnly) return block('local-only-mode', `Local-only mode is on (tandem.privacy.localOnly), and the local model runs on ${where}.`);
  if (input.localOnlyFiles.length > 0) {
    const f = input.localOnlyFiles[0];
    const more = input.localOnlyFiles.length > 1 ? ` (and ${plural(input.localOnlyFiles.length - 1, 'other file')})` : '';
    return block('local-only-file', `${f.where}${more} is local-only (${f.why}) and never goes to ${where}.`);
  }
  if (input.secrets.length > 0 && privacy.secrets !== 'redact') {
    const h = input.secrets[0];
    return block(
      'secret',
      `${h.where} line ${h.line + 1} contains what looks like a secret (${h.rule}), which never goes to ${where}. Set tandem.privacy.secrets to "redact" to send it with secrets removed.`,
    );
  }
  if (input.serverConsent === 'never') return block('consent', `This workspace does not allow code to go to ${where} (tandem.privacy.serverConsent is "never").`);
  const reasons = [...d.reasons, why('untrusted-server', `The local model runs on ${where}: the rules for code leaving this machine apply, and the routing panel lists what was sent.`)];
  const redact = input.secrets.length > 0;
  if (redact) reasons.push(why('redact', `${plural(input.secrets.length, 'secret')} will be redacted before sending (tandem.privacy.secrets is "redact").`));
  const needsConsent = input.serverConsent !== 'always';
  if (needsConsent) reasons.push(why('server-consent-ask', 'This is the first request from this workspace to that server: you will be asked before anything is sent.'));
  return { ...routed, reasons, redact, needsConsent };
}
