// The PromQL syntax tree: node types, value types and traversal helpers, after
// prometheus promql/parser/ast.go and value.go (v3.5). Nodes are plain objects discriminated on
// `type`; every node carries `pos`, the range of the query it was parsed from.
import type { Matcher } from "../../model/labels/index.ts";
import type { FunctionSignature } from "./functions.ts";
import type { PositionRange } from "./pos.ts";

/** ValueType is the type an expression evaluates to (value.go ValueType, without "none"). */
export type ValueType = "scalar" | "vector" | "matrix" | "string";

/** documentedType renders a value type in user-facing terms: "instant vector", "range vector". */
export function documentedType(t: ValueType): string {
  switch (t) {
    case "vector":
      return "instant vector";
    case "matrix":
      return "range vector";
    default:
      return t;
  }
}

/** AggregationOp is an aggregation operator, e.g. `sum` or `topk`. */
export type AggregationOp =
  | "sum"
  | "avg"
  | "count"
  | "min"
  | "max"
  | "group"
  | "stddev"
  | "stdvar"
  | "topk"
  | "bottomk"
  | "count_values"
  | "quantile"
  | "limitk"
  | "limit_ratio";

/** ArithmeticOp is a binary arithmetic operator. */
export type ArithmeticOp = "+" | "-" | "*" | "/" | "%" | "^" | "atan2";

/** ComparisonOp is a binary comparison operator. */
export type ComparisonOp = "==" | "!=" | ">" | "<" | ">=" | "<=";

/** SetOp is a binary set operator. */
export type SetOp = "and" | "or" | "unless";

/** BinaryOp is any binary operator. */
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** DurationOp is an operator allowed in duration expressions. */
export type DurationOp = "+" | "-" | "*" | "/" | "%" | "^";

/** VectorMatchCardinality describes how samples of the two sides of a binary operation pair up. */
export type VectorMatchCardinality = "one-to-one" | "many-to-one" | "one-to-many" | "many-to-many";

/**
 * VectorMatching describes how the samples of two instant vectors in a binary operation are
 * matched (ast.go VectorMatching). It exists only when both operands are instant vectors.
 */
export interface VectorMatching {
  card: VectorMatchCardinality;
  /** matchingLabels are the labels listed in `on (...)` or `ignoring (...)`. */
  matchingLabels: string[];
  /** on is true for `on (...)`, false for `ignoring (...)` or no clause. */
  on: boolean;
  /** include lists the extra labels of `group_left (...)` / `group_right (...)`. */
  include: string[];
}

/** AtModifierPreprocessor is the `start()`/`end()` form of the `@` modifier. */
export type AtModifierPreprocessor = "start" | "end";

/**
 * NumberLiteral is a number. `duration` is set when it was written as a duration such as `5m`,
 * in which case value is in seconds and it prints as a duration.
 */
export interface NumberLiteral {
  type: "NumberLiteral";
  value: number;
  duration: boolean;
  pos: PositionRange;
}

/** StringLiteral is a string, already unquoted. */
export interface StringLiteral {
  type: "StringLiteral";
  value: string;
  pos: PositionRange;
}

/**
 * DurationExpr is arithmetic on durations inside `[...]` or after `offset` (experimental in
 * Prometheus 3.5), e.g. `5m * 2`. A unary minus has no lhs. Operands are in seconds, like
 * NumberLiteral values; `wrapped` records parentheses around it so that it prints them back.
 * Its pos, like upstream's, excludes those parentheses.
 */
export interface DurationExpr {
  type: "DurationExpr";
  op: DurationOp;
  lhs?: DurationNode;
  rhs: DurationNode;
  wrapped: boolean;
  pos: PositionRange;
}

/** DurationNode is an operand of a duration expression. */
export type DurationNode = NumberLiteral | DurationExpr;

/**
 * VectorSelector selects series by label matchers. When the metric name is written outside the
 * braces, `name` holds it and the last matcher is `__name__="<name>"`. Offsets and `@` are kept as
 * written: originalOffsetMs, or originalOffsetExpr for a duration expression (the engine
 * evaluates it); timestampMs for `@ <time>`, startOrEnd for `@ start()`/`@ end()`.
 */
export interface VectorSelector {
  type: "VectorSelector";
  name: string;
  matchers: Matcher[];
  originalOffsetMs: number;
  originalOffsetExpr?: DurationExpr;
  timestampMs?: number;
  startOrEnd?: AtModifierPreprocessor;
  /** bypassEmptyMatcherCheck is set on the label-selector argument of `info()`. */
  bypassEmptyMatcherCheck: boolean;
  pos: PositionRange;
}

/**
 * MatrixSelector is a range vector selector `sel[range]`; offset and `@` live on the inner
 * selector. rangeMs is 0 when rangeExpr holds a duration expression instead.
 */
export interface MatrixSelector {
  type: "MatrixSelector";
  vectorSelector: VectorSelector;
  rangeMs: number;
  rangeExpr?: DurationExpr;
  pos: PositionRange;
}

