// The Loki HTTP query API (https://grafana.com/docs/loki/latest/reference/loki-http-api/), with
// the routes, parameters, JSON shapes and errors of Loki (pkg/loki/modules.go routes,
// pkg/loghttp for parameters, pkg/util/marshal for JSON, pkg/util/server/error.go for errors:
// plain text bodies, 400 for bad parameters and queries). Handlers are thin: parse, call the
// LogQL engine or the LogQuerier, encode. The push side lives in ingest/loki.
import websocket from "@fastify/websocket";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Labels, Matcher } from "../../model/labels/index.ts";
import {
  Engine,
  ParseError,
  PipelineError,
  QueryError,
  prettify,
  parseExpr,
  parseMatchers,
} from "../../logql/index.ts";
import type { QueryResult } from "../../logql/index.ts";
import { formatGoDuration, formatPromDuration } from "../../logql/syntax/index.ts";
import type { Storage } from "../../storage/index.ts";
import type { LogQuerier } from "../../storage/logs.ts";
import { errorMessage } from "../../util/errors.ts";
import type { Logger } from "../../util/logging/index.ts";
import { VERSION } from "../../util/version.ts";
import { ENCODING_FLAGS_HEADER, encodingFlags, labelsJson, queryResponseJson } from "./encode.ts";
import type { Params } from "./params.ts";
import {
  ERR_END_BEFORE_START,
  ParamError,
  parseBounds,
  parseInstantQuery,
  parseRangeQuery,
  parseVolumeInstantQuery,
  parseVolumeRangeQuery,
  paramsOf,
} from "./params.ts";
import type { VolumeQuery } from "./params.ts";
import { registerTail } from "./tail.ts";

/** LokiLimits are the query limits, Loki's per-tenant limits with their defaults. */
export interface LokiLimits {
  /** maxQueryLengthNs: the longest time range of a query (max_query_length, 721h); 0: none. */
  readonly maxQueryLengthNs: bigint;
  /** maxEntriesLimitPerQuery: the largest `limit` of a log query (5000); 0: none. */
  readonly maxEntriesLimitPerQuery: number;
  /** queryTimeoutMs: queries running longer fail with 504 (query_timeout, 1m). */
  readonly queryTimeoutMs: number;
  /** tailPollMs: how often a tail polls storage for new entries. */
  readonly tailPollMs: number;
}

/** DEFAULT_LOKI_LIMITS are Loki's defaults (pkg/validation/limits.go). */
export const DEFAULT_LOKI_LIMITS: LokiLimits = {
  maxQueryLengthNs: 721n * 3_600_000_000_000n,
  maxEntriesLimitPerQuery: 5000,
  queryTimeoutMs: 60_000,
  tailPollMs: 1000,
};

/** LokiApiDeps is what the Loki API reads from the rest of Vigil. */
export interface LokiApiDeps {
  /** storage is the open storage, or undefined while it opens (the API then answers 503). */
  storage(): Storage | undefined;
  readonly logger: Logger;
  /** limits override DEFAULT_LOKI_LIMITS. */
  readonly limits?: Partial<LokiLimits>;
  /** nowNs is the clock in nanoseconds (tests fix it); default the wall clock. */
  nowNs?(): bigint;
}

/** HttpError is an error answered with this status and the message as a plain-text body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const ERR_CLIENT_CANCELED = "the request was cancelled by the client";
const ERR_DEADLINE_EXCEEDED =
  "request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed";
const FORM = "application/x-www-form-urlencoded";

/** Ctx is one request as a handler sees it. */
export interface Ctx {
  readonly req: FastifyRequest;
  readonly params: Params;
  readonly signal: AbortSignal;
}

/** Reply is a handler's answer: a JSON body (already encoded). */
type Handler = (c: Ctx) => Promise<string>;

