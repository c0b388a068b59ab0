// The `log_files` and `log_file_options` sections of vigil.yml: which local files to collect
// (as promtail's static_configs with __path__ / __path_exclude__, clients/pkg/promtail/targets/
// file/filetargetmanager.go) and how. Keys are snake_case in YAML and camelCase in the output;
// objects are strict so that a misspelt key is an error.
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { durationField, positiveInt, sizeField } from "../../config/fields.ts";
import { isValidLabelName } from "../../model/labels/index.ts";

/** FILENAME_LABEL is the label holding the path a file was found at (promtail's `filename`). */
export const FILENAME_LABEL = "filename";

/** START_AT_VALUES lists where a file with no saved position is first read from. */
export const START_AT_VALUES = ["beginning", "end"] as const;

/** StartAt says where a file with no saved position is first read from. */
export type StartAt = (typeof START_AT_VALUES)[number];

/** LogFilesTarget is one entry of `log_files`: a set of files and the labels of their streams. */
export interface LogFilesTarget {
  /** Absolute glob patterns of the files to read [paths]. */
  readonly paths: readonly string[];
  /**
   * Patterns of files to leave out [exclude]: one without a `/` is matched against the base
   * name at any depth (`*.gz`); one with a `/` against the absolute path.
   */
  readonly exclude: readonly string[];
  /** Labels of every stream of this target; `filename` is added per file [labels]. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Where files with no saved position found by the first sync after start or reload are read
   * from [start_at]; files that appear later are always read from the beginning, so that a
   * rotated-in file loses nothing. Default beginning.
   */
  readonly startAt: StartAt;
}

/** LogFileOptions are the settings shared by all `log_files` targets [log_file_options]. */
export interface LogFileOptions {
  /**
   * Where read positions are kept [positions_file]; absent means `<data_dir>/positions.json`
   * (the caller, which knows data_dir, fills it in). Read only at start.
   */
  readonly positionsFile?: string;
  /** How often the globs are expanded again to find new files [sync_period]; default 10s. */
  readonly syncPeriodMs: number;
  /** How often open files are checked for new data and rotation [poll_interval]; 250ms. */
  readonly pollIntervalMs: number;
  /**
   * How long an unterminated last line waits for its newline before it is sent as it is, and
   * how long a rotated or deleted file must stay unchanged before it is closed
   * [flush_timeout]; default 5s.
   */
  readonly flushTimeoutMs: number;
  /** Longest line in bytes; longer ones are cut to this size [max_line_size]; 256KiB. */
  readonly maxLineBytes: number;
  /** Most lines per storage commit [max_batch_lines]; default 10000. */
  readonly maxBatchLines: number;
  /** Most line bytes per storage commit [max_batch_size]; default 4MiB. */
  readonly maxBatchBytes: number;
  /** First and largest wait before a failed commit is retried [min_backoff, max_backoff]. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** FileTailerConfig is what FileTailer.applyConfig takes. */
export interface FileTailerConfig {
  readonly targets: readonly LogFilesTarget[];
  readonly options: LogFileOptions;
}

const labelsField = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [name, value] of Object.entries(labels)) {
    if (!isValidLabelName(name) || name.startsWith("__")) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `invalid label name ${JSON.stringify(name)}`,
      });
    } else if (name === FILENAME_LABEL) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `the ${FILENAME_LABEL} label is set to each file's path and cannot be configured`,
      });
    } else if (value === "") {
      ctx.addIssue({ code: "custom", path: [name], message: "label value must not be empty" });
    }
  }
});

/**
 * logFilesSchema builds the schema of the `log_files` list. baseDir anchors relative path
 * patterns (as other paths in vigil.yml are anchored at the config file's directory).
 */
export function logFilesSchema(baseDir: string) {
  const target = z
    .object({
      paths: z.array(z.string().min(1)).min(1),
      exclude: z.array(z.string().min(1)).default([]),
      labels: labelsField.default({}),
      start_at: z.enum(START_AT_VALUES).default("beginning"),
      encoding: z.literal("utf8").default("utf8"),
    })
    .strict()
    .transform((t): LogFilesTarget => ({
      paths: t.paths.map((p) => (isAbsolute(p) ? p : resolve(baseDir, p))),
      exclude: t.exclude.map((p) => (p.includes("/") && !isAbsolute(p) ? resolve(baseDir, p) : p)),
      labels: t.labels,
      startAt: t.start_at,
    }));
  return z.array(target);
}

/** logFileOptionsSchema builds the schema of the `log_file_options` section. */
export function logFileOptionsSchema(baseDir: string) {
  return z
    .object({
      positions_file: z.string().min(1).optional(),
      sync_period: durationField({ positive: true }).prefault("10s"),
      poll_interval: durationField({ positive: true }).prefault("250ms"),
      flush_timeout: durationField({ positive: true }).prefault("5s"),
      max_line_size: sizeField().prefault("256KiB"),
      max_batch_lines: positiveInt().prefault(10_000),
      max_batch_size: sizeField().prefault("4MiB"),
      min_backoff: durationField({ positive: true }).prefault("100ms"),
      max_backoff: durationField({ positive: true }).prefault("10s"),
    })
    .strict()
    .superRefine((o, ctx) => {
      if (o.min_backoff > o.max_backoff) {
        ctx.addIssue({
          code: "custom",
          path: ["max_backoff"],
          message: "must not be less than min_backoff",
        });
      }
    })
    .transform((o): LogFileOptions => ({
      ...(o.positions_file !== undefined && {
        positionsFile: resolve(baseDir, o.positions_file),
      }),
      syncPeriodMs: o.sync_period,
      pollIntervalMs: o.poll_interval,
      flushTimeoutMs: o.flush_timeout,
      maxLineBytes: o.max_line_size,
      maxBatchLines: o.max_batch_lines,
      maxBatchBytes: o.max_batch_size,
      minBackoffMs: o.min_backoff,
      maxBackoffMs: o.max_backoff,
    }));
}

/** DEFAULT_LOG_FILE_OPTIONS are the options of an absent `log_file_options` section. */
export const DEFAULT_LOG_FILE_OPTIONS: LogFileOptions = logFileOptionsSchema("/").parse({});
