// Vigil's Alertmanager: the alert store, silences, notification log, inhibitor, routing tree,
// dispatcher and notification pipeline wired together (Alertmanager's cmd/alertmanager/main.go
// run and reload), fed by the rule engine (as an AlertSink) and by the API v2.
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import type { Registry } from "prom-client";
import { Gauge } from "prom-client";
import { glob } from "../discovery/index.ts";
import type { AlertSink, NotifierAlert } from "../rules/index.ts";
import { AlertmanagerTemplates } from "../template/index.ts";
import type { HttpClientConfig } from "../util/http-client/index.ts";
import type { Logger } from "../util/logging/index.ts";
import { initializeFor, notifyMetrics } from "../notify/metrics.ts";
import type { NotifierFactories } from "../notify/notifier.ts";
import type { Clock, Integration, Stage } from "../notify/pipeline.ts";
import { GroupMarker, buildPipeline } from "../notify/pipeline.ts";
import { DEFAULT_TEMPLATES, NOTIFIERS, createNotifier } from "../notify/registry.ts";
import type { Alert } from "./alert.ts";
import { validateAlert } from "./alert.ts";
import { AlertStore } from "./alert-store.ts";
import type { AlertmanagerSection } from "./config/load.ts";
import { defaultAmConfig } from "./config/load.ts";
import type { AmConfig } from "./config/types.ts";
import { DEFAULT_TEAM_ROUTING } from "./config/types.ts";
import { Dispatcher } from "./dispatcher.ts";
import { Inhibitor } from "./inhibit.ts";
import type { LabelSet } from "./matchers.ts";
import { DEFAULT_RETENTION_MS, NotificationLog } from "./nflog.ts";
import { JournalFile, SnapshotFile } from "../util/state-file.ts";
import type { IntegrationName } from "./receivers-config.ts";
import { INTEGRATION_NAMES } from "./receivers-config.ts";
import { Route } from "./route.ts";
import { Silences } from "./silences.ts";
import { applyTeamRouting } from "./team-routing.ts";
import { Intervener } from "./timeinterval.ts";
import type { TimeInterval } from "./timeinterval.ts";

/** AlertmanagerOptions configure an Alertmanager. */
export interface AlertmanagerOptions {
  readonly logger: Logger;
  /** Registry for the notification and alert metrics. */
  readonly registry: Registry;
  /** Directory for silences.json, nflog.json and alerts.json; unset keeps state in memory. */
  readonly dataDir?: string;
  /** Vigil's external URL without trailing slash, read at each notification. */
  readonly externalURL: () => string;
  readonly clock?: Clock;
  /** Integration factories; default: the registry's (src/notify/receivers). */
  readonly notifiers?: NotifierFactories;
  /** Default templates; default: the registry's. */
  readonly defaultTemplates?: readonly string[];
  /** How long expired silences and notification log entries are kept; default 120h. */
  readonly retentionMs?: number;
  /** Interval of the garbage collection of resolved alerts; default 30m. */
  readonly alertGcIntervalMs?: number;
  /** Interval of silence and notification log maintenance; default 15m. */
  readonly maintenanceIntervalMs?: number;
  /** User-Agent of notifications; default "Vigil". */
  readonly userAgent?: string;
}

const wallClock: Clock = {
  nowMs: () => Date.now(),
  sleep: (untilMs, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, untilMs - Date.now()));
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** Running is what a configuration builds; replaced as a whole on reload. */
interface Running {
  /** The configuration as loaded (what /api/v2/status shows). */
  readonly original: AmConfig;
  /** The configuration with team routing applied (what routes alerts). */
  readonly config: AmConfig;
  readonly section: AlertmanagerSection;
  readonly route: Route;
  readonly templates: AlertmanagerTemplates;
  readonly receivers: Map<string, Integration[]>;
  readonly inhibitor: Inhibitor;
  readonly intervener: Intervener;
  readonly dispatcher: Dispatcher;
}

/** PostResult says which posted alerts were refused and why. */
export interface PostResult {
  readonly errors: string[];
}

