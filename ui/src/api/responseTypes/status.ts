// /api/v1/status/*.

/** BuildInfo is the data of /api/v1/status/buildinfo. */
export type BuildInfo = Record<string, string>;

/** RuntimeInfo is the data of /api/v1/status/runtimeinfo. */
export type RuntimeInfo = Record<string, string | number | boolean>;

/** Flags is the data of /api/v1/status/flags. */
export type Flags = Record<string, string>;

/** ConfigResult is the data of /api/v1/status/config. */
export interface ConfigResult {
  readonly yaml: string;
}

/** NameCount is one row of the TSDB status tables. */
export interface NameCount {
  readonly name: string;
  readonly value: number;
}

/** TSDBStatus is the data of /api/v1/status/tsdb. */
export interface TSDBStatus {
  readonly headStats: {
    readonly numSeries: number;
    readonly numLabelPairs: number;
    readonly chunkCount: number;
    readonly minTime: number;
    readonly maxTime: number;
  };
  readonly seriesCountByMetricName: NameCount[];
  readonly labelValueCountByLabelName: NameCount[];
  readonly memoryInBytesByLabelName: NameCount[];
  readonly seriesCountByLabelValuePair: NameCount[];
}
