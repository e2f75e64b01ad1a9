// Registers handlers for the messages declared in src/shared/protocol.ts. Those are typed with the
// client's vscode-jsonrpc, which is a different copy from the engine's (vscode-languageserver 10 bundles
// its own), so the engine registers by method name and keeps the types here.
import type { CancellationToken, Connection } from 'vscode-languageserver';
import type { NotificationType, RequestType } from 'vscode-languageserver-protocol';

export function onRequest<P, R>(
  connection: Connection,
  type: RequestType<P, R, void>,
  handler: (params: P | undefined, token: CancellationToken) => R | Promise<R>,
): void {
  connection.onRequest(type.method, (...args: unknown[]): Promise<unknown> => {
    // Without params, vscode-jsonrpc passes only the token.
    const token = args[args.length - 1] as CancellationToken;
    const params = args.length > 1 ? (args[0] as P) : undefined;
    return Promise.resolve(handler(params, token));
  });
}

export function sendNotification<P>(connection: Connection, type: NotificationType<P>, params: P): Promise<void> {
  return connection.sendNotification(type.method, params);
}

/** An AbortSignal that follows a request's cancellation token ($/cancelRequest). */
export function signalOf(token: CancellationToken | undefined): AbortSignal {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  token?.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
