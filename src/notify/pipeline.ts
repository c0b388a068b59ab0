// The notification pipeline, as Alertmanager's notify/notify.go (v0.33) builds it for each
// receiver: inhibition, active time intervals, mute time intervals, silences, then for each of
// the receiver's integrations, concurrently: dedup against the notification log, send with
// retries and exponential backoff, and record what was sent. Each stage is a Stage; a stage
// that leaves no alerts ends the chain (MultiStage).
import type { Alert } from "../alerting/alert.ts";
import { compareAlerts, fingerprint, resolvedAt } from "../alerting/alert.ts";
import type { LabelSet } from "../alerting/matchers.ts";
import type { NflogReceiver, NotificationLog } from "../alerting/nflog.ts";
import type { IntegrationName } from "../alerting/receivers-config.ts";
import type { Intervener } from "../alerting/timeinterval.ts";
import type { AlertmanagerTemplates } from "../template/index.ts";
import { newAlertmanagerData } from "../template/index.ts";
import type { Logger } from "../util/logging/index.ts";
import type { NotifyMetrics } from "./metrics.ts";
import type { Notifier, NotifyAlert, NotifyContext } from "./notifier.ts";
import { NotifyError } from "./notifier.ts";

/** Clock tells the time and waits (the same contract as the rule engine's Clock). */
export interface Clock {
  nowMs(): number;
  sleep(untilMs: number, signal?: AbortSignal): Promise<void>;
}

/**
 * FlushContext is what the dispatcher hands the pipeline with each flush of an aggregation
 * group (the values Alertmanager puts in the context), plus what stages add on the way.
 */
export interface FlushContext {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: LabelSet;
  readonly routeId: string;
  readonly repeatIntervalMs: number;
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
  /** The flush's time: alert states are judged against it. */
  readonly nowMs: number;
  /** Aborts when the flush times out (max(group_interval, 10s)) or on shutdown. */
  readonly signal: AbortSignal;
  /** Set by the dedup stage. */
  readonly firing?: readonly string[];
  readonly resolved?: readonly string[];
  readonly notificationReason?: string;
}

/** Stage is one step of the pipeline (notify.Stage). */
export interface Stage {
  exec(ctx: FlushContext, alerts: readonly Alert[]): Promise<[FlushContext, readonly Alert[]]>;
}

/** MultiStage runs stages in order, stopping when no alerts are left. */
export class MultiStage implements Stage {
  constructor(readonly stages: readonly Stage[]) {}

  async exec(
    ctx: FlushContext,
    alerts: readonly Alert[],
  ): Promise<[FlushContext, readonly Alert[]]> {
    let c = ctx;
    let as = alerts;
    for (const s of this.stages) {
      if (as.length === 0) return [c, []];
      [c, as] = await s.exec(c, as);
    }
    return [c, as];
  }
}

/** FanoutStage runs stages concurrently on the same alerts; it fails when any fails. */
export class FanoutStage implements Stage {
  constructor(readonly stages: readonly Stage[]) {}

  async exec(
    ctx: FlushContext,
    alerts: readonly Alert[],
  ): Promise<[FlushContext, readonly Alert[]]> {
    const results = await Promise.allSettled(this.stages.map((s) => s.exec(ctx, alerts)));
    const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; "),
      );
    }
    return [ctx, alerts];
  }
}

/** RoutingStage picks the receiver's pipeline by name. */
export class RoutingStage implements Stage {
  constructor(readonly receivers: ReadonlyMap<string, Stage>) {}

  async exec(
    ctx: FlushContext,
    alerts: readonly Alert[],
  ): Promise<[FlushContext, readonly Alert[]]> {
    const s = this.receivers.get(ctx.receiver);
    if (s === undefined) throw new Error(`stage for receiver missing: ${ctx.receiver}`);
    return s.exec(ctx, alerts);
  }
}

/** Muter tells whether an alert with these labels is muted (silenced or inhibited). */
export type Muter = (labels: LabelSet) => boolean;

/** MuteStage drops muted alerts (notify.MuteStage). */
export class MuteStage implements Stage {
  constructor(
    private readonly muter: Muter,
    private readonly reason: "silence" | "inhibition",
    private readonly metrics: NotifyMetrics,
  ) {}

  exec(ctx: FlushContext, alerts: readonly Alert[]): Promise<[FlushContext, readonly Alert[]]> {
    const kept = alerts.filter((a) => !this.muter(a.labels));
    const muted = alerts.length - kept.length;
    if (muted > 0) this.metrics.suppressed.inc({ reason: this.reason }, muted);
    return Promise.resolve([ctx, kept]);
  }
}

