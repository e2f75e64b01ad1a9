// Wires the report card into the engine: tandem/evalReports (saved report cards), and the Claude side of an
// evaluation, tandem/evalCloudEstimate and tandem/evalCloudInfill (through the router's egress gate).
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import {
  EvalCloudEstimateParamsSchema,
  EvalCloudEstimateRequest,
  EvalCloudInfillParamsSchema,
  EvalCloudInfillRequest,
  EvalReportsRequest,
  LedgerEntryNotification,
  NO_PARAMS,
} from '../../shared/protocol.js';
import type { EngineContext } from '../context.js';
import { onRequest, signalOf } from '../rpc.js';
import type { RouterService } from '../router/service.js';
import { estimateInfills, runInfill } from './cloud-infill.js';
import { readReports } from './reports.js';

function failed(message: string): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestFailed, message);
}

export function registerEval(ctx: EngineContext, router: RouterService): void {
  const { connection } = ctx;
  onRequest(connection, EvalReportsRequest, NO_PARAMS, () => readReports(ctx.dataDir, (m) => ctx.log.warn(m)));

  // The shapes are checked by the schemas (rpc.ts answers -32602 naming the field).
  onRequest(connection, EvalCloudEstimateRequest, EvalCloudEstimateParamsSchema, (params) => estimateInfills(router, params));

  onRequest(connection, EvalCloudInfillRequest, EvalCloudInfillParamsSchema, async (params, token) => {
    const signal = signalOf(token);
    try {
      return await runInfill(router, params, signal, (entry) => void connection.sendNotification(LedgerEntryNotification, entry));
    } catch (error) {
      if (signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Cancelled.');
      throw failed(error instanceof Error ? error.message : String(error));
    }
  });
}
