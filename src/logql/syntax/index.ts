// Public API of the LogQL parser: lex, parse, validate and print LogQL queries.
export type {
  BinaryExpr,
  BinaryOp,
  CompareOp,
  Expr,
  Grouping,
  LabelExtraction,
  LabelFilter,
  LabelFormat,
  LabelReplace,
  LineFilter,
  LineFilterOp,
  LineFilterValue,
  Literal,
  LogRange,
  LogSelector,
  NamedMatcher,
  Pos,
  RangeAggregation,
  RangeOp,
  SampleExpr,
  Stage,
  Unwrap,
  UnwrapConversion,
  VectorAggregation,
  VectorExpr,
  VectorMatching,
  VectorOp,
} from "./ast.ts";
export { assertNever, isLogSelector, selectors } from "./ast.ts";
export { ParseError, PipelineBuildError } from "./errors.ts";
export type { Token, TokenType } from "./lexer.ts";
export { lex } from "./lexer.ts";
export type { ParseOptions } from "./parser.ts";
export {
  foldLiterals,
  parseExpr,
  parseLogSelector,
  parseMatchers,
  parseSampleExpr,
  validateExpr,
  validateRegexpParser,
} from "./parser.ts";
export { exprToString, labelFilterToString, matcherToString, stageToString } from "./printer.ts";
export { prettify } from "./prettier.ts";
export {
  BytesError,
  GoDurationError,
  formatFloatF,
  formatFloatV,
  formatGoDuration,
  formatPromDuration,
  goQuote,
  parseBytes,
  parseFloatError,
  parseGoDuration,
  parseGoFloat,
} from "./go.ts";
