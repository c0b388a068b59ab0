// Alertmanager's HTTP API v2 on Vigil's port (api/v2/api.go and openapi.yaml, v0.33):
// /api/v2/alerts (GET, POST), /api/v2/alerts/groups, /api/v2/silences (GET, POST),
// /api/v2/silence/{id} (GET, DELETE), /api/v2/receivers, /api/v2/status. JSON shapes, key order
// and error bodies follow Alertmanager's: a body that does not parse gets
// {"code":400,"message":"parsing <x> body from \"\" failed, because ..."}, a schema violation
// 422 {"code":6xx,"message":...}, a handler error 400 with a JSON string.
//
// Vigil extension: GET /api/vigil/alertmanager/receivers lists each receiver's integrations
// with the outcome of their last notification attempt.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { RE2JS } from "re2js";
import { VERSION } from "../util/version.ts";
import type { Alert } from "./alert.ts";
import { fingerprint } from "./alert.ts";
import type { Alertmanager } from "./alertmanager.ts";
import { amConfigToYaml } from "./config/load.ts";
import type { AmMatcher, LabelSet, MatchType } from "./matchers.ts";
import { parseMatcher } from "./matchers.ts";
import type { Route } from "./route.ts";
import type { Silence, SilenceMatcher } from "./silences.ts";
import { SilenceNotFoundError, SilenceValidationError, silenceState } from "./silences.ts";

/** AlertmanagerApiOptions wire the API to the Alertmanager (read at each request). */
export interface AlertmanagerApiOptions {
  /** The Alertmanager, or undefined while Vigil starts (the API answers 503). */
  alertmanager(): Alertmanager | undefined;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

const bad = (message: string): ApiError => new ApiError(400, message);
const parseFailed = (what: string, why: string): ApiError =>
  new ApiError(400, { code: 400, message: `parsing ${what} body from "" failed, because ${why}` });
const required = (path: string): ApiError =>
  new ApiError(422, { code: 602, message: `${path} in body is required` });

function iso(ms: number): string {
  if (ms === 0) return "0001-01-01T00:00:00.000Z";
  return new Date(ms).toISOString();
}

/** GO_ZERO_TIME_MS is Go's zero time.Time, which Go clients send for "unset". */
const GO_ZERO_TIME_MS = Date.parse("0001-01-01T00:00:00Z");

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** parseDateTime parses an RFC 3339 time (strfmt.DateTime) to Unix milliseconds. */
function parseDateTime(v: unknown, what: string): number {
  if (typeof v !== "string") {
    throw parseFailed(
      what,
      `json: cannot unmarshal ${jsonKind(v)} into Go value of type strfmt.DateTime`,
    );
  }
  const m = RFC3339.exec(v);
  const ms = m ? Date.parse(v.replace(" ", "T")) : NaN;
  if (ms === GO_ZERO_TIME_MS) return 0;
  if (!m || Number.isNaN(ms)) {
    throw parseFailed(
      what,
      `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`,
    );
  }
  return ms;
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v;
}

function parseBody(req: FastifyRequest, what: string): unknown {
  const raw = req.body;
  const text = typeof raw === "string" ? raw : Buffer.isBuffer(raw) ? raw.toString("utf8") : "";
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const why = text.trim() === "" ? "EOF" : (err as Error).message;
    throw parseFailed(what, why);
  }
}

function parseLabelSet(v: unknown, path: string, what: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) {
    throw parseFailed(
      what,
      `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${path} of type models.LabelSet`,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== "string") {
      throw parseFailed(
        what,
        `json: cannot unmarshal ${jsonKind(x)} into Go struct field ${path}.${k} of type string`,
      );
    }
    out[k] = x;
  }
  return out;
}

