// The one place that knows Vigil's ClickHouse schema. Every backend (embedded chDB, a ClickHouse
// server, a ClickHouse cluster) creates and migrates its tables from here.
//
// Metrics follow the shape of ClickHouse's own TimeSeries engine: a series ("tags") table keyed
// by a fingerprint of the label set, and a samples table ordered by (target, metric name,
// fingerprint, time) with time-series codecs. The series table holds one row per series per UTC
// day in which it received samples, so label lookups are bounded by time and expire with
// retention. Values are stored as decimal mantissa and exponent where that is exact
// (sample-encoding.ts).

import { MAX_EXPONENT, POW10, RAW_EXPONENT, TARGET_SQL } from "./sample-encoding.ts";
import { ident, quote } from "./sql.ts";

/** SchemaOptions selects database, clustering and retention for the generated DDL. */
export interface SchemaOptions {
  /** database that holds Vigil's tables. */
  readonly database: string;
  /** cluster: when set, DDL runs ON CLUSTER with Replicated local tables behind Distributed ones. */
  readonly cluster?: string;
  /** retentionMs: samples older than this are dropped by TTL (whole daily parts). */
  readonly retentionMs: number;
  /**
   * logsRetentionMs: log entries older than this are dropped by TTL (whole daily parts);
   * DEFAULT_LOGS_RETENTION_MS when absent.
   */
  readonly logsRetentionMs?: number;
}

/** DEFAULT_LOGS_RETENTION_MS is Loki's default retention period, 744h (31 days). */
export const DEFAULT_LOGS_RETENTION_MS = 744 * 3_600_000;

/** Migration is one versioned, append-only schema change. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(o: SchemaOptions): string[];
}

/** MIGRATIONS_TABLE records applied migrations. */
export const MIGRATIONS_TABLE = "schema_migrations";

/** Tables names the tables queries read from and inserts write to. */
export interface Tables {
  readonly series: string;
  readonly samples: string;
  readonly migrations: string;
  /**
   * shardSeries is the series table as seen from a shard: subqueries of a samples query read it,
   * since a series and its samples live on one shard (both are sharded by fingerprint), and
   * ClickHouse refuses a Distributed subquery inside a Distributed query by default
   * (distributed_product_mode = 'deny').
   */
  readonly shardSeries: string;
}

/** SERIES_TABLE names the series table (the Distributed one in a cluster). */
export const SERIES_TABLE = "series";

/**
 * SAMPLES_TABLE names the samples table (the Distributed one in a cluster). Migration 2 replaced
 * migration 1's `samples` with it, since a table cannot be renamed back in a way that is safe to
 * repeat after a crash.
 */
export const SAMPLES_TABLE = "samples_v2";

/** tables returns the fully qualified names to query and insert into (Distributed in a cluster). */
export function tables(o: SchemaOptions): Tables {
  const db = ident(o.database);
  return {
    series: `${db}.${SERIES_TABLE}`,
    samples: `${db}.${SAMPLES_TABLE}`,
    migrations: `${db}.${MIGRATIONS_TABLE}`,
    shardSeries: local(o, SERIES_TABLE),
  };
}

function onCluster(o: SchemaOptions): string {
  return o.cluster ? ` ON CLUSTER ${ident(o.cluster)}` : "";
}

/** local names the table that holds a shard's rows: `<name>_local` in a cluster, else `<name>`. */
function local(o: SchemaOptions, name: string): string {
  return `${ident(o.database)}.${name}${o.cluster ? "_local" : ""}`;
}

/**
 * engine returns the table engine clause: plain in a single node; Replicated with the standard
 * `{shard}`/`{replica}` macros in a cluster.
 */
function engine(o: SchemaOptions, kind: "MergeTree" | "ReplacingMergeTree", table: string): string {
  if (!o.cluster) return `${kind}`;
  const path = quote(`/clickhouse/tables/{shard}/${o.database}/${table}`);
  return `Replicated${kind}(${path}, '{replica}')`;
}

/**
 * createTable renders a table; in a cluster it renders `<name>_local` plus a Distributed
 * `<name>` sharded by `shardKey`, so that a series' rows live on one shard.
 */
