// The workspace `npm run tandem` opens: a copy of test/fixtures/workspace kept OUTSIDE this repository (VS Code
// would otherwise treat it as part of the Tandem git repository and ask about it), in the user's cache folder.
// It keeps the last run's edits; `--reset` puts the sample back as it ships.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fixtureModelSettings, sampleWorkspace } from './vscode-offline/workspace';

export interface Options {
  fixture: boolean;
  browser: boolean;
  reset: boolean;
  port: number;
  workspace: string;
}

export const USAGE = 'Usage: npm run tandem -- [--fixture] [--browser] [--reset] [--port N] [--workspace DIR]';

/** `$XDG_CACHE_HOME/tandem/sample-workspace`, else `~/.cache/tandem/sample-workspace`. */
export function defaultWorkspace(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tandem', 'sample-workspace');
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  const options: Options = { fixture: false, browser: false, reset: false, port: 3777, workspace: defaultWorkspace(env) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--fixture') options.fixture = true;
    else if (arg === '--browser') options.browser = true;
    else if (arg === '--reset') options.reset = true;
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--workspace') options.workspace = resolve(argv[++i] ?? options.workspace);
    else throw new Error(`Unknown argument "${arg}". ${USAGE}`);
  }
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) throw new Error('--port needs a number from 1 to 65535');
  return options;
}

/** The git repository (its top folder) that contains `dir`, if any. */
export function enclosingRepository(dir: string): string | undefined {
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return at;
    if (dirname(at) === at) return undefined;
  }
}

/** A copy of the sample workspace to play in (a fresh one with `reset`), with fixture-model settings on request.
 * Returns what the user should know (a reset, a workspace inside a repository). */
export function prepareWorkspace(options: Pick<Options, 'workspace' | 'fixture' | 'reset'>): string[] {
  const notes: string[] = [];
  if (options.reset && existsSync(options.workspace)) {
    rmSync(options.workspace, { recursive: true, force: true });
    notes.push(`Reset ${options.workspace} to the sample as it ships.`);
  }
  if (!existsSync(options.workspace)) {
    mkdirSync(dirname(options.workspace), { recursive: true });
    cpSync(sampleWorkspace, options.workspace, { recursive: true });
  }
  const repo = enclosingRepository(dirname(options.workspace));
  if (repo) notes.push(`${options.workspace} is inside the git repository ${repo}: VS Code will show that repository's changes. Use --workspace to pick a folder outside it.`);
  const settingsFile = join(options.workspace, '.vscode', 'settings.json');
  mkdirSync(join(options.workspace, '.vscode'), { recursive: true });
  let settings: Record<string, unknown> = {};
  if (existsSync(settingsFile)) {
    try {
      settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    } catch {
      throw new Error(`${settingsFile} is not valid JSON; fix or delete it (or start over with --reset).`);
    }
  }
  const model = fixtureModelSettings();
  if (options.fixture) Object.assign(settings, model);
  else for (const key of Object.keys(model)) if (settings[key] === model[key]) delete settings[key];
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  return notes;
}
