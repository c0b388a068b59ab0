// Public API of Vigil's own HTTP endpoints under /api/vigil (those Prometheus has no
// counterpart for).
export type { AlertHistoryApiDeps } from "./alert-history.ts";
export { DEFAULT_HISTORY_RANGE_MS, registerAlertHistoryApi } from "./alert-history.ts";
