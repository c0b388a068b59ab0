// LogQL: parser, log pipeline and engine over storage/logs.ts.
//
//   const expr = parseExpr('sum by (app) (rate({env="prod"} |= "error" [5m]))');
//   const engine = new Engine({ querier: store.logQuerier() });
//   const result = await engine.rangeQuery(expr, startNs, endNs, stepNs);
export type {
  Expr,
  LabelFilter,
  LogRange,
  LogSelector,
  SampleExpr,
  Stage,
} from "./syntax/index.ts";
export {
  ParseError,
  PipelineBuildError,
  exprToString,
  prettify,
  parseExpr,
  parseLogSelector,
  parseMatchers,
  parseSampleExpr,
} from "./syntax/index.ts";
export { buildPipeline } from "./log/index.ts";
export type { LabelsResult, Pipeline, ProcessedLine, StreamPipeline } from "./log/index.ts";
export { Engine, PipelineError, QueryError, pushableFilters } from "./engine/index.ts";
export type {
  Direction,
  EngineOptions,
  LogEntryResult,
  PointResult,
  QueryParams,
  QueryResult,
  SampleResult,
  SeriesResult,
  StreamResult,
} from "./engine/index.ts";
