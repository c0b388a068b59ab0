// Alerting rules and the alert state machine, after prometheus rules/alerting.go (v3.5):
// inactive → pending → firing, `for` and `keep_firing_for`, resolved alerts kept for 15m so
// that their resolution reaches Alertmanager, and the ALERTS / ALERTS_FOR_STATE series.
import type { Label, Labels, Matcher } from "../model/labels/index.ts";
import {
  METRIC_NAME,
  Matcher as LabelMatcher,
  labelsFromPairs,
  labelsKey,
  labelsToRecord,
} from "../model/labels/index.ts";
import type { Querier, Series } from "../storage/index.ts";
import type { Logger } from "../util/logging/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { EvalContext, Rule, RuleHealth, RuleQuery, RuleSample } from "./rule.ts";
import type { TemplateExpander } from "./template.ts";
import { ALERT_TEMPLATE_DEFS } from "./template.ts";

/** ALERTS_METRIC is the series an alerting rule writes per active alert, valued 1. */
export const ALERTS_METRIC = "ALERTS";
/** ALERTS_FOR_STATE_METRIC holds each active alert's activeAt (Unix seconds), for restarts. */
export const ALERTS_FOR_STATE_METRIC = "ALERTS_FOR_STATE";
/** ALERT_NAME_LABEL carries an alert's rule name. */
export const ALERT_NAME_LABEL = "alertname";
/** ALERT_STATE_LABEL carries an alert's state on the ALERTS series. */
export const ALERT_STATE_LABEL = "alertstate";

/** RESOLVED_RETENTION_MS is how long a resolved alert is kept (and re-sent): 15m. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** AlertState is the state of one alert; ALERT_STATE_ORDER ranks them. */
export type AlertState = "inactive" | "pending" | "firing";

const ALERT_STATE_ORDER: Record<AlertState, number> = { inactive: 0, pending: 1, firing: 2 };

/**
 * Alert is one instance of an alerting rule, identified by its labels. Times are milliseconds;
 * undefined stands for Go's zero time ("never").
 */
export interface Alert {
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  /** value is the query's value at the last evaluation. */
  value: number;
  /** activeAtMs is when the condition started to hold (pending since). */
  activeAtMs: number;
  firedAtMs: number | undefined;
  resolvedAtMs: number | undefined;
  lastSentAtMs: number | undefined;
  validUntilMs: number | undefined;
  keepFiringSinceMs: number | undefined;
}

/**
 * needsSending reports whether an alert is due to be sent at tsMs: firing or resolved alerts,
 * when resolved since last sent or last sent more than resendDelayMs ago (Alert.needsSending).
 */
export function needsSending(a: Alert, tsMs: number, resendDelayMs: number): boolean {
  if (a.state === "pending") return false;
  if (
    a.resolvedAtMs !== undefined &&
    (a.lastSentAtMs === undefined || a.resolvedAtMs > a.lastSentAtMs)
  ) {
    return true;
  }
  return a.lastSentAtMs === undefined || a.lastSentAtMs + resendDelayMs < tsMs;
}

/** NotifyFunc hands alerts due to be sent to the notifier; expr is the rule's query text. */
export type NotifyFunc = (expr: string, alerts: readonly Alert[]) => void;

/**
 * AlertTransition is a change of one alert's state at an evaluation: from inactive (or unknown)
 * to pending or firing, from pending to firing, and back to inactive when the alert resolves
 * (from firing) or its condition clears before `for` has passed (from pending).
 */
export interface AlertTransition {
  readonly labels: Labels;
  readonly from: AlertState;
  readonly to: AlertState;
  /** value is the query's value at the last evaluation that returned the alert. */
  readonly value: number;
}

/** AlertSnapshot is an alert's state, labels and value at one moment. */
export interface AlertSnapshot {
  readonly state: AlertState;
  readonly labels: Labels;
  readonly value: number;
}

/** alertStates snapshots the alerts a rule holds, by labelsKey. */
export function alertStates(rule: AlertingRule): Map<string, AlertSnapshot> {
  const out = new Map<string, AlertSnapshot>();
  for (const [key, a] of rule.active)
    out.set(key, { state: a.state, labels: a.labels, value: a.value });
  return out;
}

/**
 * alertTransitions compares a rule's alerts with a snapshot taken before its evaluation
 * (alertStates) and returns the changes; alerts gone from the rule count as now inactive.
 */
export function alertTransitions(
  rule: AlertingRule,
  before: ReadonlyMap<string, AlertSnapshot>,
): AlertTransition[] {
  const out: AlertTransition[] = [];
  for (const [key, a] of rule.active) {
    const from = before.get(key)?.state ?? "inactive";
    if (from !== a.state) out.push({ labels: a.labels, from, to: a.state, value: a.value });
  }
  for (const [key, b] of before) {
    if (rule.active.has(key) || b.state === "inactive") continue;
    out.push({ labels: b.labels, from: b.state, to: "inactive", value: b.value });
  }
  return out;
}

