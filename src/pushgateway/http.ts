// The Pushgateway's HTTP API on Vigil's port: PUT/POST/DELETE /metrics/job/<job>{/<l>/<v>}
// (handler/push.go, handler/delete.go, main.go routes and decodeRequest) and its JSON API
// GET /api/v1/metrics and GET /api/v1/status (api/v1/api.go). Vigil extension: a time to live
// per group from the `X-Vigil-TTL` header or the `ttl` query parameter.
import { gunzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Decompressor } from "snappy";
import { parseDuration } from "../model/duration.ts";
import { formatGoFloat } from "../model/textparse/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import { VERSION } from "../util/version.ts";
import type { PushMetric } from "./family.ts";
import { DTO_TYPE } from "./family.ts";
import { GroupingError, groupingLabels } from "./grouping.ts";
import { PushParseError, parsePushBody } from "./parse.ts";
import type { Group, GroupStore } from "./store.ts";
import { NotReadyError, PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "./store.ts";

/** TTL_HEADER is the request header that sets a group's time to live. */
export const TTL_HEADER = "x-vigil-ttl";

/** PushgatewayHttpOptions wire the HTTP API to a GroupStore. */
export interface PushgatewayHttpOptions {
  readonly store: GroupStore;
  readonly logger: Logger;
  /** maxDecodedBytes bounds gzip- or snappy-decoded bodies (413 above it). */
  maxDecodedBytes(): number;
  /** startTimeMs is reported by /api/v1/status. */
  readonly startTimeMs: number;
  /** flags are reported by /api/v1/status. */
  readonly flags?: Readonly<Record<string, string>>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const API_CORS: Record<string, string> = {
  "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, Origin",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Date",
  "Cache-Control": "no-cache, no-store, must-revalidate",
};

/**
 * registerPushgateway adds the push routes and the Pushgateway JSON API to app, in their own
 * plugin scope (raw bodies). Call it before app listens.
 */
export async function registerPushgateway(
  app: FastifyInstance,
  opts: PushgatewayHttpOptions,
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => {
      done(null, body);
    });
    const push = (replace: boolean) => async (req: FastifyRequest, reply: FastifyReply) =>
      handle(reply, opts.logger, async () => {
        const grouping = groupingLabels(pushPath(req.url));
        const ttlMs = requestTtl(req);
        const body = await decodeBody(req, opts.maxDecodedBytes());
        let parsed;
        try {
          parsed = parsePushBody(body, req.headers["content-type"]);
        } catch (err) {
          if (err instanceof PushParseError) throw new HttpError(400, err.message);
          throw err;
        }
        const out = await opts.store.push({
          grouping,
          families: parsed.families,
          hasTimestamps: parsed.hasTimestamps,
          replace,
          ttlMs,
        });
        if (!out.ok) throw new HttpError(400, out.error);
        return 200;
      });
    const del = async (req: FastifyRequest, reply: FastifyReply) =>
      handle(reply, opts.logger, async () => {
        await opts.store.delete(groupingLabels(pushPath(req.url)));
        return 202;
      });
    scope.put("/metrics/*", push(true));
    scope.post("/metrics/*", push(false));
    scope.delete("/metrics/*", del);

    scope.get("/api/v1/metrics", async (_req, reply) =>
      apiReply(reply, opts.store.list().map(groupJson)),
    );
    scope.get("/api/v1/status", async (_req, reply) =>
      apiReply(reply, {
        flags: { ...opts.flags },
        start_time: new Date(opts.startTimeMs).toISOString(),
        build_information: {
          version: VERSION,
          revision: "",
          branch: "",
          buildUser: "",
          buildDate: "",
          goVersion: `node ${process.version}`,
        },
      }),
    );
  });
}

async function handle(
  reply: FastifyReply,
  logger: Logger,
  fn: () => Promise<number>,
): Promise<FastifyReply> {
  let status: number;
  try {
    status = await fn();
  } catch (err) {
    let e: HttpError;
    if (err instanceof HttpError) e = err;
    else if (err instanceof GroupingError) e = new HttpError(400, err.message);
    else if (err instanceof NotReadyError) e = new HttpError(503, err.message);
    else {
      logger.error({ err: errorMessage(err) }, "push failed");
      e = new HttpError(500, errorMessage(err));
    }
    return reply
      .code(e.status)
      .type("text/plain; charset=utf-8")
      .header("X-Content-Type-Options", "nosniff")
      .send(e.message + "\n");
  }
  return reply.code(status).send();
}

