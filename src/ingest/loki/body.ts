// Request bodies of log pushes: read with a size limit, then decompressed with another, with
// the messages of Loki's push parsing (pkg/loghttp/push/push.go parsePushRequestBody,
// pkg/util/http.go decompressRequest). The OTLP receiver uses the same helpers.
import type { FastifyInstance } from "fastify";
import { promisify } from "node:util";
import { gunzip, inflateRaw } from "node:zlib";
import { SnappyError, snappyDecodedLength } from "../snappy.ts";
import { snappyDecodeWasm } from "../wasm/snappy.ts";
import { BufferPool } from "../../util/buffer-pool.ts";
import { errorMessage } from "../../util/errors.ts";
import { PushError } from "./distributor.ts";

const gunzipAsync = promisify(gunzip);
const inflateRawAsync = promisify(inflateRaw);

/** tooLarge is Loki's 413 for a body over a limit. */
export function tooLarge(
  what: "message" | "decompressed message",
  size: number,
  max: number,
): PushError {
  const prefix =
    what === "message" ? "message size too large" : "decompressed message size too large";
  return new PushError(
    413,
    `request body too large: ${prefix} than max (${size} vs ${max})`,
    "request_body_too_large",
  );
}

/**
 * addRawBodyParser makes every request body of `scope` a Buffer, read up to maxBytes() bytes
 * (0: no limit). A longer body fails the request with a 413 PushError, which the scope's error
 * handler renders; the limit is read per request, so a reload applies at once.
 */
export function addRawBodyParser(scope: FastifyInstance, maxBytes: () => number): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", (req, payload, done) => {
    const max = maxBytes();
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (max > 0 && Number.isFinite(declared) && declared > max) {
      payload.resume();
      done(tooLarge("message", declared, max), undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    let finished = false;
    const finish = (err: Error | null, body?: Buffer): void => {
      if (finished) return;
      finished = true;
      done(err, body);
    };
    payload.on("data", (chunk: Buffer) => {
      if (finished) return;
      n += chunk.length;
      if (max > 0 && n > max) {
        // Stop keeping the body but let it drain, so that the answer reaches the client.
        finish(tooLarge("message", max + 1, max));
        return;
      }
      chunks.push(chunk);
    });
    payload.on("end", () => finish(null, Buffer.concat(chunks, n)));
    payload.on("error", (err) => finish(err));
  });
}

/**
 * decompressBody undoes a Content-Encoding of gzip or deflate (raw DEFLATE, as Go's
 * compress/flate) and returns at most maxBytes bytes (0: no limit), else a 413 PushError.
 * An empty or absent encoding returns the body as is. Other encodings are refused by the caller.
 */
export async function decompressBody(
  body: Buffer,
  encoding: "gzip" | "deflate",
  maxBytes: number,
): Promise<Buffer> {
  const opts = maxBytes > 0 ? { maxOutputLength: maxBytes + 1 } : {};
  let out: Buffer;
  try {
    out = encoding === "gzip" ? await gunzipAsync(body, opts) : await inflateRawAsync(body, opts);
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw tooLarge("decompressed message", maxBytes + 1, maxBytes);
    }
    throw new PushError(400, zlibMessage(encoding, err));
  }
  if (maxBytes > 0 && out.length > maxBytes) {
    throw tooLarge("decompressed message", out.length, maxBytes);
  }
  return out;
}

/** zlibMessage words a zlib failure as Go's readers would report it. */
function zlibMessage(encoding: string, err: unknown): string {
  const code = (err as { code?: string }).code;
  if (encoding === "gzip" && code === "Z_DATA_ERROR" && /header/.test(errorMessage(err))) {
    return "gzip: invalid header";
  }
  if (code === "Z_BUF_ERROR") return "unexpected EOF";
  return `flate: corrupt input (${errorMessage(err)})`;
}

/** DecodedBody is a decoded push body in a pooled buffer, handed back by release. */
export interface DecodedBody {
  readonly data: Buffer;
  /** release returns the buffer to the pool: call it once nothing reads data any more. */
  release(): void;
}

/**
 * bodyPool keeps decoded bodies' buffers for the next pushes: a fresh buffer per body cost more
 * in page faults and garbage collection than decoding it.
 */
const bodyPool = new BufferPool(64 << 20);

/**
 * snappyDecode decodes a snappy block (Loki's protobuf bodies) of at most maxBytes decoded
 * bytes (0: no limit) into a pooled buffer, else a 413 PushError; corrupt input is a 400.
 */
export function snappyDecode(body: Buffer, maxBytes: number): DecodedBody {
  const n = snappyDecodedLength(body);
  if (n < 0) throw new PushError(400, "snappy: corrupt input");
  if (maxBytes > 0 && n > maxBytes) throw tooLarge("decompressed message", n, maxBytes);
  const buf = bodyPool.get(n);
  try {
    snappyDecodeWasm(body, buf);
  } catch (err) {
    bodyPool.put(buf);
    if (err instanceof SnappyError) throw new PushError(400, "snappy: corrupt input");
    throw err;
  }
  let released = false;
  return {
    data: buf.subarray(0, n),
    release: () => {
      if (!released) bodyPool.put(buf);
      released = true;
    },
  };
}
