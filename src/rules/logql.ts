// Rules written in LogQL, as Loki's ruler runs them (pkg/ruler/compat.go: the group loader parses
// expressions with the LogQL parser, and engineQueryFunc runs an instant query at the
// evaluation time and turns a scalar into a one-sample vector). Only metric queries can be rules:
// a log query has no value to record or compare.
import type { Labels } from "../model/labels/index.ts";
import { EMPTY_LABELS, METRIC_NAME } from "../model/labels/index.ts";
import type { Expr, LogSelector } from "../logql/index.ts";
import { Engine, buildPipeline, exprToString, parseExpr } from "../logql/index.ts";
import type { LogQuerier } from "../storage/logs.ts";
import type { QueryFunc, RuleQuery } from "./rule.ts";

/** NS_PER_MS converts rule times (milliseconds) to LogQL times (nanoseconds). */
const NS_PER_MS = 1_000_000n;

/**
 * parseLogqlRuleQuery parses a rule's LogQL expression: it must be a metric query (Loki's
 * "only sample expression supported"), and its pipelines must build (a bad regular expression
 * or template is reported when the file loads, not at every evaluation). The text is the
 * printer's canonical form, as Loki's rules API shows it.
 */
export function parseLogqlRuleQuery(text: string): RuleQuery {
  const expr = parseExpr(text);
  if (expr.type === "LogSelector") {
    throw new Error(
      "only sample expression supported: a rule needs a metric query such as " +
        "count_over_time({...}[5m]), not a log query",
    );
  }
  for (const stages of pipelinesOf(expr)) buildPipeline(stages);
  return { language: "logql", text: exprToString(expr) };
}

/** pipelinesOf returns the stages of every log selector of a query. */
function pipelinesOf(e: Expr): LogSelector["stages"][] {
  switch (e.type) {
    case "LogSelector":
      return [e.stages];
    case "RangeAggregation":
      return [e.range.selector.stages];
    case "VectorAggregation":
    case "LabelReplace":
      return pipelinesOf(e.expr);
    case "BinaryExpr":
      return [...pipelinesOf(e.lhs), ...pipelinesOf(e.rhs)];
    case "Literal":
    case "Vector":
      return [];
  }
}

/**
 * logqlQueryFunc returns a QueryFunc that runs LogQL instant queries against the log store's
 * querier (a function, for storage that opens later, or whose querier must be fresh per query).
 * Samples come back in the shape PromQL's do: labels without `__name__` (a recording rule adds
 * its own), at the query time in milliseconds; a scalar is one sample without labels. Log
 * queries, and errors of the engine (a pipeline error on a series, many-to-many matching), reject.
 */
export function logqlQueryFunc(querier: LogQuerier | (() => LogQuerier)): QueryFunc {
  return async (query, tMs, signal) => {
    const q = typeof querier === "function" ? querier() : querier;
    const engine = new Engine({ querier: q });
    const res = await engine.instantQuery(query, BigInt(Math.trunc(tMs)) * NS_PER_MS, signal);
    switch (res.type) {
      case "vector":
        return res.samples.map((s) => ({ metric: withoutName(s.labels), t: tMs, f: s.value }));
      case "scalar":
        return [{ metric: EMPTY_LABELS, t: tMs, f: res.value }];
      default:
        throw new Error("rule result is not a vector or scalar");
    }
  };
}

/** withoutName drops `__name__`, which a log stream may carry but a rule result must not. */
function withoutName(ls: Labels): Labels {
  return ls.some((l) => l.name === METRIC_NAME) ? ls.filter((l) => l.name !== METRIC_NAME) : ls;
}