/** GroupMarker remembers which time intervals mute a group (marker.GroupMarker). */
export class GroupMarker {
  private readonly muted = new Map<string, string[]>();

  private key(routeId: string, groupKey: string): string {
    return `${routeId}\u0000${groupKey}`;
  }

  setMuted(routeId: string, groupKey: string, by: readonly string[] | undefined): void {
    if (by === undefined || by.length === 0) this.muted.delete(this.key(routeId, groupKey));
    else this.muted.set(this.key(routeId, groupKey), [...by]);
  }

  /** mutedBy returns the intervals muting the group, [] when none. */
  mutedBy(routeId: string, groupKey: string): string[] {
    return this.muted.get(this.key(routeId, groupKey)) ?? [];
  }

  deleteByGroupKey(routeId: string, groupKey: string): void {
    this.muted.delete(this.key(routeId, groupKey));
  }
}

/** TimeActiveStage drops everything outside the route's active_time_intervals. */
export class TimeActiveStage implements Stage {
  constructor(
    private readonly intervener: () => Intervener,
    private readonly marker: GroupMarker,
    private readonly metrics: NotifyMetrics,
  ) {}

  exec(ctx: FlushContext, alerts: readonly Alert[]): Promise<[FlushContext, readonly Alert[]]> {
    const names = ctx.activeTimeIntervals;
    if (names.length === 0) {
      this.marker.setMuted(ctx.routeId, ctx.groupKey, undefined);
      return Promise.resolve([ctx, alerts]);
    }
    const { muted: active } = this.intervener().mutes(names, ctx.nowMs);
    this.marker.setMuted(ctx.routeId, ctx.groupKey, active ? undefined : names);
    if (!active) {
      this.metrics.suppressed.inc({ reason: "active_time_interval" }, alerts.length);
      return Promise.resolve([ctx, []]);
    }
    return Promise.resolve([ctx, alerts]);
  }
}

/** TimeMuteStage drops everything inside the route's mute_time_intervals. */
export class TimeMuteStage implements Stage {
  constructor(
    private readonly intervener: () => Intervener,
    private readonly marker: GroupMarker,
    private readonly metrics: NotifyMetrics,
  ) {}

  exec(ctx: FlushContext, alerts: readonly Alert[]): Promise<[FlushContext, readonly Alert[]]> {
    const names = ctx.muteTimeIntervals;
    if (names.length === 0) {
      this.marker.setMuted(ctx.routeId, ctx.groupKey, undefined);
      return Promise.resolve([ctx, alerts]);
    }
    const { muted, names: by } = this.intervener().mutes(names, ctx.nowMs);
    this.marker.setMuted(ctx.routeId, ctx.groupKey, by);
    if (muted) {
      this.metrics.suppressed.inc({ reason: "mute_time_interval" }, alerts.length);
      return Promise.resolve([ctx, []]);
    }
    return Promise.resolve([ctx, alerts]);
  }
}

/** IntegrationStatus is the outcome of an integration's last attempt, for the API. */
export interface IntegrationStatus {
  lastAttemptMs?: number;
  lastDurationMs?: number;
  lastError?: string;
}

/** Integration is one configured integration of a receiver, ready to notify. */
export interface Integration {
  readonly receiver: string;
  readonly name: IntegrationName;
  readonly index: number;
  readonly sendResolved: boolean;
  readonly notifier: Notifier;
  readonly status: IntegrationStatus;
}

/** NOTIFY_REASONS are the NotifyReason strings. */
const REASON = {
  none: "none",
  first: "first notification",
  newAlerts: "new alerts added",
  newResolved: "some alerts resolved",
  allResolved: "all alerts resolved",
  repeat: "repeat interval elapsed",
} as const;

/** DedupStage lets alerts through only when the log says they need sending (notify.DedupStage). */
export class DedupStage implements Stage {
  constructor(
    private readonly integration: Integration,
    private readonly nflog: NotificationLog,
  ) {}

  private recv(): NflogReceiver {
    const i = this.integration;
    return { groupName: i.receiver, integration: i.name, idx: i.index };
  }

