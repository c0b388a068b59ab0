// The remote write 1.0 receiver, `POST /api/v1/write`, with the content negotiation and status
// codes of prometheus storage/remote/write_handler.go (v3.5): 204 once the samples are committed,
// 400 for requests a sender must not retry, 415 for other protocol versions and encodings, 5xx
// only for storage failures that a retry can fix. Unlike Prometheus, which skips series with
// invalid labels and stores the rest, a request with any invalid series is refused whole, so that
// nothing of a bad request is stored (DESIGN.md "Bad input").
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Counter } from "prom-client";
import type { Registry } from "prom-client";
import { uncompress, uncompressSync } from "snappy";
import { snappyDecodedLength } from "../snappy.ts";
import { formatLabels } from "../../model/labels/index.ts";
import type { Storage } from "../../storage/index.ts";
import { StorageClosedError } from "../../storage/index.ts";
import { errorMessage } from "../../util/errors.ts";
import type { Logger } from "../../util/logging/index.ts";
import type { DecodedWriteRequest } from "./decode.ts";
import { WriteRequestError, decodeWriteRequest } from "./decode.ts";

/** PROTO_CONTENT_TYPE is the media type of remote write bodies. */
export const PROTO_CONTENT_TYPE = "application/x-protobuf";

/** The protobuf messages the `proto` content-type parameter names (config.RemoteWriteProtoMsg). */
const PROTO_MSG_V1 = "prometheus.WriteRequest";
const PROTO_MSG_V2 = "io.prometheus.write.v2.Request";

/** DEFAULT_MAX_DECODED_BYTES is Prometheus's decodeWriteLimit: 32 MiB. */
export const DEFAULT_MAX_DECODED_BYTES = 32 * 1024 * 1024;

/** MAX_AHEAD_MS is how far in the future a sample may lie (maxAheadTime upstream). */
const MAX_AHEAD_MS = 10 * 60 * 1000;

/** Bodies up to this size are decompressed on the event loop; larger ones on the thread pool. */
const SYNC_UNCOMPRESS_BYTES = 256 * 1024;

/** RemoteWriteOptions wire the receiver to storage, logging and configuration. */
export interface RemoteWriteOptions {
  /** storage is the open storage, or undefined while it opens (the receiver answers 503). */
  storage(): Storage | undefined;
  readonly logger: Logger;
  /** registry receives the receiver's metrics; none are registered when absent. */
  readonly registry?: Registry;
  /** maxDecodedBytes is the largest uncompressed request accepted (413 above it). */
  maxDecodedBytes(): number;
  /** now is the clock for the future-timestamp check; default Date.now. */
  now?(): number;
}

/** RemoteWriteMetrics count what the receiver accepted and what it dropped. */
interface RemoteWriteMetrics {
  readonly samples: Counter;
  readonly dropped: Counter<"kind">;
  readonly rejected: Counter<"reason">;
}

function newMetrics(registry: Registry | undefined): RemoteWriteMetrics {
  const registers = registry ? [registry] : [];
  return {
    samples: new Counter({
      name: "vigil_remote_write_samples_total",
      help: "Float samples received through remote write and committed to storage.",
      registers,
    }),
    dropped: new Counter({
      name: "vigil_remote_write_dropped_total",
      help:
        "Parts of accepted remote write requests that Vigil does not store, by kind: " +
        "native histogram samples, exemplars and metadata entries.",
      labelNames: ["kind"],
      registers,
    }),
    rejected: new Counter({
      name: "vigil_remote_write_rejected_requests_total",
      help: "Remote write requests refused, by reason.",
      labelNames: ["reason"],
      registers,
    }),
  };
}

/** HttpError is a refused request: status code and plain-text message. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/**
 * registerRemoteWriteReceiver adds `POST /api/v1/write` to app, in its own plugin scope (raw
 * bodies). Call it before app listens. Request bodies larger than the server's body limit are
 * refused with 413 by the server itself.
 */
export async function registerRemoteWriteReceiver(
  app: FastifyInstance,
  opts: RemoteWriteOptions,
): Promise<void> {
  const metrics = newMetrics(opts.registry);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => {
      done(null, body);
    });
    scope.post("/api/v1/write", async (req, reply) => {
      try {
        await handleWrite(req, opts, metrics);
      } catch (err) {
        const e =
          err instanceof HttpError ? err : new HttpError(500, errorMessage(err), "internal");
        metrics.rejected.inc({ reason: e.reason });
        if (e.status >= 500) opts.logger.error({ err: e.message }, "remote write failed");
        else opts.logger.debug({ err: e.message, status: e.status }, "remote write refused");
        return sendText(reply, e.status, e.message);
      }
      return reply.code(204).send();
    });
  });
}

function sendText(reply: FastifyReply, status: number, msg: string): FastifyReply {
  return reply
    .code(status)
    .type("text/plain; charset=utf-8")
    .header("X-Content-Type-Options", "nosniff")
    .send(msg + "\n");
}