/** requestParams merges a form body and the URL query like Go's ParseForm. */
export function requestParams(req: FastifyRequest): Params {
  const q = req.url.indexOf("?");
  const query = new URLSearchParams(q < 0 ? "" : req.url.slice(q + 1));
  return req.body instanceof URLSearchParams ? paramsOf(req.body, query) : paramsOf(query);
}

/** statusOf maps an error to Loki's status and message (server.ClientHTTPStatusAndError). */
export function statusOf(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (
    err instanceof ParamError ||
    err instanceof ParseError ||
    err instanceof PipelineError ||
    err instanceof QueryError
  ) {
    return { status: 400, message: err.message };
  }
  if (err instanceof Error && err.name === "TimeoutError") {
    return { status: 504, message: ERR_DEADLINE_EXCEEDED };
  }
  if (err instanceof Error && err.name === "AbortError") {
    return { status: 499, message: ERR_CLIENT_CANCELED };
  }
  return { status: 500, message: errorMessage(err) };
}

/** sendError writes an error as server.WriteError does. */
export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { status, message } = statusOf(err);
  return reply
    .code(status)
    .header("x-content-type-options", "nosniff")
    .type("text/plain; charset=utf-8")
    .send(message);
}

/**
 * registerLokiApi adds Loki's query API under /loki/api/v1 (query, query_range, labels, label
 * values, series, index/stats, index/volume, index/volume_range, format_query, tail,
 * status/buildinfo) and Loki's /ready, in its own plugin scope. Call it before app listens.
 */
export async function registerLokiApi(app: FastifyInstance, deps: LokiApiDeps): Promise<void> {
  const limits: LokiLimits = { ...DEFAULT_LOKI_LIMITS, ...deps.limits };
  const h = new Handlers(deps, limits);
  await app.register(async (api) => {
    if (!api.hasContentTypeParser(FORM)) {
      api.addContentTypeParser(FORM, { parseAs: "string" }, (_req, body, done) => {
        done(null, new URLSearchParams(body as string));
      });
    }
    if (!api.hasDecorator("websocketServer")) await api.register(websocket);
    const route = (methods: ("GET" | "POST")[], url: string, fn: Handler): void => {
      api.route({ method: methods, url, handler: wrap(fn, deps.logger, limits) });
    };
    const GP: ("GET" | "POST")[] = ["GET", "POST"];
    const v1 = "/loki/api/v1";
    route(GP, `${v1}/query`, (c) => h.query(c));
    route(GP, `${v1}/query_range`, (c) => h.queryRange(c));
    route(GP, `${v1}/labels`, (c) => h.labels(c));
    route(GP, `${v1}/label/:name/values`, (c) => h.labelValues(c));
    route(GP, `${v1}/series`, (c) => h.series(c));
    route(GP, `${v1}/index/stats`, (c) => h.indexStats(c));
    route(GP, `${v1}/index/volume`, (c) => h.volume(c, false));
    route(GP, `${v1}/index/volume_range`, (c) => h.volume(c, true));
    api.route({
      method: GP,
      url: `${v1}/format_query`,
      handler: (req, reply) => formatQuery(req, reply),
    });
    api.get(`${v1}/status/buildinfo`, (_req, reply) =>
      reply.type("application/json").send(JSON.stringify(buildInfo()) + "\n"),
    );
    api.get("/ready", (_req, reply) => {
      reply.type("text/plain; charset=utf-8").header("x-content-type-options", "nosniff");
      if (!deps.storage()) {
        return reply.code(503).send("Some services are not Running:\nStarting: 1\n\n");
      }
      return reply.send("ready\n");
    });
    registerTail(api, `${v1}/tail`, {
      querier: () => h.querier(),
      logger: deps.logger,
      nowNs: () => h.nowNs(),
      pollMs: limits.tailPollMs,
    });
  });
}

