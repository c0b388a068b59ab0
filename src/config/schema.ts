// The vigil.yml schema: snake_case keys in, VigilConfig out. Every object is strict so that a
// misspelt key is an error rather than a silently ignored setting.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getSystemErrorMap } from "node:util";
import { z } from "zod";
import { splitHostPort } from "./address.ts";
import type {
  PushgatewayConfig,
  RemoteWriteReceiverConfig,
  ClickHouseConfig,
  QueryConfig,
  ServerConfig,
  StorageConfig,
  VigilConfig,
} from "./types.ts";
import { LOG_LEVELS, STORAGE_ENGINES } from "./types.ts";
import { errorMessage } from "../util/errors.ts";
import { globalSchema, resolveScrapeConfigs, scrapeConfigsSchema } from "../scrape/config.ts";
import { alertingSchema, ruleFilesSchema, rulesSchema } from "./rules.ts";
import { alertmanagerSchema } from "./alertmanager.ts";
import { durationField, positiveInt, sizeField } from "./fields.ts";
import { heartbeatsSchema } from "../heartbeats/config.ts";
import { logIngestSchema } from "../ingest/loki/config.ts";
import { otlpLogsSchema } from "../ingest/otlp/config.ts";
import { logFileOptionsSchema, logFilesSchema } from "../ingest/files/config.ts";

/** nonEmptyString accepts any string but "". */
function nonEmptyString() {
  return z.string().min(1);
}

const listenField = z.string().superRefine((addr, ctx) => {
  try {
    splitHostPort(addr);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: errorMessage(err) });
  }
});

const urlField = z.string().superRefine((text, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // Reported below.
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    ctx.addIssue({
      code: "custom",
      message: `invalid URL ${JSON.stringify(text)} (want http:// or https://)`,
    });
  }
});

const serverSchema = z
  .object({
    listen: listenField.default("127.0.0.1:9700"),
    log_level: z.enum(LOG_LEVELS).default("info"),
    max_request_body: sizeField().prefault("10MiB"),
    rate_limit: positiveInt().prefault(1000),
    external_url: urlField.optional(),
  })
  .strict()
  .transform((s): ServerConfig => ({
    listen: s.listen,
    logLevel: s.log_level,
    maxRequestBodyBytes: s.max_request_body,
    rateLimitPerSecond: s.rate_limit,
    ...(s.external_url !== undefined && { externalUrl: s.external_url.replace(/\/+$/, "") }),
  }));

const clickhouseSchema = z
  .object({
    url: urlField.optional(),
    username: nonEmptyString().default("default"),
    password: z.string().default(""),
    password_file: nonEmptyString().optional(),
    database: nonEmptyString().default("vigil"),
    cluster: z.string().default(""),
    request_timeout: durationField({ positive: true }).prefault("30s"),
  })
  .strict()
  .superRefine((ch, ctx) => {
    if (ch.password !== "" && ch.password_file !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["password_file"],
        message: "password and password_file are mutually exclusive",
      });
    }
  });

/** readSecretFile reads a password file, trimming surrounding white space as Prometheus does. */
function readSecretFile(path: string): string {
  return readFileSync(path, "utf8").trim();
}

/** fsErrorReason words a file system error briefly: "ENOENT: no such file or directory". */
function fsErrorReason(err: unknown): string {
  if (err instanceof Error && "errno" in err && typeof err.errno === "number") {
    const entry = getSystemErrorMap().get(err.errno);
    if (entry) return `${entry[0]}: ${entry[1]}`;
  }
  return errorMessage(err);
}

/**
 * storageSchema builds the storage section's schema. baseDir anchors relative paths. The
 * ClickHouse section is validated whatever the engine, but only used (and its password file
 * only read) when engine is clickhouse.
 */
