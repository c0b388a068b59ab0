export type { Io } from "./main.ts";
export { main } from "./main.ts";
export { USAGE, UsageError } from "./usage.ts";
