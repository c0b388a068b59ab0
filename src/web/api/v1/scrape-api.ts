// The scrape endpoints of the Prometheus HTTP API: /api/v1/targets, /api/v1/targets/metadata,
// /api/v1/metadata and /api/v1/scrape_pools, with the parameters and JSON shapes of
// prometheus web/api/v1/api.go (v3.5).
import { hostname } from "node:os";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Labels, Matcher } from "../../../model/labels/index.ts";
import { getLabel } from "../../../model/labels/index.ts";
import { parseMetricSelector } from "../../../promql/parser/index.ts";
import type { ScrapeManager, Target } from "../../../scrape/index.ts";
import { errorMessage } from "../../../util/errors.ts";
import { ApiError, STATUS_BY_ERROR_TYPE, invalidParam } from "./errors.ts";
import { encodeJson } from "./json.ts";

/** ScrapeApiDeps is what the scrape endpoints read. */
export interface ScrapeApiDeps {
  /** scrapeManager is the running manager, or undefined before scraping starts. */
  scrapeManager(): ScrapeManager | undefined;
  /** listenAddress is Vigil's listen address (HOST:PORT), for globalUrl. */
  listenAddress(): string;
}

const LOCALHOSTS = new Set(["127.0.0.1", "localhost", "::1"]);

/** splitHost splits host[:port] like Go's net.SplitHostPort, tolerating a missing port. */
function splitHost(hostport: string): [host: string, port: string] {
  const m = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostport) ?? /^([^:]*)(?::(\d*))?$/.exec(hostport);
  if (!m) return [hostport, ""];
  return [m[1]!, m[2] ?? ""];
}

function joinHost(host: string, port: string): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return port === "" ? h : `${h}:${port}`;
}

/**
 * globalUrl is the scrape URL as seen from outside (getGlobalURL): a localhost target on
 * Vigil's own port gets Vigil's external address, and other localhost targets get this host's
 * name in place of localhost.
 */
export function globalUrl(scrapeUrl: string, listen: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(scrapeUrl);
  if (!m) return scrapeUrl;
  const [, scheme, hostport, rest] = m;
  const [host, port] = splitHost(hostport!);
  if (!LOCALHOSTS.has(host)) return scrapeUrl;
  const [, ownPort] = splitHost(listen);
  if (port === ownPort) return `http://${joinHost(hostname(), ownPort)}${rest}`;
  return `${scheme}://${joinHost(hostname(), port)}${rest}`;
}

/** labelsObject renders labels as a JSON object, as Prometheus encodes labels.Labels. */
function labelsObject(ls: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of ls) out[l.name] = l.value;
  return out;
}

/** goZeroTime is how Go encodes a zero time.Time, used for targets never scraped. */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

function goTime(ms: number): string {
  if (ms === 0) return GO_ZERO_TIME;
  return new Date(ms).toISOString().replace(/\.?0*Z$/, "Z");
}

type Query = URLSearchParams;

function query(req: FastifyRequest): Query {
  const q = req.url.indexOf("?");
  return new URLSearchParams(q < 0 ? "" : req.url.slice(q + 1));
}

/** goAtoi parses an integer like strconv.Atoi, or throws. */
function intParam(s: string, message: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new ApiError("bad_data", message);
  return Number(s);
}

function matchLabels(ls: Labels, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => m.matches(getLabel(ls, m.name)));
}