/**
 * SubqueryExpr is `expr[range:step]`. stepMs is 0 when the step was omitted (the engine uses its
 * default resolution) or is given by stepExpr.
 */
export interface SubqueryExpr {
  type: "SubqueryExpr";
  expr: Expr;
  rangeMs: number;
  rangeExpr?: DurationExpr;
  stepMs: number;
  stepExpr?: DurationExpr;
  originalOffsetMs: number;
  originalOffsetExpr?: DurationExpr;
  timestampMs?: number;
  startOrEnd?: AtModifierPreprocessor;
  pos: PositionRange;
}

/** Call is a function call. */
export interface Call {
  type: "Call";
  func: FunctionSignature;
  args: Expr[];
  pos: PositionRange;
}

/** AggregateExpr is an aggregation such as `sum by (job) (x)` or `topk(3, x)`. */
export interface AggregateExpr {
  type: "AggregateExpr";
  op: AggregationOp;
  expr: Expr;
  /** param is the first argument of topk, bottomk, quantile, count_values, limitk, limit_ratio. */
  param?: Expr;
  grouping: string[];
  without: boolean;
  pos: PositionRange;
}

/** BinaryExpr is a binary operation. vectorMatching is null unless both sides are vectors. */
export interface BinaryExpr {
  type: "BinaryExpr";
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  vectorMatching: VectorMatching | null;
  pos: PositionRange;
}

/** UnaryExpr is `+expr` or `-expr` (a minus on a number literal is folded into the literal). */
export interface UnaryExpr {
  type: "UnaryExpr";
  op: "+" | "-";
  expr: Expr;
  pos: PositionRange;
}

/** ParenExpr is an expression in parentheses. */
export interface ParenExpr {
  type: "ParenExpr";
  expr: Expr;
  pos: PositionRange;
}

/** Expr is any PromQL expression. */
export type Expr =
  | AggregateExpr
  | BinaryExpr
  | Call
  | MatrixSelector
  | NumberLiteral
  | ParenExpr
  | StringLiteral
  | SubqueryExpr
  | UnaryExpr
  | VectorSelector;

/** Node is any syntax tree node, including duration expressions. */
export type Node = Expr | DurationExpr;

/** assertNever fails at compile time when a switch over a union misses a case. */
export function assertNever(x: never): never {
  throw new Error(`unexpected node: ${JSON.stringify(x)}`);
}

/** exprType returns the type expr evaluates to (the Type methods in ast.go). */
export function exprType(expr: Expr): ValueType {
  switch (expr.type) {
    case "AggregateExpr":
    case "VectorSelector":
      return "vector";
    case "Call":
      return expr.func.returnType;
    case "MatrixSelector":
    case "SubqueryExpr":
      return "matrix";
    case "NumberLiteral":
      return "scalar";
    case "StringLiteral":
      return "string";
    case "ParenExpr":
    case "UnaryExpr":
      return exprType(expr.expr);
    case "BinaryExpr": {
      // Iterate down the left spine: generated queries can chain thousands of operations.
      let scalar = true;
      let cur: Expr = expr;
      while (cur.type === "BinaryExpr") {
        scalar &&= exprType(cur.rhs) === "scalar";
        cur = cur.lhs;
      }
      return scalar && exprType(cur) === "scalar" ? "scalar" : "vector";
    }
    default:
      return assertNever(expr);
  }
}

/** children returns the direct sub-expressions of expr in evaluation order (ast.go Children). */
export function children(expr: Expr): Expr[] {
  switch (expr.type) {
    case "AggregateExpr":
      return expr.param === undefined ? [expr.expr] : [expr.expr, expr.param];
    case "BinaryExpr":
      return [expr.lhs, expr.rhs];
    case "Call":
      return expr.args;
    case "SubqueryExpr":
    case "ParenExpr":
    case "UnaryExpr":
      return [expr.expr];
    case "MatrixSelector":
      return [expr.vectorSelector];
    case "NumberLiteral":
    case "StringLiteral":
    case "VectorSelector":
      return [];
    default:
      return assertNever(expr);
  }
}

/**
 * inspect calls visit for expr and then, depth first, for every sub-expression, passing the
 * chain of ancestors (ast.go Inspect). Returning false from visit skips that node's children.
 */
export function inspect(
  expr: Expr,
  visit: (node: Expr, path: readonly Expr[]) => boolean | void,
  path: Expr[] = [],
): void {
  if (visit(expr, path) === false) return;
  path.push(expr);
  for (const c of children(expr)) inspect(c, visit, path);
  path.pop();
}

/** extractSelectors returns the matchers of every vector selector in expr (ast.go). */
export function extractSelectors(expr: Expr): Matcher[][] {
  const out: Matcher[][] = [];
  inspect(expr, (n) => {
    if (n.type === "VectorSelector") out.push(n.matchers);
  });
  return out;
}
