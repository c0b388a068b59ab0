// Public API of the Prometheus HTTP API v1 module.
export type { PrometheusApiDeps } from "./api.ts";
export { registerPrometheusApi } from "./api.ts";
export type { ApiErrorType } from "./errors.ts";
export { ApiError, STATUS_BY_ERROR_TYPE } from "./errors.ts";
export { MAX_TIME_MS, MIN_TIME_MS, parseDuration, parseTime } from "./params.ts";
export type { ScrapeApiDeps } from "./scrape-api.ts";
export { registerScrapeApi } from "./scrape-api.ts";