/**
 * pushPath is the raw path after `/metrics/`, without the query string. Paths that do not start
 * with `job/` or `job@base64/` match no Pushgateway route: 404.
 */
function pushPath(url: string): string {
  const q = url.indexOf("?");
  const path = (q < 0 ? url : url.slice(0, q)).slice("/metrics/".length);
  if (!path.startsWith("job/") && !path.startsWith("job@base64/")) {
    throw new HttpError(404, "404 page not found");
  }
  return path;
}

function requestTtl(req: FastifyRequest): number | undefined {
  const header = req.headers[TTL_HEADER];
  const q = req.url.indexOf("?");
  const param = q < 0 ? null : new URLSearchParams(req.url.slice(q + 1)).get("ttl");
  const text = typeof header === "string" ? header : param;
  if (text === null || text === undefined) return undefined;
  try {
    return parseDuration(text.trim());
  } catch (err) {
    throw new HttpError(400, `invalid time to live: ${errorMessage(err)}`);
  }
}

/** decodeBody undoes a gzip or (framed) snappy Content-Encoding, as decodeRequest upstream. */
async function decodeBody(req: FastifyRequest, maxBytes: number): Promise<Buffer> {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const enc = (req.headers["content-encoding"] ?? "").toLowerCase();
  if (enc === "gzip") {
    try {
      return gunzipSync(body, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
        throw new HttpError(413, `decoded body exceeds ${maxBytes} bytes`);
      }
      throw new HttpError(400, errorMessage(err));
    }
  }
  if (enc === "snappy") {
    try {
      const d = new Decompressor();
      const out = Buffer.concat([d.update(body), await d.finish()]);
      if (out.length > maxBytes) throw new HttpError(413, `decoded body exceeds ${maxBytes} bytes`);
      return out;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, errorMessage(err));
    }
  }
  return body;
}

function apiReply(reply: FastifyReply, data: unknown): FastifyReply {
  return reply
    .headers(API_CORS)
    .type("application/json")
    .send(JSON.stringify({ status: "success", data }));
}

/** groupJson is a group as the Pushgateway's GET /api/v1/metrics shows it. */
function groupJson(g: Group): Record<string, unknown> {
  const out: Record<string, unknown> = {
    labels: { ...g.labels },
    last_push_successful: lastPushSuccessful(g),
  };
  for (const [name, sf] of g.families) {
    const f = sf.family;
    out[name] = {
      time_stamp: new Date(sf.timestampMs).toISOString(),
      type: DTO_TYPE[f.type],
      ...(f.help ? { help: f.help } : {}),
      metrics: f.metrics.map(metricJson),
    };
  }
  return out;
}

function lastPushSuccessful(g: Group): boolean {
  const fail = g.families.get(PUSH_FAILURE_TIME_METRIC)?.family.metrics[0]?.value;
  const ok = g.families.get(PUSH_TIME_METRIC)?.family.metrics[0]?.value;
  if (fail === undefined || ok === undefined) return true;
  return fail <= ok;
}

function metricJson(m: PushMetric): Record<string, unknown> {
  const labels: Record<string, string> = {};
  for (const l of m.labels) labels[l.name] = l.value;
  const out: Record<string, unknown> = { labels };
  if (m.summary) {
    const quantiles: Record<string, string> = {};
    for (const [q, v] of m.summary.quantiles) quantiles[formatGoFloat(q)] = formatGoFloat(v);
    out.quantiles = quantiles;
    out.count = formatGoFloat(m.summary.count);
    out.sum = formatGoFloat(m.summary.sum);
  } else if (m.histogram) {
    const buckets: Record<string, string> = {};
    for (const [ub, c] of m.histogram.buckets) buckets[formatGoFloat(ub)] = formatGoFloat(c);
    out.buckets = buckets;
    out.count = formatGoFloat(m.histogram.count);
    out.sum = formatGoFloat(m.histogram.sum);
  } else {
    out.value = formatGoFloat(m.value ?? 0);
  }
  return out;
}