function isUri(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** parsePostableAlerts validates a POST /api/v2/alerts body as go-swagger does. */
function parsePostableAlerts(body: unknown): {
  labels: LabelSet;
  annotations: LabelSet;
  startsAtMs: number;
  endsAtMs: number;
  generatorURL: string;
}[] {
  const what = "alerts";
  if (!Array.isArray(body)) {
    throw parseFailed(
      what,
      `json: cannot unmarshal ${jsonKind(body)} into Go value of type models.PostableAlerts`,
    );
  }
  return body.map((item: unknown, i) => {
    if (item === null)
      return { labels: {}, annotations: {}, startsAtMs: 0, endsAtMs: 0, generatorURL: "" };
    if (typeof item !== "object" || Array.isArray(item)) {
      throw parseFailed(
        what,
        `json: cannot unmarshal ${jsonKind(item)} into Go value of type models.PostableAlert`,
      );
    }
    const a = item as Record<string, unknown>;
    const labels = parseLabelSet(a.labels, "Alert.labels", what);
    const annotations = parseLabelSet(a.annotations, "PostableAlert.annotations", what);
    const startsAtMs =
      a.startsAt === undefined || a.startsAt === null ? 0 : parseDateTime(a.startsAt, what);
    const endsAtMs =
      a.endsAt === undefined || a.endsAt === null ? 0 : parseDateTime(a.endsAt, what);
    let generatorURL = "";
    if (a.generatorURL !== undefined && a.generatorURL !== null) {
      if (typeof a.generatorURL !== "string") {
        throw parseFailed(
          what,
          `json: cannot unmarshal ${jsonKind(a.generatorURL)} into Go struct field Alert.generatorURL of type strfmt.URI`,
        );
      }
      generatorURL = a.generatorURL;
    }
    if (a.labels === undefined || a.labels === null) throw required(`${i}.labels`);
    if (generatorURL !== "" && !isUri(generatorURL)) {
      throw new ApiError(422, {
        code: 601,
        message: `${i}.generatorURL in body must be of type uri: ${JSON.stringify(generatorURL)}`,
      });
    }
    return { labels, annotations, startsAtMs, endsAtMs, generatorURL };
  });
}

/** parsePostableSilence validates a POST /api/v2/silences body. */
function parsePostableSilence(body: unknown): {
  id: string;
  matchers: SilenceMatcher[];
  startsAtMs: number;
  endsAtMs: number;
  createdBy: string;
  comment: string;
  annotations: Record<string, string>;
} {
  const what = "silence";
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw parseFailed(
      what,
      `json: cannot unmarshal ${jsonKind(body)} into Go value of type models.PostableSilence`,
    );
  }
  const s = body as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = s[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") {
      throw parseFailed(
        what,
        `json: cannot unmarshal ${jsonKind(v)} into Go struct field .${k} of type string`,
      );
    }
    return v;
  };
  const id = str("id") ?? "";
  const comment = str("comment");
  const createdBy = str("createdBy");
  const startsAtMs =
    s.startsAt === undefined || s.startsAt === null ? undefined : parseDateTime(s.startsAt, what);
  const endsAtMs =
    s.endsAt === undefined || s.endsAt === null ? undefined : parseDateTime(s.endsAt, what);
  const annotations = parseLabelSet(s.annotations, "Silence.annotations", what);
  const rawMatchers = s.matchers;
  if (rawMatchers !== undefined && rawMatchers !== null && !Array.isArray(rawMatchers)) {
    throw parseFailed(
      what,
      `json: cannot unmarshal ${jsonKind(rawMatchers)} into Go struct field .matchers of type models.Matchers`,
    );
  }
  const items = (rawMatchers ?? []) as unknown[];
  const parsed = items.map((m, i) => {
    if (m === null || typeof m !== "object" || Array.isArray(m)) {
      throw parseFailed(
        what,
        `json: cannot unmarshal ${jsonKind(m)} into Go struct field .matchers of type models.Matcher`,
      );
    }
    const x = m as Record<string, unknown>;
    for (const k of ["name", "value"]) {
      if (x[k] !== undefined && x[k] !== null && typeof x[k] !== "string") {
        throw parseFailed(
          what,
          `json: cannot unmarshal ${jsonKind(x[k])} into Go struct field Matcher.matchers.${k} of type string`,
        );
      }
    }
    for (const k of ["isRegex", "isEqual"]) {
      if (x[k] !== undefined && x[k] !== null && typeof x[k] !== "boolean") {
        throw parseFailed(
          what,
          `json: cannot unmarshal ${jsonKind(x[k])} into Go struct field Matcher.matchers.${k} of type bool`,
        );
      }
    }
    return { i, x };
  });
  // Required fields, reported in go-swagger's order.
  if (comment === undefined) throw required("comment");
  if (createdBy === undefined) throw required("createdBy");
  if (endsAtMs === undefined) throw required("endsAt");
  if (rawMatchers === undefined || rawMatchers === null) throw required("matchers");
  if (items.length === 0) {
    throw new ApiError(422, {
      code: 612,
      message: "matchers in body should have at least 1 items",
    });
  }
  const matchers = parsed.map(({ i, x }): SilenceMatcher => {
    if (x.isRegex === undefined || x.isRegex === null) throw required(`matchers.${i}.isRegex`);
    if (x.name === undefined || x.name === null) throw required(`matchers.${i}.name`);
    if (x.value === undefined || x.value === null) throw required(`matchers.${i}.value`);
    const isEqual = x.isEqual === undefined || x.isEqual === null ? true : (x.isEqual as boolean);
    const isRegex = x.isRegex as boolean;
    const type: MatchType = isEqual ? (isRegex ? "=~" : "=") : isRegex ? "!~" : "!=";
    return { name: x.name as string, value: x.value as string, type };
  });
  if (startsAtMs === undefined) throw required("startsAt");
  return { id, matchers, startsAtMs, endsAtMs, createdBy, comment, annotations };
}