/** AlertStatusView is an alert's status as the API shows it (AlertStatus). */
export interface AlertStatusView {
  readonly state: "active" | "suppressed" | "unprocessed";
  readonly silencedBy: string[];
  readonly inhibitedBy: string[];
}

/**
 * Alertmanager is the notification router; see the file comment. Call applyConfig before
 * start; stop before discarding it.
 */
export class Alertmanager implements AlertSink {
  readonly name = "vigil-alertmanager";
  readonly store: AlertStore;
  readonly silences: Silences;
  readonly nflog: NotificationLog;
  readonly marker = new GroupMarker();
  readonly clock: Clock;
  readonly uptimeMs: number;
  private run: Running | undefined;
  private started = false;
  private readonly stopCtl = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly log: Logger;
  private readonly metrics;
  private readonly files: SnapshotFile[] = [];

  constructor(private readonly o: AlertmanagerOptions) {
    this.clock = o.clock ?? wallClock;
    const now = (): number => this.clock.nowMs();
    this.uptimeMs = now();
    this.log = o.logger.child({ component: "alertmanager" });
    this.store = new AlertStore(now);
    const retention = o.retentionMs ?? DEFAULT_RETENTION_MS;
    this.silences = new Silences(now, retention);
    this.nflog = new NotificationLog(now, retention);
    if (o.dataDir !== undefined) {
      const f = (name: string, snap: () => unknown): SnapshotFile => {
        const file = new SnapshotFile(join(o.dataDir!, name), snap);
        this.files.push(file);
        return file;
      };
      this.silences.attach(f("silences.json", () => this.silences.snapshot()));
      this.nflog.attach(f("nflog.json", () => this.nflog.snapshot()));
      // Alerts change at every evaluation of every rule: a journal of the changes, not a
      // snapshot of all alerts per change.
      this.store.attach(
        new JournalFile(join(o.dataDir, "alerts.json"), join(o.dataDir, "alerts.journal"), () =>
          this.store.snapshot(),
        ),
      );
    }
    this.metrics = notifyMetrics(o.registry);
    registerStateMetrics(o.registry, this);
  }

  /** config is the configuration in force, team routing applied. */
  get config(): AmConfig {
    return this.running().config;
  }

  /** originalConfig is the configuration as loaded. */
  get originalConfig(): AmConfig {
    return this.running().original;
  }

  /** route is the routing tree in force. */
  get route(): Route {
    return this.running().route;
  }

  get dispatcher(): Dispatcher {
    return this.running().dispatcher;
  }

  /** receiverIntegrations lists the integrations of the configured receivers, with their status. */
  get receiverIntegrations(): ReadonlyMap<string, readonly Integration[]> {
    return this.running().receivers;
  }

  private running(): Running {
    if (!this.run) throw new Error("alertmanager: no configuration applied");
    return this.run;
  }

