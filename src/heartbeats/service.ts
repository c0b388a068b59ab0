// HeartbeatService: the checks of heartbeats.checks, the beats they receive, the alerts they
// raise when beats stop (HeartbeatMissing) or a job reports failure (HeartbeatFailed), their
// persisted state and metrics, and Vigil's own outgoing ping. Alerts reach the AlertSinks in
// the shape the rule engine sends them (Prometheus notifier.Alert): firing ones are re-sent
// every resend delay with endsAt in the future, resolved ones are sent with endsAt = the
// resolution time and re-sent for 15 minutes (rules.RESOLVED_RETENTION_MS).
import type { Registry } from "prom-client";
import { Counter, Gauge } from "prom-client";
import type { Labels } from "../model/labels/index.ts";
import { labelsFromRecord } from "../model/labels/index.ts";
import type { RelabelConfig } from "../model/relabel/index.ts";
import type { AlertSink, Clock, NotifierAlert } from "../rules/index.ts";
import {
  DEFAULT_RESEND_DELAY_MS,
  RESOLVED_RETENTION_MS,
  relabelAlerts,
  systemClock,
} from "../rules/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import type { BeatKind, CheckRecord, CheckStatus, HeartbeatState, LastMessage } from "./check.ts";
import { BEAT_KINDS, CompiledCheck } from "./check.ts";
import type { HeartbeatCheckConfig, HeartbeatPingConfig, HeartbeatsConfig } from "./config.ts";
import type { PingMetrics } from "./ping.ts";
import { Pinger } from "./ping.ts";
import type { AlertRecord, StoredCheck } from "./store.ts";
import { StateFile } from "./store.ts";

/** MISSING_ALERT is the alert of a check that went down without a beat. */
export const MISSING_ALERT = "HeartbeatMissing";
/** FAILED_ALERT is the alert of a check whose job reported failure. */
export const FAILED_ALERT = "HeartbeatFailed";
/** HEARTBEAT_LABEL is the label naming the check on its alerts. */
export const HEARTBEAT_LABEL = "heartbeat";
/** MAX_MESSAGE_BYTES is how much of a request body is kept as a check's last message. */
export const MAX_MESSAGE_BYTES = 10 * 1024;

/** MAX_ANNOTATION_MESSAGE_BYTES bounds the failure message copied into an alert. */
const MAX_ANNOTATION_MESSAGE_BYTES = 1024;

/** The loop re-plans at least this often, so that a jump of the wall clock is noticed. */
const MAX_SLEEP_MS = 10 * 60_000;

/** HeartbeatServiceOptions wire the service; functions are read at every use. */
export interface HeartbeatServiceOptions {
  /** sinks receive the alerts (Vigil's router, external Alertmanagers). */
  sinks(): readonly AlertSink[];
  readonly logger: Logger;
  /** registry takes the vigil_heartbeat_* metrics. */
  readonly registry: Registry;
  /** dataDir holds the state file (state.json); absent: nothing is persisted. */
  readonly dataDir?: string;
  /** clock tells the time and waits (tests drive a ManualClock); default the wall clock. */
  readonly clock?: Clock;
  /** resendDelayMs is the least time between two sends of a firing alert; default 1m. */
  readonly resendDelayMs?: number;
  /** externalURL is Vigil's external URL without trailing slash, for generatorURL; default "". */
  externalURL?(): string;
  /** externalLabels are added to alerts that lack them (global.external_labels). */
  externalLabels?(): Labels;
  /** relabelConfigs are applied to every alert (alerting.alert_relabel_configs). */
  relabelConfigs?(): readonly RelabelConfig[];
}

