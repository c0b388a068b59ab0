// Where alerts go after evaluation. The rule engine hands alerts that are due to be sent
// (firing ones every resend delay, resolved ones for 15 minutes) to every AlertSink: Vigil's
// own notification router and, when configured, external Alertmanagers. Before that, as in
// Prometheus's rules.SendAlerts and notifier.Manager.Send, alerts get their start and end times,
// a link to their expression, the external labels and the global alert relabeling.
import type { Labels } from "../model/labels/index.ts";
import { labelsFromPairs } from "../model/labels/index.ts";
import type { RelabelConfig } from "../model/relabel/index.ts";
import { relabel } from "../model/relabel/index.ts";
import type { Alert, NotifyFunc } from "./alerting-rule.ts";

/**
 * NotifierAlert is an alert as it leaves the rule engine (Prometheus notifier.Alert). Times are
 * milliseconds; undefined is "unset". endsAt lies in the future for an alert that still fires
 * (its validity: if no update comes by then, the receiver may consider it resolved) and is the
 * resolution time for a resolved one.
 */
export interface NotifierAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAtMs: number | undefined;
  readonly endsAtMs: number | undefined;
  readonly generatorURL: string;
}

/**
 * AlertSink receives alerts from the rule engine. `send` must not block or throw: a sink queues
 * what it cannot deliver at once and owns retries and drops. The same alert arrives again at
 * every resend; sinks de-duplicate by labels.
 */
export interface AlertSink {
  readonly name: string;
  send(alerts: readonly NotifierAlert[]): void;
}

/** AlertSenderOptions are read at every send, so that reloads take effect at once. */
export interface AlertSenderOptions {
  sinks(): readonly AlertSink[];
  /** externalURL is the server's external URL, without trailing slash. */
  externalURL(): string;
  externalLabels(): Labels;
  /** relabelConfigs is alerting.alert_relabel_configs. */
  relabelConfigs(): readonly RelabelConfig[];
  /** onError reports a sink that threw (default: ignore). */
  onError?(sink: AlertSink, err: unknown): void;
}

/**
 * alertSender returns the NotifyFunc that converts alerts and hands them to every sink
 * (rules.SendAlerts, then notifier.Manager.Send's relabeling).
 */
export function alertSender(o: AlertSenderOptions): NotifyFunc {
  return (expr, alerts) => {
    if (alerts.length === 0) return;
    const generatorURL = o.externalURL() + tableLinkForExpression(expr);
    const converted = relabelAlerts(
      alerts.map((a) => toNotifierAlert(a, generatorURL)),
      o.relabelConfigs(),
      o.externalLabels(),
    );
    if (converted.length === 0) return;
    for (const sink of o.sinks()) {
      try {
        sink.send(converted);
      } catch (err) {
        o.onError?.(sink, err);
      }
    }
  };
}

/** toNotifierAlert converts a rule's alert: it starts when it fired and ends when resolved. */
export function toNotifierAlert(a: Alert, generatorURL: string): NotifierAlert {
  return {
    labels: a.labels,
    annotations: a.annotations,
    startsAtMs: a.firedAtMs,
    endsAtMs: a.resolvedAtMs ?? a.validUntilMs,
    generatorURL,
  };
}

/**
 * relabelAlerts adds the external labels an alert lacks, then applies relabel configs,
 * dropping alerts they drop (notifier relabelAlerts).
 */
export function relabelAlerts(
  alerts: readonly NotifierAlert[],
  configs: readonly RelabelConfig[],
  externalLabels: Labels,
): NotifierAlert[] {
  const out: NotifierAlert[] = [];
  for (const a of alerts) {
    let labels = a.labels;
    if (externalLabels.length > 0) {
      const have = new Set(a.labels.map((l) => l.name));
      labels = labelsFromPairs([...a.labels, ...externalLabels.filter((l) => !have.has(l.name))]);
    }
    const res = relabel(labels, configs);
    if (res === null) continue;
    out.push({ ...a, labels: res });
  }
  return out;
}

/** tableLinkForExpression is the relative link to an expression's table view (strutil). */
export function tableLinkForExpression(expr: string): string {
  return `/graph?g0.expr=${goQueryEscape(expr)}&g0.tab=1`;
}

/** goQueryEscape escapes like Go's url.QueryEscape: space as +, only A-Za-z0-9-_.~ kept. */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

/**
 * MemorySink keeps what it receives, for tests and tools: the latest version of each alert by
 * labels, and every batch in order.
 */
export class MemorySink implements AlertSink {
  readonly name: string;
  readonly batches: NotifierAlert[][] = [];

  constructor(name = "memory") {
    this.name = name;
  }

  send(alerts: readonly NotifierAlert[]): void {
    this.batches.push([...alerts]);
  }

  /** all is every alert received, in order. */
  get all(): NotifierAlert[] {
    return this.batches.flat();
  }
}
