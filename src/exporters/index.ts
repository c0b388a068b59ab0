export type { SelfMetrics } from "./self/index.ts";
export { newSelfMetrics } from "./self/index.ts";