function boolParam(q: Record<string, unknown>, name: string): boolean {
  const v = q[name];
  const s = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  if (s === undefined || s === "") return true;
  // Like Alertmanager 0.33 (go-openapi's ConvertBool), anything but a false word is true.
  return !["false", "0", "no", "n", "off", "f"].includes(s.toLowerCase());
}

function listParam(q: Record<string, unknown>, name: string): string[] {
  const v = q[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function parseFilter(filters: readonly string[]): AmMatcher[] {
  return filters.map((f) => {
    try {
      return parseMatcher(f);
    } catch (err) {
      throw bad((err as Error).message);
    }
  });
}

function receiverRegex(q: Record<string, unknown>): RE2JS | undefined {
  const v = q.receiver;
  if (v === undefined) return undefined;
  const s = Array.isArray(v) ? String(v[0]) : String(v);
  try {
    return RE2JS.compile(`^(?:${s})$`);
  } catch (err) {
    throw bad(`failed to parse receiver param: error parsing regexp: ${(err as Error).message}`);
  }
}

/** matchFilterLabels is api/v2 matchFilterLabels: "" matchers test presence/absence. */
function matchFilterLabels(ms: readonly AmMatcher[], ls: LabelSet): boolean {
  for (const m of ms) {
    const prs = Object.hasOwn(ls, m.name);
    const v = prs ? ls[m.name] : "";
    if (m.type === "!~" || m.type === "!=") {
      if (m.value === "" && prs) continue;
    } else if (m.value === "" && !prs) {
      continue;
    }
    if (!m.matches(v)) return false;
  }
  return true;
}

/** gettableAlert renders an alert (AlertToOpenAPIAlert), keys in go-swagger's order. */
function gettableAlert(
  a: Alert,
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] },
  receivers: readonly string[],
  mutedBy: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    annotations: { ...a.annotations },
    endsAt: iso(a.endsAtMs),
    fingerprint: fingerprint(a.labels),
    receivers: receivers.map((name) => ({ name })),
    startsAt: iso(a.startsAtMs),
    status: {
      inhibitedBy: status.inhibitedBy,
      mutedBy: [...mutedBy],
      silencedBy: status.silencedBy,
      state: mutedBy.length > 0 ? "suppressed" : status.state,
    },
    updatedAt: iso(a.updatedAtMs),
  };
  if (a.generatorURL !== "") out.generatorURL = a.generatorURL;
  out.labels = { ...a.labels };
  return out;
}

