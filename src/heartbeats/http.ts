// The heartbeat endpoints under /api/vigil/heartbeats, in the manner of healthchecks.io's ping
// API, answering in the envelope of Vigil's API ({"status":"success","data":...}).
//
//   GET|POST /api/vigil/heartbeats/<name>           success beat
//   GET|POST /api/vigil/heartbeats/<name>/start     the job started
//   GET|POST /api/vigil/heartbeats/<name>/fail      the job failed: alert at once
//   GET|POST /api/vigil/heartbeats/<name>/<0-255>   exit status: 0 success, other failure
//   GET      /api/vigil/heartbeats                  every check and its state
//
// A request body of any content type is optional; its first 10 KB are kept as the check's last
// message. Unknown checks answer 404, and every route answers 503 until the service exists.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { BeatKind } from "./check.ts";
import type { HeartbeatService, HeartbeatView } from "./service.ts";
import { MAX_MESSAGE_BYTES, truncateUtf8 } from "./service.ts";
import { formatDuration } from "../model/duration.ts";

/** HeartbeatApiDeps is what the endpoints read. */
export interface HeartbeatApiDeps {
  /** heartbeats is the service, or undefined while it is not yet available (503). */
  heartbeats(): HeartbeatService | undefined;
}

/** HeartbeatJson is one check in the API's answers; times are RFC 3339, or null. */
export interface HeartbeatJson {
  name: string;
  state: string;
  started: boolean;
  lastBeat: string | null;
  lastStart: string | null;
  lastFailure: string | null;
  nextExpected: string | null;
  /** downAt is when the check goes down without a beat. */
  downAt: string | null;
  schedule: { period: string } | { cron: string; timezone: string };
  grace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  lastMessage: { kind: string; time: string; body: string } | null;
}

/**
 * registerHeartbeatApi adds the heartbeat routes in their own plugin scope (bodies of any
 * content type are taken raw). Await it before the server listens.
 */
export async function registerHeartbeatApi(
  web: FastifyInstance,
  deps: HeartbeatApiDeps,
): Promise<void> {
  await web.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

    scope.get("/api/vigil/heartbeats", async (_req, reply) => {
      const svc = deps.heartbeats();
      if (!svc) return unavailable(reply);
      return reply
        .type("application/json")
        .send({ status: "success", data: svc.list().map(heartbeatJson) });
    });

    const beat = async (
      req: FastifyRequest<{ Params: { name: string; signal?: string } }>,
      reply: FastifyReply,
    ) => {
      const svc = deps.heartbeats();
      if (!svc) return unavailable(reply);
      const { name, signal } = req.params;
      const kind = signalKind(signal);
      if (kind === undefined) {
        return fail(
          reply,
          404,
          "not_found",
          `unknown heartbeat signal ${JSON.stringify(signal)} (want start, fail or an exit status 0-255)`,
        );
      }
      if (!svc.has(name)) {
        return fail(reply, 404, "not_found", `heartbeat ${JSON.stringify(name)} not found`);
      }
      const view = await svc.beat(name, kind, bodyText(req.body));
      if (!view)
        return fail(reply, 404, "not_found", `heartbeat ${JSON.stringify(name)} not found`);
      return reply.type("application/json").send({ status: "success", data: heartbeatJson(view) });
    };
    for (const url of ["/api/vigil/heartbeats/:name", "/api/vigil/heartbeats/:name/:signal"]) {
      scope.route({ method: ["GET", "POST"], url, handler: beat });
    }
  });
}

/** signalKind maps the path's last segment to a beat kind; undefined when it is none. */
function signalKind(signal: string | undefined): BeatKind | undefined {
  if (signal === undefined) return "success";
  if (signal === "start") return "start";
  if (signal === "fail") return "fail";
  if (/^\d{1,3}$/.test(signal) && Number(signal) <= 255) {
    return Number(signal) === 0 ? "success" : "fail";
  }
  return undefined;
}

function bodyText(body: unknown): string {
  if (!Buffer.isBuffer(body) || body.length === 0) return "";
  // Decode only what is kept (plus one character's worth, so the cut stays on a boundary).
  return truncateUtf8(body.subarray(0, MAX_MESSAGE_BYTES + 4).toString("utf8"), MAX_MESSAGE_BYTES);
}

function fail(reply: FastifyReply, code: number, errorType: string, error: string) {
  return reply.code(code).type("application/json").send({ status: "error", errorType, error });
}

function unavailable(reply: FastifyReply) {
  return fail(reply, 503, "unavailable", "heartbeats are not available yet");
}

function time(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** heartbeatJson converts a view for the API: milliseconds become RFC 3339 times. */
export function heartbeatJson(v: HeartbeatView): HeartbeatJson {
  const s = v.config.schedule;
  return {
    name: v.name,
    state: v.state,
    started: v.started,
    lastBeat: time(v.lastBeatMs),
    lastStart: time(v.lastStartMs),
    lastFailure: time(v.lastFailMs),
    nextExpected: time(v.expectedMs),
    downAt: time(v.deadlineMs),
    schedule:
      s.kind === "period"
        ? { period: formatDuration(s.periodMs) }
        : { cron: s.cron, timezone: s.timezone },
    grace: formatDuration(v.config.graceMs),
    labels: { ...v.config.labels },
    annotations: { ...v.config.annotations },
    lastMessage: v.lastMessage
      ? { kind: v.lastMessage.kind, time: time(v.lastMessage.timeMs)!, body: v.lastMessage.body }
      : null,
  };
}
