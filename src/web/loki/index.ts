// Public API of the Loki HTTP query API (the push side is ingest/loki).
export type { LokiApiDeps, LokiLimits } from "./api.ts";
export { DEFAULT_LOKI_LIMITS, registerLokiApi } from "./api.ts";