async function handleWrite(
  req: FastifyRequest,
  opts: RemoteWriteOptions,
  metrics: RemoteWriteMetrics,
): Promise<void> {
  checkContentType(req.headers["content-type"]);
  const enc = req.headers["content-encoding"];
  if (enc !== undefined && enc !== "" && enc.toLowerCase() !== "snappy") {
    throw new HttpError(
      415,
      `${enc} encoding (compression) is not accepted by this server; only snappy is acceptable`,
      "unsupported_media_type",
    );
  }
  const storage = opts.storage();
  if (!storage) throw new HttpError(503, "storage not ready", "not_ready");

  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const decoded = await decompress(body, opts.maxDecodedBytes());
  let wr: DecodedWriteRequest;
  try {
    wr = decodeWriteRequest(decoded);
  } catch (err) {
    const msg = err instanceof WriteRequestError ? err.message : `proto: ${errorMessage(err)}`;
    throw new HttpError(400, msg, "bad_request");
  }
  checkTimestamps(wr, (opts.now ?? Date.now)() + MAX_AHEAD_MS);

  const app = storage.appender();
  const { labels, offsets, timestamps, values } = wr;
  try {
    for (let i = 0; i < labels.length; i++) {
      const ls = labels[i]!;
      let ref = 0;
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        ref = app.append(ref, ls, timestamps[j]!, values[j]!);
      }
    }
  } catch (err) {
    app.rollback();
    if (err instanceof StorageClosedError) throw new HttpError(503, err.message, "not_ready");
    throw new HttpError(400, errorMessage(err), "bad_request");
  }
  try {
    await app.commit();
  } catch (err) {
    if (err instanceof StorageClosedError) throw new HttpError(503, err.message, "not_ready");
    throw new HttpError(500, errorMessage(err), "storage");
  }
  metrics.samples.inc(wr.numSamples);
  if (wr.numHistograms) metrics.dropped.inc({ kind: "histogram" }, wr.numHistograms);
  if (wr.numExemplars) metrics.dropped.inc({ kind: "exemplar" }, wr.numExemplars);
  if (wr.numMetadata) metrics.dropped.inc({ kind: "metadata" }, wr.numMetadata);
}

/**
 * checkContentType accepts remote write 1.0 bodies: `application/x-protobuf`, optionally with
 * `proto=prometheus.WriteRequest`; a missing header counts as that (parseProtoMsg upstream).
 */
function checkContentType(header: string | undefined): void {
  const ct = (header ?? "").trim();
  if (ct === "") return;
  const parts = ct.split(";");
  const media = parts[0]!.trim().toLowerCase();
  if (media !== PROTO_CONTENT_TYPE) {
    throw new HttpError(
      415,
      `expected ${PROTO_CONTENT_TYPE} as the first (media) part, got ${ct} content-type`,
      "unsupported_media_type",
    );
  }
  for (const p of parts.slice(1)) {
    const pair = p.split("=");
    if (pair.length !== 2) {
      throw new HttpError(
        415,
        `as per https://www.rfc-editor.org/rfc/rfc9110#parameter expected parameters to be key-values, got ${p} in ${ct} content-type`,
        "unsupported_media_type",
      );
    }
    if (pair[0]!.trim() !== "proto") continue;
    const msg = pair[1]!.trim();
    if (msg === PROTO_MSG_V1) return;
    if (msg === PROTO_MSG_V2) {
      throw new HttpError(
        415,
        `${msg} protobuf message is not accepted by this server; accepted [${PROTO_MSG_V1}]`,
        "unsupported_media_type",
      );
    }
    throw new HttpError(
      415,
      `got ${ct} content type; unknown remote write protobuf message ${msg}, supported: ${PROTO_MSG_V1}, ${PROTO_MSG_V2}`,
      "unsupported_media_type",
    );
  }
}

async function decompress(body: Buffer, maxDecodedBytes: number): Promise<Buffer> {
  const n = snappyDecodedLength(body);
  if (n < 0) throw new HttpError(400, "snappy: corrupt input", "bad_snappy");
  if (n > maxDecodedBytes) {
    throw new HttpError(
      413,
      `snappy: decoded length ${n} exceeds limit ${maxDecodedBytes}`,
      "too_large",
    );
  }
  try {
    const out =
      body.length <= SYNC_UNCOMPRESS_BYTES
        ? uncompressSync(body, { asBuffer: true })
        : await uncompress(body, { asBuffer: true });
    return out as Buffer;
  } catch (err) {
    throw new HttpError(400, `snappy: corrupt input (${errorMessage(err)})`, "bad_snappy");
  }
}

function checkTimestamps(wr: DecodedWriteRequest, maxTMs: number): void {
  const { timestamps, offsets } = wr;
  for (let i = 0; i < wr.labels.length; i++) {
    for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
      if (timestamps[j]! > maxTMs) {
        throw new HttpError(
          400,
          `out of bounds: sample timestamp ${timestamps[j]} of series ${formatLabels(wr.labels[i]!)} is more than 10m in the future`,
          "bad_request",
        );
      }
    }
  }
}
