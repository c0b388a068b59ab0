export type { SelfMetrics } from "./self-metrics.ts";
export { newSelfMetrics } from "./self-metrics.ts";
