// The `heartbeats:` section of vigil.yml: the checks that external jobs beat (a dead man's
// switch in the manner of healthchecks.io) and, optionally, the URL that Vigil itself beats.
// snake_case keys in, HeartbeatsConfig out; every object is strict so that a misspelt key is an
// error rather than a silently ignored setting.
import { Cron } from "croner";
import { z } from "zod";
import { durationField } from "../config/fields.ts";
import { formatDuration } from "../model/duration.ts";
import { isValidLabelName } from "../model/labels/index.ts";
import { errorMessage } from "../util/errors.ts";

/** HEARTBEAT_NAME_RE is the form of a check's name; it is also a path segment of its URL. */
export const HEARTBEAT_NAME_RE = /^[a-zA-Z0-9_.-]+$/;

/**
 * RESERVED_LABELS are the labels Vigil sets on a heartbeat's alerts itself; a check's labels
 * may not set them.
 */
export const RESERVED_LABELS: readonly string[] = ["alertname", "heartbeat"];

/**
 * HeartbeatSchedule says when a check expects its next beat: a fixed period after the last
 * one, or the next time of a cron expression (5 fields, minute precision) in a time zone.
 */
export type HeartbeatSchedule =
  | { readonly kind: "period"; readonly periodMs: number }
  | { readonly kind: "cron"; readonly cron: string; readonly timezone: string };

/** HeartbeatCheckConfig is one entry of heartbeats.checks. */
export interface HeartbeatCheckConfig {
  /** Unique name, [a-zA-Z0-9_.-]+ [name]. */
  readonly name: string;
  /** [period] or [schedule] with [timezone] (default UTC). */
  readonly schedule: HeartbeatSchedule;
  /** Time after the expected beat before the check counts as down [grace]; default 1h. */
  readonly graceMs: number;
  /** Labels added to the check's alerts [labels]. */
  readonly labels: Readonly<Record<string, string>>;
  /** Annotations added to the check's alerts [annotations]. */
  readonly annotations: Readonly<Record<string, string>>;
}

/** HeartbeatPingConfig is heartbeats.ping: a URL Vigil beats at an interval. */
export interface HeartbeatPingConfig {
  /** http:// or https:// URL, sent a POST [url]. */
  readonly url: string;
  /** Time between beats [interval]; default 1m. */
  readonly intervalMs: number;
  /** Timeout of each beat [timeout]; default 10s. */
  readonly timeoutMs: number;
}

/** HeartbeatsConfig is the `heartbeats:` section. */
export interface HeartbeatsConfig {
  readonly checks: readonly HeartbeatCheckConfig[];
  readonly ping?: HeartbeatPingConfig;
}

/** DEFAULT_GRACE_MS is the grace time of a check that sets none (healthchecks.io's default). */
export const DEFAULT_GRACE_MS = 3_600_000;

/** emptyHeartbeatsConfig is the section when vigil.yml has none: no checks, no ping. */
export function emptyHeartbeatsConfig(): HeartbeatsConfig {
  return { checks: [] };
}

/** isTimeZone reports whether the runtime knows an IANA time zone name. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * newCron compiles a 5-field cron expression (minute hour day-of-month month day-of-week, as
 * healthchecks.io's cron checks) in a time zone. The job is paused: Vigil only asks it for run
 * times. It throws with croner's reason for a bad expression.
 */
export function newCron(expr: string, timezone: string): Cron {
  return new Cron(expr, { timezone, paused: true, mode: "5-part" });
}

const labelMap = (what: string) =>
  z.record(z.string(), z.string()).superRefine((m, ctx) => {
    for (const name of Object.keys(m)) {
      if (!isValidLabelName(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `invalid ${what} name ${JSON.stringify(name)}`,
        });
      }
    }
  });

