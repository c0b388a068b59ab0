// Public API of the LogQL engine.
export { Engine, pushableFilters } from "./engine.ts";
export type { EngineOptions } from "./engine.ts";
export { PipelineError, QueryError } from "./types.ts";
export type {
  Direction,
  LogEntryResult,
  PointResult,
  QueryParams,
  QueryResult,
  SampleResult,
  SeriesResult,
  StreamResult,
} from "./types.ts";
