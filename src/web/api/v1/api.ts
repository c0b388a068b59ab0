// The Prometheus HTTP API v1 (https://prometheus.io/docs/prometheus/latest/querying/api/), with
// the routes, parameters, JSON shapes, error types and status codes of prometheus
// web/api/v1/api.go (v3.5). Handlers are thin: parse parameters, call the engine or storage,
// encode. Endpoints whose subsystems do not exist yet (exemplars) answer with valid empty data.
// The scrape endpoints (targets, metadata, scrape_pools) are in scrape-api.ts.
import { availableParallelism, hostname } from "node:os";
import { getHeapStatistics } from "node:v8";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { VigilConfig } from "../../../config/index.ts";
import { configToYaml } from "../../../config/index.ts";
import { formatDuration } from "../../../model/duration.ts";
import type { Labels, Matcher } from "../../../model/labels/index.ts";
import { compareLabels, labelsKey } from "../../../model/labels/index.ts";
import type { Annotations, Engine, QueryResult, QueryStats } from "../../../promql/engine/index.ts";
import {
  extractSelectors,
  parseExpr,
  parseMetricSelector,
  prettify,
} from "../../../promql/parser/index.ts";
import type { Storage } from "../../../storage/index.ts";
import type { Logger } from "../../../util/logging/index.ts";
import { errorMessage } from "../../../util/errors.ts";
import { VERSION } from "../../../util/version.ts";
import { ApiError, STATUS_BY_ERROR_TYPE, invalidParam, queryApiError } from "./errors.ts";
import type { Form } from "./form.ts";
import { FORM_CONTENT_TYPE, requestForm } from "./form.ts";
import { RawJson, encodeJson, encodeLabels, encodeResult, formatGoTime } from "./json.ts";
import {
  MAX_TIME_MS,
  MIN_TIME_MS,
  parseDuration,
  parseGoAtoi,
  parseLimit,
  parseTime,
} from "./params.ts";
import type { RulesSource } from "./rules.ts";
import { InvalidNextTokenError, alertsData, rulesData } from "./rules.ts";
import { translateAst } from "./translate-ast.ts";
import { tsdbStatus } from "./tsdb-status.ts";

/** PrometheusApiDeps is what the API reads from the rest of Vigil. */
export interface PrometheusApiDeps {
  /** engine is the PromQL engine in force (it may be replaced on reload). */
  engine(): Engine;
  /** storage is the open storage, or undefined while it opens (the API then answers 503). */
  storage(): Storage | undefined;
  /** config is the configuration in force, for /status/config and the retention. */
  config(): VigilConfig;
  /** startTimeMs is when the process started, for /status/runtimeinfo. */
  readonly startTimeMs: number;
  /** flags are the command-line flags, for /status/flags. */
  readonly flags: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** reloadStatus reports the last configuration reload, for /status/runtimeinfo. */
  reloadStatus?(): { success: boolean; lastSuccessMs: number };
  /** rules is the rule manager, for /rules and /alerts; absent means no rules. */
  rules?(): RulesSource | undefined;
  /** now is the clock (tests fix it); default Date.now. */
  now?(): number;
}

/** MAX_POINTS is the most points per series a range query may return. */
const MAX_POINTS = 11000;

/** Annotations beyond these counts are summarised, as upstream's respond does. */
const MAX_WARNINGS = 10;
const MAX_INFOS = 10;

const DAY_MS = 86_400_000;

/**
 * Storage reads are clamped to [STORAGE_MIN_MS, STORAGE_MAX_MS]: upstream's MinTime and MaxTime
 * defaults lie far outside what ClickHouse's DateTime64 can hold.
 */
const STORAGE_MIN_MS = Date.UTC(1900, 0, 1);
const STORAGE_MAX_MS = Date.UTC(2262, 0, 1);

const TRUNCATED = "results truncated due to limit";

/** ApiResult is a successful answer; data undefined means 204 No Content. */
interface ApiResult {
  data?: unknown;
  warnings?: readonly string[];
  infos?: readonly string[];
}

