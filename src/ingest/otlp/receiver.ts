// OTLP/HTTP logs, `POST /v1/logs` (OTLP specification, "OTLP/HTTP"), stored through the same
// validation and limits as Loki pushes, with Loki's mapping of records to streams (mapping.ts).
//
//   - Bodies are binary protobuf (application/x-protobuf) or JSON (application/json), optionally
//     gzip-compressed; the answer uses the request's encoding.
//   - Success is 200 with an ExportLogsServiceResponse. When validation refused some records
//     but stored others, the response carries partial_success (rejected count and Loki's
//     messages), as OTLP prescribes; Loki itself answers 400 there.
//   - Failures carry a google.rpc.Status: 400 for bad input, 413 for bodies over the limits,
//     415 for other content types, 429 for rate limits, 503 while storage is not open and for
//     storage failures (Loki maps its 500s to 503 so that OTLP clients retry).
//   - An empty request succeeds (Loki answers 422 there, which OTLP clients treat as an error).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Registry } from "prom-client";
import type { LogStore } from "../../storage/logs.ts";
import { errorMessage } from "../../util/errors.ts";
import type { Logger } from "../../util/logging/index.ts";
import type { LogDistributor, LogIngestConfig, PushOutcome } from "../loki/index.ts";
import {
  PushError,
  addRawBodyParser,
  decompressBody,
  logIngestMetrics,
  newLogDistributor,
} from "../loki/index.ts";
import type { OtlpLogsConfig } from "./config.ts";
import { decodeOtlpJson, decodeOtlpProto } from "./decode.ts";
import { otlpToStreams } from "./mapping.ts";
import { ExportLogsServiceResponseType, StatusType } from "./proto.ts";

/** OTLP_LOGS_PATH is the OTLP/HTTP logs route. */
export const OTLP_LOGS_PATH = "/v1/logs";

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

/** OtlpLogsOptions wire the receiver to storage, configuration and logging. */
export interface OtlpLogsOptions {
  /** logStore is the open log storage, or undefined while it opens (the receiver answers 503). */
  logStore(): LogStore | undefined;
  /** limits returns the `logs.ingest` configuration in force. */
  limits(): LogIngestConfig;
  /** otlp returns the `logs.otlp` configuration in force. */
  otlp(): OtlpLogsConfig;
  readonly logger: Logger;
  /** registry receives the ingestion metrics; none are registered when absent. */
  readonly registry?: Registry;
  /** distributor: pass the Loki receiver's to share rate limits; created when absent. */
  readonly distributor?: LogDistributor;
  /** now is the clock in milliseconds; default Date.now. */
  now?(): number;
}

type Encoding = "proto" | "json";

/**
 * registerOtlpLogsReceiver adds `POST /v1/logs` to app, in its own plugin scope (raw bodies,
 * OTLP's error format). Call it before app listens.
 */
export async function registerOtlpLogsReceiver(
  app: FastifyInstance,
  opts: OtlpLogsOptions,
): Promise<void> {
  const distributor = opts.distributor ?? newLogDistributor(opts);
  const metrics = logIngestMetrics(opts.registry);
  const now = opts.now ?? Date.now;
  await app.register(async (scope) => {
    addRawBodyParser(scope, () => opts.limits().maxRecvMsgSizeBytes);
    scope.setErrorHandler((err, req, reply) => {
      const enc = encodingOf(req);
      if (err instanceof PushError) {
        if (err.reason === "request_body_too_large") {
          const len = Number(req.headers["content-length"] ?? 0);
          if (len > 0) metrics.discardedBytes.inc({ reason: err.reason, format: "otlp" }, len);
        }
        return sendStatus(reply, enc, err.status, err.message);
      }
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      if (status >= 500) opts.logger.error({ err: errorMessage(err) }, "otlp logs push failed");
      return sendStatus(reply, enc, status, errorMessage(err));
    });
    scope.post(OTLP_LOGS_PATH, async (req, reply) => {
      const enc = encodingOf(req);
      let out: PushOutcome;
      try {
        out = await handle(req, opts, distributor, now);
      } catch (err) {
        if (!(err instanceof PushError)) throw err;
        if (err.status >= 500) opts.logger.error({ err: err.message }, "otlp logs push failed");
        else opts.logger.debug({ err: err.message, status: err.status }, "otlp logs push refused");
        return sendStatus(reply, enc, err.status, err.message);
      }
      if (out.status === 204 || out.status === 422) return sendResponse(reply, enc, 0, "");
      if (out.status === 400 && out.accepted > 0) {
        return sendResponse(reply, enc, out.rejected, out.message);
      }
      opts.logger.debug(
        { status: out.status, accepted: out.accepted, rejected: out.rejected, err: out.message },
        "otlp logs push refused",
      );
      return sendStatus(reply, enc, out.status, out.message);
    });
  });
}

