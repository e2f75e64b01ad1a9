// Which other route the chat can offer right now: "Ask Claude instead" needs a key, cloud consent and no
// local-only mode; "Answer locally" needs a local chat model that can run. A button that cannot work is not shown.
// Pure (no `vscode`): the inputs are the status bar's.
import type { ModelState } from '../shared/protocol';
import type { CloudConsent } from '../shared/settings';
import type { ChatAbilities } from '../shared/webview';

export interface AbilityInput {
  hasApiKey: boolean;
  localOnly: boolean;
  cloudConsent?: CloudConsent;
  chat?: ModelState;
  engineRunning: boolean;
}

export function chatAbilities(input: AbilityInput): ChatAbilities {
  const cloud = !input.engineRunning
    ? 'the Tandem engine is not running'
    : input.localOnly
      ? 'local-only mode is on'
      : input.cloudConsent === 'never'
        ? 'this workspace does not allow cloud use'
        : !input.hasApiKey
          ? 'no Anthropic API key is set'
          : undefined;
  const state = input.chat?.state;
  const local = !input.engineRunning
    ? 'the Tandem engine is not running'
    : state === 'none' || state === 'error'
      ? 'no local chat model can run'
      : undefined;
  return { cloudUnavailable: cloud, localUnavailable: local };
}
