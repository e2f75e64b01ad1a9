// What every message's schema shares. Each message's params have a schema next to their type: the engine checks
// every message against it before a handler runs (src/server/rpc.ts), so a client that sends the wrong shape gets
// -32602 naming the field. The schemas check what the engine reads; fields they do not know pass through.
import { z } from 'zod';

/** A line, character or count as LSP allows it: a non-negative integer up to 2^31 - 1. */
export const UINT = z.number().min(0).max(2 ** 31 - 1).int();
/** For requests without params: whatever a client sends is ignored. */
export const NO_PARAMS = z.unknown().transform(() => undefined);
export const KINDS = ['completion', 'explain', 'chat', 'refactor'] as const;
export const kindError = (allowed: string) => (issue: { input?: unknown }) => `Unknown request kind "${String(issue.input)}": use ${allowed}.`;
