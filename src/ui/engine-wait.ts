// Commands that need the engine wait for it while it starts, with a note in the status bar.
import * as vscode from 'vscode';
import type { EngineClient } from '../client/engine';

/** True once the engine runs; while it starts, the status bar says Tandem is waiting for it. */
export async function waitForEngine(ctx: { engine: EngineClient }, timeoutMs = 30_000): Promise<boolean> {
  if (ctx.engine.isRunning()) return true;
  if (!ctx.engine.isAvailable()) return false;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Tandem: waiting for the engine to start' }, () =>
    ctx.engine.whenRunning(timeoutMs),
  );
}
