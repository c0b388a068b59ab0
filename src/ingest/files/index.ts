// Public API of local log file collection (`log_files` in vigil.yml).
export type { FileTailerConfig, LogFileOptions, LogFilesTarget, StartAt } from "./config.ts";
export {
  DEFAULT_LOG_FILE_OPTIONS,
  FILENAME_LABEL,
  START_AT_VALUES,
  logFileOptionsSchema,
  logFilesSchema,
} from "./config.ts";
export type { FileTailerOptions } from "./tailer.ts";
export { FileTailer } from "./tailer.ts";