function mediaType(req: FastifyRequest): string {
  return (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

function encodingOf(req: FastifyRequest): Encoding {
  return mediaType(req) === JSON_TYPE ? "json" : "proto";
}

async function handle(
  req: FastifyRequest,
  opts: OtlpLogsOptions,
  distributor: LogDistributor,
  now: () => number,
): Promise<PushOutcome> {
  const limits = opts.limits();
  const ct = mediaType(req);
  if (ct !== PROTOBUF && ct !== JSON_TYPE) {
    throw new PushError(415, `content type: ${req.headers["content-type"] ?? ""} is not supported`);
  }
  let body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const enc = req.headers["content-encoding"] ?? "";
  if (enc === "gzip") body = await decompressBody(body, "gzip", limits.maxDecompressedSizeBytes);
  else if (enc !== "" && enc !== "identity") {
    throw new PushError(400, `unsupported content encoding ${enc}: only gzip is supported`);
  } else if (limits.maxDecompressedSizeBytes > 0 && body.length > limits.maxDecompressedSizeBytes) {
    throw new PushError(
      413,
      `request body too large: decompressed message size too large than max (${body.length} vs ${limits.maxDecompressedSizeBytes})`,
      "request_body_too_large",
    );
  }
  const logs = ct === PROTOBUF ? decodeOtlpProto(body) : decodeOtlpJson(body.toString("utf8"));
  const streams = otlpToStreams(logs, {
    config: opts.otlp(),
    discoverServiceName: limits.discoverServiceName,
    nowNs: BigInt(now()) * 1_000_000n,
  });
  const store = opts.logStore();
  if (!store) throw new PushError(503, "storage not ready");
  if (streams.length === 0) return { status: 204, message: "", accepted: 0, rejected: 0 };
  return distributor.push(store, streams, "otlp");
}

function sendResponse(reply: FastifyReply, enc: Encoding, rejected: number, msg: string) {
  const partial = rejected > 0 || msg !== "";
  if (enc === "json") {
    const body = partial
      ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: msg } }
      : {};
    return reply.code(200).type(JSON_TYPE).send(JSON.stringify(body));
  }
  const obj = partial
    ? { partial_success: { rejected_log_records: rejected, error_message: msg } }
    : {};
  const bytes = ExportLogsServiceResponseType.encode(
    ExportLogsServiceResponseType.fromObject(obj),
  ).finish();
  return reply.code(200).type(PROTOBUF).send(Buffer.from(bytes));
}

/** sendStatus answers with a google.rpc.Status; code is left 0, as Loki leaves it. */
function sendStatus(reply: FastifyReply, enc: Encoding, status: number, msg: string) {
  const code = status === 500 ? 503 : status;
  if (enc === "json") {
    return reply
      .code(code)
      .type(JSON_TYPE)
      .send(JSON.stringify({ code: 0, message: msg }));
  }
  const bytes = StatusType.encode(StatusType.fromObject({ message: msg })).finish();
  return reply.code(code).type(PROTOBUF).send(Buffer.from(bytes));
}