/** HeartbeatView is one check as the API shows it; times are Unix milliseconds. */
export interface HeartbeatView {
  readonly name: string;
  readonly state: HeartbeatState;
  /** started: a start was reported and neither success nor failure since. */
  readonly started: boolean;
  readonly lastBeatMs: number | undefined;
  readonly lastStartMs: number | undefined;
  readonly lastFailMs: number | undefined;
  /** expectedMs is when the next beat is due. */
  readonly expectedMs: number | undefined;
  /** deadlineMs is when the check goes down without a beat. */
  readonly deadlineMs: number | undefined;
  readonly lastMessage: LastMessage | undefined;
  readonly config: HeartbeatCheckConfig;
}

interface CheckEntry {
  check: CompiledCheck;
  record: CheckRecord;
  alert?: AlertRecord;
}

/**
 * HeartbeatService keeps the heartbeat checks. Call applyConfig (at start and on every
 * reload), then start; beats may arrive at any time after construction. stop ends the loops
 * and waits for the state file to be written.
 */
export class HeartbeatService {
  readonly #o: HeartbeatServiceOptions;
  readonly #clock: Clock;
  readonly #resendDelayMs: number;
  readonly #file: StateFile | undefined;
  /** #stored holds the persisted state until the first applyConfig takes it over. */
  #stored: Map<string, StoredCheck> | undefined;
  readonly #checks = new Map<string, CheckEntry>();
  readonly #beats: Counter<"name" | "kind">;
  readonly #pingMetrics: PingMetrics;
  #pinger: Pinger | undefined;
  #pingCfg: HeartbeatPingConfig | undefined;
  #running = false;
  #kick: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(o: HeartbeatServiceOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.#resendDelayMs = o.resendDelayMs ?? DEFAULT_RESEND_DELAY_MS;
    if (o.dataDir !== undefined) {
      this.#file = new StateFile(o.dataDir, () => this.#checks);
      this.#stored = this.#file.load((err) =>
        o.logger.error({ err: err.message }, "heartbeat state discarded"),
      );
    }
    const registers = [o.registry];
    const entries = () => this.#checks;
    const clock = this.#clock;
    new Gauge({
      name: "vigil_heartbeat_last_beat_timestamp_seconds",
      help: "Unix time of the last successful beat of a heartbeat check.",
      labelNames: ["name"],
      registers,
      collect() {
        this.reset();
        for (const [name, e] of entries()) {
          if (e.record.lastBeatMs !== undefined) this.set({ name }, e.record.lastBeatMs / 1000);
        }
      },
    });
    new Gauge({
      name: "vigil_heartbeat_up",
      help: "Whether a heartbeat check is not alerting (0 when down or failed).",
      labelNames: ["name"],
      registers,
      collect() {
        this.reset();
        const now = clock.nowMs();
        for (const [name, e] of entries()) {
          const s = e.check.status(e.record, now).state;
          this.set({ name }, s === "down" || s === "failed" ? 0 : 1);
        }
      },
    });
    this.#beats = new Counter({
      name: "vigil_heartbeat_beats_total",
      help: "Requests received by heartbeat checks, by kind (success, start, fail).",
      labelNames: ["name", "kind"],
      registers,
    });
    this.#pingMetrics = {
      pings: new Counter({
        name: "vigil_heartbeat_pings_total",
        help: "Beats Vigil sent to heartbeats.ping.url.",
        registers,
      }),
      failures: new Counter({
        name: "vigil_heartbeat_ping_failures_total",
        help: "Beats to heartbeats.ping.url that failed (network error, timeout, non-2xx).",
        registers,
      }),
      lastSuccess: new Gauge({
        name: "vigil_heartbeat_ping_last_success_timestamp_seconds",
        help: "Unix time of the last successful beat to heartbeats.ping.url.",
        registers,
      }),
    };
  }

  /**
   * applyConfig takes a new `heartbeats:` section. New checks start "new" from now (or from
   * their persisted state); removed checks are dropped, their firing alert sent as resolved;
   * checks that stay keep what they received. A check whose labels changed while it alerts
   * resolves the old alert and fires one with the new labels.
   */
  applyConfig(cfg: HeartbeatsConfig): void {
    const now = this.#clock.nowMs();
    const stored = this.#stored ?? new Map<string, StoredCheck>();
    this.#stored = undefined;
    const out: NotifierAlert[] = [];
    const wanted = new Set(cfg.checks.map((c) => c.name));
    for (const [name, e] of [...this.#checks, ...stored]) {
      if (wanted.has(name)) continue;
      if (e.alert && e.alert.resolvedAtMs === undefined) out.push(this.#resolve(e.alert, now));
      this.#checks.delete(name);
      for (const kind of BEAT_KINDS) this.#beats.remove({ name, kind });
    }
    for (const c of cfg.checks) {
      const old = this.#checks.get(c.name) ?? stored.get(c.name);
      const e: CheckEntry = {
        check: new CompiledCheck(c),
        record: old?.record ?? { firstSeenMs: now },
        ...(old?.alert && { alert: old.alert }),
      };
      if (e.alert && e.alert.resolvedAtMs === undefined) {
        const want = { ...c.labels, alertname: e.alert.alertname, [HEARTBEAT_LABEL]: c.name };
        if (!sameRecord(want, e.alert.labels)) {
          out.push(this.#resolve(e.alert, now));
          delete e.alert;
        }
      }
      this.#checks.set(c.name, e);
    }
    this.#send(out);
    this.#evaluate(now);
    void this.#save();
    this.#applyPing(cfg.ping);
    this.#wake();
  }

  /** start begins evaluating deadlines and, when configured, pinging. Idempotent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
    this.#pinger?.start();
  }

  /** stop ends the loops and waits for pending state writes. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#kick?.abort();
    await this.#loop;
    await this.#pinger?.stop();
    this.#pinger = undefined;
    this.#pingCfg = undefined;
    await this.#file?.flush();
  }

  /** has reports whether a check of that name is configured. */
  has(name: string): boolean {
    return this.#checks.has(name);
  }

  /**
   * beat records a request to a check: a success, a start or a failure, with the request body
   * as its message (cut to MAX_MESSAGE_BYTES). Alerts it resolves or raises are sent before it
   * returns; it resolves once the new state is persisted. Returns undefined for an unknown
   * check.
   */
  async beat(name: string, kind: BeatKind, body = ""): Promise<HeartbeatView | undefined> {
    const e = this.#checks.get(name);
    if (!e) return undefined;
    const now = this.#clock.nowMs();
    const r = e.record;
    if (kind === "start") r.lastStartMs = now;
    else if (kind === "success") [r.lastBeatMs, r.failed] = [now, false];
    else [r.lastFailMs, r.failed] = [now, true];
    r.lastMessage = { kind, timeMs: now, body: truncateUtf8(body, MAX_MESSAGE_BYTES) };
    this.#beats.inc({ name, kind });
    this.#evaluate(now);
    this.#wake();
    await this.#save();
    return this.#view(e, this.#clock.nowMs());
  }

  /** list is every check's view, sorted by name. */
  list(): HeartbeatView[] {
    const now = this.#clock.nowMs();
    return [...this.#checks.values()]
      .map((e) => this.#view(e, now))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** get is one check's view, or undefined for an unknown check. */
  get(name: string): HeartbeatView | undefined {
    const e = this.#checks.get(name);
    return e && this.#view(e, this.#clock.nowMs());
  }

  #view(e: CheckEntry, now: number): HeartbeatView {
    const s = e.check.status(e.record, now);
    return {
      name: e.check.name,
      state: s.state,
      started: s.started,
      lastBeatMs: e.record.lastBeatMs,
      lastStartMs: e.record.lastStartMs,
      lastFailMs: e.record.lastFailMs,
      expectedMs: s.expectedMs,
      deadlineMs: s.deadlineMs,
      lastMessage: e.record.lastMessage,
      config: e.check.cfg,
    };
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const kick = new AbortController();
      this.#kick = kick;
      const wakeMs = this.#evaluate(this.#clock.nowMs());
      await this.#clock.sleep(wakeMs, kick.signal);
    }
  }

  /** #wake makes the loop re-plan at once (after a beat or a new configuration). */
  #wake(): void {
    this.#kick?.abort();
  }

  /**
   * #evaluate brings every check's alert in line with its state at now, sends what is due, and
   * returns when the loop should look again: the next expected time, deadline or resend.
   */
  #evaluate(now: number): number {
    let wakeMs = now + MAX_SLEEP_MS;
    const soon = (t: number | undefined): void => {
      if (t !== undefined && t > now && t < wakeMs) wakeMs = t;
    };
    const out: NotifierAlert[] = [];
    let changed = false;
    for (const e of this.#checks.values()) {
      const s = e.check.status(e.record, now);
      soon(s.expectedMs);
      soon(s.deadlineMs);
      const want = wantedAlert(s, e.record);
      let a = e.alert;
      if (a && a.resolvedAtMs === undefined && a.alertname !== want?.alertname) {
        out.push(this.#resolve(a, now));
        changed = true;
      }
      if (a?.resolvedAtMs !== undefined && now - a.resolvedAtMs >= RESOLVED_RETENTION_MS) {
        delete e.alert;
        a = undefined;
        changed = true;
      }
      if (want && (a === undefined || a.resolvedAtMs !== undefined)) {
        a = e.alert = {
          alertname: want.alertname,
          startsAtMs: want.startsAtMs,
          labels: {},
          annotations: {},
        };
        changed = true;
      }
      if (a && a.resolvedAtMs === undefined) {
        a.labels = {
          ...e.check.cfg.labels,
          alertname: a.alertname,
          [HEARTBEAT_LABEL]: e.check.name,
        };
        a.annotations = alertAnnotations(e.check, e.record, s, a.alertname);
      }
      if (!a) continue;
      if (a.lastSentMs === undefined || now - a.lastSentMs >= this.#resendDelayMs) {
        out.push(this.#notifierAlert(a, now));
        a.lastSentMs = now;
      }
      soon(a.lastSentMs + this.#resendDelayMs);
      if (a.resolvedAtMs !== undefined) soon(a.resolvedAtMs + RESOLVED_RETENTION_MS);
    }
    this.#send(out);
    if (changed) void this.#save();
    return wakeMs;
  }

  /** #resolve marks a firing alert resolved at now and returns it as sent. */
  #resolve(a: AlertRecord, now: number): NotifierAlert {
    a.resolvedAtMs = now;
    a.lastSentMs = now;
    return this.#notifierAlert(a, now);
  }

  #notifierAlert(a: AlertRecord, now: number): NotifierAlert {
    const base = this.#o.externalURL?.() ?? "";
    return {
      labels: labelsFromRecord(a.labels),
      annotations: labelsFromRecord(a.annotations),
      startsAtMs: a.startsAtMs,
      // As Prometheus's alerting rule, a firing alert is valid for 4 resend delays.
      endsAtMs: a.resolvedAtMs ?? now + 4 * this.#resendDelayMs,
      generatorURL: `${base}/api/vigil/heartbeats`,
    };
  }

  #send(alerts: NotifierAlert[]): void {
    if (alerts.length === 0) return;
    const sent = relabelAlerts(
      alerts,
      this.#o.relabelConfigs?.() ?? [],
      this.#o.externalLabels?.() ?? [],
    );
    if (sent.length === 0) return;
    for (const sink of this.#o.sinks()) {
      try {
        sink.send(sent);
      } catch (err) {
        this.#o.logger.error({ sink: sink.name, err: errorMessage(err) }, "alert sink failed");
      }
    }
  }

  /** #save writes the state file in the background; failures are logged. */
  #save(): Promise<void> {
    if (!this.#file) return Promise.resolve();
    return this.#file.save().catch((err: unknown) => {
      this.#o.logger.error(
        { file: this.#file?.path, err: errorMessage(err) },
        "cannot write heartbeat state",
      );
    });
  }

  #applyPing(cfg: HeartbeatPingConfig | undefined): void {
    if (samePing(cfg, this.#pingCfg)) return;
    const old = this.#pinger;
    this.#pinger = undefined;
    if (old) {
      old.stop().catch((err: unknown) => {
        this.#o.logger.warn({ err: errorMessage(err) }, "stopping heartbeat ping failed");
      });
    }
    this.#pingCfg = cfg;
    if (!cfg) return;
    this.#pinger = new Pinger(cfg, {
      clock: this.#clock,
      logger: this.#o.logger,
      metrics: this.#pingMetrics,
    });
    if (this.#running) this.#pinger.start();
  }
}

