// Rule groups, after prometheus rules/group.go and manager.go DefaultEvalIterationFunc (v3.5):
// a group evaluates its rules in order at slots aligned to its interval (offset by a hash of
// its name and file), commits each rule's output before the next rule runs, writes stale
// markers for series a rule stops producing, and restores alert `for` state after a restart.
import type { Labels, Matcher } from "../model/labels/index.ts";
import { METRIC_NAME, getLabel, labelsKey } from "../model/labels/index.ts";
import { STALE_NAN, isStaleNaN } from "../model/value/index.ts";
import type { Queryable } from "../promql/engine/index.ts";
import type { Appender } from "../storage/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Logger } from "../util/logging/index.ts";
import type { AlertTransition, NotifyFunc } from "./alerting-rule.ts";
import { AlertingRule, alertStateRank, alertStates, alertTransitions } from "./alerting-rule.ts";
import type { Clock } from "./clock.ts";
import { evalTimestamp } from "./hash.ts";
import type { QueryFuncs, Rule } from "./rule.ts";
import type { RuleDependencies } from "./dependencies.ts";
import { ruleDependencies } from "./dependencies.ts";

/** Appendable hands out appenders; a Storage is one. */
export interface Appendable {
  appender(): Appender;
}

/**
 * GroupDeps are the settings and services a group shares with its manager (upstream's
 * ManagerOptions as a group sees them).
 */
export interface GroupDeps {
  /** appendable receives rule output, ALERTS, ALERTS_FOR_STATE and stale markers. */
  readonly appendable: Appendable;
  /** queryable is read to restore `for` state. */
  readonly queryable: Queryable;
  /** queryFuncs evaluate rule queries, by language. */
  readonly queryFuncs: QueryFuncs;
  /** notify receives the alerts due to be sent after each alerting rule's evaluation. */
  readonly notify: NotifyFunc;
  readonly clock: Clock;
  readonly logger: Logger;
  /** externalURL is passed to alert templates. */
  readonly externalURL: string;
  /** resendDelayMs: the least time between two sends of a firing alert (1m). */
  readonly resendDelayMs: number;
  /** outageToleranceMs: how old `for` state may be and still be restored (1h). */
  readonly outageToleranceMs: number;
  /** forGracePeriodMs: the least time a restored alert waits before firing again (10m). */
  readonly forGracePeriodMs: number;
  /** defaultQueryOffsetMs: the query offset of groups that set none (global rule_query_offset). */
  readonly defaultQueryOffsetMs: () => number;
  /** maxConcurrentEvals: rules of a group without dependencies evaluated at once (default 1). */
  readonly maxConcurrentEvals?: number;
  /**
   * onAlertTransitions, if set, receives the alert state changes of each successful evaluation
   * of an alerting rule, with the evaluation slot (for Vigil's alert history). It must not throw.
   */
  readonly onAlertTransitions?: (
    rule: AlertingRule,
    transitions: readonly AlertTransition[],
    tsMs: number,
  ) => void;
}

/** GroupOptions define a group. */
export interface GroupOptions {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  /** queryOffsetMs is the group's own query_offset, undefined to use the default. */
  readonly queryOffsetMs?: number | undefined;
  readonly limit: number;
  readonly rules: readonly Rule[];
  /** shouldRestore: restore alert `for` state from storage after the second evaluation. */
  readonly shouldRestore: boolean;
  readonly deps: GroupDeps;
  /** settingsKey distinguishes groups whose definitions match but whose settings differ. */
  readonly settingsKey?: string;
  /** managerSignal aborts when the manager stops (no stale markers are written after that). */
  readonly managerSignal?: AbortSignal;
}

/** groupKey identifies a group: group names need only be unique within a file. */
export function groupKey(file: string, name: string): string {
  return `${file};${name}`;
}

