// The Loki push API, `POST /loki/api/v1/push` (and the legacy `POST /api/prom/push`), with the
// content negotiation, status codes and messages of Loki's distributor
// (pkg/distributor/http.go pushHandler, pkg/loghttp/push/push.go ParseLokiRequest):
//
//   - Content-Type application/json is JSON; anything else is snappy-compressed protobuf.
//     A missing Content-Type is refused ("mime: no media type"), as Go's mime parser does.
//   - Content-Encoding gzip or deflate wraps either; snappy is accepted and ignored.
//   - 204 once every entry is committed; 400 with Loki's messages when some streams or entries
//     were invalid (the valid ones are stored); 413 for bodies over the size limits; 429 for
//     rate limits; 422 for a request without streams; 503 while storage is not open.
//
// Errors are plain text, as Go's http.Error writes them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Registry } from "prom-client";
import type { LogStore } from "../../storage/logs.ts";
import { errorMessage } from "../../util/errors.ts";
import type { Logger } from "../../util/logging/index.ts";
import { addRawBodyParser, decompressBody, snappyDecode } from "./body.ts";
import type { LogIngestConfig } from "./config.ts";
import { decodeLegacyJson, decodeLokiJson, decodeLokiProto, toPushStreams } from "./decode.ts";
import type { PushOutcome } from "./distributor.ts";
import { LogDistributor, PushError } from "./distributor.ts";
import { logIngestMetrics } from "./metrics.ts";

/** LOKI_PUSH_PATH and LEGACY_PUSH_PATH are the routes the receiver serves. */
export const LOKI_PUSH_PATH = "/loki/api/v1/push";
export const LEGACY_PUSH_PATH = "/api/prom/push";

/** LokiPushOptions wire the receiver to storage, configuration and logging. */
export interface LokiPushOptions {
  /** logStore is the open log storage, or undefined while it opens (the receiver answers 503). */
  logStore(): LogStore | undefined;
  /** limits returns the `logs.ingest` configuration in force. */
  limits(): LogIngestConfig;
  readonly logger: Logger;
  /** registry receives the ingestion metrics; none are registered when absent. */
  readonly registry?: Registry;
  /**
   * distributor validates and stores pushes; pass the OTLP receiver's so that both share the
   * rate limits. Created from `limits`, `registry` and `now` when absent.
   */
  readonly distributor?: LogDistributor;
  /** now is the clock in milliseconds for timestamp checks and rate limits; default Date.now. */
  now?(): number;
}

/**
 * newLogDistributor builds the distributor the receivers share when the caller wires them
 * together: `registerLokiPushReceiver(app, { ..., distributor: d })`.
 */
export function newLogDistributor(opts: {
  limits(): LogIngestConfig;
  registry?: Registry;
  now?(): number;
}): LogDistributor {
  return new LogDistributor({
    limits: opts.limits,
    metrics: logIngestMetrics(opts.registry),
    ...(opts.now && { now: opts.now }),
  });
}

/**
 * registerLokiPushReceiver adds `POST /loki/api/v1/push` and `POST /api/prom/push` to app, in
 * their own plugin scope (raw bodies, Loki's error format). Call it before app listens.
 */
export async function registerLokiPushReceiver(
  app: FastifyInstance,
  opts: LokiPushOptions,
): Promise<void> {
  const distributor = opts.distributor ?? newLogDistributor(opts);
  const metrics = logIngestMetrics(opts.registry);
  await app.register(async (scope) => {
    addRawBodyParser(scope, () => opts.limits().maxRecvMsgSizeBytes);
    scope.setErrorHandler((err, req, reply) => {
      if (err instanceof PushError) {
        if (err.reason === "request_body_too_large") {
          const len = Number(req.headers["content-length"] ?? 0);
          if (len > 0) metrics.discardedBytes.inc({ reason: err.reason, format: "loki" }, len);
        }
        return sendText(reply, err.status, err.message);
      }
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      if (status >= 500) opts.logger.error({ err: errorMessage(err) }, "loki push failed");
      return sendText(reply, status, errorMessage(err));
    });
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      let out: PushOutcome;
      try {
        out = await handlePush(req, opts, distributor);
      } catch (err) {
        if (!(err instanceof PushError)) throw err;
        if (err.status >= 500) opts.logger.error({ err: err.message }, "loki push failed");
        else opts.logger.debug({ err: err.message, status: err.status }, "loki push refused");
        return sendText(reply, err.status, err.message);
      }
      if (out.status === 204) return reply.code(204).send();
      opts.logger.debug(
        { status: out.status, accepted: out.accepted, rejected: out.rejected, err: out.message },
        "loki push partly refused",
      );
      return sendText(reply, out.status, out.message);
    };
    scope.post(LOKI_PUSH_PATH, handler);
    scope.post(LEGACY_PUSH_PATH, handler);
  });
}

function sendText(reply: FastifyReply, status: number, msg: string): FastifyReply {
  return reply
    .code(status)
    .type("text/plain; charset=utf-8")
    .header("X-Content-Type-Options", "nosniff")
    .send(msg + "\n");
}

/** mediaType returns the lower-case media type of a Content-Type header, as mime.ParseMediaType. */
function mediaType(header: string | undefined): string {
  const mt = (header ?? "").split(";")[0]!.trim().toLowerCase();
  if (mt === "") throw new PushError(400, "mime: no media type");
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+(\/[!#$%&'*+\-.^_`|~0-9a-z]+)?$/.test(mt)) {
    throw new PushError(400, "mime: expected token after slash");
  }
  return mt;
}

async function handlePush(
  req: FastifyRequest,
  opts: LokiPushOptions,
  distributor: LogDistributor,
): Promise<PushOutcome> {
  const limits = opts.limits();
  let body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const enc = req.headers["content-encoding"] ?? "";
  switch (enc) {
    case "":
    case "snappy":
      break;
    case "gzip":
    case "deflate":
      body = await decompressBody(body, enc, limits.maxDecompressedSizeBytes);
      break;
    default:
      throw new PushError(400, `Content-Encoding ${JSON.stringify(enc)} not supported`);
  }
  const ct = mediaType(req.headers["content-type"]);
  if (ct === "application/json") {
    const text = body.toString("utf8");
    const raw = req.url.startsWith("/loki/api/v1") ? decodeLokiJson(text) : decodeLegacyJson(text);
    return distributor.push(logStore(opts), toPushStreams(raw, limits.discoverServiceName), "loki");
  }
  // The decoded body's buffer is reused once the push is done: its lines are copied by then.
  const decoded = snappyDecode(body, limits.maxDecompressedSizeBytes);
  try {
    const streams = toPushStreams(decodeLokiProto(decoded.data), limits.discoverServiceName);
    return await distributor.push(logStore(opts), streams, "loki");
  } finally {
    decoded.release();
  }
}

function logStore(opts: LokiPushOptions): LogStore {
  const store = opts.logStore();
  if (!store) throw new PushError(503, "storage not ready");
  return store;
}