const checkSchema = z
  .object({
    name: z.string().regex(HEARTBEAT_NAME_RE, "must match [a-zA-Z0-9_.-]+"),
    period: durationField({ positive: true }).optional(),
    schedule: z.string().min(1).optional(),
    timezone: z.string().min(1).optional(),
    grace: durationField({ positive: false }).prefault("1h"),
    labels: labelMap("label").default({}),
    annotations: labelMap("annotation").default({}),
  })
  .strict()
  .transform((c, ctx): HeartbeatCheckConfig => {
    for (const name of RESERVED_LABELS) {
      if (name in c.labels) {
        ctx.addIssue({
          code: "custom",
          path: ["labels", name],
          message: `label ${JSON.stringify(name)} is reserved: Vigil sets it on heartbeat alerts`,
        });
      }
    }
    let schedule: HeartbeatSchedule | undefined;
    if (c.period !== undefined && c.schedule !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["schedule"],
        message: "period and schedule are mutually exclusive",
      });
    } else if (c.period !== undefined) {
      if (c.timezone !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["timezone"],
          message: "only allowed with schedule",
        });
      }
      schedule = { kind: "period", periodMs: c.period };
    } else if (c.schedule !== undefined) {
      const timezone = c.timezone ?? "UTC";
      if (!isTimeZone(timezone)) {
        ctx.addIssue({
          code: "custom",
          path: ["timezone"],
          message: `unknown time zone ${JSON.stringify(timezone)}`,
        });
        return z.NEVER;
      }
      let cron: Cron;
      try {
        cron = newCron(c.schedule, timezone);
      } catch (err) {
        const why = errorMessage(err).replace(/^CronPattern: /, "");
        ctx.addIssue({
          code: "custom",
          path: ["schedule"],
          message: `invalid cron expression ${JSON.stringify(c.schedule)}: ${why}`,
        });
        return z.NEVER;
      }
      if (cron.nextRun() === null) {
        ctx.addIssue({
          code: "custom",
          path: ["schedule"],
          message: `cron expression ${JSON.stringify(c.schedule)} never fires`,
        });
        return z.NEVER;
      }
      schedule = { kind: "cron", cron: c.schedule, timezone };
    } else {
      ctx.addIssue({ code: "custom", path: [], message: "one of period or schedule is required" });
    }
    if (schedule === undefined) return z.NEVER;
    return {
      name: c.name,
      schedule,
      graceMs: c.grace,
      labels: c.labels,
      annotations: c.annotations,
    };
  });

const urlField = z.string().superRefine((text, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // Reported below.
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    ctx.addIssue({
      code: "custom",
      message: `invalid URL ${JSON.stringify(text)} (want http:// or https://)`,
    });
  }
});

const pingSchema = z
  .object({
    url: urlField,
    interval: durationField({ positive: true }).prefault("1m"),
    timeout: durationField({ positive: true }).prefault("10s"),
  })
  .strict()
  .transform((p): HeartbeatPingConfig => ({
    url: p.url,
    intervalMs: p.interval,
    timeoutMs: p.timeout,
  }));

/**
 * heartbeatsSchema is the `heartbeats:` section. Wire it as
 * `heartbeats: heartbeatsSchema.prefault({})`; an absent section has no checks and no ping.
 * Problems carry the path of the offending key (["checks", 1, "schedule"]).
 */
export const heartbeatsSchema = z
  .object({
    checks: z
      .array(checkSchema)
      .default([])
      .superRefine((checks, ctx) => {
        const seen = new Set<string>();
        checks.forEach((c, i) => {
          if (seen.has(c.name)) {
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `duplicate heartbeat name ${JSON.stringify(c.name)}`,
            });
          }
          seen.add(c.name);
        });
      }),
    ping: pingSchema.optional(),
  })
  .strict()
  .transform((h): HeartbeatsConfig => ({
    checks: h.checks,
    ...(h.ping !== undefined && { ping: h.ping }),
  }));

/** heartbeatsToDoc prints the section back as vigil.yml keys (for configToYaml). */
export function heartbeatsToDoc(h: HeartbeatsConfig): Record<string, unknown> {
  return {
    checks: h.checks.map((c) => ({
      name: c.name,
      ...(c.schedule.kind === "period"
        ? { period: formatDuration(c.schedule.periodMs) }
        : { schedule: c.schedule.cron, timezone: c.schedule.timezone }),
      grace: formatDuration(c.graceMs),
      ...(Object.keys(c.labels).length > 0 && { labels: { ...c.labels } }),
      ...(Object.keys(c.annotations).length > 0 && { annotations: { ...c.annotations } }),
    })),
    ...(h.ping && {
      ping: {
        url: h.ping.url,
        interval: formatDuration(h.ping.intervalMs),
        timeout: formatDuration(h.ping.timeoutMs),
      },
    }),
  };
}
