export type {
  Appender,
  Querier,
  SelectHints,
  Series,
  SeriesRef,
  Storage,
  StorageEngine,
  StorageStats,
} from "./interface.ts";
export { StorageError, StorageClosedError } from "./errors.ts";
export type { StorageMetrics } from "./metrics.ts";
export { newStorageMetrics } from "./metrics.ts";
