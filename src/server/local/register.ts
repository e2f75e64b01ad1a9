// The local model part of the engine: model state, presets, downloads, statistics, inline completions,
// and LocalChat for the router.
import { InlineCompletionRequest, LSPErrorCodes, ResponseError, type ServerCapabilities } from 'vscode-languageserver';
import { join } from 'node:path';
import {
  DownloadModelParamsSchema,
  DownloadModelRequest,
  GetModelStateRequest,
  GetStatsParamsSchema,
  GetStatsRequest,
  ListPresetsRequest,
  NO_PARAMS,
  type DownloadModelParams,
  type DownloadModelResult,
  type ModelPreset,
} from '../../shared/protocol.js';
import type { EngineContext, LocalChat } from '../context.js';
import { CompletionProvider } from '../completion/provider.js';
import { CompletionStatsRecorder } from '../stats.js';
import { LocalChatService } from './chat.js';
import { checksumFromUrl, fileNameForUrl } from './download.js';
import { DownloadCancelledError } from './downloads.js';
import { errorText } from './gguf-check.js';
import { ModelManager } from './models.js';
import { InlineCompletionParamsSchema } from '../lsp-schemas.js';
import { onRequest } from '../rpc.js';
import { PRESETS, findPreset } from './presets.js';
import { modelsDir, writeSelected } from './source.js';

export function registerLocal(ctx: EngineContext): { capabilities: ServerCapabilities; chat: LocalChat; completions: CompletionProvider } {
  const models = new ModelManager(ctx);
  const stats = new CompletionStatsRecorder();
  const completions = new CompletionProvider(ctx, models, stats);
  const chat = new LocalChatService(models);
  const { connection } = ctx;

  onRequest(connection, InlineCompletionRequest.type, InlineCompletionParamsSchema, (params, token) => completions.provide(params, token));
  onRequest(connection, GetModelStateRequest, NO_PARAMS, () => models.describeIdle());
  onRequest(connection, GetStatsRequest, GetStatsParamsSchema, (params) => stats.snapshot(params?.recent ?? 100));
  onRequest(connection, ListPresetsRequest, NO_PARAMS, async () => {
    const hardware = await models.hardware();
    return { hardware, presets: PRESETS, recommended: await models.recommended() };
  });
  onRequest(connection, DownloadModelRequest, DownloadModelParamsSchema, async (params, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      return await download(ctx, models, params, controller.signal);
    } catch (error) {
      if (error instanceof DownloadCancelledError || controller.signal.aborted) {
        throw new ResponseError(LSPErrorCodes.RequestCancelled, errorText(error));
      }
      throw new ResponseError(LSPErrorCodes.RequestFailed, errorText(error));
    } finally {
      sub.dispose();
    }
  });
  ctx.onShutdown(() => models.unload('shutdown', true));

  return { capabilities: { inlineCompletionProvider: true }, chat, completions };
}

async function download(ctx: EngineContext, models: ModelManager, params: DownloadModelParams, signal: AbortSignal): Promise<DownloadModelResult> {
  const role = params.role === 'chat' ? 'chat' : 'completion';
  let preset: ModelPreset | undefined;
  if (params.preset) {
    preset = findPreset(params.preset);
    if (!preset) throw new Error(`Unknown preset "${params.preset}"`);
  } else if (!params.url) {
    preset = findPreset((await models.recommended())[role]);
  }
  const url = params.url ?? preset?.url;
  if (!url || !/^https?:\/\//i.test(url)) throw new Error('downloadModel needs a preset id or an http(s) URL');
  const fileName = preset?.fileName ?? fileNameForUrl(url.replace(/#.*$/, ''));
  const dest = join(modelsDir(ctx.dataDir), fileName);
  models.cancelledDownloads.delete(dest);
  const result = await models.downloads.start(
    { role, url: url.replace(/#.*$/, ''), dest, sha256: params.sha256 ?? preset?.sha256 ?? checksumFromUrl(url), sizeBytes: params.sizeBytes },
    signal,
  );
  await writeSelected(ctx.dataDir, role, fileName);
  // Load it now when it is the role's model (no setting, or this URL), so the user sees "ready".
  const setting = ctx.settings.value.model[role].trim();
  const isRoleModel = !setting || (/^https?:\/\//i.test(setting) && fileNameForUrl(setting.replace(/#.*$/, '')) === fileName);
  if (isRoleModel) void models.acquire(role).catch(() => undefined);
  return result;
}
