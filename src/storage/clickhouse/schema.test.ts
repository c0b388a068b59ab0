import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MIGRATIONS, bootstrapStatements, retentionStatements, tables } from "./schema.ts";

const single = { database: "vigil", retentionMs: 60 * 86_400_000 };
const cluster = { ...single, cluster: "main" };

describe("schema DDL", () => {
  it("creates plain MergeTree tables on one node", () => {
    const ddl = [
      ...bootstrapStatements(single),
      ...MIGRATIONS.flatMap((m) => m.statements(single)),
    ];
    assert.ok(ddl.every((s) => !s.includes("ON CLUSTER")));
    assert.ok(
      ddl.some((s) =>
        /`vigil`\.samples \(.*\) ENGINE = ReplacingMergeTree PARTITION BY toDate\(t\)/.test(s),
      ),
    );
    assert.ok(ddl.some((s) => s.includes("TTL toDateTime(t) + toIntervalSecond(5184000)")));
    assert.ok(ddl.some((s) => s.includes("TTL date + toIntervalDay(61)")));
    assert.equal(tables(single).samples, "`vigil`.samples");
  });

  it("creates Replicated local tables and Distributed tables ON CLUSTER", () => {
    const ddl = [
      ...bootstrapStatements(cluster),
      ...MIGRATIONS.flatMap((m) => m.statements(cluster)),
    ];
    assert.ok(
      ddl.every((s) => s.includes(" ON CLUSTER `main`")),
      "every DDL runs on the cluster",
    );
    const local = ddl.find((s) => s.includes("`vigil`.samples_local ON CLUSTER"));
    assert.match(
      local ?? "",
      /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/vigil\/samples_local', '\{replica\}'\)/,
    );
    const dist = ddl.find((s) =>
      s.startsWith("CREATE TABLE IF NOT EXISTS `vigil`.samples ON CLUSTER"),
    );
    assert.match(
      dist ?? "",
      /AS `vigil`\.samples_local ENGINE = Distributed\('main', 'vigil', 'samples_local', fingerprint\)/,
    );
    // Queries and inserts go to the Distributed tables; TTL changes to the local ones.
    assert.equal(tables(cluster).samples, "`vigil`.samples");
    assert.ok(
      retentionStatements(cluster).every((s) => /_local ON CLUSTER `main` MODIFY TTL/.test(s)),
    );
  });
});