interface Ctx {
  readonly req: FastifyRequest;
  readonly form: Form;
  readonly signal: AbortSignal;
}

type Handler = (c: Ctx) => Promise<ApiResult> | ApiResult;

// CORS headers upstream sets for any request with an Origin (util/httputil/cors.go), with the
// default --web.cors.origin of ".*".
const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, Origin",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Expose-Headers": "Date",
  Vary: "Origin",
  "Access-Control-Allow-Origin": "*",
};

/**
 * registerPrometheusApi adds the /api/v1 routes to app, in their own plugin scope (so that the
 * form-body parser stays local). Call it before app listens.
 */
export async function registerPrometheusApi(
  app: FastifyInstance,
  deps: PrometheusApiDeps,
): Promise<void> {
  await app.register(
    async (api) => {
      addBodyParsers(api);
      const h = new Handlers(deps);
      const route = (
        methods: ("GET" | "POST" | "DELETE" | "OPTIONS")[],
        url: string,
        fn: Handler,
      ): void => {
        api.route({ method: methods, url, handler: wrap(fn, deps.logger) });
      };
      const GP: ("GET" | "POST")[] = ["GET", "POST"];
      route(["OPTIONS"], "/*", () => ({}));
      route(GP, "/query", (c) => h.query(c));
      route(GP, "/query_range", (c) => h.queryRange(c));
      route(GP, "/query_exemplars", (c) => h.queryExemplars(c));
      route(GP, "/format_query", (c) => h.formatQuery(c));
      route(GP, "/parse_query", (c) => h.parseQuery(c));
      route(GP, "/labels", (c) => h.labelNames(c));
      route(["GET"], "/label/:name/values", (c) => h.labelValues(c));
      route(GP, "/series", (c) => h.series(c));
      route(["DELETE"], "/series", () => {
        throw new ApiError("internal", "not implemented");
      });
      route(["GET"], "/alertmanagers", () => ({
        data: { activeAlertmanagers: [], droppedAlertmanagers: [] },
      }));
      route(["GET"], "/status/config", () => ({ data: { yaml: configToYaml(deps.config()) } }));
      route(["GET"], "/status/runtimeinfo", () => h.runtimeInfo());
      route(["GET"], "/status/buildinfo", () => ({ data: buildInfo() }));
      route(["GET"], "/status/flags", () => ({ data: { ...deps.flags } }));
      route(["GET"], "/status/tsdb", (c) => h.tsdbStatus(c));
      route(["GET"], "/status/walreplay", () => ({ data: { min: 0, max: 0, current: 0 } }));
      route(["GET"], "/notifications", () => ({ data: [] }));
      route(["GET"], "/alerts", () => h.alerts());
      route(["GET"], "/rules", (c) => h.rules(c));
    },
    { prefix: "/api/v1" },
  );
}

/**
 * addBodyParsers makes POST bodies in form encoding available as URLSearchParams and ignores
 * other bodies, as Go's ParseForm does (@fastify/formbody is not a dependency).
 */
function addBodyParsers(api: FastifyInstance): void {
  api.removeAllContentTypeParsers();
  api.addContentTypeParser("*", { parseAs: "string" }, (req, body, done) => {
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    done(null, type === FORM_CONTENT_TYPE ? new URLSearchParams(body as string) : undefined);
  });
}

/** wrap turns a handler into a Fastify route handler writing upstream's envelope. */
function wrap(fn: Handler, logger: Logger) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (req.headers.origin) reply.headers(CORS_HEADERS);
    const ac = new AbortController();
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) ac.abort();
    });
    let res: ApiResult;
    try {
      res = await fn({ req, form: requestForm(req), signal: ac.signal });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError("internal", errorMessage(err));
      if (e.type === "internal") logger.error({ err: e.message, url: req.url }, "API error");
      return reply
        .code(STATUS_BY_ERROR_TYPE[e.type])
        .type("application/json")
        .send(encodeJson({ status: "error", errorType: e.type, error: e.message }));
    }
    if (res.data === undefined) return reply.code(204).send();
    const body = encodeJson({
      status: "success",
      data: res.data,
      warnings: res.warnings?.length ? res.warnings : undefined,
      infos: res.infos?.length ? res.infos : undefined,
    });
    return reply.code(200).type("application/json").send(body);
  };
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

