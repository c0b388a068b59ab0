// What every rule is, whatever its kind (recording or alerting) and whatever language its query
// is written in (PromQL, or LogQL as in Loki's ruler), after prometheus rules/rule.go and
// rules/manager.go (QueryFunc, EngineQueryFunc) at v3.5.
import type { Labels } from "../model/labels/index.ts";
import { EMPTY_LABELS } from "../model/labels/index.ts";
import type { Engine, Queryable } from "../promql/engine/index.ts";
import { exprToString, parseExpr } from "../promql/parser/index.ts";
import { parseLogqlRuleQuery } from "./logql.ts";

/** RuleHealth is a rule's state after its last evaluation: not yet run, good, or failed. */
export type RuleHealth = "unknown" | "ok" | "err";

/** RuleSample is one element of an instant vector a rule query returns or a rule produces. */
export interface RuleSample {
  readonly metric: Labels;
  /** t is the sample's timestamp in milliseconds. */
  readonly t: number;
  readonly f: number;
}

/**
 * QueryFunc evaluates an instant query at tMs and returns its result as a vector; a scalar
 * result is a vector of one sample without labels. It rejects when the query fails or returns
 * any other type (Prometheus rules.QueryFunc).
 */
export type QueryFunc = (query: string, tMs: number, signal?: AbortSignal) => Promise<RuleSample[]>;

/** QueryLanguage names the language of a rule's expression. */
export type QueryLanguage = "promql" | "logql";

/**
 * RuleQuery is a rule's parsed expression. `text` is its canonical form (for PromQL, the
 * printer's output, as Prometheus's expr.String()): the rule evaluates it, the API shows it,
 * alerts link to it, and reloads compare it.
 */
export interface RuleQuery {
  readonly language: QueryLanguage;
  readonly text: string;
}

/** QueryLanguageSpec parses an expression of one language; parse throws with the reason. */
export interface QueryLanguageSpec {
  parse(text: string): RuleQuery;
}

/**
 * QUERY_LANGUAGES maps each language rules may be written in to its parser. The group and rule
 * code is language-neutral: it only passes `text` to the QueryFunc registered for the language.
 * LogQL rules must be metric queries (parseLogqlRuleQuery).
 */
export const QUERY_LANGUAGES: Partial<Record<QueryLanguage, QueryLanguageSpec>> = {
  promql: {
    parse: (text) => ({ language: "promql", text: exprToString(parseExpr(text)) }),
  },
  logql: { parse: parseLogqlRuleQuery },
};

/**
 * QueryFuncs holds the query function of each language a group's rules may use; a rule whose
 * language has none fails every evaluation with "no query engine for <language> rules".
 */
export type QueryFuncs = Partial<Record<QueryLanguage, QueryFunc>> & { readonly promql: QueryFunc };

/** EvalContext is what one evaluation of a rule needs (the arguments of upstream's Rule.Eval). */
export interface EvalContext {
  /** tsMs is the evaluation slot. */
  readonly tsMs: number;
  /** queryOffsetMs shifts the query (and the written samples) back in time. */
  readonly queryOffsetMs: number;
  /** queryFunc evaluates the rule's own query. */
  readonly queryFunc: QueryFunc;
  /** promqlQueryFunc serves `{{ query }}` in alert templates. */
  readonly promqlQueryFunc: QueryFunc;
  /** externalURL is passed to alert templates. */
  readonly externalURL: string;
  /** limit: most series (recording) or alerts (alerting) a rule may produce; 0 is no limit. */
  readonly limit: number;
  readonly signal?: AbortSignal;
}

/** RuleKind tells recording rules from alerting rules. */
export type RuleKind = "recording" | "alerting";

/**
 * Rule is a recording or alerting rule. `eval` runs one evaluation and resolves to the samples
 * to write (a recording rule's output; an alerting rule's ALERTS and ALERTS_FOR_STATE), or
 * rejects with the evaluation error. The group records health, errors and timings through the
 * mutable fields.
 */
export interface Rule {
  readonly kind: RuleKind;
  readonly name: string;
  /** labels are the rule's labels, group labels merged in, templates not expanded. */
  readonly labels: Labels;
  readonly query: RuleQuery;
  eval(ctx: EvalContext): Promise<RuleSample[]>;
  health: RuleHealth;
  /** lastError is the error of the last evaluation, or undefined when it succeeded. */
  lastError: Error | undefined;
  /** evaluationDurationMs is how long the last evaluation took. */
  evaluationDurationMs: number;
  /** evaluationTimestampMs is when the last evaluation started (clock time), if any. */
  evaluationTimestampMs: number | undefined;
  /** toString renders the rule's definition; equal definitions render equally. */
  toString(): string;
}

/**
 * engineQueryFunc returns a QueryFunc that runs instant queries on engine against queryable,
 * turning a scalar into a one-sample vector (Prometheus EngineQueryFunc). queryable may be a
 * function, for storage that opens later.
 */
export function engineQueryFunc(
  engine: Engine | (() => Engine),
  queryable: Queryable | (() => Queryable),
): QueryFunc {
  return async (query, tMs, signal) => {
    const eng = typeof engine === "function" ? engine() : engine;
    const q = typeof queryable === "function" ? queryable() : queryable;
    const res = await eng.instantQuery(q, query, tMs, signal ? { signal } : {});
    const v = res.value;
    switch (v.type) {
      case "vector":
        return v.vector.map((s) => ({ metric: s.metric, t: s.t, f: s.f }));
      case "scalar":
        return [{ metric: EMPTY_LABELS, t: v.scalar.t, f: v.scalar.f }];
      default:
        throw new Error("rule result is not a vector or scalar");
    }
  };
}