/** Group is a list of rules evaluated in order, on one interval. */
export class Group {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly limit: number;
  readonly rules: readonly Rule[];
  readonly settingsKey: string;
  readonly #queryOffsetMs: number | undefined;
  readonly #deps: GroupDeps;
  readonly #logger: Logger;
  readonly #managerSignal: AbortSignal | undefined;
  /** seriesInPreviousEval holds, per rule, the series it wrote at its last evaluation. */
  #seriesInPreviousEval: Map<string, Labels>[];
  /** #staleSeries are series of rules gone since the last reload, to mark stale. */
  #staleSeries: Labels[] = [];
  #shouldRestore: boolean;
  #dependencies: RuleDependencies | undefined;
  /** evaluationTimeMs is how long the last evaluation of the whole group took. */
  evaluationTimeMs = 0;
  /** lastEvaluationMs is the clock time the last evaluation started, if any. */
  lastEvaluationMs: number | undefined = undefined;
  /** lastEvalTimestampMs is the slot of the last evaluation, if any. */
  lastEvalTimestampMs: number | undefined = undefined;
  /** markStale: write stale markers for all series when the group stops (it was removed). */
  markStale = false;
  readonly #done = new AbortController();
  #running: Promise<void> | undefined;

  constructor(o: GroupOptions) {
    if (!(o.intervalMs > 0)) throw new Error(`group ${o.name}: interval must be positive`);
    this.name = o.name;
    this.file = o.file;
    this.intervalMs = o.intervalMs;
    this.limit = o.limit;
    this.rules = o.rules;
    this.settingsKey = o.settingsKey ?? "";
    this.#queryOffsetMs = o.queryOffsetMs;
    this.#deps = o.deps;
    this.#logger = o.deps.logger.child({ file: o.file, group: o.name });
    this.#managerSignal = o.managerSignal;
    this.#shouldRestore = o.shouldRestore;
    this.#seriesInPreviousEval = o.rules.map(() => new Map());
  }

  /** queryOffsetMs is the group's query_offset, or the manager's default. */
  get queryOffsetMs(): number {
    return this.#queryOffsetMs ?? this.#deps.defaultQueryOffsetMs();
  }

  /** ownQueryOffsetMs is the group's query_offset as configured (undefined: default). */
  get ownQueryOffsetMs(): number | undefined {
    return this.#queryOffsetMs;
  }

  /** evalTimestamp is the group's evaluation slot at or before nowMs. */
  evalTimestamp(nowMs: number): number {
    return evalTimestamp(this.file, this.name, this.intervalMs, nowMs);
  }

  /**
   * rulesMatching returns the rules whose labels match any of the matcher sets (every matcher
   * of a set must match); all rules when none are given.
   */
  rulesMatching(matcherSets: readonly (readonly Matcher[])[] = []): Rule[] {
    if (matcherSets.length === 0) return [...this.rules];
    return this.rules.filter((r) =>
      matcherSets.some((ms) => ms.every((m) => m.matches(getLabel(r.labels, m.name)))),
    );
  }

  /** alertingRules returns the group's alerting rules, firing first, then by name. */
  alertingRules(): AlertingRule[] {
    const out = this.rules.filter((r): r is AlertingRule => r instanceof AlertingRule);
    return out.sort((a, b) => {
      const d = alertStateRank(b.state) - alertStateRank(a.state);
      return d !== 0 ? d : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
  }

  /**
   * eval runs one evaluation of every rule at slot tsMs (Group.Eval). It does not throw:
   * failures are recorded on the rules (health, lastError) and logged.
   */
  async eval(tsMs: number): Promise<void> {
    const queryOffsetMs = this.queryOffsetMs;
    this.#dependencies ??= ruleDependencies(this.rules);
    const deps = this.#dependencies;
    // A rule's output must be committed before a later rule that reads it runs; other commits
    // are awaited together at the end of the evaluation, and when no rule reads another's
    // output the rules run concurrently (Prometheus's concurrent rule evaluation).
    const commits: Promise<void>[] = [];
    const concurrency = deps.independent ? Math.max(1, this.#deps.maxConcurrentEvals ?? 1) : 1;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.rules.length) {
        if (this.#done.signal.aborted) return;
        const i = next++;
        const commit = await this.#evalRule(i, this.rules[i]!, tsMs, queryOffsetMs);
        if (commit === undefined) continue;
        if (deps.hasLaterDependents[i]) await commit;
        else commits.push(commit);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, this.rules.length) }, worker));
    await Promise.all(commits);
    await this.#cleanupStaleSeries(tsMs);
  }