/** timeParam parses an optional time parameter like upstream parseTimeParam. */
function timeParam(form: Form, name: string, def: number): number {
  const v = form.value(name);
  if (v === "") return def;
  try {
    return parseTime(v);
  } catch (err) {
    throw invalidParam(name, `invalid time value for '${name}': ${errorMessage(err)}`);
  }
}

/** param runs a parser and reports its failure as an invalid parameter. */
function param<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw invalidParam(name, err);
  }
}

/**
 * parseMatcherSets parses match[] values like upstream parseMatchersParam: each must parse as a
 * series selector and contain a matcher that does not match the empty string.
 */
function parseMatcherSets(values: readonly string[]): Matcher[][] {
  const sets = values.map((v) => {
    try {
      return parseMetricSelector(v);
    } catch (err) {
      throw new ApiError("bad_data", errorMessage(err), { cause: err });
    }
  });
  for (const ms of sets) {
    if (!ms.some((m) => !m.matches(""))) {
      throw new ApiError("bad_data", "match[] must contain at least one non-empty matcher");
    }
  }
  return sets;
}

/** unescapeLabelName undoes the U__ escaping of label names in URLs (model.UnescapeName). */
export function unescapeLabelName(name: string): string {
  if (!name.startsWith("U__")) return name;
  const s = name.slice(3);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "_") {
      out += s[i];
      continue;
    }
    i++;
    if (i >= s.length) return name;
    if (s[i] === "_") {
      out += "_";
      continue;
    }
    let cp = 0;
    let j = 0;
    for (; i < s.length && s[i] !== "_"; i++, j++) {
      const d = parseInt(s[i]!, 16);
      if (j >= 6 || Number.isNaN(d)) return name;
      cp = cp * 16 + d;
    }
    if (i >= s.length || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return name;
    out += String.fromCodePoint(cp);
  }
  return out;
}

/** statsJson renders engine statistics as upstream's stats.NewQueryStats does (seconds). */
function statsJson(s: QueryStats) {
  const evalS = Math.max(0, s.execTimeMs - s.queueTimeMs) / 1000;
  return {
    timings: {
      evalTotalTime: evalS,
      resultSortTime: 0,
      queryPreparationTime: 0,
      innerEvalTime: evalS,
      execQueueTime: s.queueTimeMs / 1000,
      execTotalTime: s.execTimeMs / 1000,
    },
    samples: {
      totalQueryableSamples: s.totalQueryableSamples,
      peakSamples: s.peakSamples,
    },
  };
}

/** truncate cuts a vector or matrix result to limit elements, reporting whether it did. */
function truncate(res: QueryResult, limit: number): boolean {
  const v = res.value;
  if (limit <= 0) return false;
  if (v.type === "vector" && v.vector.length > limit) {
    v.vector.length = limit;
    return true;
  }
  if (v.type === "matrix" && v.matrix.length > limit) {
    v.matrix.length = limit;
    return true;
  }
  return false;
}

function addTruncationWarning(a: Annotations): void {
  a.add({ kind: "warning", text: TRUNCATED, pos: null });
}

class Handlers {
  constructor(private readonly deps: PrometheusApiDeps) {}

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  /** storage returns the open storage or fails with 503, like upstream's readiness wrapper. */
  private storage(): Storage {
    const s = this.deps.storage();
    if (!s) throw new ApiError("unavailable", "storage not ready");
    return s;
  }

  /**
   * storageRange clamps a series/labels time range to what storage can hold: no earlier than the
   * retention period (plus a day, since retention drops whole days) and within DateTime64.
   */
  private storageRange(startMs: number, endMs: number): [number, number] {
    const retentionMs = this.deps.config().storage.retentionMs;
    const lo = Math.max(startMs, this.now() - retentionMs - DAY_MS, STORAGE_MIN_MS);
    const hi = Math.min(endMs, STORAGE_MAX_MS);
    return [lo, hi];
  }