/** gettableSilence renders a silence (GettableSilenceFromProto), keys in go-swagger's order. */
export function gettableSilence(s: Silence, nowMs: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id,
    status: { state: silenceState(s, nowMs) },
    updatedAt: iso(s.updatedAtMs),
  };
  if (Object.keys(s.annotations).length > 0) out.annotations = { ...s.annotations };
  out.comment = s.comment;
  out.createdBy = s.createdBy;
  out.endsAt = iso(s.endsAtMs);
  out.matchers = s.matchers.map((m) => ({
    isEqual: m.type === "=" || m.type === "=~",
    isRegex: m.type === "=~" || m.type === "!~",
    name: m.name,
    value: m.value,
  }));
  out.startsAt = iso(s.startsAtMs);
  return out;
}

const STATE_ORDER = { active: 1, pending: 2, expired: 3 } as const;

/** sortSilences orders silences as SortSilences: active by end, pending by start, expired newest first. */
function sortSilences(list: Silence[], nowMs: number): Silence[] {
  return list.sort((a, b) => {
    const sa = silenceState(a, nowMs);
    const sb = silenceState(b, nowMs);
    if (sa !== sb) return STATE_ORDER[sa] - STATE_ORDER[sb];
    if (sa === "active") return a.endsAtMs - b.endsAtMs;
    if (sa === "pending") return a.startsAtMs - b.startsAtMs;
    return b.endsAtMs - a.endsAtMs;
  });
}

/** silenceMatchesFilter is CheckSilenceMatchesFilterLabels: every filter equals a matcher. */
function silenceMatchesFilter(s: Silence, filters: readonly AmMatcher[]): boolean {
  return filters.every((f) =>
    s.matchers.some((m) => m.name === f.name && m.type === f.type && m.value === f.value),
  );
}

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

function silenceIdParam(req: FastifyRequest): string {
  const id = (req.params as { id: string }).id;
  if (!UUID.test(id)) {
    throw new ApiError(422, {
      code: 601,
      message: `silenceID in path must be of type uuid: ${JSON.stringify(id)}`,
    });
  }
  return id;
}

/**
 * registerAlertmanagerApi adds the API v2 routes in their own plugin scope (raw JSON bodies,
 * so that malformed JSON gets Alertmanager's error). Call it before the server listens.
 */