function storageSchema(baseDir: string) {
  return z
    .object({
      engine: z.enum(STORAGE_ENGINES).default("embedded"),
      data_dir: nonEmptyString().default("./data"),
      retention: durationField({ positive: true }).prefault("60d"),
      logs_retention: durationField({ positive: true }).prefault("744h"),
      batch_max_rows: positiveInt().prefault(1_000_000),
      batch_max_delay: durationField({ positive: false }).prefault("200ms"),
      head_duration: durationField({ positive: false }).prefault("2h"),
      head_max_samples: z.number().int().min(0).default(16_000_000),
      flush_interval: durationField({ positive: false }).prefault("30s"),
      clickhouse: clickhouseSchema.optional(),
    })
    .strict()
    .transform((s, ctx): StorageConfig => {
      const out: StorageConfig = {
        engine: s.engine,
        dataDir: resolve(baseDir, s.data_dir),
        retentionMs: s.retention,
        logsRetentionMs: s.logs_retention,
        batchMaxRows: s.batch_max_rows,
        batchMaxDelayMs: s.batch_max_delay,
        headDurationMs: s.head_duration,
        headMaxSamples: s.head_max_samples,
        flushIntervalMs: s.flush_interval,
      };
      if (s.engine !== "clickhouse") return out;

      const ch = s.clickhouse;
      if (ch?.url === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["clickhouse", "url"],
          message: "required when storage.engine is clickhouse",
        });
        return z.NEVER;
      }
      let password = ch.password;
      if (ch.password_file !== undefined) {
        const path = resolve(baseDir, ch.password_file);
        try {
          password = readSecretFile(path);
        } catch (err) {
          ctx.addIssue({
            code: "custom",
            path: ["clickhouse", "password_file"],
            message: `cannot read password file ${JSON.stringify(path)}: ${fsErrorReason(err)}`,
          });
          return z.NEVER;
        }
      }
      const clickhouse: ClickHouseConfig = {
        url: ch.url,
        username: ch.username,
        password,
        database: ch.database,
        requestTimeoutMs: ch.request_timeout,
      };
      if (ch.cluster !== "") clickhouse.cluster = ch.cluster;
      out.clickhouse = clickhouse;
      return out;
    });
}

const querySchema = z
  .object({
    lookback_delta: durationField({ positive: true }).prefault("5m"),
    timeout: durationField({ positive: true }).prefault("2m"),
    max_samples: positiveInt().prefault(50_000_000),
    max_concurrency: positiveInt().prefault(20),
  })
  .strict()
  .transform((q): QueryConfig => ({
    lookbackDeltaMs: q.lookback_delta,
    timeoutMs: q.timeout,
    maxSamples: q.max_samples,
    maxConcurrency: q.max_concurrency,
  }));

const pushgatewaySchema = z
  .object({
    resend_interval: durationField({ positive: true }).prefault("15s"),
    persistence_file: z.string().default("pushgateway.json"),
  })
  .strict()
  .transform((p): PushgatewayConfig => ({
    resendIntervalMs: p.resend_interval,
    persistenceFile: p.persistence_file,
  }));

const remoteWriteReceiverSchema = z
  .object({ max_decoded_bytes: sizeField().prefault("32MiB") })
  .strict()
  .transform((r): RemoteWriteReceiverConfig => ({ maxDecodedBytes: r.max_decoded_bytes }));

/**
 * configSchema builds the schema of a whole vigil.yml. baseDir is the directory relative paths
 * in the file (data_dir, password_file) are resolved against. Absent keys and sections take
 * their defaults; the input must already have its null values removed.
 */
export function configSchema(baseDir: string) {
  return z
    .object({
      server: serverSchema.prefault({}),
      storage: storageSchema(baseDir).prefault({}),
      query: querySchema.prefault({}),
      global: globalSchema.prefault({}),
      scrape_configs: scrapeConfigsSchema(baseDir).default([]),
      pushgateway: pushgatewaySchema.prefault({}),
      remote_write_receiver: remoteWriteReceiverSchema.prefault({}),
      rule_files: ruleFilesSchema(baseDir).default([]),
      rules: rulesSchema(baseDir).prefault({}),
      alerting: alertingSchema.prefault({}),
      alertmanager: alertmanagerSchema(baseDir).prefault({}),
      heartbeats: heartbeatsSchema.prefault({}),
      logs: z
        .object({ ingest: logIngestSchema.prefault({}), otlp: otlpLogsSchema.prefault({}) })
        .strict()
        .prefault({}),
      log_files: logFilesSchema(baseDir).default([]),
      log_file_options: logFileOptionsSchema(baseDir).prefault({}),
    })
    .strict()
    .transform((c, ctx): VigilConfig => ({
      server: c.server,
      storage: c.storage,
      query: c.query,
      global: c.global,
      scrapeConfigs: resolveScrapeConfigs(c.global, c.scrape_configs, ctx),
      pushgateway: c.pushgateway,
      remoteWriteReceiver: c.remote_write_receiver,
      ruleFiles: c.rule_files,
      rules: c.rules,
      alerting: c.alerting,
      alertmanager: c.alertmanager,
      heartbeats: c.heartbeats,
      logs: c.logs,
      logFiles: c.log_files,
      logFileOptions: c.log_file_options,
    }));
}
