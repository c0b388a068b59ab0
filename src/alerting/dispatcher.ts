// The dispatcher (dispatch/dispatch.go, v0.33): it routes each stored alert through the tree,
// keeps one aggregation group per route and group-label set, and flushes each group through
// the notification pipeline: first after group_wait (at once for an alert older than that),
// then every group_interval. A group whose alerts have all been notified as resolved is
// destroyed and collected.
import type { Logger } from "../util/logging/index.ts";
import type { Alert } from "./alert.ts";
import {
  compareAlerts,
  compareLabelSets,
  fingerprint,
  labelSetString,
  resolvedAt,
} from "./alert.ts";
import type { AlertStore } from "./alert-store.ts";
import type { LabelSet } from "./matchers.ts";
import type { Route } from "./route.ts";
import { groupLabelsFor } from "./route.ts";
import type { Clock, FlushContext, Stage } from "../notify/pipeline.ts";

/** MIN_TIMEOUT_MS is notify.MinTimeout: a flush gets at least this long to finish. */
export const MIN_TIMEOUT_MS = 10_000;

/** AggrGroup aggregates the alerts of one route with the same group labels (aggrGroup). */
export class AggrGroup {
  readonly labels: LabelSet;
  readonly route: Route;
  readonly routeId: string;
  readonly groupKey: string;
  readonly fp: string;
  private readonly alerts = new Map<string, Alert>();
  private destroyedFlag = false;
  private nextAtMs: number;
  private wake = new AbortController();
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    labels: LabelSet,
    route: Route,
    private readonly clock: Clock,
  ) {
    this.labels = labels;
    this.route = route;
    this.routeId = route.id();
    this.groupKey = `${route.key()}:${labelSetString(labels)}`;
    this.fp = fingerprint(labels);
    this.nextAtMs = clock.nowMs() + route.opts.groupWaitMs;
  }

  /** insert adds or replaces an alert; false when the group is already destroyed. */
  insert(a: Alert): boolean {
    if (this.destroyedFlag) return false;
    this.alerts.set(fingerprint(a.labels), a);
    return true;
  }

  /** list returns the group's alerts. */
  list(): Alert[] {
    return [...this.alerts.values()];
  }

  get destroyed(): boolean {
    return this.destroyedFlag;
  }

  /** resetTimer makes the next flush happen delayMs from now. */
  resetTimer(delayMs: number): void {
    this.nextAtMs = this.clock.nowMs() + delayMs;
    this.wake.abort();
  }

  /** nextFlushMs is when the next flush is due (for the API and tests). */
  get nextFlushMs(): number {
    return this.nextAtMs;
  }

  /** start runs the group's timer loop until it is destroyed or stopped. */
  start(notify: (ctx: FlushContext, alerts: readonly Alert[]) => Promise<boolean>): void {
    this.running ??= this.run(notify);
  }

  private async run(
    notify: (ctx: FlushContext, alerts: readonly Alert[]) => Promise<boolean>,
  ): Promise<void> {
    while (!this.stop.signal.aborted) {
      const until = this.nextAtMs;
      await this.clock.sleep(until, AbortSignal.any([this.wake.signal, this.stop.signal]));
      if (this.wake.signal.aborted) this.wake = new AbortController();
      if (this.stop.signal.aborted) break;
      const now = this.clock.nowMs();
      if (now < this.nextAtMs) continue;
      const opts = this.route.opts;
      this.nextAtMs = now + opts.groupIntervalMs;
      const timeout = new AbortController();
      const timeoutMs = Math.max(opts.groupIntervalMs, MIN_TIMEOUT_MS);
      const timer = this.clock.sleep(
        now + timeoutMs,
        AbortSignal.any([timeout.signal, this.stop.signal]),
      );
      void timer.then(() => timeout.abort());
      const ctx: FlushContext = {
        receiver: opts.receiver,
        groupKey: this.groupKey,
        groupLabels: this.labels,
        routeId: this.routeId,
        repeatIntervalMs: opts.repeatIntervalMs,
        muteTimeIntervals: opts.muteTimeIntervals,
        activeTimeIntervals: opts.activeTimeIntervals,
        nowMs: now,
        signal: AbortSignal.any([timeout.signal, this.stop.signal]),
      };
      try {
        await this.flush(ctx, notify);
      } finally {
        timeout.abort();
      }
      if (this.destroyedFlag) break;
    }
  }

  /** flush notifies the group's alerts and forgets the resolved ones once sent (flush). */
  private async flush(
    ctx: FlushContext,
    notify: (ctx: FlushContext, alerts: readonly Alert[]) => Promise<boolean>,
  ): Promise<void> {
    if (this.alerts.size === 0) return;
    const now = ctx.nowMs;
    const resolved: Alert[] = [];
    const all: Alert[] = [];
    for (const a of this.alerts.values()) {
      if (resolvedAt(a, now)) {
        resolved.push(a);
        all.push(a);
      } else {
        all.push({ ...a, endsAtMs: 0 });
      }
    }
    all.sort(compareAlerts);
    if (!(await notify(ctx, all))) return;
    for (const a of resolved) {
      const fp = fingerprint(a.labels);
      const cur = this.alerts.get(fp);
      if (cur !== undefined && cur.updatedAtMs === a.updatedAtMs) this.alerts.delete(fp);
    }
    if (this.alerts.size === 0) this.destroyedFlag = true;
  }

  /** cancel stops the loop; a flush in progress is aborted. */
  async cancel(): Promise<void> {
    this.stop.abort();
    await this.running;
  }
}

