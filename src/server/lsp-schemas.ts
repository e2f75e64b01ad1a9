// Schemas for the standard LSP messages the engine serves (the tandem/ ones are declared next to their types in
// src/shared/protocol.ts). Only what the engine reads is checked; other fields pass through untouched.
import type { InlineCompletionParams } from 'vscode-languageserver';
import { z } from 'zod';
import { UINT } from '../shared/protocol.js';

export const PositionSchema = z.object({ line: UINT, character: UINT });
export const RangeSchema = z.object({ start: PositionSchema, end: PositionSchema });
const DocumentId = z.looseObject({ uri: z.string() });

export const InlineCompletionParamsSchema = z.looseObject({
  textDocument: DocumentId,
  position: PositionSchema,
  context: z.looseObject({ triggerKind: z.union([z.literal(1), z.literal(2)]) }),
}) satisfies z.ZodType<InlineCompletionParams>;

const DidOpenSchema = z.looseObject({
  textDocument: z.looseObject({ uri: z.string(), languageId: z.string(), version: z.number().int(), text: z.string() }),
});
const ContentChange = z.looseObject({ range: RangeSchema.optional(), rangeLength: UINT.optional(), text: z.string() });
const DidChangeSchema = z.looseObject({
  textDocument: z.looseObject({ uri: z.string(), version: z.number().int() }),
  contentChanges: z.array(ContentChange),
});
const DocumentOnly = z.looseObject({ textDocument: DocumentId });

/** TextDocuments.listen registers these; rpc.ts checks each before the document store applies it. */
export const DOCUMENT_SYNC_SCHEMAS: Record<string, { method: string; schema: z.ZodType; request?: boolean }> = {
  onDidOpenTextDocument: { method: 'textDocument/didOpen', schema: DidOpenSchema },
  onDidChangeTextDocument: { method: 'textDocument/didChange', schema: DidChangeSchema },
  onDidCloseTextDocument: { method: 'textDocument/didClose', schema: DocumentOnly },
  onDidSaveTextDocument: { method: 'textDocument/didSave', schema: DocumentOnly },
  onWillSaveTextDocument: { method: 'textDocument/willSave', schema: DocumentOnly },
  onWillSaveTextDocumentWaitUntil: { method: 'textDocument/willSaveWaitUntil', schema: DocumentOnly, request: true },
};

export const DidChangeConfigurationSchema = z.looseObject({ settings: z.unknown() });

export const InitializeParamsSchema = z.looseObject({
  rootUri: z.string().nullable().optional(),
  workspaceFolders: z.array(z.looseObject({ uri: z.string() })).nullable().optional(),
  capabilities: z.looseObject({ workspace: z.looseObject({ configuration: z.boolean().optional() }).optional() }),
  initializationOptions: z.unknown(),
});
