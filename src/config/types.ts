// The effective configuration, as the rest of Vigil sees it: camelCase keys, durations in
// milliseconds, sizes in bytes, paths absolute. The YAML spelling of each field is in brackets.
import type { GlobalConfig, ScrapeConfig } from "../scrape/config.ts";
import type { AlertingConfig, RulesConfig } from "./rules.ts";
import type { AlertmanagerSection } from "../alerting/config/load.ts";
import type { HeartbeatsConfig } from "../heartbeats/config.ts";
import type { LogIngestConfig } from "../ingest/loki/config.ts";
import type { OtlpLogsConfig } from "../ingest/otlp/config.ts";
import type { LogFileOptions, LogFilesTarget } from "../ingest/files/config.ts";

export type { GlobalConfig, ScrapeConfig };

/** LOG_LEVELS lists the accepted values of server.log_level, least severe first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** LogLevel is the minimum severity Vigil logs. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** STORAGE_ENGINES lists the accepted values of storage.engine. */
export const STORAGE_ENGINES = ["embedded", "clickhouse", "memory"] as const;

/**
 * StorageEngine selects the storage backend: "embedded" runs ClickHouse in-process (chDB) on
 * dataDir, "clickhouse" talks to a ClickHouse server or cluster, "memory" keeps everything in
 * memory and loses it on exit (tests and demos).
 */
export type StorageEngine = (typeof STORAGE_ENGINES)[number];

/** ServerConfig configures the HTTP server [server]. */
export interface ServerConfig {
  /** Address to listen on, HOST:PORT or [IPv6]:PORT [listen]; default "127.0.0.1:9700". */
  listen: string;
  /** Minimum severity to log [log_level]; default "info". */
  logLevel: LogLevel;
  /** Largest accepted request body in bytes [max_request_body]; default 10MiB. */
  maxRequestBodyBytes: number;
  /** Requests per second accepted from one client address before 429 [rate_limit]; default 1000. */
  rateLimitPerSecond: number;
  /**
   * URL under which Vigil is reached from outside, without trailing slash, for links in alerts
   * (Prometheus's --web.external-url) [external_url]; default http://<hostname>:<port>.
   */
  externalUrl?: string;
}

/** ClickHouseConfig configures the connection to a ClickHouse server [storage.clickhouse]. */
export interface ClickHouseConfig {
  /** HTTP(S) endpoint, e.g. "http://127.0.0.1:8123" [url]; required. */
  url: string;
  /** User name [username]; default "default". */
  username: string;
  /** Password, read from password_file at load time when that is set [password]; default "". */
  password: string;
  /** Database holding Vigil's tables [database]; default "vigil". */
  database: string;
  /** Cluster name; when set, DDL runs ON CLUSTER this cluster [cluster]; default unset. */
  cluster?: string;
  /** Timeout of each request to ClickHouse in milliseconds [request_timeout]; default 30s. */
  requestTimeoutMs: number;
}

/** StorageConfig configures where and how long samples and logs are kept [storage]. */
export interface StorageConfig {
  /** Storage backend [engine]; default "embedded". */
  engine: StorageEngine;
  /**
   * Absolute data directory of the embedded engine [data_dir]; default "./data". A relative
   * path in the file is resolved against the config file's directory.
   */
  dataDir: string;
  /** How long data is kept, in milliseconds, > 0 [retention]; default 60d. */
  retentionMs: number;
  /** How long log entries are kept, in milliseconds, > 0 [logs_retention]; default 744h (Loki's). */
  logsRetentionMs: number;
  /** Most rows in one insert batch, > 0 [batch_max_rows]; default 1000000. */
  batchMaxRows: number;
  /** Longest a row waits for its batch to be flushed, in milliseconds [batch_max_delay]; default 200ms. */
  batchMaxDelayMs: number;
  /**
   * How much recent data is also kept in memory, so that queries over it (rules, instant
   * queries, recent dashboard panels) skip ClickHouse, in milliseconds [head_duration]; default
   * 2h; 0 turns the head off (do so when several Vigils write one ClickHouse cluster).
   */
  headDurationMs: number;
  /**
   * Most samples the head holds (about 16 bytes each) [head_max_samples]; default 16000000 (about
   * 256 MB). Past it the head keeps a shorter span, at least 15m; 0: no bound.
   */
  headMaxSamples: number;
  /**
   * With a head, commits are acknowledged once in a write-ahead log (`<data_dir>/wal`, fsynced)
   * and written to ClickHouse this often, in milliseconds [flush_interval]; default 30s. Large,
   * rare INSERTs cost ClickHouse far less CPU than one per commit. 0 turns the log off: every
   * batch (batch_max_delay) is then an INSERT that commits wait for.
   */
  flushIntervalMs: number;
  /** ClickHouse connection; present exactly when engine is "clickhouse" [clickhouse]. */
  clickhouse?: ClickHouseConfig;
}