  /**
   * #evalRule evaluates one rule and starts committing its output; it returns the commit (which
   * never rejects: failures are recorded on the rule), or undefined when there was none.
   */
  async #evalRule(
    i: number,
    rule: Rule,
    tsMs: number,
    queryOffsetMs: number,
  ): Promise<Promise<void> | undefined> {
    const startedMs = this.#deps.clock.nowMs();
    const t0 = performance.now();
    const log = this.#logger.child({ name: rule.name, index: i });
    try {
      const queryFunc = this.#deps.queryFuncs[rule.query.language];
      const onTransitions = this.#deps.onAlertTransitions;
      const before = onTransitions && rule instanceof AlertingRule ? alertStates(rule) : undefined;
      let vector;
      try {
        if (!queryFunc) throw new Error(`no query engine for ${rule.query.language} rules`);
        vector = await rule.eval({
          tsMs,
          queryOffsetMs,
          queryFunc,
          promqlQueryFunc: this.#deps.queryFuncs.promql,
          externalURL: this.#deps.externalURL,
          limit: this.limit,
          signal: this.#done.signal,
        });
      } catch (err) {
        rule.health = "err";
        rule.lastError = asError(err);
        if (!this.#done.signal.aborted) {
          log.warn({ err: errorMessage(err) }, "Evaluating rule failed");
        }
        return;
      }
      rule.health = "ok";
      rule.lastError = undefined;
      if (rule instanceof AlertingRule) {
        rule.sendAlerts(tsMs, this.#deps.resendDelayMs, this.intervalMs, this.#deps.notify);
        if (before && onTransitions) {
          const changes = alertTransitions(rule, before);
          if (changes.length > 0) onTransitions(rule, changes, tsMs);
        }
      }

      // One appender per rule, as upstream; eval() decides whether to wait for the commit.
      const app = this.#deps.appendable.appender();
      const returned = new Map<string, Labels>();
      for (const s of vector) {
        try {
          app.append(0, s.metric, s.t, s.f);
          returned.set(labelsKey(s.metric), s.metric);
        } catch (err) {
          rule.health = "err";
          rule.lastError = asError(err);
          log.warn({ err: errorMessage(err) }, "Rule evaluation result discarded");
        }
      }
      const staleTs = tsMs - queryOffsetMs;
      for (const [key, lset] of this.#seriesInPreviousEval[i]!) {
        if (returned.has(key)) continue;
        // The series is no longer produced: mark it stale.
        try {
          app.append(0, lset, staleTs, STALE_NAN);
        } catch (err) {
          log.warn({ err: errorMessage(err) }, "Adding stale sample failed");
        }
      }
      return app.commit().then(
        () => {
          this.#seriesInPreviousEval[i] = returned;
        },
        (err: unknown) => {
          rule.health = "err";
          rule.lastError = asError(err);
          log.warn({ err: errorMessage(err) }, "Rule sample appending failed");
        },
      );
    } finally {
      rule.evaluationDurationMs = performance.now() - t0;
      rule.evaluationTimestampMs = startedMs;
    }
  }

  /** #cleanupStaleSeries marks the series of rules removed by a reload stale. */
  async #cleanupStaleSeries(tsMs: number): Promise<void> {
    if (this.#staleSeries.length === 0) return;
    const app = this.#deps.appendable.appender();
    const t = tsMs - this.queryOffsetMs;
    for (const s of this.#staleSeries) {
      try {
        app.append(0, s, t, STALE_NAN);
      } catch (err) {
        this.#logger.warn(
          { err: errorMessage(err) },
          "Adding stale sample for previous configuration failed",
        );
      }
    }
    try {
      await app.commit();
      this.#staleSeries = [];
    } catch (err) {
      this.#logger.warn(
        { err: errorMessage(err) },
        "Stale sample appending for previous configuration failed",
      );
    }
  }

  /**
   * iterate evaluates the group at slot tsMs and records the group's timings
   * (DefaultEvalIterationFunc).
   */
  async iterate(tsMs: number): Promise<void> {
    const startedMs = this.#deps.clock.nowMs();
    const t0 = performance.now();
    await this.eval(tsMs);
    this.evaluationTimeMs = performance.now() - t0;
    this.lastEvaluationMs = startedMs;
    this.lastEvalTimestampMs = tsMs;
  }

  /**
   * restoreForState sets the activeAt of the rules' alerts from the ALERTS_FOR_STATE series
   * written before a restart (Group.RestoreForState), so that `for` keeps counting: alerts that
   * were firing fire again at once, and pending ones resume, shifted by the downtime, but wait
   * at least the grace period. tsMs is the clock time of the restore.
   */
  async restoreForState(tsMs: number): Promise<void> {
    const d = this.#deps;
    this.#shouldRestore = false;
    const q = d.queryable.querier(tsMs - d.outageToleranceMs, tsMs);
    for (const rule of this.rules) {
      if (!(rule instanceof AlertingRule)) continue;
      const hold = rule.holdDurationMs;
      if (hold < d.forGracePeriodMs) {
        // The alert would wait longer than its own `for`: nothing to restore.
        rule.restored = true;
        continue;
      }
      let series;
      try {
        series = await rule.queryForStateSeries(q);
      } catch (err) {
        this.#logger.error(
          { alertname: rule.name, stage: "Select", err: errorMessage(err) },
          "Failed to restore 'for' state",
        );
        rule.restored = true;
        continue;
      }
      const byLabels = new Map<string, { t: number; v: number }>();
      for (const s of series) {
        const n = s.timestamps.length;
        if (n === 0) continue;
        const lbls = s.labels.filter((l) => l.name !== METRIC_NAME);
        byLabels.set(labelsKey(lbls), { t: s.timestamps[n - 1]!, v: s.values[n - 1]! });
      }
      if (byLabels.size === 0) {
        rule.restored = true;
        continue;
      }
      for (const a of rule.active.values()) {
        const last = byLabels.get(labelsKey(a.labels));
        if (!last || isStaleNaN(last.v)) continue;
        const downAtMs = Math.trunc(last.t / 1000) * 1000;
        let restoredActiveAtMs = Math.trunc(last.v) * 1000;
        const remaining = hold - (downAtMs - restoredActiveAtMs);
        if (remaining <= 0) {
          // It was firing when Vigil went down; the next evaluation fires it again.
        } else if (remaining < d.forGracePeriodMs) {
          restoredActiveAtMs = tsMs + d.forGracePeriodMs - hold;
        } else {
          restoredActiveAtMs += tsMs - downAtMs;
        }
        a.activeAtMs = restoredActiveAtMs;
        this.#logger.debug(
          { alertname: rule.name, restoredMs: restoredActiveAtMs },
          "'for' state restored",
        );
      }
      rule.restored = true;
    }
  }

  /** equals reports whether g has the same definition (Group.Equals). */
  equals(g: Group): boolean {
    if (
      this.name !== g.name ||
      this.file !== g.file ||
      this.intervalMs !== g.intervalMs ||
      this.limit !== g.limit ||
      this.#queryOffsetMs !== g.#queryOffsetMs ||
      this.settingsKey !== g.settingsKey ||
      this.rules.length !== g.rules.length
    ) {
      return false;
    }
    return this.rules.every((r, i) => r.toString() === g.rules[i]!.toString());
  }

  /**
   * copyState takes over the alert and staleness state of the group this one replaces on a
   * reload (Group.CopyState). Rules are matched by name and labels, duplicates in order; series
   * of rules without a match are marked stale at the next evaluation.
   */
  copyState(from: Group): void {
    this.evaluationTimeMs = from.evaluationTimeMs;
    this.lastEvaluationMs = from.lastEvaluationMs;
    const byName = new Map<string, number[]>();
    from.rules.forEach((r, i) => {
      const k = nameAndLabels(r);
      byName.set(k, [...(byName.get(k) ?? []), i]);
    });
    this.rules.forEach((rule, i) => {
      const k = nameAndLabels(rule);
      const indexes = byName.get(k) ?? [];
      const fi = indexes[0];
      if (fi === undefined) return;
      this.#seriesInPreviousEval[i] = from.#seriesInPreviousEval[fi]!;
      byName.set(k, indexes.slice(1));
      const far = from.rules[fi];
      if (rule instanceof AlertingRule && far instanceof AlertingRule) {
        for (const [key, a] of far.active) rule.active.set(key, a);
      }
    });
    this.#staleSeries = [...from.#staleSeries];
    from.rules.forEach((r, fi) => {
      if ((byName.get(nameAndLabels(r)) ?? []).length === 0) return;
      for (const s of from.#seriesInPreviousEval[fi]!.values()) this.#staleSeries.push(s);
    });
  }

  /**
   * start runs the group's evaluation loop in the background; stop ends it. The loop waits for
   * the group's next slot, then evaluates on every slot; when a group should restore `for`
   * state, it does so after the second evaluation (on the first, recording rules the alerts
   * depend on may not have run yet).
   */
  start(): void {
    this.#running ??= this.#run().catch((err: unknown) => {
      this.#logger.error({ err: errorMessage(err) }, "rule group stopped unexpectedly");
    });
  }

  async #run(): Promise<void> {
    const clock = this.#deps.clock;
    const signal = this.#done.signal;
    const interval = this.intervalMs;
    let evalTs = this.evalTimestamp(clock.nowMs()) + interval;
    await clock.sleep(evalTs, signal);
    if (signal.aborted) return;
    try {
      await this.iterate(evalTs);
      if (this.#shouldRestore) {
        evalTs = await this.#nextTick(evalTs);
        if (signal.aborted) return;
        await this.iterate(evalTs);
        await this.restoreForState(clock.nowMs());
      }
      for (;;) {
        evalTs = await this.#nextTick(evalTs);
        if (signal.aborted) return;
        await this.iterate(evalTs);
      }
    } finally {
      if (this.markStale) this.#scheduleStaleMarkers();
    }
  }

  /** #nextTick waits for the slot after evalTs and returns it, skipping missed slots. */
  async #nextTick(evalTs: number): Promise<number> {
    const clock = this.#deps.clock;
    await clock.sleep(evalTs + this.intervalMs, this.#done.signal);
    const missed = Math.floor((clock.nowMs() - evalTs) / this.intervalMs) - 1;
    if (missed > 0) this.#logger.warn({ missed }, "rule group evaluations missed");
    return evalTs + (Math.max(missed, 0) + 1) * this.intervalMs;
  }

  /**
   * #scheduleStaleMarkers marks every series of a removed group stale, after two intervals
   * (time for a renamed group to take its series over), unless the manager stops first.
   */
  #scheduleStaleMarkers(): void {
    const clock = this.#deps.clock;
    const now = clock.nowMs();
    for (const m of this.#seriesInPreviousEval)
      for (const s of m.values()) this.#staleSeries.push(s);
    this.#seriesInPreviousEval = [];
    void (async () => {
      await clock.sleep(now + 2 * this.intervalMs, this.#managerSignal);
      if (this.#managerSignal?.aborted) return;
      await this.#cleanupStaleSeries(now);
    })().catch((err: unknown) => {
      this.#logger.warn({ err: errorMessage(err) }, "writing stale markers failed");
    });
  }

  /** stop ends the evaluation loop, after the rule being evaluated, and waits for it. */
  async stop(): Promise<void> {
    this.#done.abort();
    await this.#running;
  }

  /** stopped reports whether stop has been called. */
  get stopped(): boolean {
    return this.#done.signal.aborted;
  }
}

function nameAndLabels(r: Rule): string {
  return r.name + labelsKey(r.labels);
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