  exec(ctx: FlushContext, alerts: readonly Alert[]): Promise<[FlushContext, readonly Alert[]]> {
    const firing: string[] = [];
    const resolved: string[] = [];
    for (const a of alerts)
      (resolvedAt(a, ctx.nowMs) ? resolved : firing).push(fingerprint(a.labels));
    const entry = this.nflog.query(ctx.groupKey, this.recv());
    const firingSet = new Set(firing);
    const resolvedSet = new Set(resolved);
    let reason: string = REASON.none;
    if (entry === undefined) {
      reason = firing.length > 0 ? REASON.first : REASON.none;
    } else {
      const prevFiring = new Set(entry.firingAlerts);
      const prevResolved = new Set(entry.resolvedAlerts);
      if (![...firingSet].every((h) => prevFiring.has(h))) {
        reason = entry.firingAlerts.length === 0 ? REASON.first : REASON.newAlerts;
      } else if (firing.length === 0) {
        reason = entry.firingAlerts.length > 0 ? REASON.allResolved : REASON.none;
      } else if (
        this.integration.sendResolved &&
        ![...resolvedSet].every((h) => prevResolved.has(h))
      ) {
        reason = REASON.newResolved;
      } else if (entry.timestampMs < ctx.nowMs - ctx.repeatIntervalMs) {
        reason = REASON.repeat;
      }
    }
    const next = { ...ctx, firing, resolved, notificationReason: reason };
    return Promise.resolve([next, reason === REASON.none ? [] : alerts]);
  }
}

/** Backoff is backoff.ExponentialBackOff with its defaults (500ms × 1.5^n ± 50%, at most 60s). */
export function backoffDelays(random: () => number = Math.random): () => number {
  let interval = 500;
  return () => {
    const delta = 0.5 * interval;
    const d = interval - delta + random() * (2 * delta);
    interval = Math.min(interval * 1.5, 60_000);
    return d;
  };
}

/**
 * RetryStage sends the alerts through the integration, retrying failures with exponential
 * backoff until they succeed, fail without retry, or the flush's signal aborts
 * (notify.RetryStage). Alerts are only sent resolved when the integration says so.
 */
export class RetryStage implements Stage {
  constructor(
    private readonly integration: Integration,
    private readonly deps: {
      readonly clock: Clock;
      readonly metrics: NotifyMetrics;
      readonly logger: Logger;
      readonly templates: () => AlertmanagerTemplates;
      readonly externalURL: () => string;
      readonly random?: () => number;
    },
  ) {}

  async exec(
    ctx: FlushContext,
    alerts: readonly Alert[],
  ): Promise<[FlushContext, readonly Alert[]]> {
    const { metrics } = this.deps;
    const name = this.integration.name;
    metrics.notifications.inc({ integration: name });
    try {
      return await this.run(ctx, alerts);
    } catch (err) {
      const reason = ctx.signal.aborted ? "context_deadline_exceeded" : "other";
      metrics.notificationsFailed.inc({ integration: name, reason });
      throw err;
    }
  }

  private notifyContext(ctx: FlushContext, sent: readonly Alert[]): NotifyContext {
    const i = this.integration;
    const alerts: NotifyAlert[] = [...sent].sort(compareAlerts).map((a) => {
      const resolved = resolvedAt(a, ctx.nowMs);
      return {
        labels: a.labels,
        annotations: a.annotations,
        startsAtMs: a.startsAtMs,
        endsAtMs: resolved ? a.endsAtMs : 0,
        generatorURL: a.generatorURL,
        fingerprint: fingerprint(a.labels),
        status: resolved ? "resolved" : "firing",
      };
    });
    const externalURL = this.deps.externalURL();
    const reason = ctx.notificationReason ?? "";
    const data = newAlertmanagerData({
      receiver: ctx.receiver,
      groupLabels: ctx.groupLabels,
      alerts: alerts.map((a) => ({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAtMs,
        ...(a.endsAtMs !== 0 && { endsAt: a.endsAtMs }),
        generatorURL: a.generatorURL,
        fingerprint: a.fingerprint,
        status: a.status,
      })),
      externalURL,
      notificationReason: reason,
      nowMs: ctx.nowMs,
    });
    return {
      receiver: ctx.receiver,
      integration: i.name,
      integrationIndex: i.index,
      groupKey: ctx.groupKey,
      groupLabels: ctx.groupLabels,
      alerts,
      nowMs: ctx.nowMs,
      notificationReason: reason,
      repeatIntervalMs: ctx.repeatIntervalMs,
      externalURL,
      templates: this.deps.templates(),
      data,
    };
  }

