// Wires the report card into the engine: tandem/evalReports (saved report cards), and the Claude side of an
// evaluation, tandem/evalCloudEstimate and tandem/evalCloudInfill (through the router's egress gate).
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import {
  EvalCloudEstimateRequest,
  EvalCloudInfillRequest,
  EvalReportsRequest,
  LedgerEntryNotification,
  type EvalCloudItem,
} from '../../shared/protocol.js';
import type { EngineContext } from '../context.js';
import { onRequest, signalOf } from '../rpc.js';
import type { RouterService } from '../router/service.js';
import { estimateInfills, runInfill } from './cloud-infill.js';
import { readReports } from './reports.js';

const SETS = new Set(['single-line', 'multi-line']);

function badItem(item: unknown): string | undefined {
  const i = item as Partial<EvalCloudItem> | undefined;
  if (!i || typeof i !== 'object') return 'an item is not an object';
  if (typeof i.prefix !== 'string' || typeof i.suffix !== 'string') return 'prefix and suffix must be strings';
  if (!SETS.has(i.set as string)) return 'set must be single-line or multi-line';
  return undefined;
}

function failed(message: string): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestFailed, message);
}

export function registerEval(ctx: EngineContext, router: RouterService): void {
  const { connection } = ctx;
  onRequest(connection, EvalReportsRequest, () => readReports(ctx.dataDir, (m) => ctx.log.warn(m)));

  onRequest(connection, EvalCloudEstimateRequest, (params) => {
    if (!params || typeof params.model !== 'string' || !Array.isArray(params.items)) throw failed('evalCloudEstimate needs {model, items}.');
    const bad = params.items.map(badItem).find(Boolean);
    if (bad) throw failed(`evalCloudEstimate: ${bad}.`);
    return estimateInfills(router, params);
  });

  onRequest(connection, EvalCloudInfillRequest, async (params, token) => {
    const bad = !params || typeof params.model !== 'string' || typeof params.taskId !== 'string' ? 'needs {model, taskId, prefix, suffix, set}' : badItem(params);
    if (bad || !params) throw failed(`evalCloudInfill: ${bad}.`);
    const signal = signalOf(token);
    try {
      return await runInfill(router, params, signal, (entry) => void connection.sendNotification(LedgerEntryNotification, entry));
    } catch (error) {
      if (signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Cancelled.');
      throw failed(error instanceof Error ? error.message : String(error));
    }
  });
}
