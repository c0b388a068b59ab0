// Signatures of the PromQL functions of Prometheus 3.5 (promql/parser/functions.go). Behaviour
// lives in the engine; the parser only needs argument and return types for type checking.
import type { AggregationOp, ValueType } from "./ast.ts";

/**
 * FunctionSignature describes a PromQL function. `variadic` is 0 for a fixed argument list, n > 0
 * when the last argument type may be repeated up to n times (so it may also be omitted), and -1
 * when it may be repeated without limit. `experimental` functions need
 * `--enable-feature=promql-experimental-functions` in Prometheus.
 */
export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  readonly variadic: number;
  readonly returnType: ValueType;
  readonly experimental: boolean;
}

type Sig = [argTypes: ValueType[], variadic?: number, experimental?: boolean, ret?: ValueType];

const V: ValueType = "vector";
const M: ValueType = "matrix";
const S: ValueType = "scalar";
const STR: ValueType = "string";

// name → [argTypes, variadic, experimental, returnType (default vector)].
const TABLE: Record<string, Sig> = {
  abs: [[V]],
  absent: [[V]],
  absent_over_time: [[M]],
  acos: [[V]],
  acosh: [[V]],
  asin: [[V]],
  asinh: [[V]],
  atan: [[V]],
  atanh: [[V]],
  avg_over_time: [[M]],
  ceil: [[V]],
  changes: [[M]],
  clamp: [[V, S, S]],
  clamp_max: [[V, S]],
  clamp_min: [[V, S]],
  cos: [[V]],
  cosh: [[V]],
  count_over_time: [[M]],
  days_in_month: [[V], 1],
  day_of_month: [[V], 1],
  day_of_week: [[V], 1],
  day_of_year: [[V], 1],
  deg: [[V]],
  delta: [[M]],
  deriv: [[M]],
  double_exponential_smoothing: [[M, S, S], 0, true],
  exp: [[V]],
  floor: [[V]],
  histogram_avg: [[V]],
  histogram_count: [[V]],
  histogram_fraction: [[S, S, V]],
  histogram_quantile: [[S, V]],
  histogram_stddev: [[V]],
  histogram_stdvar: [[V]],
  histogram_sum: [[V]],
  hour: [[V], 1],
  idelta: [[M]],
  increase: [[M]],
  info: [[V, V], 1, true],
  irate: [[M]],
  label_join: [[V, STR, STR, STR], -1],
  label_replace: [[V, STR, STR, STR, STR]],
  last_over_time: [[M]],
  ln: [[V]],
  log10: [[V]],
  log2: [[V]],
  mad_over_time: [[M], 0, true],
  max_over_time: [[M]],
  min_over_time: [[M]],
  minute: [[V], 1],
  month: [[V], 1],
  pi: [[], 0, false, S],
  predict_linear: [[M, S]],
  present_over_time: [[M]],
  quantile_over_time: [[S, M]],
  rad: [[V]],
  rate: [[M]],
  resets: [[M]],
  round: [[V, S], 1],
  scalar: [[V], 0, false, S],
  sgn: [[V]],
  sin: [[V]],
  sinh: [[V]],
  sort: [[V]],
  sort_by_label: [[V, STR], -1, true],
  sort_by_label_desc: [[V, STR], -1, true],
  sort_desc: [[V]],
  sqrt: [[V]],
  stddev_over_time: [[M]],
  stdvar_over_time: [[M]],
  sum_over_time: [[M]],
  tan: [[V]],
  tanh: [[V]],
  time: [[], 0, false, S],
  timestamp: [[V]],
  ts_of_last_over_time: [[M], 0, true],
  ts_of_max_over_time: [[M], 0, true],
  ts_of_min_over_time: [[M], 0, true],
  vector: [[S]],
  year: [[V], 1],
};

/** FUNCTIONS maps every PromQL function name of Prometheus 3.5 to its signature. */
export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = Object.freeze(
  Object.fromEntries(
    Object.entries(TABLE).map(([name, [argTypes, variadic = 0, experimental = false, ret = V]]) => [
      name,
      Object.freeze({
        name,
        argTypes: Object.freeze(argTypes),
        variadic,
        returnType: ret,
        experimental,
      }),
    ]),
  ),
);

/** getFunction returns the signature of the function called name, or undefined. */
export function getFunction(name: string): FunctionSignature | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}

/** AGGREGATION_OPS lists the aggregation operators of Prometheus 3.5. */
export const AGGREGATION_OPS: readonly AggregationOp[] = Object.freeze([
  "sum",
  "avg",
  "count",
  "min",
  "max",
  "group",
  "stddev",
  "stdvar",
  "topk",
  "bottomk",
  "count_values",
  "quantile",
  "limitk",
  "limit_ratio",
] as const);

/** isAggregationWithParam reports whether op takes a parameter before the vector (lex.go). */
export function isAggregationWithParam(op: AggregationOp): boolean {
  return (
    op === "topk" ||
    op === "bottomk" ||
    op === "count_values" ||
    op === "quantile" ||
    op === "limitk" ||
    op === "limit_ratio"
  );
}

/** isExperimentalAggregation reports whether op needs the experimental-functions feature. */
export function isExperimentalAggregation(op: AggregationOp): boolean {
  return op === "limitk" || op === "limit_ratio";
}