  private async run(
    ctx: FlushContext,
    alerts: readonly Alert[],
  ): Promise<[FlushContext, readonly Alert[]]> {
    const i = this.integration;
    const { clock, metrics, logger } = this.deps;
    let sent = alerts;
    if (!i.sendResolved) {
      if ((ctx.firing ?? []).length === 0) return [ctx, alerts];
      sent = alerts.filter((a) => !resolvedAt(a, ctx.nowMs));
    }
    const nctx = this.notifyContext(ctx, sent);
    const next = backoffDelays(this.deps.random);
    const label = `${i.receiver}/${i.name}[${i.index}]`;
    let attempts = 0;
    let lastErr: unknown;
    let waitUntil = clock.nowMs();
    for (;;) {
      if (ctx.signal.aborted) {
        const why = lastErr instanceof Error ? lastErr.message : "context deadline exceeded";
        throw new Error(`${label}: notify retry canceled after ${attempts} attempts: ${why}`);
      }
      await clock.sleep(waitUntil, ctx.signal);
      if (ctx.signal.aborted) continue;
      const t0 = performance.now();
      attempts++;
      metrics.requests.inc({ integration: i.name });
      i.status.lastAttemptMs = clock.nowMs();
      try {
        await untilAborted(i.notifier.notify(nctx, ctx.signal), ctx.signal);
        const dur = performance.now() - t0;
        metrics.latency.observe({ integration: i.name }, dur / 1000);
        i.status.lastDurationMs = dur;
        delete i.status.lastError;
        logger.debug({ integration: label, attempts, alerts: sent.length }, "notify success");
        return [ctx, alerts];
      } catch (err) {
        const dur = performance.now() - t0;
        metrics.latency.observe({ integration: i.name }, dur / 1000);
        metrics.requestsFailed.inc({ integration: i.name });
        const msg = err instanceof Error ? err.message : String(err);
        i.status.lastDurationMs = dur;
        i.status.lastError = msg;
        const retry = err instanceof NotifyError ? err.retry : true;
        if (!retry) {
          throw new Error(
            `${label}: notify retry canceled due to unrecoverable error after ${attempts} attempts: ${msg}`,
            { cause: err },
          );
        }
        if (!ctx.signal.aborted) {
          if (!(lastErr instanceof Error) || lastErr.message !== msg) {
            logger.warn(
              { integration: label, attempts, err: msg },
              "notify attempt failed, will retry later",
            );
          }
          lastErr = err;
        }
        waitUntil = clock.nowMs() + next();
      }
    }
  }
}

/**
 * untilAborted settles with p, or rejects when signal aborts first, so that a notifier that
 * ignores its signal cannot hold up the flush beyond its deadline.
 */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("context deadline exceeded"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error("context deadline exceeded"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** SetNotifiesStage records a successful notification in the log (notify.SetNotifiesStage). */
export class SetNotifiesStage implements Stage {
  constructor(
    private readonly integration: Integration,
    private readonly nflog: NotificationLog,
  ) {}

  async exec(
    ctx: FlushContext,
    alerts: readonly Alert[],
  ): Promise<[FlushContext, readonly Alert[]]> {
    const i = this.integration;
    const recv = { groupName: i.receiver, integration: i.name, idx: i.index };
    await this.nflog.log(
      recv,
      ctx.groupKey,
      ctx.firing ?? [],
      ctx.resolved ?? [],
      2 * ctx.repeatIntervalMs,
    );
    return [ctx, alerts];
  }
}

/** PipelineDeps are what buildPipeline needs. */
export interface PipelineDeps {
  readonly receivers: ReadonlyMap<string, readonly Integration[]>;
  readonly silenced: Muter;
  readonly inhibited: Muter;
  readonly intervener: () => Intervener;
  readonly marker: GroupMarker;
  readonly nflog: NotificationLog;
  readonly metrics: NotifyMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly templates: () => AlertmanagerTemplates;
  readonly externalURL: () => string;
  readonly random?: () => number;
}

/** buildPipeline builds the RoutingStage for the receivers (PipelineBuilder.New). */
export function buildPipeline(d: PipelineDeps): RoutingStage {
  const byName = new Map<string, Stage>();
  const inhibit = new MuteStage(d.inhibited, "inhibition", d.metrics);
  const active = new TimeActiveStage(d.intervener, d.marker, d.metrics);
  const mute = new TimeMuteStage(d.intervener, d.marker, d.metrics);
  const silence = new MuteStage(d.silenced, "silence", d.metrics);
  for (const [name, integrations] of d.receivers) {
    const fan = new FanoutStage(
      integrations.map(
        (i) =>
          new MultiStage([
            new DedupStage(i, d.nflog),
            new RetryStage(i, d),
            new SetNotifiesStage(i, d.nflog),
          ]),
      ),
    );
    byName.set(name, new MultiStage([inhibit, active, mute, silence, fan]));
  }
  return new RoutingStage(byName);
}