  /**
   * applyConfig builds everything a configuration describes and swaps it in (the reload of
   * main.go). It throws, leaving the running configuration in force, when templates cannot be
   * read or parsed.
   */
  async applyConfig(section: AlertmanagerSection | undefined): Promise<void> {
    const sec: AlertmanagerSection = section ?? { teamRouting: { ...DEFAULT_TEAM_ROUTING } };
    const original = sec.config ?? defaultAmConfig();
    const config = applyTeamRouting(original, sec.teamRouting);
    const templates = await this.loadTemplates(config.templates);
    const route = Route.build(config.route);

    const receivers = new Map<string, Integration[]>();
    const factories = this.o.notifiers ?? NOTIFIERS;
    const used = new Set<string>();
    route.walk((r) => used.add(r.opts.receiver));
    const integrationNames = new Set<IntegrationName>();
    for (const rcv of config.receivers) {
      if (!used.has(rcv.name)) continue;
      const list: Integration[] = [];
      for (const name of INTEGRATION_NAMES) {
        const cfgs = rcv.integrations[name] as unknown[];
        cfgs.forEach((c, index) => {
          const sendResolved = (c as { sendResolved: boolean }).sendResolved;
          const httpClientConfig = (c as { httpConfig?: HttpClientConfig }).httpConfig;
          const notifier = createNotifier(
            name,
            c as never,
            {
              logger: this.log.child({ receiver: rcv.name, integration: `${name}[${index}]` }),
              externalURL: this.o.externalURL(),
              userAgent: this.o.userAgent ?? "Vigil",
              ...(httpClientConfig !== undefined && { httpClientConfig }),
            },
            factories,
          );
          list.push({ receiver: rcv.name, name, index, sendResolved, notifier, status: {} });
          integrationNames.add(name);
        });
      }
      receivers.set(rcv.name, list);
    }
    initializeFor(this.metrics, integrationNames);

    const intervals = new Map<string, TimeInterval[]>();
    for (const ti of config.timeIntervals) intervals.set(ti.name, ti.timeIntervals);
    const intervener = new Intervener(intervals);
    const now = (): number => this.clock.nowMs();
    const inhibitor = new Inhibitor(config.inhibitRules, this.store, now);

    const stage: Stage = buildPipeline({
      receivers,
      silenced: (ls) => this.silences.matching(ls).active.length > 0,
      inhibited: (ls) => inhibitor.inhibitedBy(ls).length > 0,
      intervener: () => intervener,
      marker: this.marker,
      nflog: this.nflog,
      metrics: this.metrics,
      clock: this.clock,
      logger: this.log,
      templates: () => templates,
      externalURL: this.o.externalURL,
    });
    const dispatcher = new Dispatcher({
      route,
      store: this.store,
      stage,
      clock: this.clock,
      logger: this.log,
      onGroupDeleted: (routeId, groupKey) => this.marker.deleteByGroupKey(routeId, groupKey),
    });

    const old = this.run;
    this.run = {
      original,
      config,
      section: sec,
      route,
      templates,
      receivers,
      inhibitor,
      intervener,
      dispatcher,
    };
    if (old) {
      old.inhibitor.stop();
      await old.dispatcher.stop();
      for (const list of old.receivers.values()) for (const i of list) i.notifier.close?.();
    }
    if (this.started) dispatcher.start();
  }

