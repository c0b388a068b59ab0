// Public API of the promqltest runner: parse Prometheus's PromQL acceptance scripts (`*.test`)
// and run them against an engine.
export type {
  ClearCommand,
  Command,
  EvalCommand,
  EvalQuery,
  ExpectedSeries,
  LoadCommand,
  LoadSeries,
  Script,
  TextMatch,
  TimeRange,
} from "./script.ts";
export type {
  CounterResetHint,
  HistogramLiteral,
  SequenceValue,
  SeriesDesc,
  StartTimestampDesc,
} from "./series.ts";
export {
  histogramFromLiteral,
  parseHistogramLiteral,
  parseSeriesDesc,
  parseStartTimestampDesc,
  SeriesDescError,
} from "./series.ts";
export { ScriptParseError, goUnquote, parseGoNumber, parseScript } from "./parse.ts";
export {
  EPSILON,
  almostEqual,
  checkAnnotations,
  checkExpectedFailure,
  compareResult,
  histogramsMatch,
} from "./compare.ts";
export type { EvalResult, EvalStatus, PromQLEngine, RunOptions } from "./runner.ts";
export { SCRIPT_ENGINE_OPTIONS, runScript, stepInvarianceTimes, withAtModifier } from "./runner.ts";
export type { FileReport, Tally } from "./suite.ts";
export { runScriptText, tally } from "./suite.ts";
