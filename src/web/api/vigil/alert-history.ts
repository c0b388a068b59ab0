// GET /api/vigil/alerts/history: the alert state changes Vigil stored (src/rules/history.ts),
// selected by label matchers and a time range, in the envelope of Prometheus's API.
//
//   match[]  series selectors over the alert's labels (and alertstate), repeatable; none: all
//   start    RFC 3339 or Unix seconds; default end - 24h
//   end      RFC 3339 or Unix seconds; default now
//   limit    the latest N changes only; default all
//
// Answer: {"status":"success","data":[{"labels":{...},"state":"firing",
//          "time":"2025-01-02T03:04:05.000Z","timestamp":1735787045,"value":1}, ...]}
// sorted by time, oldest first.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Matcher } from "../../../model/labels/index.ts";
import { labelsToRecord } from "../../../model/labels/index.ts";
import { parseMetricSelector } from "../../../promql/parser/index.ts";
import { queryAlertHistory } from "../../../rules/index.ts";
import type { Storage } from "../../../storage/index.ts";
import { errorMessage } from "../../../util/errors.ts";
import type { Logger } from "../../../util/logging/index.ts";
import { parseTime } from "../v1/index.ts";

/** AlertHistoryApiDeps is what the endpoint reads. */
export interface AlertHistoryApiDeps {
  /** storage is the open storage, or undefined while it opens (503). */
  storage(): Storage | undefined;
  readonly logger: Logger;
  /** now is the clock (tests fix it); default Date.now. */
  now?(): number;
}

/** DEFAULT_HISTORY_RANGE_MS is how far back the history goes when start is not given. */
export const DEFAULT_HISTORY_RANGE_MS = 24 * 3_600_000;

class BadRequest extends Error {}

/** registerAlertHistoryApi adds GET /api/vigil/alerts/history to app (before it listens). */
export function registerAlertHistoryApi(app: FastifyInstance, deps: AlertHistoryApiDeps): void {
  app.get("/api/vigil/alerts/history", async (req, reply) => {
    const fail = (code: number, type: string, error: string) =>
      reply.code(code).type("application/json").send({ status: "error", errorType: type, error });
    const storage = deps.storage();
    if (!storage) return fail(503, "unavailable", "storage is not open yet");
    let q;
    try {
      q = parseQuery(req, (deps.now ?? Date.now)());
    } catch (err) {
      if (err instanceof BadRequest) return fail(400, "bad_data", err.message);
      throw err;
    }
    try {
      const entries = await queryAlertHistory(storage, q);
      return reply.type("application/json").send({
        status: "success",
        data: entries.map((e) => ({
          labels: labelsToRecord(e.labels),
          state: e.state,
          time: new Date(e.timeMs).toISOString(),
          timestamp: e.timeMs / 1000,
          value: e.value,
        })),
      });
    } catch (err) {
      deps.logger.error({ err: errorMessage(err) }, "alert history query failed");
      return fail(500, "internal", errorMessage(err));
    }
  });
}

function parseQuery(req: FastifyRequest, nowMs: number) {
  const params = new URLSearchParams(req.url.slice(req.url.indexOf("?") + 1 || req.url.length));
  const time = (name: string, def: number): number => {
    const v = params.get(name);
    if (v === null || v === "") return def;
    try {
      return parseTime(v);
    } catch (err) {
      throw new BadRequest(`invalid parameter "${name}": ${errorMessage(err)}`);
    }
  };
  const endMs = time("end", nowMs);
  const startMs = time("start", endMs - DEFAULT_HISTORY_RANGE_MS);
  if (endMs < startMs) {
    throw new BadRequest(`invalid parameter "end": end timestamp must not be before start time`);
  }
  const matcherSets: Matcher[][] = params.getAll("match[]").map((m) => {
    try {
      return parseMetricSelector(m);
    } catch (err) {
      throw new BadRequest(`invalid parameter "match[]": ${errorMessage(err)}`);
    }
  });
  const limitText = params.get("limit") ?? "";
  const limit = limitText === "" ? 0 : Number(limitText);
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new BadRequest(`invalid parameter "limit": must be a non-negative integer`);
  }
  return { matcherSets, startMs, endMs, limit };
}
