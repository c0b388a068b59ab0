// Alert history, which Prometheus does not keep: every change of an alert's state is written
// through the Storage seam as one sample of a reserved series, so that it is as durable as any
// metric (ClickHouse in production), survives restarts, and can be read back with label
// matchers and a time range (GET /api/vigil/alerts/history) or with PromQL.
//
// Design: series `vigil_alert_state_change{<alert labels>, alertname, alertstate}`, value 1, at
// the evaluation time of the change. alertstate is the state entered: "pending", "firing",
// "resolved" (a firing alert whose condition cleared) or "inactive" (a pending alert whose
// condition cleared before `for` passed, so it never fired). Putting the state in a label keeps
// one series per alert and state, like ALERTS; the value is a constant 1 so that
// count_over_time(vigil_alert_state_change{alertstate="firing"}[1d]) counts firings, and a
// sample can never be mistaken for a stale marker.
import type { Label, Labels, Matcher } from "../model/labels/index.ts";
import {
  METRIC_NAME,
  Matcher as LabelMatcher,
  compareLabels,
  labelsFromPairs,
} from "../model/labels/index.ts";
import type { Queryable } from "../promql/engine/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import type { AlertState, AlertTransition, AlertingRule } from "./alerting-rule.ts";
import { ALERT_NAME_LABEL, ALERT_STATE_LABEL } from "./alerting-rule.ts";
import type { Appendable } from "./group.ts";

/** ALERT_HISTORY_METRIC is the reserved series name of alert state changes. */
export const ALERT_HISTORY_METRIC = "vigil_alert_state_change";

/** AlertHistoryState is the state an alert entered, as stored in the alertstate label. */
export type AlertHistoryState = "pending" | "firing" | "resolved" | "inactive";

/** historyState names the state a transition enters (see the file comment). */
export function historyState(from: AlertState, to: AlertState): AlertHistoryState {
  if (to !== "inactive") return to;
  return from === "firing" ? "resolved" : "inactive";
}

/** AlertHistoryOptions wire the history writer. */
export interface AlertHistoryOptions {
  readonly appendable: Appendable;
  readonly logger: Logger;
}

/**
 * AlertHistory writes alert state changes to storage. `record` queues a write and returns at
 * once (it is called from rule evaluation); writes happen in order, one commit per evaluation.
 * A failed write is logged and dropped. `flush` waits for queued writes.
 */
export class AlertHistory {
  readonly #o: AlertHistoryOptions;
  #queue: Promise<void> = Promise.resolve();
  /** written and failed count the changes stored and lost, for tests and metrics. */
  written = 0;
  failed = 0;

  constructor(o: AlertHistoryOptions) {
    this.#o = o;
  }

  /** record stores the transitions of one rule's evaluation at tsMs. */
  record(rule: AlertingRule, transitions: readonly AlertTransition[], tsMs: number): void {
    if (transitions.length === 0) return;
    const samples = transitions.map((t) => ({
      labels: historyLabels(t.labels, rule.name, historyState(t.from, t.to)),
      tMs: tsMs,
    }));
    this.#queue = this.#queue.then(async () => {
      const app = this.#o.appendable.appender();
      try {
        for (const s of samples) app.append(0, s.labels, s.tMs, 1);
        await app.commit();
        this.written += samples.length;
      } catch (err) {
        app.rollback();
        this.failed += samples.length;
        this.#o.logger.warn(
          { alertname: rule.name, err: errorMessage(err) },
          "writing alert history failed",
        );
      }
    });
  }

  /** flush resolves once every queued change has been written (or has failed). */
  flush(): Promise<void> {
    return this.#queue;
  }
}

/** historyLabels are the labels of a history sample: the alert's, name and state. */
export function historyLabels(alert: Labels, alertname: string, state: AlertHistoryState): Labels {
  return labelsFromPairs([
    ...alert,
    { name: ALERT_NAME_LABEL, value: alertname },
    { name: ALERT_STATE_LABEL, value: state },
    { name: METRIC_NAME, value: ALERT_HISTORY_METRIC },
  ]);
}

/** AlertHistoryEntry is one state change read back. */
export interface AlertHistoryEntry {
  /** labels are the alert's labels (alertname included, __name__ and alertstate not). */
  readonly labels: Labels;
  readonly state: AlertHistoryState;
  readonly timeMs: number;
  readonly value: number;
}

/** AlertHistoryQuery selects history entries. */
export interface AlertHistoryQuery {
  /** matcherSets: an entry matches when it matches every matcher of one set; none: all. */
  readonly matcherSets: readonly (readonly Matcher[])[];
  /** startMs and endMs bound the time range, both inclusive. */
  readonly startMs: number;
  readonly endMs: number;
  /** limit: most entries returned, the latest ones; 0 for all. */
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

/**
 * queryAlertHistory reads state changes from storage, sorted by time (then by labels), oldest
 * first. With a limit, the latest `limit` entries are returned.
 */
export async function queryAlertHistory(
  queryable: Queryable,
  q: AlertHistoryQuery,
): Promise<AlertHistoryEntry[]> {
  const querier = queryable.querier(q.startMs, q.endMs);
  const name = new LabelMatcher("=", METRIC_NAME, ALERT_HISTORY_METRIC);
  const sets = q.matcherSets.length > 0 ? q.matcherSets : [[]];
  const seen = new Set<string>();
  const out: AlertHistoryEntry[] = [];
  for (const set of sets) {
    const series = await querier.select([name, ...set], q.signal ? { signal: q.signal } : {});
    for (const s of series) {
      const key = s.labels.map((l) => `${l.name}\xff${l.value}`).join("\xfe");
      if (seen.has(key)) continue;
      seen.add(key);
      const labels: Label[] = s.labels.filter(
        (l) => l.name !== METRIC_NAME && l.name !== ALERT_STATE_LABEL,
      );
      const state = (s.labels.find((l) => l.name === ALERT_STATE_LABEL)?.value ??
        "firing") as AlertHistoryState;
      for (let i = 0; i < s.timestamps.length; i++) {
        const v = s.values[i]!;
        if (Number.isNaN(v)) continue;
        out.push({ labels, state, timeMs: s.timestamps[i]!, value: v });
      }
    }
  }
  out.sort((a, b) => a.timeMs - b.timeMs || compareLabels(a.labels, b.labels));
  const limit = q.limit ?? 0;
  return limit > 0 && out.length > limit ? out.slice(out.length - limit) : out;
}
