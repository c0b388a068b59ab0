// Public API of the PromQL parser: parse, type, print and pretty-print PromQL expressions.
export type {
  AggregateExpr,
  AggregationOp,
  ArithmeticOp,
  AtModifierPreprocessor,
  BinaryExpr,
  BinaryOp,
  Call,
  ComparisonOp,
  DurationExpr,
  DurationNode,
  DurationOp,
  Expr,
  MatrixSelector,
  Node,
  NumberLiteral,
  ParenExpr,
  SetOp,
  StringLiteral,
  SubqueryExpr,
  UnaryExpr,
  ValueType,
  VectorMatchCardinality,
  VectorMatching,
  VectorSelector,
} from "./ast.ts";
export {
  assertNever,
  children,
  documentedType,
  exprType,
  extractSelectors,
  inspect,
} from "./ast.ts";
export { ParseError } from "./errors.ts";
export type { FunctionSignature } from "./functions.ts";
export {
  AGGREGATION_OPS,
  FUNCTIONS,
  getFunction,
  isAggregationWithParam,
  isExperimentalAggregation,
} from "./functions.ts";
export type { ItemType, Token } from "./lexer.ts";
export { lex } from "./lexer.ts";
export type { ParseOptions } from "./parser.ts";
export { parseExpr, parseMetricSelector } from "./parser.ts";
export type { PositionRange } from "./pos.ts";
export { formatPosition } from "./pos.ts";
export { PRETTIFY_MAX_WIDTH, exprToString, matcherToString, prettify } from "./printer.ts";
export { formatGoFloat, goQuote } from "./quote.ts";
