// The LogQL abstract syntax tree: a discriminated union on `type`, one node kind per Loki
// expression type (pkg/logql/syntax/ast.go). Log queries are LogSelector nodes; everything
// else is a sample (metric) expression.
import type { Matcher } from "../../model/labels/index.ts";

/** Pos is the [start, end) UTF-16 range of a node in the query. */
export interface Pos {
  readonly start: number;
  readonly end: number;
}

/** LineFilterOp is a line filter operator. */
export type LineFilterOp = "|=" | "!=" | "|~" | "!~" | "|>" | "!>";

/** LineFilterValue is one alternative of a line filter: a literal/pattern or `ip("...")`. */
export interface LineFilterValue {
  readonly match: string;
  readonly ip: boolean;
}

/**
 * LineFilter is one `op "a" or "b"` term. Negative filters with `or` are split into separate
 * terms at parse time (`!= "a" or "b"` is `!= "a" != "b"`), as Loki does.
 */
export interface LineFilter {
  readonly op: LineFilterOp;
  readonly values: readonly LineFilterValue[];
}

/** CompareOp is a label filter comparison. `==` and `=` are the same for numbers. */
export type CompareOp = "==" | "!=" | ">" | ">=" | "<" | "<=";

/** LabelFilter is a label filter expression (`| a="b" and c > 5`). */
export type LabelFilter =
  | { readonly kind: "string"; readonly matcher: Matcher }
  | {
      readonly kind: "ip";
      readonly name: string;
      readonly op: "=" | "!=";
      readonly pattern: string;
    }
  | {
      readonly kind: "number";
      readonly name: string;
      readonly op: CompareOp;
      readonly value: number;
    }
  | {
      readonly kind: "duration";
      readonly name: string;
      readonly op: CompareOp;
      readonly valueNs: bigint;
    }
  | {
      readonly kind: "bytes";
      readonly name: string;
      readonly op: CompareOp;
      readonly value: number;
    }
  | {
      readonly kind: "and" | "or";
      readonly left: LabelFilter;
      readonly right: LabelFilter;
    };

/** LabelExtraction is `name="expression"` of `| json` / `| logfmt` with arguments. */
export interface LabelExtraction {
  readonly name: string;
  readonly expression: string;
}

/** LabelFormat is one `dst=src` (rename) or `dst="template"` of `| label_format`. */
export interface LabelFormat {
  readonly name: string;
  readonly value: string;
  readonly rename: boolean;
}

/** NamedMatcher is one argument of `| drop` / `| keep`: a bare name or a matcher. */
export type NamedMatcher =
  | { readonly name: string; readonly matcher?: undefined }
  | {
      readonly name?: undefined;
      readonly matcher: Matcher;
    };

/** Stage is one pipeline stage. */
export type Stage =
  | { readonly type: "lineFilter"; readonly filters: readonly LineFilter[] }
  | { readonly type: "logfmt"; readonly strict: boolean; readonly keepEmpty: boolean }
  | {
      readonly type: "logfmtExpr";
      readonly strict: boolean;
      readonly keepEmpty: boolean;
      readonly exprs: readonly LabelExtraction[];
    }
  | { readonly type: "json" }
  | { readonly type: "jsonExpr"; readonly exprs: readonly LabelExtraction[] }
  | { readonly type: "regexp"; readonly pattern: string }
  | { readonly type: "pattern"; readonly pattern: string }
  | { readonly type: "unpack" }
  | { readonly type: "labelFilter"; readonly filter: LabelFilter }
  | { readonly type: "lineFormat"; readonly template: string }
  | { readonly type: "labelFormat"; readonly formats: readonly LabelFormat[] }
  | { readonly type: "decolorize" }
  | { readonly type: "drop"; readonly labels: readonly NamedMatcher[] }
  | { readonly type: "keep"; readonly labels: readonly NamedMatcher[] };

/** LogSelector is a stream selector with an optional pipeline: a log query. */
export interface LogSelector {
  readonly type: "LogSelector";
  readonly matchers: readonly Matcher[];
  readonly stages: readonly Stage[];
  readonly pos: Pos;
}

/** UnwrapConversion is the conversion function of `| unwrap f(label)`; "" is none. */
export type UnwrapConversion = "" | "bytes" | "duration" | "duration_seconds";

/** Unwrap is `| unwrap [conv(]label[)]` with the label filters that follow it. */
export interface Unwrap {
  readonly label: string;
  readonly conversion: UnwrapConversion;
  readonly postFilters: readonly LabelFilter[];
}

