import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MIGRATIONS,
  SAMPLES_TABLE,
  bootstrapStatements,
  retentionStatements,
  tables,
} from "./schema.ts";

const single = { database: "vigil", retentionMs: 60 * 86_400_000 };
const cluster = { ...single, cluster: "main" };

const isDdl = (s: string) => !s.startsWith("INSERT ");

describe("schema DDL", () => {
  it("creates plain MergeTree tables on one node", () => {
    const ddl = [
      ...bootstrapStatements(single),
      ...MIGRATIONS.flatMap((m) => m.statements(single)),
    ];
    assert.ok(ddl.every((s) => !s.includes("ON CLUSTER") && !s.includes("_local")));
    assert.ok(
      ddl.some((s) =>
        /`vigil`\.samples_v2 \(.*\) ENGINE = ReplacingMergeTree PARTITION BY toDate\(t\) ORDER BY \(target, metric_name, fingerprint, t\)/.test(
          s,
        ),
      ),
    );
    assert.ok(ddl.some((s) => s.includes("TTL toDateTime(t) + toIntervalSecond(5184000)")));
    assert.ok(ddl.some((s) => s.includes("TTL date + toIntervalDay(61)")));
    assert.equal(tables(single).samples, "`vigil`.samples_v2");
    assert.equal(tables(single).shardSeries, "`vigil`.series");
    assert.equal(SAMPLES_TABLE, "samples_v2");
  });

  it("keeps migration 1 as shipped and moves its samples in later migrations", () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
      "versions are consecutive",
    );
    const v1 = MIGRATIONS[0]!.statements(single);
    assert.ok(
      v1.some((s) => /`vigil`\.samples \(.*value Float64 CODEC\(Delta, ZSTD\(1\)\)/.test(s)),
    );
    const [create, truncate, copy] = MIGRATIONS[1]!.statements(single);
    assert.match(create!, /^CREATE TABLE IF NOT EXISTS `vigil`\.samples_v2 /);
    // The copy starts afresh, so that repeating an interrupted migration 2 adds no duplicates.
    assert.equal(truncate, "TRUNCATE TABLE IF EXISTS `vigil`.samples_v2");
    assert.match(
      copy!,
      /^INSERT INTO `vigil`\.samples_v2 \(.*\) WITH .* SELECT .* FROM `vigil`\.samples AS s /,
    );
    assert.deepEqual(MIGRATIONS[2]!.statements(single), [
      "DROP TABLE IF EXISTS `vigil`.samples SYNC",
    ]);
  });

  it("creates Replicated local tables and Distributed tables ON CLUSTER", () => {
    const ddl = [
      ...bootstrapStatements(cluster),
      ...MIGRATIONS.flatMap((m) => m.statements(cluster)),
    ];
    assert.ok(
      ddl.filter(isDdl).every((s) => s.includes(" ON CLUSTER `main`")),
      "every DDL runs on the cluster",
    );
    const local = ddl.find((s) => s.includes("`vigil`.samples_v2_local ON CLUSTER"));
    assert.match(
      local ?? "",
      /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/vigil\/samples_v2_local', '\{replica\}'\)/,
    );
    const dist = ddl.find((s) =>
      s.startsWith("CREATE TABLE IF NOT EXISTS `vigil`.samples_v2 ON CLUSTER"),
    );
    assert.match(
      dist ?? "",
      /AS `vigil`\.samples_v2_local ENGINE = Distributed\('main', 'vigil', 'samples_v2_local', fingerprint\)/,
    );
    // Queries and inserts go to the Distributed tables; TTL changes to the local ones.
    assert.equal(tables(cluster).samples, "`vigil`.samples_v2");
    assert.equal(tables(cluster).shardSeries, "`vigil`.series_local");
    assert.ok(
      retentionStatements(cluster).every((s) => /_local ON CLUSTER `main` MODIFY TTL/.test(s)),
    );
  });

  it("converts migration 1's samples shard by shard in a cluster", () => {
    const [, , truncate, copy] = MIGRATIONS[1]!.statements(cluster);
    assert.equal(truncate, "TRUNCATE TABLE IF EXISTS `vigil`.samples_v2_local ON CLUSTER `main`");
    // Distributed to Distributed, both sharded by fingerprint: each shard copies its own rows,
    // and the joins read the shard's local tables (which hold all of its series).
    assert.match(copy!, /^INSERT INTO `vigil`\.samples_v2 \(/);
    assert.match(copy!, / FROM `vigil`\.samples AS s /);
    assert.match(copy!, / FROM `vigil`\.samples_local\)/);
    assert.match(copy!, / FROM `vigil`\.series_local /);
    assert.match(copy!, /SETTINGS parallel_distributed_insert_select = 2$/);
    assert.deepEqual(MIGRATIONS[2]!.statements(cluster), [
      "DROP TABLE IF EXISTS `vigil`.samples ON CLUSTER `main` SYNC",
      "DROP TABLE IF EXISTS `vigil`.samples_local ON CLUSTER `main` SYNC",
    ]);
  });
});
