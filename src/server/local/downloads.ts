// Running model downloads: one per destination file, shared by whoever asks for it (a model URL in the
// settings, tandem/downloadModel), progress sent as tandem/modelState `downloading`, cancelled by any
// caller's signal ($/cancelRequest). A cancelled download keeps its partial file and resumes next time.
import type { ModelRole, ModelState } from '../../shared/protocol.js';
import type { EngineContext } from '../context.js';
import { downloadModelFile } from './download.js';
import { errorText, modelName } from './gguf-check.js';

export interface DownloadRequest {
  role: ModelRole;
  url: string;
  dest: string;
  sha256?: string;
  sizeBytes?: number;
}

interface Running {
  promise: Promise<{ path: string; cached: boolean }>;
  controller: AbortController;
  roles: Set<ModelRole>;
}

export class DownloadCancelledError extends Error {
  override readonly name = 'AbortError';
}

export class DownloadManager {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly setState: (state: ModelState) => void,
  ) {}

  /** Starts (or joins) the download of `dest`; `signal` aborting cancels it for everyone. */
  start(request: DownloadRequest, signal?: AbortSignal): Promise<{ path: string; cached: boolean }> {
    let run = this.running.get(request.dest);
    if (!run) {
      const controller = new AbortController();
      const roles = new Set<ModelRole>([request.role]);
      const name = modelName(request.dest);
      const promise = (async () => {
        try {
          const result = await downloadModelFile({
            url: request.url,
            dest: request.dest,
            sha256: request.sha256,
            sizeBytes: request.sizeBytes,
            signal: controller.signal,
            onProgress: (receivedBytes, totalBytes) => {
              const percent = totalBytes ? Math.min(100, Math.floor((receivedBytes / totalBytes) * 1000) / 10) : 0;
              for (const role of roles) this.setState({ role, state: 'downloading', name, receivedBytes, totalBytes, percent });
            },
          });
          if (!result.cached) this.ctx.log.info(`Downloaded ${name} to ${result.path}`);
          for (const role of roles) this.setState({ role, state: 'idle', name, next: 'load', message: `${name} is downloaded; it loads on first use` });
          return result;
        } catch (error) {
          const cancelled = controller.signal.aborted;
          const message = cancelled
            ? `Download of ${name} cancelled; the partial file is kept and the download resumes next time`
            : errorText(error);
          for (const role of roles) {
            this.setState(cancelled ? { role, state: 'none', message } : { role, state: 'error', name, message });
          }
          if (cancelled) throw new DownloadCancelledError(message);
          throw new Error(message);
        } finally {
          this.running.delete(request.dest);
        }
      })();
      run = { promise, controller, roles };
      this.running.set(request.dest, run);
    }
    run.roles.add(request.role);
    if (signal) {
      const current = run;
      if (signal.aborted) current.controller.abort();
      else signal.addEventListener('abort', () => current.controller.abort(), { once: true });
    }
    return run.promise;
  }

  cancelAll(): void {
    for (const run of this.running.values()) run.controller.abort();
  }

  get active(): number {
    return this.running.size;
  }
}
