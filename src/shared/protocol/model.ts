// The local model: roles, devices, inference servers, model states, presets, downloads. Part of the protocol
// (src/shared/protocol.ts re-exports it).
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import { z } from 'zod';
import type { BackendKind } from '../settings.js';

export type ModelRole = 'completion' | 'chat';
export type Device = 'cuda' | 'vulkan' | 'metal' | 'cpu';

/** An inference server the local side runs on (tandem.local.backend other than embedded). */
export interface BackendInfo {
  kind: Exclude<BackendKind, 'embedded'>;
  /** Base URL, without credentials. */
  url: string;
  /** On another machine (not a loopback address): an egress destination of its own. */
  remote: boolean;
  /** tandem.local.trusted, or a server on this machine. */
  trusted: boolean;
  /** Parallel slots the server reported (llama-server `total_slots`). */
  slots?: number;
}

/** Why a server cannot do a role, as a code (the message says it in words). */
export type BackendProblem =
  | 'unreachable'
  | 'timeout'
  | 'server-error'
  | 'unauthorized'
  | 'wrong-model'
  | 'no-fim'
  | 'no-chat'
  | 'bad-url'
  /** The workspace did not consent to an untrusted server on another machine. */
  | 'consent'
  /** tandem.privacy.localOnly is on and the server is on another machine and not trusted. */
  | 'local-only-mode';

export type ModelState =
  /** No model can run for this role: none is set, or its download was cancelled. `recommended`: the preset for this
   * machine. */
  | { role: ModelRole; state: 'none'; message: string; recommended?: string }
  /** A model is set but not loaded: it loads on first use (`next: 'download'`: it is downloaded first). `name` is
   * absent until the engine has looked at the settings. */
  | { role: ModelRole; state: 'idle'; name?: string; next: 'load' | 'download'; message: string }
  | { role: ModelRole; state: 'downloading'; name: string; receivedBytes: number; totalBytes: number; percent: number }
  | { role: ModelRole; state: 'loading'; name: string; backend?: BackendInfo }
  | {
      role: ModelRole;
      state: 'ready';
      name: string;
      /** 'server': the model runs on `backend`. */
      device: Device | 'server';
      gpuLayers: number;
      contextSize: number;
      fim: boolean;
      backend?: BackendInfo;
    }
  | { role: ModelRole; state: 'error'; name?: string; message: string; problem?: BackendProblem; backend?: BackendInfo };

/** Engine → client: the state of a local model changed. */
export const ModelStateNotification = new NotificationType<ModelState>('tandem/modelState');

/** Client → engine: the current state of both local models. */
export const GetModelStateRequest = new RequestType<void, ModelState[], void>('tandem/getModelState');

export interface ModelPreset {
  id: string;
  role: ModelRole;
  label: string;
  url: string;
  fileName: string;
  sizeBytes: number;
  sha256?: string;
  /** Memory the model needs to run well (weights + context), in bytes. */
  minMemoryBytes: number;
}

export interface HardwareInfo {
  gpu: Device | false;
  vramBytes: number;
  ramBytes: number;
  cores: number;
}

export interface PresetsResult {
  hardware: HardwareInfo;
  presets: ModelPreset[];
  /** Preset ids chosen for this machine, per role. */
  recommended: Record<ModelRole, string>;
}

/** Client → engine: the model presets and which fit this machine. */
export const ListPresetsRequest = new RequestType<void, PresetsResult, void>('tandem/listPresets');

export interface DownloadModelParams {
  role: ModelRole;
  /** A preset id, or a URL. Neither: the recommended preset for the role. */
  preset?: string;
  url?: string;
  /** Expected SHA-256 (hex) of the file; the download is refused when it differs. */
  sha256?: string;
  /** Expected size in bytes; the download is refused when the server offers another size. */
  sizeBytes?: number;
}

export interface DownloadModelResult {
  path: string;
  /** True when the file was already complete in the data dir and nothing was fetched. */
  cached: boolean;
}

/** Client → engine: download (or resume) a model into the data dir; cancel with $/cancelRequest. Progress
 * arrives as tandem/modelState `downloading`. */
export const DownloadModelRequest = new RequestType<DownloadModelParams, DownloadModelResult, void>('tandem/downloadModel');

/** Inline completion items carry this command (VS Code runs it when the whole suggestion is accepted) with one
 * CompletionItemRef argument: the client learns which ledger entry a suggestion belongs to from it. */
export const COMPLETION_ACCEPTED_COMMAND = 'tandem.completionAccepted';

export const DownloadModelParamsSchema = z.looseObject({
  role: z.enum(['completion', 'chat']),
  preset: z.string().optional(),
  url: z.string().optional(),
  sha256: z.string().optional(),
  sizeBytes: z.number().int().min(0).optional(),
}) satisfies z.ZodType<DownloadModelParams>;
