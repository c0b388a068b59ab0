// The rule manager, after prometheus rules/manager.go (v3.5): it turns loaded rule files into
// groups, runs them, and on reload replaces changed groups (carrying their alert state over),
// keeps unchanged ones running, and stops removed ones (marking their series stale).
import type { Labels, Matcher } from "../model/labels/index.ts";
import { labelsFromPairs, labelsKey } from "../model/labels/index.ts";
import type { Queryable } from "../promql/engine/index.ts";
import type { Logger } from "../util/logging/index.ts";
import type { AlertTransition, NotifyFunc } from "./alerting-rule.ts";
import { AlertingRule } from "./alerting-rule.ts";
import type { Clock } from "./clock.ts";
import { systemClock } from "./clock.ts";
import type { Appendable } from "./group.ts";
import { Group, groupKey } from "./group.ts";
import type { LoadedGroup, LoadedRules } from "./loader.ts";
import { RecordingRule } from "./recording-rule.ts";
import type { QueryFuncs, Rule } from "./rule.ts";
import type { TemplateExpander } from "./template.ts";
import { goTemplateExpander } from "./template.ts";

/** Upstream defaults of the --rules.alert.* flags. */
export const DEFAULT_OUTAGE_TOLERANCE_MS = 60 * 60_000;
export const DEFAULT_FOR_GRACE_PERIOD_MS = 10 * 60_000;
export const DEFAULT_RESEND_DELAY_MS = 60_000;
/** DEFAULT_EVALUATION_INTERVAL_MS is global.evaluation_interval's default. */
export const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;

/** RuleManagerOptions configure a RuleManager; see GroupDeps for their meaning. */
export interface RuleManagerOptions {
  readonly appendable: Appendable;
  readonly queryable: Queryable;
  readonly queryFuncs: QueryFuncs;
  /** notify receives alerts due to be sent; default: drop them. */
  readonly notify?: NotifyFunc;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly templates?: TemplateExpander;
  readonly outageToleranceMs?: number;
  readonly forGracePeriodMs?: number;
  readonly resendDelayMs?: number;
  /** defaultQueryOffsetMs is global.rule_query_offset (read at each evaluation). */
  readonly defaultQueryOffsetMs?: () => number;
  /**
   * restoreNewRuleGroups restores `for` state for groups added by a reload too, not only for
   * those loaded at start (Prometheus's RestoreNewRuleGroups).
   */
  readonly restoreNewRuleGroups?: boolean;
  /** maxConcurrentEvals: rules of a group evaluated at once when none reads another's output. */
  readonly maxConcurrentEvals?: number;
  /** onAlertTransitions receives alert state changes (GroupDeps.onAlertTransitions). */
  readonly onAlertTransitions?: (
    rule: AlertingRule,
    transitions: readonly AlertTransition[],
    tsMs: number,
  ) => void;
}

/** RuleSettings are the configuration a set of groups is built with. */
export interface RuleSettings {
  /** evaluationIntervalMs is the interval of groups that set none. */
  readonly evaluationIntervalMs: number;
  readonly externalLabels: Labels;
  /** externalURL is what alert templates and generator URLs use. */
  readonly externalURL: string;
}

/**
 * RuleManager runs rule groups. `update` (also the initial load) replaces the rule set; `start`
 * begins evaluating (groups wait for it, so that no query runs before storage is ready);
 * `stop` ends all evaluation.
 */
export class RuleManager {
  readonly #opts: RuleManagerOptions;
  readonly #clock: Clock;
  #groups = new Map<string, Group>();
  #restored = false;
  #started = false;
  readonly #done = new AbortController();
  #updating: Promise<void> = Promise.resolve();

  constructor(opts: RuleManagerOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
  }

  /**
   * loadGroups builds groups from loaded rules (Manager.LoadGroups), without running them.
   * shouldRestore marks alerting rules as needing their `for` state restored; by default that
   * is so for the first load of this manager only.
   */
  loadGroups(
    rules: LoadedRules,
    settings: RuleSettings,
    shouldRestore = !this.#restored || (this.#opts.restoreNewRuleGroups ?? false),
  ): Map<string, Group> {
    const o = this.#opts;
    const deps = {
      appendable: o.appendable,
      queryable: o.queryable,
      queryFuncs: o.queryFuncs,
      notify: o.notify ?? (() => {}),
      clock: this.#clock,
      logger: o.logger,
      externalURL: settings.externalURL,
      resendDelayMs: o.resendDelayMs ?? DEFAULT_RESEND_DELAY_MS,
      outageToleranceMs: o.outageToleranceMs ?? DEFAULT_OUTAGE_TOLERANCE_MS,
      forGracePeriodMs: o.forGracePeriodMs ?? DEFAULT_FOR_GRACE_PERIOD_MS,
      defaultQueryOffsetMs: o.defaultQueryOffsetMs ?? (() => 0),
      maxConcurrentEvals: o.maxConcurrentEvals ?? 1,
      ...(o.onAlertTransitions && { onAlertTransitions: o.onAlertTransitions }),
    };
    const settingsKey = labelsKey(settings.externalLabels) + "\u0000" + settings.externalURL;
    const groups = new Map<string, Group>();
    for (const lg of rules.groups) {
      const rulesOf = this.#buildRules(lg, settings, shouldRestore);
      const key = groupKey(lg.file, lg.spec.name);
      groups.set(
        key,
        new Group({
          name: lg.spec.name,
          file: lg.file,
          intervalMs: lg.spec.intervalMs || settings.evaluationIntervalMs,
          queryOffsetMs: lg.spec.queryOffsetMs,
          limit: lg.spec.limit,
          rules: rulesOf,
          shouldRestore,
          deps,
          settingsKey,
          managerSignal: this.#done.signal,
        }),
      );
    }
    return groups;
  }

