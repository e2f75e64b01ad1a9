// The fake Anthropic API as a process, for end-to-end tests:
//   node --import tsx test/fake-anthropic/cli.ts --port 8787 --record requests.jsonl [--lifetime-ms 600000] [--control]
// Prints "fake-anthropic listening on http://127.0.0.1:PORT" when ready; point ANTHROPIC_BASE_URL at it.
// Every request gets the default echo behaviour, unless --control lets the test script the next answers with
// `POST /_fake/enqueue` (a JSON list of behaviours, see server.ts). Stops on SIGTERM/SIGINT or after its lifetime.
import { startFakeAnthropic } from './server.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const port = Number(arg('port') ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${arg('port')}`);
  process.exit(2);
}
const fake = await startFakeAnthropic({ port, record: arg('record'), lifetimeMs: Number(arg('lifetime-ms') ?? 30 * 60_000), control: process.argv.includes('--control') });
console.log(`fake-anthropic listening on ${fake.url}`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The listening server keeps the process alive; when its lifetime ends it closes and the process exits.
