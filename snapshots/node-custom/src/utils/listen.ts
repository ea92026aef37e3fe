import { createServer, type RequestListener, type Server } from "node:http";

/**
 * An HTTP server for `handler`, listening on `port` on every interface once the promise resolves.
 * Rejects when the port cannot be had (taken, not allowed), naming the variable it came from.
 */
export async function listen(
  handler: RequestListener,
  port: number,
  name: string,
): Promise<Server> {
  const server = createServer(handler);
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