  #buildRules(lg: LoadedGroup, settings: RuleSettings, shouldRestore: boolean): Rule[] {
    const templates = this.#opts.templates ?? goTemplateExpander;
    return lg.spec.rules.map((r): Rule => {
      const labels = sortedLabels({ ...lg.spec.labels, ...r.labels });
      if (r.kind === "recording") return new RecordingRule(r.name, r.query, labels);
      return new AlertingRule({
        name: r.name,
        query: r.query,
        holdDurationMs: r.forMs,
        keepFiringForMs: r.keepFiringForMs,
        labels,
        annotations: sortedLabels(r.annotations),
        externalLabels: settings.externalLabels,
        externalURL: settings.externalURL,
        restored: !shouldRestore,
        templates,
        logger: this.#opts.logger.child({ alert: r.name }),
      });
    });
  }

  /**
   * update makes rules the manager's rule set (Manager.Update). Unchanged groups keep running;
   * a changed group is stopped after its current evaluation and replaced by a new one that
   * takes over its state; groups no longer configured are stopped and, two intervals later,
   * their series are marked stale. Loading and validating the files is the caller's job: a set
   * that failed to load never reaches update, so the old rules keep running.
   */
  update(rules: LoadedRules, settings: RuleSettings): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#done.signal.aborted) return;
      const groups = this.loadGroups(rules, settings);
      this.#restored = true;
      const old = this.#groups;
      const waits: Promise<void>[] = [];
      for (const [key, newg] of groups) {
        const oldg = old.get(key);
        old.delete(key);
        if (oldg && oldg.equals(newg)) {
          groups.set(key, oldg);
          continue;
        }
        waits.push(
          (async () => {
            if (oldg) {
              await oldg.stop();
              newg.copyState(oldg);
            }
            if (this.#started) newg.start();
          })(),
        );
      }
      for (const g of old.values()) {
        g.markStale = true;
        waits.push(g.stop());
      }
      await Promise.all(waits);
      this.#groups = groups;
    };
    // Updates run one after another.
    this.#updating = this.#updating.then(run, run);
    return this.#updating;
  }

  /** start begins evaluating the groups (Manager.Run). */
  start(): void {
    if (this.#started || this.#done.signal.aborted) return;
    this.#started = true;
    for (const g of this.#groups.values()) g.start();
  }

  /** stop ends all evaluation and waits for running evaluations to finish (Manager.Stop). */
  async stop(): Promise<void> {
    await this.#updating.catch(() => {});
    this.#done.abort();
    await Promise.all([...this.#groups.values()].map((g) => g.stop()));
  }

  /** ruleGroups returns the groups, sorted by file, then name. */
  ruleGroups(): Group[] {
    return [...this.#groups.values()].sort((a, b) =>
      a.file !== b.file
        ? a.file < b.file
          ? -1
          : 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
    );
  }

  /** rules returns every rule whose labels match one of the matcher sets (all with none). */
  rules(matcherSets: readonly (readonly Matcher[])[] = []): Rule[] {
    return this.ruleGroups().flatMap((g) => g.rulesMatching(matcherSets));
  }

  /** alertingRules returns every alerting rule. */
  alertingRules(): AlertingRule[] {
    return this.rules().filter((r): r is AlertingRule => r instanceof AlertingRule);
  }
}

/** sortedLabels turns a record into labels sorted by name, keeping empty values (labels.FromMap). */
export function sortedLabels(rec: Readonly<Record<string, string>>): Labels {
  return Object.entries(rec)
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** externalLabelsFrom turns global.external_labels into Labels (empty values dropped). */
export function externalLabelsFrom(rec: Readonly<Record<string, string>>): Labels {
  return labelsFromPairs(Object.entries(rec).map(([name, value]) => ({ name, value })));
}
