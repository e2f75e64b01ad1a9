// Environment variables the engine reads that the extension host may carry. Pure: no `vscode` import.
// The forked engine inherits the host's environment anyway; naming these documents what it relies on
// (tests point the Anthropic SDK at a fake on 127.0.0.1 and pick the fixture model this way).

export const FORWARDED_ENV = ['ANTHROPIC_BASE_URL', 'TANDEM_MODEL', 'TANDEM_DATA_DIR', 'TANDEM_LOOPBACK_IS_REMOTE'] as const;

export function engineEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_ENV) {
    const value = env[name];
    if (value) out[name] = value;
  }
  return out;
}