  /** queryOptions parses timeout and lookback_delta, in upstream's order and wording. */
  private queryOptions(c: Ctx): { timeoutMs?: number; lookbackDeltaMs?: number } {
    const out: { timeoutMs?: number; lookbackDeltaMs?: number } = {};
    const to = c.form.value("timeout");
    if (to !== "")
      out.timeoutMs = Math.max(
        0,
        param("timeout", () => parseDuration(to)),
      );
    const lb = c.form.value("lookback_delta");
    if (lb !== "") {
      try {
        out.lookbackDeltaMs = parseDuration(lb);
      } catch (err) {
        throw new ApiError(
          "bad_data",
          `error parsing lookback delta duration: ${errorMessage(err)}`,
        );
      }
    }
    return out;
  }

  /** queryData finishes /query and /query_range: limit, warnings and stats. */
  private queryData(c: Ctx, query: string, res: QueryResult, limit: number): ApiResult {
    if (truncate(res, limit)) addTruncationWarning(res.annotations);
    const { warnings, infos } = res.annotations.asStrings(query, MAX_WARNINGS, MAX_INFOS);
    const stats = c.form.value("stats") !== "" ? statsJson(res.stats) : undefined;
    const data = new RawJson(
      encodeJson({
        resultType: res.value.type,
        result: new RawJson(encodeResult(res.value)),
        stats,
      }),
    );
    return { data, warnings, infos };
  }

  async query(c: Ctx): Promise<ApiResult> {
    const storage = this.storage();
    const f = c.form;
    const limit = param("limit", () => parseLimit(f.value("limit")));
    const t = timeParam(f, "time", this.now());
    const opts = this.queryOptions(c);
    const query = f.value("query");
    let res: QueryResult;
    try {
      res = await this.deps.engine().instantQuery(storage, query, t, { ...opts, signal: c.signal });
    } catch (err) {
      throw queryApiError(err);
    }
    return this.queryData(c, query, res, limit);
  }

  async queryRange(c: Ctx): Promise<ApiResult> {
    const storage = this.storage();
    const f = c.form;
    const limit = param("limit", () => parseLimit(f.value("limit")));
    const start = param("start", () => parseTime(f.value("start")));
    const end = param("end", () => parseTime(f.value("end")));
    if (end < start) throw invalidParam("end", "end timestamp must not be before start time");
    const stepMs = param("step", () => parseDuration(f.value("step")));
    if (stepMs <= 0) {
      throw invalidParam(
        "step",
        "zero or negative query resolution step widths are not accepted. Try a positive integer",
      );
    }
    // Upstream divides Go durations (int64 nanoseconds, saturating) and truncates.
    const rangeNs = Math.min((end - start) * 1e6, 2 ** 63);
    if (Math.trunc(rangeNs / (stepMs * 1e6)) > MAX_POINTS) {
      throw new ApiError(
        "bad_data",
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
      );
    }
    const opts = this.queryOptions(c);
    const query = f.value("query");
    let res: QueryResult;
    try {
      // The engine steps in whole milliseconds, as upstream's evaluator does.
      const step = Math.max(1, Math.trunc(stepMs));
      res = await this.deps
        .engine()
        .rangeQuery(storage, query, start, end, step, { ...opts, signal: c.signal });
    } catch (err) {
      throw queryApiError(err);
    }
    return this.queryData(c, query, res, limit);
  }

  queryExemplars(c: Ctx): ApiResult {
    const start = timeParam(c.form, "start", MIN_TIME_MS);
    const end = timeParam(c.form, "end", MAX_TIME_MS);
    if (end < start) {
      throw new ApiError("bad_data", "end timestamp must not be before start timestamp");
    }
    let selectors: Matcher[][];
    try {
      selectors = extractSelectors(parseExpr(c.form.value("query")));
    } catch (err) {
      throw new ApiError("bad_data", errorMessage(err), { cause: err });
    }
    if (selectors.length === 0) return {};
    // TODO(api): exemplars are not stored yet (#4).
    return { data: [] };
  }

  formatQuery(c: Ctx): ApiResult {
    const expr = param("query", () => parseExpr(c.form.value("query")));
    return { data: prettify(expr) };
  }

