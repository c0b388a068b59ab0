// Test support for the ClickHouse storage backend.
export { startChdbHttpDouble } from "./start-double.ts";
export type { ChdbHttpDouble, ChdbHttpDoubleOptions } from "./start-double.ts";