function sortedPools<T>(m: Map<string, T[]> | Map<string, readonly T[]>): [string, readonly T[]][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** targetsData builds the /api/v1/targets response data. */
export function targetsData(
  mgr: ScrapeManager | undefined,
  params: { state: string; scrapePool: string },
  listen: string,
): unknown {
  const state = params.state.toLowerCase();
  const showActive = state === "" || state === "any" || state === "active";
  const showDropped = state === "" || state === "any" || state === "dropped";
  const pool = params.scrapePool;
  const active: unknown[] = [];
  const dropped: unknown[] = [];
  if (mgr && showActive) {
    for (const [name, targets] of sortedPools(mgr.targetsActive())) {
      if (pool !== "" && name !== pool) continue;
      const sorted = [...targets].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
      for (const t of sorted) active.push(activeTarget(name, t, listen));
    }
  }
  if (mgr && showDropped) {
    for (const [name, targets] of sortedPools(mgr.targetsDropped())) {
      if (pool !== "" && name !== pool) continue;
      for (const t of targets) {
        dropped.push({ discoveredLabels: labelsObject(t.discovered), scrapePool: name });
      }
    }
  }
  return {
    activeTargets: active,
    droppedTargets: dropped,
    droppedTargetCounts: showDropped ? (mgr?.droppedTargetCounts() ?? {}) : null,
  };
}

function activeTarget(pool: string, t: Target, listen: string): unknown {
  return {
    discoveredLabels: labelsObject(t.discovered),
    labels: labelsObject(t.publicLabels),
    scrapePool: pool,
    scrapeUrl: t.url,
    globalUrl: globalUrl(t.url, listen),
    lastError: t.lastError,
    lastScrape: goTime(t.lastScrapeMs),
    lastScrapeDuration: t.lastScrapeDurationMs / 1000,
    health: t.health,
    scrapeInterval: t.get("__scrape_interval__"),
    scrapeTimeout: t.get("__scrape_timeout__"),
  };
}

/** targetMetadataData builds the /api/v1/targets/metadata response data. */
export function targetMetadataData(
  mgr: ScrapeManager | undefined,
  q: { limit: string; matchTarget: string; metric: string },
): unknown {
  const limit = q.limit === "" ? -1 : intParam(q.limit, "limit must be a number");
  let matchers: Matcher[] = [];
  if (q.matchTarget !== "") {
    try {
      matchers = parseMetricSelector(q.matchTarget);
    } catch (err) {
      throw invalidParam("match_target", err);
    }
  }
  const res: unknown[] = [];
  if (!mgr) return res;
  for (const [, targets] of sortedPools(mgr.targetsActive())) {
    for (const t of targets) {
      if (limit >= 0 && res.length >= limit) break;
      if (matchers.length > 0 && !matchLabels(t.publicLabels, matchers)) continue;
      const target = labelsObject(t.publicLabels);
      if (q.metric === "") {
        for (const md of t.metadata.values()) {
          res.push({
            target,
            metric: md.metricFamily,
            type: md.type,
            help: md.help,
            unit: md.unit,
          });
        }
        continue;
      }
      const md = t.metadata.get(q.metric);
      if (md) res.push({ target, type: md.type, help: md.help, unit: md.unit });
    }
  }
  return res;
}

/** metadataData builds the /api/v1/metadata response data. */
export function metadataData(
  mgr: ScrapeManager | undefined,
  q: { limit: string; limitPerMetric: string; metric: string },
): unknown {
  const limit = q.limit === "" ? -1 : intParam(q.limit, "limit must be a number");
  const perMetric =
    q.limitPerMetric === "" ? -1 : intParam(q.limitPerMetric, "limit_per_metric must be a number");
  const metrics = new Map<string, Map<string, { type: string; help: string; unit: string }>>();
  const add = (family: string, m: { type: string; help: string; unit: string }): void => {
    let set = metrics.get(family);
    if (perMetric > 0 && set && set.size >= perMetric) return;
    if (!set) {
      set = new Map();
      metrics.set(family, set);
    }
    set.set(JSON.stringify([m.type, m.help, m.unit]), { type: m.type, help: m.help, unit: m.unit });
  };
  if (mgr) {
    for (const [, targets] of sortedPools(mgr.targetsActive())) {
      for (const t of targets) {
        if (q.metric === "") {
          for (const md of t.metadata.values()) add(md.metricFamily, md);
        } else {
          const md = t.metadata.get(q.metric);
          if (md) add(md.metricFamily, md);
        }
      }
    }
  }
  const res: Record<string, unknown[]> = {};
  let n = 0;
  for (const [family, set] of metrics) {
    if (limit >= 0 && n >= limit) break;
    res[family] = [...set.values()];
    n++;
  }
  return res;
}

/**
 * registerScrapeApi adds the scrape endpoints under /api/v1. Call it before the server
 * listens; the manager is read through deps on every request, so scraping may start later.
 */
export function registerScrapeApi(app: FastifyInstance, deps: ScrapeApiDeps): void {
  const route = (url: string, fn: (q: Query) => unknown): void => {
    app.get(`/api/v1${url}`, async (req: FastifyRequest, reply: FastifyReply) => {
      let data: unknown;
      try {
        data = fn(query(req));
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError("internal", errorMessage(err));
        return reply
          .code(STATUS_BY_ERROR_TYPE[e.type])
          .type("application/json")
          .send(encodeJson({ status: "error", errorType: e.type, error: e.message }));
      }
      return reply
        .code(200)
        .type("application/json")
        .send(encodeJson({ status: "success", data }));
    });
  };
  route("/targets", (q) =>
    targetsData(
      deps.scrapeManager(),
      { state: q.get("state") ?? "", scrapePool: q.get("scrapePool") ?? "" },
      deps.listenAddress(),
    ),
  );
  route("/targets/metadata", (q) =>
    targetMetadataData(deps.scrapeManager(), {
      limit: q.get("limit") ?? "",
      matchTarget: q.get("match_target") ?? "",
      metric: q.get("metric") ?? "",
    }),
  );
  route("/metadata", (q) =>
    metadataData(deps.scrapeManager(), {
      limit: q.get("limit") ?? "",
      limitPerMetric: q.get("limit_per_metric") ?? "",
      metric: q.get("metric") ?? "",
    }),
  );
  route("/scrape_pools", () => ({ scrapePools: deps.scrapeManager()?.scrapePools() ?? [] }));
}