function wrap(fn: Handler, logger: Logger, limits: LokiLimits) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const ac = new AbortController();
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) ac.abort();
    });
    const signal =
      limits.queryTimeoutMs > 0
        ? AbortSignal.any([ac.signal, AbortSignal.timeout(limits.queryTimeoutMs)])
        : ac.signal;
    try {
      const body = await fn({ req, params: requestParams(req), signal });
      return reply.code(200).type("application/json; charset=UTF-8").send(body);
    } catch (err) {
      const reason = signal.aborted ? signal.reason : err;
      const { status } = statusOf(reason);
      if (status >= 500) logger.error({ err: errorMessage(err), url: req.url }, "Loki API error");
      return sendError(reply, reason);
    }
  };
}

/** formatQuery is Loki's formatQueryHandler: JSON in both outcomes. */
function formatQuery(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const q = requestParams(req).get("query");
  let body: { status: string; data?: string; error?: string };
  let code = 200;
  try {
    // Loki answers syntax.Prettify: one line up to 100 bytes, split beyond (prettier.ts).
    const data = prettify(parseExpr(q));
    body = data === "" ? { status: "success" } : { status: "success", data };
  } catch (err) {
    code = 400;
    body = { status: "invalid-query", error: errorMessage(err) };
  }
  return reply
    .code(code)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(body) + "\n");
}

function buildInfo() {
  return {
    version: VERSION,
    revision: "",
    branch: "",
    buildUser: "",
    buildDate: "",
    goVersion: `node ${process.version}`,
  };
}

/** parseSelector parses a stream selector parameter as Loki's syntax.ParseMatchers(q, true). */
function parseSelector(q: string): Matcher[] {
  try {
    return parseMatchers(q);
  } catch (err) {
    if (err instanceof ParseError) throw err;
    throw new ParamError(errorMessage(err));
  }
}

class Handlers {
  private readonly nowFn: () => bigint;

  constructor(
    private readonly deps: LokiApiDeps,
    private readonly limits: LokiLimits,
  ) {
    this.nowFn = deps.nowNs ?? (() => BigInt(Date.now()) * 1_000_000n);
  }

  nowNs(): bigint {
    return this.nowFn();
  }

  /** querier returns a querier of the open storage or fails with 503. */
  querier(): LogQuerier {
    const s = this.deps.storage();
    if (!s) throw new HttpError(503, "storage not ready");
    return s.logs.logQuerier();
  }

  /** checkLength enforces max_query_length (validation.ErrQueryTooLong). */
  private checkLength(startNs: bigint, endNs: bigint): void {
    const max = this.limits.maxQueryLengthNs;
    if (max <= 0n || endNs - startNs <= max) return;
    const len = ((endNs - startNs) / 1_000_000_000n) * 1_000_000_000n;
    throw new HttpError(
      400,
      `the query time range exceeds the limit (query length: ${formatGoDuration(len)}, limit: ${formatPromDuration(max)})`,
    );
  }

  /** checkEntries enforces max_entries_limit_per_query on log queries. */
  private checkEntries(limit: number): void {
    const max = this.limits.maxEntriesLimitPerQuery;
    if (max > 0 && limit > max) {
      throw new HttpError(
        400,
        `max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${max})`,
      );
    }
  }

  async query(c: Ctx): Promise<string> {
    const q = parseInstantQuery(c.params, this.nowNs());
    const expr = parseExpr(q.query);
    if (expr.type === "LogSelector") this.checkEntries(q.limit);
    const t0 = performance.now();
    const engine = new Engine({ querier: this.querier() });
    const res = await engine.exec(expr, {
      startNs: q.timeNs,
      endNs: q.timeNs,
      stepNs: 0n,
      instant: true,
      direction: q.direction,
      limit: q.limit,
      signal: c.signal,
    });
    return this.respond(c, res, t0);
  }

