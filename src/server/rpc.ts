// Registers the engine's handlers for the messages declared in src/shared/protocol.ts (and the LSP messages the
// engine serves), and checks every message's params against its schema before a handler runs: any client can
// send anything, so missing or mistyped params get -32602 Invalid params naming the field (a notification, which
// has no answer, is logged and dropped) instead of a TypeError deep inside a handler.
// Registration goes by the declaration's method: vscode-jsonrpc's typed overload would refuse a request that
// left out optional params ("defines 1 params but received none") before the schema could say what is wrong.
import { ErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver';
import type { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { z } from 'zod';
import { DOCUMENT_SYNC_SCHEMAS } from './lsp-schemas.js';

export type Schema<T> = z.ZodType<T>;
type Log = (message: string) => void;

const MAX_ISSUES = 3;

function fieldOf(path: PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out;
}

/** The first problems of a failed check, one per field, each naming it: "position.line: must be at most 2147483647". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const byField = new Map<string, string>();
  for (const issue of issues) {
    const field = fieldOf(issue.path as PropertyKey[]);
    if (!byField.has(field)) byField.set(field, problem(issue));
  }
  const parts = [...byField].slice(0, MAX_ISSUES).map(([field, text]) =>
    field ? (text === 'missing' ? `${field} is missing` : `${field}: ${text}`) : text === 'missing' ? 'the params are missing' : `the params: ${text}`,
  );
  const more = byField.size > MAX_ISSUES ? ` (and ${byField.size - MAX_ISSUES} more)` : '';
  return parts.join('; ') + more;
}

function problem(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'missing';
  if (issue.code === 'too_big') return `must be at most ${String(issue.maximum)}`;
  if (issue.code === 'too_small') return `must be at least ${String(issue.minimum)}`;
  return issue.message.replace(/^Invalid input: /, '');
}

/** The params as the schema makes them, or -32602 naming the field. */
export function checkParams<P>(method: string, schema: Schema<P>, params: unknown): P {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  throw new ResponseError(ErrorCodes.InvalidParams, `Invalid params for ${method}: ${describeIssues(parsed.error.issues)}.`, {
    fields: parsed.error.issues.map((i) => fieldOf(i.path as PropertyKey[])),
  });
}

export function onRequest<P, R, E>(
  connection: Connection,
  type: RequestType<P, R, E>,
  schema: Schema<P>,
  handler: (params: P, token: CancellationToken) => R | Promise<R>,
): void {
  connection.onRequest(type.method, (...args: unknown[]): Promise<R> => {
    // Without params, vscode-jsonrpc passes only the token.
    const token = args[args.length - 1] as CancellationToken;
    const raw = args.length > 1 ? args[0] : undefined;
    try {
      return Promise.resolve(handler(checkParams(type.method, schema, raw), token));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export function onNotification<P>(connection: Connection, type: NotificationType<P>, schema: Schema<P>, handler: (params: P) => void, log: Log): void {
  connection.onNotification(type.method, (raw?: unknown) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      log(`Ignored ${type.method}: invalid params: ${describeIssues(parsed.error.issues)}.`);
      return;
    }
    handler(parsed.data);
  });
}

/** The connection as TextDocuments.listen sees it: every document notification is checked before the document
 * store applies it, so a didOpen whose text is a number cannot make every later request on it fail. */
export function checkedDocumentSync(connection: Connection, log: Log): Connection {
  return new Proxy(connection, {
    get(target, prop, receiver) {
      const entry = typeof prop === 'string' ? DOCUMENT_SYNC_SCHEMAS[prop] : undefined;
      const value: unknown = Reflect.get(target, prop, receiver);
      if (!entry || typeof value !== 'function') return value;
      return (handler: (params: unknown, ...rest: unknown[]) => unknown) =>
        (value as (h: typeof handler) => unknown).call(target, (params: unknown, ...rest: unknown[]) => {
          const parsed = entry.schema.safeParse(params);
          if (parsed.success) return handler(parsed.data, ...rest);
          log(`Ignored ${entry.method}: invalid params: ${describeIssues(parsed.error.issues)}.`);
          return entry.request ? Promise.reject(new ResponseError(ErrorCodes.InvalidParams, `Invalid params for ${entry.method}: ${describeIssues(parsed.error.issues)}.`)) : undefined;
        });
    },
  });
}

/** An AbortSignal that follows a request's cancellation token ($/cancelRequest). */
export function signalOf(token: CancellationToken | undefined): AbortSignal {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  token?.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