  parseQuery(c: Ctx): ApiResult {
    const expr = param("query", () => parseExpr(c.form.value("query")));
    return { data: translateAst(expr) };
  }

  async labelNames(c: Ctx): Promise<ApiResult> {
    const storage = this.storage();
    const f = c.form;
    const limit = param("limit", () => parseLimit(f.value("limit")));
    const start = timeParam(f, "start", MIN_TIME_MS);
    const end = timeParam(f, "end", MAX_TIME_MS);
    const sets = parseMatcherSets(f.values("match[]"));
    const [lo, hi] = this.storageRange(start, end);
    let names: string[] = [];
    if (lo <= hi) {
      const q = storage.querier(lo, hi);
      try {
        names =
          sets.length <= 1
            ? await q.labelNames(sets[0] ?? [])
            : unionSorted(await Promise.all(sets.map((ms) => q.labelNames(ms))));
      } catch (err) {
        throw new ApiError("execution", errorMessage(err), { cause: err });
      }
    }
    return limitList(names, limit);
  }

  async labelValues(c: Ctx): Promise<ApiResult> {
    const storage = this.storage();
    const name = unescapeLabelName((c.req.params as { name: string }).name);
    if (name === "") {
      throw new ApiError("bad_data", `invalid label name: ${JSON.stringify(name)}`);
    }
    const f = c.form;
    const limit = param("limit", () => parseLimit(f.value("limit")));
    const start = timeParam(f, "start", MIN_TIME_MS);
    const end = timeParam(f, "end", MAX_TIME_MS);
    const sets = parseMatcherSets(f.values("match[]"));
    const [lo, hi] = this.storageRange(start, end);
    let values: string[] = [];
    if (lo <= hi) {
      const q = storage.querier(lo, hi);
      try {
        values =
          sets.length <= 1
            ? await q.labelValues(name, sets[0] ?? [])
            : unionSorted(await Promise.all(sets.map((ms) => q.labelValues(name, ms))));
      } catch (err) {
        throw new ApiError("execution", errorMessage(err), { cause: err });
      }
    }
    return limitList(values, limit);
  }

  async series(c: Ctx): Promise<ApiResult> {
    const storage = this.storage();
    const f = c.form;
    if (f.values("match[]").length === 0) {
      throw new ApiError("bad_data", "no match[] parameter provided");
    }
    const limit = param("limit", () => parseLimit(f.value("limit")));
    const start = timeParam(f, "start", MIN_TIME_MS);
    const end = timeParam(f, "end", MAX_TIME_MS);
    let sets: Matcher[][];
    try {
      sets = parseMatcherSets(f.values("match[]"));
    } catch (err) {
      throw invalidParam("match[]", err);
    }
    const [lo, hi] = this.storageRange(start, end);
    let labels: Labels[] = [];
    if (lo <= hi) {
      const q = storage.querier(lo, hi);
      // Ask for one more than the limit to know whether the result was truncated.
      const hints = { seriesOnly: true, limit: limit > 0 ? limit + 1 : 0, signal: c.signal };
      try {
        const results = await Promise.all(sets.map((ms) => q.select(ms, hints)));
        const byKey = new Map<string, Labels>();
        for (const r of results) for (const s of r) byKey.set(labelsKey(s.labels), s.labels);
        labels = [...byKey.values()];
        if (results.length > 1) labels.sort(compareLabels);
      } catch (err) {
        throw new ApiError("execution", errorMessage(err), { cause: err });
      }
    }
    const warnings: string[] = [];
    if (limit > 0 && labels.length > limit) {
      labels.length = limit;
      warnings.push(TRUNCATED);
    }
    return { data: new RawJson("[" + labels.map(encodeLabels).join(",") + "]"), warnings };
  }

  alerts(): ApiResult {
    const src = this.deps.rules?.();
    return { data: src ? alertsData(src) : { alerts: [] } };
  }