  async queryRange(c: Ctx): Promise<string> {
    const q = parseRangeQuery(c.params, this.nowNs());
    const expr = parseExpr(q.query);
    if (expr.type === "LogSelector") this.checkEntries(q.limit);
    this.checkLength(q.startNs, q.endNs);
    const t0 = performance.now();
    const engine = new Engine({ querier: this.querier() });
    // TODO(loki-api): `interval` (one entry per interval for log queries) is parsed, not applied.
    const res = await engine.rangeQuery(expr, q.startNs, q.endNs, q.stepNs, {
      direction: q.direction,
      limit: q.limit,
      signal: c.signal,
    });
    return this.respond(c, res, t0);
  }

  private respond(c: Ctx, res: QueryResult, t0: number): string {
    const entries =
      res.type === "streams" ? res.streams.reduce((n, s) => n + s.entries.length, 0) : 0;
    const flags = encodingFlags(c.req.headers[ENCODING_FLAGS_HEADER]);
    return queryResponseJson(
      res,
      { execTimeS: (performance.now() - t0) / 1000, entriesReturned: entries },
      flags,
    );
  }

  /** rangeOf parses start/end/since and checks them like loghttp ParseLabelQuery. */
  private rangeOf(p: Params): { startNs: bigint; endNs: bigint } {
    const r = parseBounds(p, this.nowNs());
    if (r.endNs < r.startNs) throw new ParamError(ERR_END_BEFORE_START);
    return r;
  }

  async labels(c: Ctx): Promise<string> {
    const { startNs, endNs } = this.rangeOf(c.params);
    const q = c.params.get("query");
    const matchers = q === "" ? undefined : parseSelector(q);
    const names = await this.querier().labelNames(startNs, endNs + 1n, matchers);
    return labelResponse(names);
  }

  async labelValues(c: Ctx): Promise<string> {
    const { startNs, endNs } = this.rangeOf(c.params);
    const name = (c.req.params as { name: string }).name;
    const q = c.params.get("query");
    const matchers = q === "" ? undefined : parseSelector(q);
    const values = await this.querier().labelValues(name, startNs, endNs + 1n, matchers);
    return labelResponse(values);
  }

  async series(c: Ctx): Promise<string> {
    const { startNs, endNs } = parseBounds(c.params, this.nowNs());
    let groups = [...new Set([...c.params.all("match"), ...c.params.all("match[]")])].sort();
    if (groups.length === 1 && groups[0]!.replaceAll(" ", "") === "{}") groups = [];
    const sets = groups.map(parseSelector);
    this.checkLength(startNs, endNs);
    const querier = this.querier();
    const seen = new Map<string, Labels>();
    for (const ms of sets.length > 0 ? sets : [[]]) {
      for (const ls of await querier.streams(ms, startNs, endNs + 1n)) {
        seen.set(labelsJson(ls), ls);
      }
    }
    const data = [...seen.keys()].sort();
    return `{"status":"success","data":[${data.join(",")}]}\n`;
  }

  async indexStats(c: Ctx): Promise<string> {
    const q = parseRangeQuery(c.params, this.nowNs());
    const matchers = parseSelector(q.query);
    this.checkLength(q.startNs, q.endNs);
    const s = await this.querier().stats(matchers, q.startNs, q.endNs + 1n);
    return (
      JSON.stringify({ streams: s.streams, chunks: s.chunks, bytes: s.bytes, entries: s.entries }) +
      "\n"
    );
  }