export async function registerAlertmanagerApi(
  app: FastifyInstance,
  o: AlertmanagerApiOptions,
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

    const handle =
      (
        fn: (
          am: Alertmanager,
          req: FastifyRequest,
          reply: FastifyReply,
        ) => Promise<unknown> | unknown,
      ) =>
      async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
        void reply.header("Cache-Control", "no-store");
        const am = o.alertmanager();
        if (am === undefined) {
          return reply
            .code(503)
            .type("application/json")
            .send(JSON.stringify("Alertmanager not ready"));
        }
        try {
          const out = await fn(am, req, reply);
          if (reply.sent) return reply;
          if (out === undefined) return reply.code(200).send();
          return reply.code(200).type("application/json").send(JSON.stringify(out));
        } catch (err) {
          if (err instanceof ApiError) {
            if (err.body === "") return reply.code(err.status).send();
            return reply
              .code(err.status)
              .type("application/json")
              .send(JSON.stringify(err.body) + (typeof err.body === "string" ? "\n" : ""));
          }
          req.log.error({ err: (err as Error).message }, "alertmanager api error");
          return reply
            .code(500)
            .type("application/json")
            .send(JSON.stringify((err as Error).message));
        }
      };

    scope.get(
      "/api/v2/status",
      handle((am) => ({
        cluster: { peers: [], status: "disabled" },
        config: { original: amConfigToYaml(am.originalConfig, true) },
        uptime: iso(am.uptimeMs),
        versionInfo: {
          branch: "",
          buildDate: "",
          buildUser: "",
          goVersion: `node ${process.version}`,
          revision: "",
          version: VERSION,
        },
      })),
    );

    scope.get(
      "/api/v2/receivers",
      handle((am, req) => {
        const rm = parseReceiverMatchers(req);
        return am.config.receivers
          .filter((r) => rm.length === 0 || matchFilterLabels(rm, r.labels))
          .map((r) => ({ labels: { ...r.labels }, name: r.name }));
      }),
    );

    scope.get(
      "/api/v2/alerts",
      handle((am, req) => {
        const q = req.query as Record<string, unknown>;
        const filters = parseFilter(listParam(q, "filter"));
        const recvRe = receiverRegex(q);
        const rm = parseReceiverMatchers(req);
        const showSilenced = boolParam(q, "silenced");
        const showInhibited = boolParam(q, "inhibited");
        const showActive = boolParam(q, "active");
        boolParam(q, "unprocessed");
        const now = am.clock.nowMs();
        const rcvLabels = new Map(am.config.receivers.map((r) => [r.name, r.labels]));
        const out: Record<string, unknown>[] = [];
        for (const a of am.store.list()) {
          const receivers = am.receiversOf(a.labels);
          if (recvRe && !receivers.some((r) => recvRe.matches(r))) continue;
          if (
            rm.length > 0 &&
            !receivers.some((r) => matchFilterLabels(rm, rcvLabels.get(r) ?? {}))
          )
            continue;
          if (a.endsAtMs !== 0 && a.endsAtMs < now) continue;
          if (!matchFilterLabels(filters, a.labels)) continue;
          const status = am.alertStatus(a.labels);
          if (!showActive && status.state === "active") continue;
          if (!showSilenced && status.silencedBy.length > 0) continue;
          if (!showInhibited && status.inhibitedBy.length > 0) continue;
          out.push(gettableAlert(a, status, receivers, []));
        }
        out.sort((x, y) => ((x.fingerprint as string) < (y.fingerprint as string) ? -1 : 1));
        return out;
      }),
    );

    scope.post(
      "/api/v2/alerts",
      handle(async (am, req) => {
        const alerts = parsePostableAlerts(parseBody(req, "alerts"));
        const res = await am.putAlerts(alerts);
        if (res.errors.length > 0) throw bad(res.errors.join("\n"));
        return undefined;
      }),
    );

    scope.get(
      "/api/v2/alerts/groups",
      handle((am, req) => {
        const q = req.query as Record<string, unknown>;
        const filters = parseFilter(listParam(q, "filter"));
        const recvRe = receiverRegex(q);
        const rm = parseReceiverMatchers(req);
        const showSilenced = boolParam(q, "silenced");
        const showInhibited = boolParam(q, "inhibited");
        const showActive = boolParam(q, "active");
        const showMuted = boolParam(q, "muted");
        const rcvLabels = new Map(am.config.receivers.map((r) => [r.name, r.labels]));
        const routeFilter = (r: Route): boolean => {
          const name = r.opts.receiver;
          if (recvRe && !recvRe.matches(name)) return false;
          if (rm.length > 0) {
            const ls = rcvLabels.get(name);
            if (ls === undefined || !matchFilterLabels(rm, ls)) return false;
          }
          return true;
        };
        const alertFilter = (a: Alert, now: number): boolean => {
          if (a.endsAtMs !== 0 && a.endsAtMs < now) return false;
          if (!matchFilterLabels(filters, a.labels)) return false;
          const st = am.alertStatus(a.labels);
          if (!showActive && st.state === "active") return false;
          if (!showSilenced && st.silencedBy.length > 0) return false;
          if (!showInhibited && st.inhibitedBy.length > 0) return false;
          return true;
        };
        const { groups, receivers } = am.dispatcher.groupsView(routeFilter, alertFilter);
        const out: Record<string, unknown>[] = [];
        for (const g of groups) {
          const mutedBy = am.marker.mutedBy(g.routeId, g.groupKey);
          if (!showMuted && mutedBy.length > 0) continue;
          out.push({
            alerts: g.alerts.map((a) =>
              gettableAlert(
                a,
                am.alertStatus(a.labels),
                receivers.get(fingerprint(a.labels)) ?? [],
                mutedBy,
              ),
            ),
            labels: { ...g.labels },
            receiver: { name: g.receiver },
          });
        }
        return out;
      }),
    );

    scope.get(
      "/api/v2/silences",
      handle((am, req) => {
        const q = req.query as Record<string, unknown>;
        const filters = parseFilter(listParam(q, "filter"));
        const now = am.clock.nowMs();
        const list = am.silences.list().filter((s) => silenceMatchesFilter(s, filters));
        return sortSilences(list, now).map((s) => gettableSilence(s, now));
      }),
    );

    scope.post(
      "/api/v2/silences",
      handle(async (am, req) => {
        const sil = parsePostableSilence(parseBody(req, "silence"));
        const now = am.clock.nowMs();
        if (sil.startsAtMs >= sil.endsAtMs) {
          throw bad("Failed to create silence: start time must be before end time");
        }
        if (sil.endsAtMs < now)
          throw bad("Failed to create silence: end time can't be in the past");
        try {
          const silenceID = await am.silences.set(sil);
          return { silenceID };
        } catch (err) {
          if (err instanceof SilenceNotFoundError) throw new ApiError(404, err.message);
          if (err instanceof SilenceValidationError) throw bad(err.message);
          throw bad((err as Error).message);
        }
      }),
    );

    scope.get(
      "/api/v2/silence/:id",
      handle((am, req) => {
        const id = silenceIdParam(req);
        const s = am.silences.get(id);
        if (s === undefined) throw new ApiError(404, "");
        return gettableSilence(s, am.clock.nowMs());
      }),
    );

    scope.delete(
      "/api/v2/silence/:id",
      handle(async (am, req) => {
        const id = silenceIdParam(req);
        try {
          await am.silences.expire(id);
        } catch (err) {
          if (err instanceof SilenceNotFoundError) throw new ApiError(404, "");
          throw err;
        }
        return undefined;
      }),
    );

    scope.get(
      "/api/vigil/alertmanager/receivers",
      handle((am) => {
        const out: Record<string, unknown>[] = [];
        for (const [name, integrations] of am.receiverIntegrations) {
          out.push({
            name,
            integrations: integrations.map((i) => ({
              name: i.name,
              index: i.index,
              sendResolved: i.sendResolved,
              lastNotifyAttempt:
                i.status.lastAttemptMs === undefined ? null : iso(i.status.lastAttemptMs),
              lastNotifyAttemptDuration:
                i.status.lastDurationMs === undefined
                  ? null
                  : `${(i.status.lastDurationMs / 1000).toFixed(3)}s`,
              lastNotifyAttemptError: i.status.lastError ?? null,
            })),
          });
        }
        return out;
      }),
    );
  });
}

function parseReceiverMatchers(req: FastifyRequest): AmMatcher[] {
  const q = req.query as Record<string, unknown>;
  try {
    return listParam(q, "receiver_matchers").map((f) => parseMatcher(f));
  } catch (err) {
    throw bad(`failed to parse receiver_matchers param: ${(err as Error).message}`);
  }
}