/**
 * QueryConfig configures the PromQL engine [query]. The defaults are those of Prometheus's
 * --query.* flags.
 */
export interface QueryConfig {
  /** How far back an instant selector looks for a sample, in milliseconds, > 0 [lookback_delta]; default 5m. */
  lookbackDeltaMs: number;
  /** Longest a query may run, in milliseconds, > 0 [timeout]; default 2m. */
  timeoutMs: number;
  /** Most samples one query may hold in memory at once, > 0 [max_samples]; default 50000000. */
  maxSamples: number;
  /** Most queries evaluated at once; more wait in line, > 0 [max_concurrency]; default 20. */
  maxConcurrency: number;
}

/** PushgatewayConfig configures the Pushgateway-compatible push API [pushgateway]. */
export interface PushgatewayConfig {
  /** How often every pushed group's values are written again, > 0 [resend_interval]; default 15s. */
  resendIntervalMs: number;
  /**
   * File that keeps pushed groups across restarts, relative to storage.data_dir
   * [persistence_file]; default "pushgateway.json"; "" keeps none.
   */
  persistenceFile: string;
}

/** RemoteWriteReceiverConfig configures POST /api/v1/write [remote_write_receiver]. */
export interface RemoteWriteReceiverConfig {
  /** Largest uncompressed request accepted, in bytes, > 0 [max_decoded_bytes]; default 32MiB. */
  maxDecodedBytes: number;
}

/** LogsConfig configures log ingestion [logs]. */
export interface LogsConfig {
  /** Loki's distributor limits, shared by Loki push and OTLP [ingest]. */
  ingest: LogIngestConfig;
  /** OTLP logs mapping to streams and structured metadata [otlp]. */
  otlp: OtlpLogsConfig;
}

/** VigilConfig is the validated contents of vigil.yml with defaults filled in. */
export interface VigilConfig {
  server: ServerConfig;
  storage: StorageConfig;
  query: QueryConfig;
  /** Settings shared by scrape jobs and rules, Prometheus's `global` section [global]. */
  global: GlobalConfig;
  /** Scrape jobs in Prometheus's format [scrape_configs]; default none. */
  scrapeConfigs: ScrapeConfig[];
  pushgateway: PushgatewayConfig;
  remoteWriteReceiver: RemoteWriteReceiverConfig;
  /** Rule file globs, relative ones joined to the config file's directory [rule_files]. */
  ruleFiles: string[];
  rules: RulesConfig;
  alerting: AlertingConfig;
  /**
   * Vigil's notification router: an Alertmanager configuration inline or in a file, and team
   * routing [alertmanager] (src/alerting, docs/alerting.md).
   */
  alertmanager: AlertmanagerSection;
  /** Dead man's switch checks and Vigil's own outgoing ping [heartbeats] (src/heartbeats). */
  heartbeats: HeartbeatsConfig;
  /** Log ingestion limits (Loki push, OTLP) [logs]. */
  logs: LogsConfig;
  /** Local log files to collect [log_files] (src/ingest/files). */
  logFiles: LogFilesTarget[];
  /** Settings of log file collection [log_file_options]. */
  logFileOptions: LogFileOptions;
  /** The file the configuration was loaded from, as given; unset for defaultConfig(). */
  file?: string;
}