/** LogRange is `selector [range] offset d` with an optional unwrap. */
export interface LogRange {
  readonly selector: LogSelector;
  readonly rangeNs: bigint;
  readonly offsetNs: bigint;
  readonly unwrap?: Unwrap;
}

/** Grouping is `by (...)` / `without (...)`. */
export interface Grouping {
  readonly without: boolean;
  /** labels in query order; empty for `by ()`. */
  readonly labels: readonly string[];
}

/** RangeOp names a range aggregation. */
export type RangeOp =
  | "count_over_time"
  | "rate"
  | "rate_counter"
  | "bytes_over_time"
  | "bytes_rate"
  | "avg_over_time"
  | "sum_over_time"
  | "min_over_time"
  | "max_over_time"
  | "stdvar_over_time"
  | "stddev_over_time"
  | "quantile_over_time"
  | "first_over_time"
  | "last_over_time"
  | "absent_over_time";

/** VectorOp names a vector aggregation. */
export type VectorOp =
  | "sum"
  | "avg"
  | "count"
  | "max"
  | "min"
  | "stddev"
  | "stdvar"
  | "bottomk"
  | "topk"
  | "sort"
  | "sort_desc"
  | "approx_topk";

/** BinaryOp is an arithmetic, comparison or set operator. */
export type BinaryOp =
  | "or"
  | "and"
  | "unless"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "^"
  | "=="
  | "!="
  | ">"
  | ">="
  | "<"
  | "<=";

/** VectorMatching is the `on`/`ignoring`/`group_x` part of a binary operation. */
export interface VectorMatching {
  readonly card: "one-to-one" | "many-to-one" | "one-to-many";
  readonly on: boolean;
  /** matchingLabels: null when neither on() nor ignoring() was written. */
  readonly matchingLabels: readonly string[] | null;
  /** include: the group_left/group_right labels; null when none were written. */
  readonly include: readonly string[] | null;
}

/** RangeAggregation is e.g. `rate({app="x"}[5m])`. */
export interface RangeAggregation {
  readonly type: "RangeAggregation";
  readonly op: RangeOp;
  readonly param?: number;
  readonly range: LogRange;
  readonly grouping?: Grouping;
  readonly pos: Pos;
}

/** VectorAggregation is e.g. `sum by (app) (...)`. `param` is topk's k. */
export interface VectorAggregation {
  readonly type: "VectorAggregation";
  readonly op: VectorOp;
  readonly param: number;
  readonly grouping: Grouping | null;
  readonly expr: SampleExpr;
  readonly pos: Pos;
}

/** BinaryExpr is `lhs op [bool] [on(...)] rhs`. */
export interface BinaryExpr {
  readonly type: "BinaryExpr";
  readonly op: BinaryOp;
  readonly lhs: SampleExpr;
  readonly rhs: SampleExpr;
  readonly returnBool: boolean;
  readonly matching: VectorMatching;
  readonly pos: Pos;
}

/** Literal is a number. */
export interface Literal {
  readonly type: "Literal";
  readonly value: number;
  readonly pos: Pos;
}

/** VectorExpr is `vector(n)`. */
export interface VectorExpr {
  readonly type: "Vector";
  readonly value: number;
  readonly pos: Pos;
}

/** LabelReplace is `label_replace(expr, dst, replacement, src, regex)`. */
export interface LabelReplace {
  readonly type: "LabelReplace";
  readonly expr: SampleExpr;
  readonly dst: string;
  readonly replacement: string;
  readonly src: string;
  readonly regex: string;
  readonly pos: Pos;
}

/** SampleExpr is a metric query. */
export type SampleExpr =
  RangeAggregation | VectorAggregation | BinaryExpr | Literal | VectorExpr | LabelReplace;

/** Expr is any LogQL query. */
export type Expr = LogSelector | SampleExpr;

/** assertNever makes the compiler check that a switch handles every case. */
export function assertNever(x: never): never {
  throw new Error(`unsupported node: ${JSON.stringify(x)}`);
}

/** isLogSelector reports whether e is a log query. */
export function isLogSelector(e: Expr): e is LogSelector {
  return e.type === "LogSelector";
}

/** selectors returns every LogSelector of e, left to right. */
export function selectors(e: Expr): LogSelector[] {
  switch (e.type) {
    case "LogSelector":
      return [e];
    case "RangeAggregation":
      return [e.range.selector];
    case "VectorAggregation":
    case "LabelReplace":
      return selectors(e.expr);
    case "BinaryExpr":
      return [...selectors(e.lhs), ...selectors(e.rhs)];
    case "Literal":
    case "Vector":
      return [];
    default:
      return assertNever(e);
  }
}