  /**
   * volume answers /index/volume (one bucket ending at `end`) and /index/volume_range (buckets
   * of `step` from `start`) in the Prometheus-style shape of Loki's queryrange volume middleware
   * (pkg/querier/queryrange/volume.go ToPrometheusResponse): a vector when every series has one
   * sample, else a matrix, sorted by the first value descending, then by name.
   */
  async volume(c: Ctx, range: boolean): Promise<string> {
    const now = this.nowNs();
    const q = range ? parseVolumeRangeQuery(c.params, now) : parseVolumeInstantQuery(c.params, now);
    const matchers = parseSelector(q.query);
    this.checkLength(q.startNs, q.endNs);
    const querier = this.querier();
    const buckets: [bigint, bigint][] = [];
    if (q.stepNs <= 0n || q.startNs >= q.endNs) buckets.push([q.startNs, q.endNs]);
    else {
      for (let t = q.startNs; t < q.endNs; t += q.stepNs) {
        buckets.push([t, t + q.stepNs < q.endNs ? t + q.stepNs : q.endNs]);
      }
    }
    const series = new Map<string, { labels: string; samples: [bigint, number][] }>();
    for (const [i, [from, to]] of buckets.entries()) {
      // Buckets are [from, to), the last one [from, end] (util.ForInterval, end inclusive).
      const last = i === buckets.length - 1;
      for (const v of await volumeRows(querier, matchers, from, last ? to + 1n : to, q)) {
        let s = series.get(v.name);
        if (!s) series.set(v.name, (s = { labels: v.labels, samples: [] }));
        s.samples.push([to, v.bytes]);
      }
    }
    const list = [...series.entries()].sort(([an, a], [bn, b]) => {
      const av = a.samples[0]![1];
      const bv = b.samples[0]![1];
      if (av === bv) return an < bn ? -1 : an > bn ? 1 : 0;
      return bv - av;
    });
    const matrix = list.some(([, s]) => s.samples.length > 1);
    const pair = ([t, v]: [bigint, number]) =>
      `[${Number(t / 1_000_000n) / 1000},${JSON.stringify(String(v))}]`;
    const result = list.map(([, s]) =>
      matrix
        ? `{"metric":${s.labels},"values":[${s.samples.map(pair).join(",")}]}`
        : `{"metric":${s.labels},"value":${pair(s.samples[0]!)}}`,
    );
    return `{"status":"success","data":{"resultType":"${matrix ? "matrix" : "vector"}","result":[${result.join(",")}],"stats":${emptyStats()}}}\n`;
  }
}

async function volumeRows(
  querier: LogQuerier,
  matchers: readonly Matcher[],
  startNs: bigint,
  endNs: bigint,
  q: VolumeQuery,
): Promise<{ name: string; labels: string; bytes: number }[]> {
  if (q.aggregateBy === "series") {
    const rows = await querier.volume(matchers, startNs, endNs, q.targetLabels, q.limit);
    return rows.map((r) => ({
      name: labelsJson(r.labels),
      labels: labelsJson(r.labels),
      bytes: r.bytes,
    }));
  }
  // aggregateBy=labels: the volume of each label name (seriesvolume.AggregateBy labels).
  let names = await querier.labelNames(startNs, endNs, matchers);
  if (q.targetLabels.length > 0) names = names.filter((n) => q.targetLabels.includes(n));
  const out: { name: string; labels: string; bytes: number }[] = [];
  for (const name of names) {
    const rows = await querier.volume(matchers, startNs, endNs, [name], 1_000_000);
    const bytes = rows.reduce(
      (n, r) => n + (r.labels.some((l) => l.name === name) ? r.bytes : 0),
      0,
    );
    out.push({ name, labels: labelsJson([{ name, value: "" }]), bytes });
  }
  return out.sort((a, b) => b.bytes - a.bytes).slice(0, q.limit);
}

function emptyStats(): string {
  return queryResponseStats;
}

const queryResponseStats = (() => {
  const body = queryResponseJson(
    { type: "scalar", tsNs: 0n, value: 0 },
    { execTimeS: 0, entriesReturned: 0 },
    new Set(),
  );
  return body.slice(body.indexOf(`"stats":`) + 8, -3);
})();

/** labelResponse is marshal.WriteLabelResponseJSON: `data` is omitted when empty. */
function labelResponse(values: readonly string[]): string {
  if (values.length === 0) return `{"status":"success"}\n`;
  return `{"status":"success","data":${JSON.stringify(values)}}\n`;
}
