import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Matcher, labelsFromRecord } from "../../model/labels/index.ts";
import { runStorageSuite } from "../conformance/index.ts";
import type { Storage } from "../interface.ts";
import { openChdbDriver } from "./chdb-driver.ts";
import type { ClickHouseStorage } from "./store.ts";
import { openClickHouseStorage } from "./store.ts";

// chDB binds one data directory per process, so every storage of this file lives in one
// directory, each in a database of its own.
const dir = mkdtempSync(join(tmpdir(), "vigil-embedded-"));
let seq = 0;

async function open(database: string, retentionDays = 60): Promise<ClickHouseStorage> {
  return openClickHouseStorage(await openChdbDriver(dir), {
    engine: "embedded",
    database,
    retentionMs: retentionDays * 86_400_000,
    batchMaxRows: 10_000,
    batchMaxDelayMs: 20,
  });
}

const dbOf = new WeakMap<Storage, string>();

runStorageSuite({
  name: "embedded (chDB)",
  newStorage: async () => {
    const db = `vigil_test_${++seq}`;
    const s = await open(db);
    dbOf.set(s, db);
    return s;
  },
  reopen: async (s) => {
    const db = dbOf.get(s)!;
    await s.close();
    const again = await open(db);
    dbOf.set(again, db);
    return again;
  },
});

describe("embedded schema", () => {
  it("records migrations once and re-applies a changed retention", async () => {
    const s1 = await open("vigil_schema", 60);
    await s1.close();
    const s2 = await open("vigil_schema", 7);
    const rows = await s2.drv.queryJson<{ version: number; n: string }>(
      "SELECT version, toString(count()) AS n FROM vigil_schema.schema_migrations GROUP BY version",
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.version), r.n]),
      [[1, "1"]],
    );
    const [ddl] = await s2.drv.queryJson<{ q: string }>(
      "SELECT create_table_query AS q FROM system.tables WHERE database = 'vigil_schema' AND name = 'samples'",
    );
    assert.match(ddl!.q, /TTL toDateTime\(t\) \+ toIntervalSecond\(604800\)/);
    assert.match(ddl!.q, /PARTITION BY toDate\(t\)/);
    assert.match(ddl!.q, /CODEC\(Delta(\(8\))?, ZSTD\(1\)\)/);
    await s2.close();
  });

  it("drops samples older than the retention", async () => {
    const s = await open("vigil_ttl", 2);
    const now = Date.now();
    const ls = labelsFromRecord({ __name__: "ttl_metric" });
    const app = s.appender();
    app.append(0, ls, now - 5 * 86_400_000, 1);
    app.append(0, ls, now - 60_000, 2);
    await app.commit();
    await s.optimize();
    const [got] = await s
      .querier(now - 10 * 86_400_000, now)
      .select([new Matcher("=", "__name__", "ttl_metric")]);
    assert.deepEqual([...got!.values], [2]);
    await s.close();
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));