  rules(c: Ctx): ApiResult {
    const matcherSets = parseMatcherSets(c.form.values("match[]"));
    const url = new URLSearchParams(c.req.url.split("?")[1] ?? "");
    const type = (url.get("type") ?? "").toLowerCase();
    if (type !== "" && type !== "alert" && type !== "record") {
      throw invalidParam("type", `not supported value ${JSON.stringify(type)}`);
    }
    const exclude = (url.get("exclude_alerts") ?? "").toLowerCase();
    if (exclude !== "" && !GO_BOOLS.has(exclude)) {
      throw invalidParam(
        "exclude_alerts",
        `error converting exclude_alerts: strconv.ParseBool: parsing ${JSON.stringify(exclude)}: invalid syntax`,
      );
    }
    const groupLimit = url.get("group_limit") ?? "";
    const nextToken = url.get("group_next_token") ?? "";
    if (nextToken !== "" && groupLimit === "") {
      throw invalidParam(
        "group_next_token",
        "group_limit needs to be present in order to paginate over the groups",
      );
    }
    let limit = 0;
    if (groupLimit !== "") {
      limit = param("group_limit", () => {
        try {
          return parseGoAtoi(groupLimit);
        } catch (err) {
          throw new Error(`group_limit needs to be a valid number: ${errorMessage(err)}`, {
            cause: err,
          });
        }
      });
      if (limit <= 0) throw invalidParam("group_limit", "group_limit needs to be greater than 0");
    }
    const src = this.deps.rules?.() ?? { ruleGroups: () => [], alertingRules: () => [] };
    try {
      const data = rulesData(src, {
        type: type as "" | "alert" | "record",
        ruleNames: new Set(c.form.values("rule_name[]")),
        ruleGroups: new Set(c.form.values("rule_group[]")),
        files: new Set(c.form.values("file[]")),
        matcherSets,
        excludeAlerts: GO_TRUE.has(exclude),
        groupLimit: limit,
        nextToken,
      });
      return { data };
    } catch (err) {
      if (err instanceof InvalidNextTokenError) throw invalidParam("group_next_token", err.message);
      throw err;
    }
  }

  runtimeInfo(): ApiResult {
    const cfg = this.deps.config();
    const reload = this.deps.reloadStatus?.() ?? {
      success: true,
      lastSuccessMs: this.deps.startTimeMs,
    };
    return {
      data: {
        startTime: formatGoTime(this.deps.startTimeMs),
        CWD: process.cwd(),
        hostname: hostname(),
        serverTime: formatGoTime(this.now()),
        reloadConfigSuccess: reload.success,
        lastConfigTime: formatGoTime(reload.lastSuccessMs),
        corruptionCount: 0,
        goroutineCount: process.getActiveResourcesInfo().length,
        GOMAXPROCS: availableParallelism(),
        GOMEMLIMIT: getHeapStatistics().heap_size_limit,
        GOGC: "",
        GODEBUG: "",
        storageRetention: formatDuration(cfg.storage.retentionMs),
      },
    };
  }

  async tsdbStatus(c: Ctx): Promise<ApiResult> {
    const storage = this.storage();
    let limit = 10;
    const s = c.form.value("limit");
    if (s !== "") {
      try {
        limit = parseGoAtoi(s);
      } catch {
        limit = 0;
      }
      if (limit < 1) throw new ApiError("bad_data", "limit must be a positive number");
    }
    try {
      return { data: await tsdbStatus(storage, this.now(), STORAGE_MAX_MS, limit) };
    } catch (err) {
      throw new ApiError("internal", errorMessage(err), { cause: err });
    }
  }
}

const GO_BOOLS = new Set(["1", "t", "true", "0", "f", "false"]);
const GO_TRUE = new Set(["1", "t", "true"]);

/** unionSorted merges string lists into one sorted list without duplicates. */
function unionSorted(lists: readonly string[][]): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const s of l) set.add(s);
  return [...set].sort();
}

/** limitList applies a `limit` to a list of names or values, warning when it cut. */
function limitList(list: string[], limit: number): ApiResult {
  if (limit > 0 && list.length > limit) {
    return { data: list.slice(0, limit), warnings: [TRUNCATED] };
  }
  return { data: list };
}
