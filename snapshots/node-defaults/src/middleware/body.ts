import type { RequestHandler } from "express";

import { contentTooLarge, invalid, unsupportedMediaType } from "../utils/errors";

// RFC 8259: JSON between systems is UTF-8; a malformed sequence is a malformed body.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a JSON object body into `req.body`, in the order of docs/contract.md: no body 400, not
 * `application/json` (UTF-8, no Content-Encoding) 415, over `limit` bytes 413, then malformed
 * JSON or not an object 400. Written out rather than express.json(), which inflates gzip,
 * accepts UTF-16 and takes arrays. A Content-Length over the limit is refused before reading; a
 * chunked body as soon as it passes the limit, the rest being read and dropped.
 */
export function jsonBody(limit: number): RequestHandler {
  return (req, _res, next) => {
    const length = Number(req.get("content-length") ?? 0);
    const chunked = req.get("transfer-encoding") !== undefined;
    if (!chunked && length === 0) {
      next(invalid([{ field: "body", message: "is required" }]));
      return;
    }
    const encoding = (req.get("content-encoding") ?? "identity").toLowerCase();
    if (!isUtf8Json(req.get("content-type")) || encoding !== "identity") {
      next(unsupportedMediaType());
      return;
    }
    if (length > limit) {
      next(contentTooLarge(limit));
      return;
    }

    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      next(error);
    };
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) settle(contentTooLarge(limit));
      else if (!settled) chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      try {
        req.body = parseObject(Buffer.concat(chunks));
        settle();
      } catch (error) {
        settle(error);
      }
    });
    req.on("error", () => {
      settle(invalid([{ field: "body", message: "could not be read" }]));
    });
  };
}

/** `application/json`, with no charset or a UTF-8 one. */
function isUtf8Json(contentType: string | undefined): boolean {
  const [mediaType, ...parameters] = (contentType ?? "")
    .toLowerCase()
    .split(";")
    .map((part) => part.trim());
  return (
    mediaType === "application/json" &&
    parameters.every((parameter) => {
      const [name = "", value = ""] = parameter.split("=").map((part) => part.trim());
      return name !== "charset" || value.replace(/^"(.*)"$/, "$1") === "utf-8";
    })
  );
}

function parseObject(raw: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(raw));
  } catch {
    throw invalid([{ field: "body", message: "must be well-formed UTF-8 JSON" }]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid([{ field: "body", message: "must be a JSON object" }]);
  }
  return value as Record<string, unknown>;
}
