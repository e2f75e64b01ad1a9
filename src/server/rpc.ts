// Registers the engine's handlers for the messages declared in src/shared/protocol.ts. The client, the engine and
// the tests share one vscode-jsonrpc, and each wrapper here is typed by the shared RequestType / NotificationType.
// Registration goes by the declaration's method: vscode-jsonrpc's typed overload would refuse a request that
// left out optional params ("defines 1 params but received none") before the handler could answer it; here the
// handler gets `undefined` and decides.
import type { CancellationToken, Connection } from 'vscode-languageserver';
import type { NotificationType, RequestType } from 'vscode-languageserver-protocol';

export function onRequest<P, R, E>(
  connection: Connection,
  type: RequestType<P, R, E>,
  handler: (params: P | undefined, token: CancellationToken) => R | Promise<R>,
): void {
  connection.onRequest(type.method, (...args: unknown[]): Promise<R> => {
    // Without params, vscode-jsonrpc passes only the token.
    const token = args[args.length - 1] as CancellationToken;
    const params = args.length > 1 ? (args[0] as P) : undefined;
    return Promise.resolve(handler(params, token));
  });
}

export function onNotification<P>(connection: Connection, type: NotificationType<P>, handler: (params: P | undefined) => void): void {
  connection.onNotification(type.method, (params?: P) => handler(params));
}

/** An AbortSignal that follows a request's cancellation token ($/cancelRequest). */
export function signalOf(token: CancellationToken | undefined): AbortSignal {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  token?.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