/** wantedAlert is the alert a check's state calls for, with its start time. */
function wantedAlert(
  s: CheckStatus,
  r: CheckRecord,
): { alertname: string; startsAtMs: number } | undefined {
  if (s.state === "failed") return { alertname: FAILED_ALERT, startsAtMs: r.lastFailMs! };
  if (s.state === "down") return { alertname: MISSING_ALERT, startsAtMs: s.deadlineMs! };
  return undefined;
}

function iso(ms: number | undefined): string {
  return ms === undefined ? "never" : new Date(ms).toISOString();
}

/**
 * alertAnnotations are a check's annotations with a default summary and description, plus the
 * times the alert is about: last_beat_time and expected_time (RFC 3339, or "never"), and for a
 * failure failure_time and failure_message (the body the job sent, when any).
 */
function alertAnnotations(
  c: CompiledCheck,
  r: CheckRecord,
  s: CheckStatus,
  alertname: string,
): Record<string, string> {
  const name = c.name;
  const last = iso(r.lastBeatMs);
  const out: Record<string, string> = {};
  if (alertname === FAILED_ALERT) {
    out.summary = `Heartbeat ${name} reported a failure.`;
    out.description = `The job beating heartbeat ${name} reported a failure at ${iso(r.lastFailMs)}; its last success was at ${last}.`;
  } else if (
    s.started &&
    r.lastStartMs !== undefined &&
    s.deadlineMs! < (s.expectedMs ?? Infinity)
  ) {
    out.summary = `Heartbeat ${name} started but did not finish.`;
    out.description = `The job beating heartbeat ${name} started at ${iso(r.lastStartMs)} and did not report success or failure within the grace time.`;
  } else {
    out.summary = `Heartbeat ${name} missed.`;
    out.description =
      r.lastBeatMs === undefined
        ? `Heartbeat ${name} has never beaten; a beat was expected at ${iso(s.expectedMs)}.`
        : `Heartbeat ${name} last beat at ${last}; the next beat was expected at ${iso(s.expectedMs)}.`;
  }
  Object.assign(out, c.cfg.annotations);
  out.last_beat_time = last;
  out.expected_time = iso(s.expectedMs);
  if (r.lastStartMs !== undefined && s.started) out.start_time = iso(r.lastStartMs);
  if (alertname === FAILED_ALERT) {
    out.failure_time = iso(r.lastFailMs);
    const m = r.lastMessage;
    if (m?.kind === "fail" && m.body !== "") {
      out.failure_message = truncateUtf8(m.body, MAX_ANNOTATION_MESSAGE_BYTES);
    }
  }
  return out;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function samePing(a: HeartbeatPingConfig | undefined, b: HeartbeatPingConfig | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.url === b.url && a.intervalMs === b.intervalMs && a.timeoutMs === b.timeoutMs;
}

/** truncateUtf8 keeps at most maxBytes of s's UTF-8 encoding, never splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length <= maxBytes / 3) return s;
  const buf = Buffer.from(s, "utf8");
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character cut in two.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}
