// Which rules of a group read what other rules of the group write (Prometheus's rule dependency
// map, rules/manager.go buildDependencyMap). A rule writes its record name, or ALERTS and
// ALERTS_FOR_STATE for an alerting rule; it reads every metric its selectors name. A selector
// without a metric name equality (`{job="x"}`, `{__name__=~"a.*"}`) could read anything, which
// makes the whole group's dependencies indeterminate.
import { extractSelectors, parseExpr } from "../promql/parser/index.ts";
import { ALERTS_FOR_STATE_METRIC, ALERTS_METRIC, AlertingRule } from "./alerting-rule.ts";
import type { Rule } from "./rule.ts";

/** RuleDependencies describe a group's rules by index. */
export interface RuleDependencies {
  /** indeterminate: some rule may read any metric; treat every rule as dependent. */
  readonly indeterminate: boolean;
  /** hasLaterDependents[i]: a rule after i reads what rule i writes. */
  readonly hasLaterDependents: readonly boolean[];
  /** independent: no rule reads what another rule of the group writes. */
  readonly independent: boolean;
}

/** ruleDependencies analyses a group's rules. */
export function ruleDependencies(rules: readonly Rule[]): RuleDependencies {
  const writes = rules.map((r) =>
    r instanceof AlertingRule ? [ALERTS_METRIC, ALERTS_FOR_STATE_METRIC] : [r.name],
  );
  const reads: (Set<string> | undefined)[] = rules.map(readsOf);
  const indeterminate = reads.some((r) => r === undefined);
  const hasLaterDependents = rules.map((_, i) => {
    if (indeterminate) return true;
    for (let j = i + 1; j < rules.length; j++) {
      if (writes[i]!.some((n) => reads[j]!.has(n))) return true;
    }
    return false;
  });
  let independent = !indeterminate;
  for (let i = 0; independent && i < rules.length; i++) {
    for (let j = 0; j < rules.length; j++) {
      if (i !== j && writes[i]!.some((n) => reads[j]!.has(n))) {
        independent = false;
        break;
      }
    }
  }
  return { indeterminate, hasLaterDependents, independent };
}

/** readsOf returns the metric names a rule's query reads; undefined when it may read any. */
function readsOf(r: Rule): Set<string> | undefined {
  // Only PromQL reads metrics; a LogQL rule reads log streams, which no rule writes.
  if (r.query.language !== "promql") return new Set();
  let selectors;
  try {
    selectors = extractSelectors(parseExpr(r.query.text));
  } catch {
    return undefined;
  }
  const out = new Set<string>();
  for (const ms of selectors) {
    const name = ms.find((m) => m.name === "__name__" && m.type === "=");
    if (!name) return undefined;
    out.add(name.value);
  }
  return out;
}
