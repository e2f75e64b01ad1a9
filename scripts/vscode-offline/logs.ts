// Tandem's log channel as VS Code writes it to disk under the server's data folder (the remote extension
// host has no terminal, so the runners read the log from there).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerDirs } from './server';

function findFiles(dir: string, match: (name: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = `${dir}/${name}`;
    const stat = statSync(path);
    if (stat.isDirectory()) findFiles(path, match, out);
    else if (match(name)) out.push(path);
  }
  return out;
}

function logFiles(dirs: ServerDirs, match: (name: string) => boolean): string[] {
  return [dirs.serverData, dirs.userData].flatMap((dir) => findFiles(dir, match)).filter((file) => /[\\/]logs[\\/]/.test(file));
}

/** The "Tandem activated in N ms" line from Tandem's log channel, as VS Code wrote it to disk. */
export function activationMsFromLogs(dirs: ServerDirs): number | undefined {
  for (const file of logFiles(dirs, (name) => name.endsWith('.log'))) {
    const match = /Tandem activated in ([\d.]+) ms/.exec(readFileSync(file, 'utf8'));
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** Tandem's own log (LogOutputChannel "Tandem") from the VS Code log folder; empty when not found. */
export function tandemLog(dirs: ServerDirs): string {
  return logFiles(dirs, (name) => name.endsWith('Tandem.log'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}