/** AlertGroupView is one group as the API shows it (dispatch.AlertGroup). */
export interface AlertGroupView {
  readonly labels: LabelSet;
  readonly receiver: string;
  readonly groupKey: string;
  readonly routeId: string;
  readonly alerts: Alert[];
}

/** DispatcherOptions configure a Dispatcher. */
export interface DispatcherOptions {
  readonly route: Route;
  readonly store: AlertStore;
  readonly stage: Stage;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called when a group is collected, to forget its time-interval marks. */
  readonly onGroupDeleted?: (routeId: string, groupKey: string) => void;
  /** How often destroyed groups are collected; default 30s. */
  readonly maintenanceIntervalMs?: number;
}

/** Dispatcher routes alerts to aggregation groups and runs them; see the file comment. */
export class Dispatcher {
  private readonly groups = new Map<Route, Map<string, AggrGroup>>();
  private readonly stopCtl = new AbortController();
  private maintenance: Promise<void> | undefined;
  private readonly listener = (a: Alert): void => this.routeAlert(a);
  private started = false;

  constructor(private readonly o: DispatcherOptions) {
    o.route.walk((r) => this.groups.set(r, new Map()));
  }

  /** route is the routing tree in use. */
  get route(): Route {
    return this.o.route;
  }

  /** start routes the alerts held by the store and follows new ones (Run). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const a of this.o.store.subscribe(this.listener)) this.routeAlert(a);
    this.maintenance = this.runMaintenance();
  }

  private async runMaintenance(): Promise<void> {
    const every = this.o.maintenanceIntervalMs ?? 30_000;
    while (!this.stopCtl.signal.aborted) {
      await this.o.clock.sleep(this.o.clock.nowMs() + every, this.stopCtl.signal);
      if (this.stopCtl.signal.aborted) break;
      this.doMaintenance();
    }
  }

  /** doMaintenance collects destroyed groups. */
  doMaintenance(): void {
    for (const groups of this.groups.values()) {
      for (const [fp, ag] of groups) {
        if (!ag.destroyed) continue;
        void ag.cancel();
        groups.delete(fp);
        this.o.onGroupDeleted?.(ag.routeId, ag.groupKey);
      }
    }
  }

  private routeAlert(a: Alert): void {
    for (const r of this.o.route.match(a.labels)) this.groupAlert(a, r);
  }

  private groupAlert(a: Alert, route: Route): void {
    const labels = groupLabelsFor(a.labels, route);
    const fp = fingerprint(labels);
    const groups = this.groups.get(route);
    if (groups === undefined) return;
    const existing = groups.get(fp);
    if (existing !== undefined && existing.insert(a)) return;
    const ag = new AggrGroup(labels, route, this.o.clock);
    ag.insert(a);
    if (existing !== undefined) void existing.cancel();
    groups.set(fp, ag);
    if (a.startsAtMs + route.opts.groupWaitMs < this.o.clock.nowMs()) ag.resetTimer(0);
    ag.start((ctx, alerts) => this.notify(ag, ctx, alerts));
  }

  private async notify(
    ag: AggrGroup,
    ctx: FlushContext,
    alerts: readonly Alert[],
  ): Promise<boolean> {
    try {
      await this.o.stage.exec(ctx, alerts);
      return true;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const level = ctx.signal.aborted && this.stopCtl.signal.aborted ? "debug" : "error";
      this.o.logger[level](
        { aggrGroup: ag.groupKey, numAlerts: alerts.length, err: msg },
        "notify for alerts failed",
      );
      return false;
    }
  }

  /**
   * groupsView returns the groups whose route passes routeFilter, with the alerts that pass
   * alertFilter, sorted by labels then receiver (Groups); and for each alert fingerprint the
   * receivers of the groups holding it, sorted.
   */
  groupsView(
    routeFilter: (r: Route) => boolean,
    alertFilter: (a: Alert, nowMs: number) => boolean,
  ): { groups: AlertGroupView[]; receivers: Map<string, string[]> } {
    const now = this.o.clock.nowMs();
    const out: AlertGroupView[] = [];
    const receivers = new Map<string, string[]>();
    for (const [route, groups] of this.groups) {
      if (!routeFilter(route)) continue;
      const receiver = route.opts.receiver;
      for (const ag of groups.values()) {
        const alerts = ag.list().filter((a) => alertFilter(a, now));
        if (alerts.length === 0) continue;
        for (const a of alerts) {
          const fp = fingerprint(a.labels);
          receivers.set(fp, [...(receivers.get(fp) ?? []), receiver]);
        }
        out.push({
          labels: ag.labels,
          receiver,
          groupKey: ag.groupKey,
          routeId: ag.routeId,
          alerts: alerts.sort(compareAlerts),
        });
      }
    }
    out.sort((x, y) => {
      const c = compareLabelSets(x.labels, y.labels);
      if (c !== 0 && !sameLabels(x.labels, y.labels)) return c;
      return x.receiver < y.receiver ? -1 : x.receiver > y.receiver ? 1 : 0;
    });
    for (const r of receivers.values()) r.sort();
    return { groups: out, receivers };
  }

  /** aggrGroups lists the live groups (tests). */
  aggrGroups(): AggrGroup[] {
    return [...this.groups.values()].flatMap((g) => [...g.values()]);
  }

  /** stop stops every group and the maintenance loop (Stop). */
  async stop(): Promise<void> {
    this.stopCtl.abort();
    this.o.store.unsubscribe(this.listener);
    await Promise.all(this.aggrGroups().map((ag) => ag.cancel()));
    await this.maintenance;
  }
}

function sameLabels(a: LabelSet, b: LabelSet): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => a[k] === b[k]);
}