/** AlertingRuleOptions are an alerting rule's definition and the settings it evaluates with. */
export interface AlertingRuleOptions {
  readonly name: string;
  readonly query: RuleQuery;
  /** holdDurationMs is `for`. */
  readonly holdDurationMs: number;
  readonly keepFiringForMs: number;
  /** labels are the rule's labels, group labels merged in. */
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly externalLabels: Labels;
  readonly externalURL: string;
  /**
   * restored says whether `for` state needs no restoring; until it is true, the rule writes
   * no ALERTS and ALERTS_FOR_STATE samples.
   */
  readonly restored: boolean;
  readonly templates: TemplateExpander;
  readonly logger: Logger;
}

/** AlertingRule generates alerts from its query. */
export class AlertingRule implements Rule {
  readonly kind = "alerting" as const;
  readonly name: string;
  readonly query: RuleQuery;
  readonly holdDurationMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly externalLabels: Labels;
  readonly externalURL: string;
  restored: boolean;
  health: RuleHealth = "unknown";
  lastError: Error | undefined = undefined;
  evaluationDurationMs = 0;
  evaluationTimestampMs: number | undefined = undefined;
  /** active holds the alerts that are pending, firing or recently resolved, by labelsKey. */
  active = new Map<string, Alert>();
  readonly #templates: TemplateExpander;
  readonly #logger: Logger;

  constructor(o: AlertingRuleOptions) {
    this.name = o.name;
    this.query = o.query;
    this.holdDurationMs = o.holdDurationMs;
    this.keepFiringForMs = o.keepFiringForMs;
    this.labels = o.labels;
    this.annotations = o.annotations;
    this.externalLabels = o.externalLabels;
    this.externalURL = o.externalURL;
    this.restored = o.restored;
    this.#templates = o.templates;
    this.#logger = o.logger;
  }

  async eval(ctx: EvalContext): Promise<RuleSample[]> {
    const ts = ctx.tsMs;
    const res = await ctx.queryFunc(this.query.text, ts - ctx.queryOffsetMs, ctx.signal);
    const externalLabels = labelsToRecord(this.externalLabels);
    const alerts = new Map<string, Alert>();
    for (const smpl of res) {
      const data = {
        labels: labelsToRecord(smpl.metric),
        externalLabels,
        externalURL: this.externalURL,
        value: smpl.f,
      };
      const tctx = {
        name: `__alert_${this.name}`,
        tMs: ts,
        queryFunc: ctx.promqlQueryFunc,
        externalURL: ctx.externalURL,
      };
      const expand = async (text: string): Promise<string> => {
        // Text without actions expands to itself; skip the template engine for it.
        if (!text.includes("{{")) return text;
        try {
          return await this.#templates.expand(ALERT_TEMPLATE_DEFS + text, data, tctx);
        } catch (err) {
          this.#logger.warn(
            { err: errorMessage(err), alert: this.name, data },
            "Expanding alert template failed",
          );
          return `<error expanding template: ${errorMessage(err)}>`;
        }
      };
      const pairs = smpl.metric.filter((l) => l.name !== METRIC_NAME);
      for (const l of this.labels) pairs.push({ name: l.name, value: await expand(l.value) });
      pairs.push({ name: ALERT_NAME_LABEL, value: this.name });
      // Annotations keep empty values (upstream builds them with a ScratchBuilder).
      const annotations: Label[] = [];
      for (const a of this.annotations)
        annotations.push({ name: a.name, value: await expand(a.value) });
      const labels = labelsFromPairs(pairs);
      const key = labelsKey(labels);
      if (alerts.has(key)) {
        throw new Error(
          "vector contains metrics with the same labelset after applying alert labels",
        );
      }
      alerts.set(key, {
        state: "pending",
        labels,
        annotations,
        value: smpl.f,
        activeAtMs: ts,
        firedAtMs: undefined,
        resolvedAtMs: undefined,
        lastSentAtMs: undefined,
        validUntilMs: undefined,
        keepFiringSinceMs: undefined,
      });
    }