  private async loadTemplates(patterns: readonly string[]): Promise<AlertmanagerTemplates> {
    const t = new AlertmanagerTemplates({ externalURL: this.o.externalURL() });
    for (const text of this.o.defaultTemplates ?? DEFAULT_TEMPLATES) t.parse(text);
    for (const pat of patterns) {
      for (const file of await glob(pat)) {
        let text: string;
        try {
          text = await readFile(file, "utf8");
        } catch (err) {
          throw new Error(`failed to read template ${file}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        try {
          t.parseFile(file, text);
        } catch (err) {
          throw new Error(`failed to parse template ${file}: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
    }
    return t;
  }

  /** start runs the dispatcher and the periodic maintenance. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.running().dispatcher.start();
    const every = (ms: number, fn: () => void): Promise<void> =>
      (async () => {
        while (!this.stopCtl.signal.aborted) {
          await this.clock.sleep(this.clock.nowMs() + ms, this.stopCtl.signal);
          if (this.stopCtl.signal.aborted) break;
          try {
            fn();
          } catch (err) {
            this.log.error({ err: (err as Error).message }, "maintenance failed");
          }
        }
      })();
    this.loops = [
      every(this.o.alertGcIntervalMs ?? 30 * 60_000, () => this.store.gc()),
      every(this.o.maintenanceIntervalMs ?? 15 * 60_000, () => {
        this.silences.gc();
        this.nflog.gc();
        this.run?.inhibitor.gc();
      }),
    ];
  }

  /** stop stops the dispatcher and maintenance and waits for pending state writes. */
  async stop(): Promise<void> {
    this.stopCtl.abort();
    if (this.run) {
      this.run.inhibitor.stop();
      await this.run.dispatcher.stop();
      for (const list of this.run.receivers.values()) for (const i of list) i.notifier.close?.();
    }
    await Promise.all(this.loops);
    await Promise.all([...this.files.map((f) => f.flush()), this.store.flush()]);
  }

  /**
   * putAlerts stores alerts as received by the API (postAlertsHandler): update time now, start
   * time defaulted, end time defaulted to now + resolve_timeout (marked as a timeout), empty
   * labels removed; invalid alerts are refused with their reasons, valid ones stored. Resolves
   * once the valid ones are durable.
   */
  async putAlerts(
    alerts: readonly {
      labels: LabelSet;
      annotations: LabelSet;
      startsAtMs: number;
      endsAtMs: number;
      generatorURL: string;
    }[],
  ): Promise<PostResult> {
    const now = this.clock.nowMs();
    const resolveTimeout = this.config.global.resolveTimeoutMs;
    const valid: Alert[] = [];
    const errors: string[] = [];
    for (const a of alerts) {
      let startsAtMs = a.startsAtMs;
      let endsAtMs = a.endsAtMs;
      let timeout = false;
      if (startsAtMs === 0) startsAtMs = endsAtMs === 0 ? now : endsAtMs;
      if (endsAtMs === 0) {
        timeout = true;
        endsAtMs = now + resolveTimeout;
      }
      const labels = Object.fromEntries(Object.entries(a.labels).filter(([, v]) => v !== ""));
      const alert: Alert = {
        labels,
        annotations: a.annotations,
        startsAtMs,
        endsAtMs,
        generatorURL: a.generatorURL,
        updatedAtMs: now,
        timeout,
      };
      const why = validateAlert(alert);
      if (why !== undefined) errors.push(why);
      else valid.push(alert);
    }
    await this.store.put(valid);
    return { errors };
  }

  /** send takes alerts from the rule engine (AlertSink); it never throws. */
  send(alerts: readonly NotifierAlert[]): void {
    const rec = (ls: readonly { name: string; value: string }[]): Record<string, string> =>
      Object.fromEntries(ls.map((l) => [l.name, l.value]));
    this.putAlerts(
      alerts.map((a) => ({
        labels: rec(a.labels),
        annotations: rec(a.annotations),
        startsAtMs: a.startsAtMs ?? 0,
        endsAtMs: a.endsAtMs ?? 0,
        generatorURL: a.generatorURL,
      })),
    ).then(
      (r) => {
        if (r.errors.length > 0)
          this.log.warn({ errors: r.errors }, "invalid alerts from rules dropped");
      },
      (err: unknown) => this.log.error({ err: (err as Error).message }, "storing alerts failed"),
    );
  }

  /** alertStatus computes an alert's status now (predictAlertStatus). */
  alertStatus(ls: LabelSet): AlertStatusView {
    const silencedBy = this.silences.matching(ls).active;
    const inhibitedBy = this.running().inhibitor.inhibitedBy(ls);
    const state = silencedBy.length > 0 || inhibitedBy.length > 0 ? "suppressed" : "active";
    return { state, silencedBy, inhibitedBy };
  }

  /** receiversOf returns the receivers an alert routes to. */
  receiversOf(ls: LabelSet): string[] {
    return this.running()
      .route.match(ls)
      .map((r) => r.opts.receiver);
  }
}

function registerStateMetrics(registry: Registry, am: Alertmanager): void {
  const name = "vigil_alertmanager_alerts";
  if (registry.getSingleMetric(name) !== undefined) registry.removeSingleMetric(name);
  new Gauge({
    name,
    help: "How many alerts the Alertmanager holds, by state.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const now = am.clock.nowMs();
      let active = 0;
      let suppressed = 0;
      for (const a of am.store.list()) {
        if (a.endsAtMs !== 0 && a.endsAtMs <= now) continue;
        try {
          if (am.alertStatus(a.labels).state === "suppressed") suppressed++;
          else active++;
        } catch {
          active++;
        }
      }
      this.set({ state: "active" }, active);
      this.set({ state: "suppressed" }, suppressed);
    },
  });
  const sil = "vigil_alertmanager_silences";
  if (registry.getSingleMetric(sil) !== undefined) registry.removeSingleMetric(sil);
  new Gauge({
    name: sil,
    help: "How many silences the Alertmanager holds, by state.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      for (const s of ["active", "pending", "expired"] as const) {
        this.set({ state: s }, am.silences.countState(s));
      }
    },
  });
}
