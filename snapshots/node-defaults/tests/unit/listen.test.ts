import { once } from "node:events";
import {
  createServer,
  request,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from "node:http";
import type { AddressInfo } from "node:net";

import { close, listen, MAX_HEADER_BYTES } from "../../src/utils/listen";

const hello: RequestListener = (_req, res) => {
  res.end("hello");
};

describe("listen and close", () => {
  let taken: Server;

  beforeAll(async () => {
    taken = createServer().listen(0);
    await once(taken, "listening");
  });
  afterAll(() => close(taken));

  it("listens on the port, answers, and frees it once closed", async () => {
    const server = await listen(hello, 0, "PORT");
    const { port } = server.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("hello");
    await close(server);
    expect(server.listening).toBe(false);
    await close(await listen(hello, port, "PORT")); // free again
  });

  it("refuses a port already in use, naming its variable", async () => {
    const { port } = taken.address() as AddressInfo;
    await expect(listen(hello, port, "PROMETHEUS_PORT")).rejects.toThrow(
      `cannot listen on PROMETHEUS_PORT ${port}: listen EADDRINUSE`,
    );
  });

  it("fails to close a server that is not listening", async () => {
    await expect(close(createServer())).rejects.toThrow("Server is not running");
  });

  it("answers a bare 431 to a request line and headers past 16 KiB", async () => {
    const server = await listen(hello, 0, "PORT");
    const { port } = server.address() as AddressInfo;
    /** The status of a GET whose one header takes `bytes` bytes with its name. */
    const statusWith = async (bytes: number) => {
      const sent = request({ port, headers: { "x-filler": "x".repeat(bytes - 10) } }).end();
      const [response] = (await once(sent, "response")) as [IncomingMessage];
      response.resume();
      return response.statusCode;
    };
    try {
      expect(MAX_HEADER_BYTES).toBe(16_384);
      expect(await statusWith(15 * 1024)).toBe(200);
      expect(await statusWith(17 * 1024)).toBe(431);
    } finally {
      await close(server);
    }
  });
});