    for (const [key, a] of alerts) {
      // An alert that is already pending or firing keeps its state; it gets the new value and
      // annotations. A resolved one starts over.
      const old = this.active.get(key);
      if (old && old.state !== "inactive") {
        old.value = a.value;
        old.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }

    const out: RuleSample[] = [];
    let numActivePending = 0;
    for (const [key, a] of this.active) {
      if (!alerts.has(key)) {
        // The condition no longer holds. keep_firing_for may keep a firing alert firing.
        let keepFiring = false;
        if (a.state === "firing" && this.keepFiringForMs > 0) {
          a.keepFiringSinceMs ??= ts;
          if (ts - a.keepFiringSinceMs < this.keepFiringForMs) keepFiring = true;
        }
        // Pending alerts go at once; resolved ones after the retention period, during which
        // their resolution keeps being sent.
        if (
          a.state === "pending" ||
          (a.resolvedAtMs !== undefined && ts - a.resolvedAtMs > RESOLVED_RETENTION_MS)
        ) {
          this.active.delete(key);
        }
        if (a.state !== "inactive" && !keepFiring) {
          a.state = "inactive";
          a.resolvedAtMs = ts;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSinceMs = undefined;
      }
      numActivePending++;
      if (a.state === "pending" && ts - a.activeAtMs >= this.holdDurationMs) {
        a.state = "firing";
        a.firedAtMs = ts;
      }
      if (this.restored) {
        out.push(this.#sample(a, ts - ctx.queryOffsetMs));
        out.push(this.#forStateSample(a, ts - ctx.queryOffsetMs, Math.floor(a.activeAtMs / 1000)));
      }
    }
    if (ctx.limit > 0 && numActivePending > ctx.limit) {
      this.active = new Map();
      throw new Error(`exceeded limit of ${ctx.limit} with ${numActivePending} alerts`);
    }
    return out;
  }

  #sample(a: Alert, tMs: number): RuleSample {
    const metric = labelsFromPairs([
      ...this.labels,
      ...a.labels,
      { name: METRIC_NAME, value: ALERTS_METRIC },
      { name: ALERT_NAME_LABEL, value: this.name },
      { name: ALERT_STATE_LABEL, value: a.state },
    ]);
    return { metric, t: tMs, f: 1 };
  }

  #forStateSample(a: Alert | undefined, tMs: number, v: number): RuleSample {
    const metric = labelsFromPairs([
      ...this.labels,
      ...(a?.labels ?? []),
      { name: METRIC_NAME, value: ALERTS_FOR_STATE_METRIC },
      { name: ALERT_NAME_LABEL, value: this.name },
    ]);
    return { metric, t: tMs, f: v };
  }

  /**
   * forStateMatchers select this rule's ALERTS_FOR_STATE series: the rule's labels as written
   * (templates unexpanded, as upstream's QueryForStateSeries), name and alertname.
   */
  forStateMatchers(): Matcher[] {
    return this.#forStateSample(undefined, 0, 0).metric.map(
      (l) => new LabelMatcher("=", l.name, l.value),
    );
  }

  /** queryForStateSeries reads this rule's ALERTS_FOR_STATE series from q. */
  queryForStateSeries(q: Querier): Promise<Series[]> {
    return q.select(this.forStateMatchers());
  }

  /**
   * sendAlerts hands the alerts due to be sent to notify, stamping when they were sent and
   * until when they stay valid: 4 × max(resendDelay, group interval), which allows for two
   * failed evaluations or sends (AlertingRule.sendAlerts).
   */
  sendAlerts(tsMs: number, resendDelayMs: number, intervalMs: number, notify: NotifyFunc): void {
    const alerts: Alert[] = [];
    for (const a of this.active.values()) {
      if (!needsSending(a, tsMs, resendDelayMs)) continue;
      a.lastSentAtMs = tsMs;
      a.validUntilMs = tsMs + 4 * Math.max(resendDelayMs, intervalMs);
      alerts.push({ ...a });
    }
    notify(this.query.text, alerts);
  }

  /** state is the highest state of the rule's alerts: firing > pending > inactive. */
  get state(): AlertState {
    let max: AlertState = "inactive";
    for (const a of this.active.values()) {
      if (ALERT_STATE_ORDER[a.state] > ALERT_STATE_ORDER[max]) max = a.state;
    }
    return max;
  }

  /** activeAlerts are copies of the alerts that are pending or firing (not resolved). */
  activeAlerts(): Alert[] {
    return [...this.active.values()]
      .filter((a) => a.resolvedAtMs === undefined)
      .map((a) => ({ ...a }));
  }

  /** currentAlerts are copies of all alerts held, resolved ones included. */
  currentAlerts(): Alert[] {
    return [...this.active.values()].map((a) => ({ ...a }));
  }

  toString(): string {
    return JSON.stringify({
      alert: this.name,
      expr: this.query.text,
      language: this.query.language,
      for: this.holdDurationMs,
      keep_firing_for: this.keepFiringForMs,
      labels: labelsToRecord(this.labels),
      annotations: labelsToRecord(this.annotations),
    });
  }
}

/** alertStateRank ranks states for sorting: inactive 0, pending 1, firing 2. */
export function alertStateRank(s: AlertState): number {
  return ALERT_STATE_ORDER[s];
}
