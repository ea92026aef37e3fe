import { createServer, type RequestListener, type Server } from "node:http";

// The request line and headers together, at most: 16 KiB, Node's default, set so that no Node
// release changes it. Past it, Node answers a bare 431 before the app sees the request.
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * An HTTP server for `handler`, listening on `port` on every interface once the promise resolves.
 * Rejects when the port cannot be had (taken, not allowed), naming the variable it came from.
 */
export async function listen(
  handler: RequestListener,
  port: number,
  name: string,
): Promise<Server> {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => {
      reject(new Error(`cannot listen on ${name} ${port}: ${error.message}`, { cause: error }));
    });
    server.listen(port, resolve);
  });
  return server;
}

/** Stops accepting connections; resolves once the requests in flight have been answered. */
export async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections(); // keep-alive connections waiting for a request
  });
}
