// Access to evaluated function arguments and the label handling shared by the implementations.
import type { Labels } from "../../../model/labels/index.ts";
import type { Expr, PositionRange } from "../../parser/index.ts";
import type { FunctionValue, Series, Vector } from "../value.ts";

/**
 * vectorArg returns argument i as an instant vector (scalars arrive as a one-sample vector).
 * It throws when the evaluator passed something else, which is a bug in the caller.
 */
export function vectorArg(vals: readonly FunctionValue[], i: number): Vector {
  const v = vals[i];
  if (typeof v === "string" || v === undefined)
    throw new TypeError(`argument ${i} is not a vector`);
  return v as Vector;
}

/** scalarArg returns the value of scalar argument i. */
export function scalarArg(vals: readonly FunctionValue[], i: number): number {
  const s = vectorArg(vals, i)[0];
  if (s === undefined) throw new TypeError(`argument ${i} is not a scalar`);
  return s.f;
}

/** seriesArg returns the one series of range-vector argument i (the current window). */
export function seriesArg(vals: readonly FunctionValue[], i: number): Series {
  const v = vals[i];
  if (typeof v === "string" || v === undefined || v.length !== 1 || !("floats" in v[0]!)) {
    throw new TypeError(`argument ${i} is not a single-series matrix`);
  }
  return v[0] as Series;
}

/**
 * stringArg returns string argument i, from the evaluated value or else from the literal in
 * the argument expression (parentheses allowed), as upstream's stringFromArg reads it.
 */
export function stringArg(
  vals: readonly FunctionValue[],
  args: readonly Expr[],
  i: number,
): string {
  const v = vals[i];
  if (typeof v === "string") return v;
  let e = args[i];
  while (e !== undefined && e.type === "ParenExpr") e = e.expr;
  if (e === undefined || e.type !== "StringLiteral") {
    throw new TypeError(`argument ${i} is not a string`);
  }
  return e.value;
}

/** unwrapParens strips parentheses around an expression. */
export function unwrapParens(e: Expr): Expr {
  while (e.type === "ParenExpr") e = e.expr;
  return e;
}

/**
 * AT_MODIFIER_UNSAFE_FUNCTIONS are the functions whose result depends on the evaluation time
 * even when their arguments do not (AtModifierUnsafeFunctions).
 */
export const AT_MODIFIER_UNSAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  "days_in_month",
  "day_of_month",
  "day_of_week",
  "day_of_year",
  "hour",
  "minute",
  "month",
  "year",
  "predict_linear",
  "time",
  "timestamp",
]);

/**
 * isStepInvariant reports whether expr evaluates to the same value at every step, the way
 * upstream's preprocessExprHelper decides it: literals, selectors and subqueries with `@`, and
 * operations and (time-independent) calls made only of such parts.
 */
export function isStepInvariant(expr: Expr): boolean {
  switch (expr.type) {
    case "VectorSelector":
      return expr.timestampMs !== undefined || expr.startOrEnd !== undefined;
    case "MatrixSelector":
      return isStepInvariant(expr.vectorSelector);
    case "SubqueryExpr":
      return expr.timestampMs !== undefined || expr.startOrEnd !== undefined;
    case "AggregateExpr":
      return isStepInvariant(expr.expr);
    case "BinaryExpr":
      return isStepInvariant(expr.lhs) && isStepInvariant(expr.rhs);
    case "Call":
      return (
        !AT_MODIFIER_UNSAFE_FUNCTIONS.has(expr.func.name) &&
        expr.args.every((a) => isStepInvariant(a))
      );
    case "ParenExpr":
    case "UnaryExpr":
      return isStepInvariant(expr.expr);
    case "NumberLiteral":
    case "StringLiteral":
      return true;
  }
}

/**
 * argPosition is the position annotations about argument i of a call to funcName refer to.
 * Upstream reports the argument as the evaluator left it: a step-invariant argument of a call
 * that is not step-invariant as a whole keeps its parentheses (it was wrapped before they could
 * be stripped); any other argument loses them.
 */
export function argPosition(funcName: string, args: readonly Expr[], i: number): PositionRange {
  const arg = args[i]!;
  const callInvariant =
    !AT_MODIFIER_UNSAFE_FUNCTIONS.has(funcName) && args.every((a) => isStepInvariant(a));
  if (!callInvariant && isStepInvariant(arg)) return arg.pos;
  return unwrapParens(arg).pos;
}

/**
 * isMetadataLabel reports whether a label is part of the metric's identity metadata
 * (schema.IsMetadataLabel): `__name__`, `__type__` and `__unit__`. Functions that change a
 * sample's meaning drop all three.
 */
export function isMetadataLabel(name: string): boolean {
  return name === "__name__" || name === "__type__" || name === "__unit__";
}

/** dropMetadataLabels is Labels.DropReserved(schema.IsMetadataLabel). */
export function dropMetadataLabels(ls: Labels): Labels {
  if (!ls.some((l) => isMetadataLabel(l.name))) return ls;
  return ls.filter((l) => !isMetadataLabel(l.name));
}
