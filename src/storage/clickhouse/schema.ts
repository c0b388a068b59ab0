// The one place that knows Vigil's ClickHouse schema. Every backend (embedded chDB, a ClickHouse
// server, a ClickHouse cluster) creates and migrates its tables from here.
//
// Metrics follow the shape of ClickHouse's own TimeSeries engine: a series ("tags") table keyed
// by a fingerprint of the label set, and a samples table ordered by (metric name, fingerprint,
// time) with time-series codecs. The series table holds one row per series per UTC day in which
// it received samples, so label lookups are bounded by time and expire with retention.

import { ident, quote } from "./sql.ts";

/** SchemaOptions selects database, clustering and retention for the generated DDL. */
export interface SchemaOptions {
  /** database that holds Vigil's tables. */
  readonly database: string;
  /** cluster: when set, DDL runs ON CLUSTER with Replicated local tables behind Distributed ones. */
  readonly cluster?: string;
  /** retentionMs: samples older than this are dropped by TTL (whole daily parts). */
  readonly retentionMs: number;
}

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
}

/** tables returns the fully qualified names to query and insert into (Distributed in a cluster). */
export function tables(o: SchemaOptions): Tables {
  const db = ident(o.database);
  return {
    series: `${db}.series`,
    samples: `${db}.samples`,
    migrations: `${db}.${MIGRATIONS_TABLE}`,
  };
}

function onCluster(o: SchemaOptions): string {
  return o.cluster ? ` ON CLUSTER ${ident(o.cluster)}` : "";
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
];

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
  const db = ident(o.database);
  const suffix = o.cluster ? "_local" : "";
  const settings = " SETTINGS materialize_ttl_after_modify = 0";
  return [
    `ALTER TABLE ${db}.samples${suffix}${onCluster(o)} MODIFY TTL ${samplesTtl(o)}${settings}`,
    `ALTER TABLE ${db}.series${suffix}${onCluster(o)} MODIFY TTL ${seriesTtl(o)}${settings}`,
  ];
}
