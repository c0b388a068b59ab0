import { pino } from "pino";
import type { Logger } from "pino";

export type { Logger };

/** LogLevel is a level accepted by `--log-level` and `server.log_level`. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * newLogger returns Vigil's structured logger, writing JSON lines to stderr (stdout stays free
 * for command output). The level can be changed later through `logger.level`.
 */
export function newLogger(level: LogLevel): Logger {
  return pino({ level, base: { component: "vigil" } }, pino.destination({ fd: 2, sync: true }));
}

/** silentLogger is a logger that drops everything; for tests. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