function createTable(
  o: SchemaOptions,
  name: string,
  columns: string,
  kind: "MergeTree" | "ReplacingMergeTree",
  tail: string,
  shardKey: string,
): string[] {
  const db = ident(o.database);
  if (!o.cluster) {
    return [
      `CREATE TABLE IF NOT EXISTS ${db}.${name} (${columns}) ENGINE = ${engine(o, kind, name)} ${tail}`,
    ];
  }
  const local = `${name}_local`;
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${local}${onCluster(o)} (${columns}) ENGINE = ${engine(o, kind, local)} ${tail}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${name}${onCluster(o)} AS ${db}.${local} ENGINE = Distributed(${quote(o.cluster)}, ${quote(o.database)}, ${quote(local)}, ${shardKey})`,
  ];
}

/** retentionDays rounds retention up to whole days for day-granular tables. */
function retentionDays(o: SchemaOptions): number {
  return Math.max(1, Math.ceil(o.retentionMs / 86_400_000));
}

/** samplesTtl is the TTL clause of the samples table for the configured retention. */
export function samplesTtl(o: SchemaOptions): string {
  return `toDateTime(t) + toIntervalSecond(${Math.ceil(o.retentionMs / 1000)})`;
}

/** seriesTtl is the TTL clause of the series table (day rows kept one day longer). */
export function seriesTtl(o: SchemaOptions): string {
  return `date + toIntervalDay(${retentionDays(o) + 1})`;
}

/** LOG_STREAMS_TABLE names the log streams table (the Distributed one in a cluster). */
export const LOG_STREAMS_TABLE = "log_streams";

/** LOG_ENTRIES_TABLE names the log entries table (the Distributed one in a cluster). */
export const LOG_ENTRIES_TABLE = "log_entries";

/** LOG_BLOOMS_TABLE names the line blooms table (logs-bloom.ts; Distributed in a cluster). */
export const LOG_BLOOMS_TABLE = "log_blooms";

/** LogTables names the log tables queries read from and inserts write to. */
export interface LogTables {
  readonly streams: string;
  readonly entries: string;
  readonly blooms: string;
  /** shardStreams, shardEntries: the tables as seen from a shard, for subqueries (see Tables). */
  readonly shardStreams: string;
  readonly shardEntries: string;
}

/** logTables returns the fully qualified log table names (Distributed in a cluster). */
export function logTables(o: SchemaOptions): LogTables {
  const db = ident(o.database);
  return {
    streams: `${db}.${LOG_STREAMS_TABLE}`,
    entries: `${db}.${LOG_ENTRIES_TABLE}`,
    blooms: `${db}.${LOG_BLOOMS_TABLE}`,
    shardStreams: local(o, LOG_STREAMS_TABLE),
    shardEntries: local(o, LOG_ENTRIES_TABLE),
  };
}

/** LINE_INDEX names the skip index on log lines that migration 4 made and migration 6 dropped. */
export const LINE_INDEX = "line_ngrams";

function logsRetentionMs(o: SchemaOptions): number {
  return o.logsRetentionMs ?? DEFAULT_LOGS_RETENTION_MS;
}

/** logEntriesTtl is the TTL clause of the log entries table for the configured log retention. */
export function logEntriesTtl(o: SchemaOptions): string {
  return `toDateTime(ts) + toIntervalSecond(${Math.ceil(logsRetentionMs(o) / 1000)})`;
}

/** logBloomsTtl is the TTL clause of the line blooms table: as the entries, by a block's end. */
export function logBloomsTtl(o: SchemaOptions): string {
  return `toDateTime(end) + toIntervalSecond(${Math.ceil(logsRetentionMs(o) / 1000)})`;
}

/** logStreamsTtl is the TTL clause of the log streams table (day rows kept one day longer). */
export function logStreamsTtl(o: SchemaOptions): string {
  const days = Math.max(1, Math.ceil(logsRetentionMs(o) / 86_400_000));
  return `date + toIntervalDay(${days + 1})`;
}

/** MIGRATIONS lists every schema version in order. Never edit an applied one; append. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "metrics series and samples",
    statements: (o) => [
      ...createTable(
        o,
        "series",
        [
          "date Date",
          "metric_name LowCardinality(String)",
          "fingerprint UInt64",
          "labels Map(LowCardinality(String), String)",
        ].join(", "),
        "ReplacingMergeTree",
        `PARTITION BY date ORDER BY (metric_name, fingerprint, date) TTL ${seriesTtl(o)}`,
        "fingerprint",
      ),
      ...createTable(
        o,
        "samples",
        [
          "metric_name LowCardinality(String) CODEC(ZSTD(1))",
          "fingerprint UInt64 CODEC(ZSTD(1))",
          "t DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1))",
          "value Float64 CODEC(Delta, ZSTD(1))",
        ].join(", "),
        "ReplacingMergeTree",
        // Delta + ZSTD beat DoubleDelta/Gorilla on scrape data with timestamp jitter, and 1 MiB
        // compression blocks let ZSTD see across series (bench/storage.ts: 2.57 → 1.85 B/sample).
        `PARTITION BY toDate(t) ORDER BY (metric_name, fingerprint, t) TTL ${samplesTtl(o)}` +
          ` SETTINGS ttl_only_drop_parts = 1, min_compress_block_size = 1048576,` +
          ` max_compress_block_size = 1048576`,
        "fingerprint",
      ),
    ],
  },
  {
    version: 2,
    name: "samples_v2: decimal values, ordered by target",
    statements: (o) => [
      ...createTable(
        o,
        SAMPLES_TABLE,
        [
          "metric_name LowCardinality(String) CODEC(ZSTD(1))",
          "target UInt32 CODEC(ZSTD(1))",
          "fingerprint UInt64 CODEC(ZSTD(1))",
          "t DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1))",
          "e UInt8 CODEC(ZSTD(1))",
          "m Int64 CODEC(Delta, T64, ZSTD(1))",
          "f Float64 CODEC(Gorilla, ZSTD(1))",
        ].join(", "),
        "ReplacingMergeTree",
        // A value is m / 10^e, or f when e = 255 (sample-encoding.ts). Ordering by target first
        // puts all series of one scrape target, which share their timestamps, side by side: `t`
        // then compresses ten times better than with (metric_name, target, ...), and a target's
        // series are one range of the table. Queries take the whole key prefix from the series
        // table, so a metric name need not come first. bench/storage.ts: 1.85 B/sample before,
        // 1.42 with (metric_name, target, ...), 1.26 with this order. Sparse serialization
        // stores only the non-zero `f` of a part when most values are decimal, which spares
        // merges most of that column.
        `PARTITION BY toDate(t) ORDER BY (target, metric_name, fingerprint, t) TTL ${samplesTtl(o)}` +
          ` SETTINGS ttl_only_drop_parts = 1, min_compress_block_size = 1048576,` +
          ` max_compress_block_size = 1048576, ratio_of_defaults_for_sparse_serialization = 0.75`,
        "fingerprint",
      ),
      // Starting afresh makes the copy safe to repeat when a crash interrupted it: migration 1's
      // table is only dropped by migration 3, after this one is recorded.
      `TRUNCATE TABLE IF EXISTS ${local(o, SAMPLES_TABLE)}${onCluster(o)}`,
      copyV1Samples(o),
    ],
  },
  {
    version: 3,
    name: "drop migration 1's samples table",
    statements: (o) => dropTable(o, "samples"),
  },
  {
    version: 4,
    name: "log streams and entries",
    statements: (o) => [
      // One row per stream per UTC day with entries, like the series table: label lookups are
      // bounded by time and expire with retention.
      ...createTable(
        o,
        LOG_STREAMS_TABLE,
        ["date Date", "fingerprint UInt64", "labels Map(LowCardinality(String), String)"].join(
          ", ",
        ),
        "ReplacingMergeTree",
        `PARTITION BY date ORDER BY (fingerprint, date) TTL ${logStreamsTtl(o)}`,
        "fingerprint",
      ),
      // Entries of a stream lie together in time order. The sorting key ends with the line so
      // that ReplacingMergeTree merges away repeated (stream, ts, line) entries, as Loki drops
      // them; the primary key stops before it, so lines never enter the in-memory index.
      // Readers drop duplicates that merges have not reached yet (logs.ts).
      //
      // The ngram bloom filter lets `|= "needle"` (pushed down as LIKE '%needle%') skip granules
      // that cannot hold the needle; bench/logs-storage.ts measures what it costs and saves.
      // tokenbf_v1 would only serve whole-token searches (hasToken), which a substring filter
      // cannot use in general.
      ...createTable(
        o,
        LOG_ENTRIES_TABLE,
        [
          "fingerprint UInt64 CODEC(ZSTD(1))",
          "ts DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1))",
          "line String CODEC(ZSTD(1))",
          "metadata Map(LowCardinality(String), String) CODEC(ZSTD(1))",
          `INDEX ${LINE_INDEX} line TYPE ngrambf_v1(4, 65536, 3, 0) GRANULARITY 1`,
        ].join(", "),
        "ReplacingMergeTree",
        `PARTITION BY toDate(ts) PRIMARY KEY (fingerprint, ts) ORDER BY (fingerprint, ts, line)` +
          ` TTL ${logEntriesTtl(o)} SETTINGS ttl_only_drop_parts = 1`,
        "fingerprint",
      ),
    ],
  },
  {
    version: 5,
    name: "samples: deduplicate repeated write-ahead log segments",
    // The write-ahead log (wal.ts) flushes each segment in one INSERT whose deduplication token
    // is the segment's name; a segment replayed after a crash that followed its INSERT is then
    // dropped as a repeat. Non-replicated MergeTree deduplicates only with this window set;
    // replicated tables keep their own window (replicated_deduplication_window).
    statements: (o) =>
      o.cluster
        ? []
        : [
            `ALTER TABLE ${ident(o.database)}.${SAMPLES_TABLE} MODIFY SETTING non_replicated_deduplication_window = 1000`,
          ],
  },
  {
    version: 6,
    name: "log lines: blooms built by Vigil instead of the ngram skip index",
    // logs-bloom.ts says why. Entries stored before this migration get one filter row per
    // (stream, day) that matches everything (one byte of set bits, shift 29), so that queries
    // still read them; the skip index goes last. Repeating the statements after a crash only
    // adds rows that match everything, which costs reads, not results.
    statements: (o) => [
      ...createTable(
        o,
        LOG_BLOOMS_TABLE,
        [
          "fingerprint UInt64",
          "start DateTime64(9, 'UTC')",
          "end DateTime64(9, 'UTC')",
          "shift UInt8",
          // Filters are random bits: compression saves nothing and slows every read.
          "bloom String CODEC(NONE)",
        ].join(", "),
        "MergeTree",
        `PARTITION BY toDate(end) ORDER BY (fingerprint, start) TTL ${logBloomsTtl(o)}` +
          ` SETTINGS ttl_only_drop_parts = 1`,
        "fingerprint",
      ),
      `INSERT INTO ${ident(o.database)}.${LOG_BLOOMS_TABLE} (fingerprint, start, end, shift, bloom)` +
        ` SELECT fingerprint, min(ts), max(ts), 29, unhex('FF') FROM ${ident(o.database)}.${LOG_ENTRIES_TABLE}` +
        ` GROUP BY fingerprint, toDate(ts)`,
      `ALTER TABLE ${local(o, LOG_ENTRIES_TABLE)}${onCluster(o)} DROP INDEX IF EXISTS ${LINE_INDEX}`,
      // Log parts are written small (one per group commit) and merged while writes go on; a
      // merge that takes more parts at once rewrites each line fewer times.
      `ALTER TABLE ${local(o, LOG_ENTRIES_TABLE)}${onCluster(o)} MODIFY SETTING merge_selector_base = 20`,
    ],
  },
];

/**
 * decimalOkSql is the condition of decimalExponent (sample-encoding.ts) for a Float64 `value`
 * and a Float64 power of ten `p`: round(value * p) / p gives value back, the mantissa is a safe
 * integer, and value is not -0.
 */
function decimalOkSql(value: string, p: string): string {
  const m = `round(${value} * ${p})`;
  return (
    `(abs(${m}) <= ${Number.MAX_SAFE_INTEGER} AND ${m} / ${p} = ${value}` +
    ` AND reinterpretAsUInt64(${value}) != 9223372036854775808)`
  );
}

/**
 * copyV1Samples converts migration 1's samples into the samples_v2 layout. Each series gets one
 * exponent, the largest that any of its values needs (as an appender's exponent only grows), and
 * the target key of its labels. In a cluster every shard converts its own rows: both tables and
 * the series table are sharded by fingerprint, so the joins read the shard's local tables.
 */
function copyV1Samples(o: SchemaOptions): string {
  const db = ident(o.database);
  const pow = (k: number) => `toFloat64(${POW10[k]})`;
  const minExp = `multiIf(${Array.from(
    { length: MAX_EXPONENT + 1 },
    (_, k) => `${decimalOkSql("value", pow(k))}, ${k}`,
  ).join(", ")}, ${RAW_EXPONENT})`;
  const powers = `CAST([${[...POW10].join(", ")}], 'Array(Float64)')`;
  return (
    `INSERT INTO ${db}.${SAMPLES_TABLE} (metric_name, target, fingerprint, t, e, m, f)` +
    ` WITH arrayElement(${powers}, x.series_exp + 1) AS p,` +
    ` ${decimalOkSql("s.value", "p")} AS ok` +
    ` SELECT s.metric_name, tg.target, s.fingerprint, s.t,` +
    ` if(ok, x.series_exp, ${RAW_EXPONENT}), if(ok, toInt64(round(s.value * p)), 0),` +
    // Through the bits, so that NaN payloads (the stale marker) survive.
    ` reinterpretAsFloat64(if(ok, toUInt64(0), reinterpretAsUInt64(s.value)))` +
    ` FROM ${db}.samples AS s` +
    ` LEFT JOIN (SELECT fingerprint, maxIf(k, k <= ${MAX_EXPONENT}) AS series_exp` +
    ` FROM (SELECT fingerprint, ${minExp} AS k FROM ${local(o, "samples")}) GROUP BY fingerprint)` +
    ` AS x ON s.fingerprint = x.fingerprint` +
    ` LEFT JOIN (SELECT fingerprint, any(${TARGET_SQL}) AS target FROM ${local(o, SERIES_TABLE)}` +
    ` GROUP BY fingerprint) AS tg ON s.fingerprint = tg.fingerprint` +
    (o.cluster ? " SETTINGS parallel_distributed_insert_select = 2" : "")
  );
}

/** dropTable drops a table made by createTable (and its local tables in a cluster). */
function dropTable(o: SchemaOptions, name: string): string[] {
  const db = ident(o.database);
  const drop = (n: string) => `DROP TABLE IF EXISTS ${db}.${n}${onCluster(o)} SYNC`;
  return o.cluster ? [drop(name), drop(`${name}_local`)] : [drop(name)];
}

/** bootstrapStatements creates the database and the migrations table. */
export function bootstrapStatements(o: SchemaOptions): string[] {
  const db = ident(o.database);
  const cols = "version UInt32, name String, applied_at DateTime DEFAULT now()";
  const eng = o.cluster
    ? `ReplicatedMergeTree(${quote(`/clickhouse/tables/${o.database}/${MIGRATIONS_TABLE}`)}, '{replica}')`
    : "MergeTree";
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}${onCluster(o)}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${MIGRATIONS_TABLE}${onCluster(o)} (${cols}) ENGINE = ${eng} ORDER BY version`,
  ];
}

/**
 * retentionStatements re-applies the TTLs, for a data directory created with another retention.
 * `materialize_ttl_after_modify = 0` keeps the change cheap: existing parts expire as they merge
 * or as whole days age out.
 */
export function retentionStatements(o: SchemaOptions): string[] {
  const settings = " SETTINGS materialize_ttl_after_modify = 0";
  return [
    `ALTER TABLE ${local(o, SAMPLES_TABLE)}${onCluster(o)} MODIFY TTL ${samplesTtl(o)}${settings}`,
    `ALTER TABLE ${local(o, SERIES_TABLE)}${onCluster(o)} MODIFY TTL ${seriesTtl(o)}${settings}`,
    `ALTER TABLE ${local(o, LOG_ENTRIES_TABLE)}${onCluster(o)} MODIFY TTL ${logEntriesTtl(o)}${settings}`,
    `ALTER TABLE ${local(o, LOG_STREAMS_TABLE)}${onCluster(o)} MODIFY TTL ${logStreamsTtl(o)}${settings}`,
    `ALTER TABLE ${local(o, LOG_BLOOMS_TABLE)}${onCluster(o)} MODIFY TTL ${logBloomsTtl(o)}${settings}`,
  ];
}
