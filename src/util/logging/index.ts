export type { Logger, LogLevel } from "./logger.ts";
export { newLogger, silentLogger } from "./logger.ts";
