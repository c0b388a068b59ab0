import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Labels } from "../../model/labels/index.ts";
import {
  METRIC_NAME,
  Matcher,
  fingerprint,
  labelsFromRecord,
  metricName,
} from "../../model/labels/index.ts";
import { STALE_NAN } from "../../model/value/index.ts";
import { runStorageSuite } from "../conformance/index.ts";
import type { Storage } from "../interface.ts";
import { openChdbDriver } from "./chdb-driver.ts";
import { targetOf } from "./sample-encoding.ts";
import { MIGRATIONS, bootstrapStatements } from "./schema.ts";
import { quote } from "./sql.ts";
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
      "SELECT version, toString(count()) AS n FROM vigil_schema.schema_migrations" +
        " GROUP BY version ORDER BY version",
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.version), r.n]),
      MIGRATIONS.map((m) => [m.version, "1"]),
    );
    const ddl = await s2.drv.queryJson<{ name: string; q: string }>(
      "SELECT name, create_table_query AS q FROM system.tables WHERE database = 'vigil_schema'" +
        " ORDER BY name",
    );
    assert.deepEqual(
      ddl.map((t) => t.name),
      ["log_blooms", "log_entries", "log_streams", "samples_v2", "schema_migrations", "series"],
      "migration 1's samples table is gone",
    );
    const samples = ddl.find((t) => t.name === "samples_v2")!.q;
    assert.match(samples, /TTL toDateTime\(t\) \+ toIntervalSecond\(604800\)/);
    assert.match(samples, /PARTITION BY toDate\(t\)/);
    assert.match(samples, /ORDER BY \(target, metric_name, fingerprint, t\)/);
    assert.match(samples, /`m` Int64 CODEC\(Delta(\(8\))?, T64, ZSTD\(1\)\)/);
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

describe("embedded inserts", () => {
  it("sends samples sorted by the table's sorting key, so that ClickHouse need not sort", async () => {
    const s = await open("vigil_sorted");
    const T0 = Date.now() - 3_600_000;
    const series = ["b_metric", "B_metric", "a_metric", "a_metric_total"].flatMap((name) =>
      ["x:1", "y:1", "z:1"].flatMap((instance) =>
        ["0", "1", "2"].map((cpu) => labelsFromRecord({ __name__: name, instance, cpu })),
      ),
    );
    const scrape = async (t: number) => {
      const app = s.appender();
      series.forEach((ls, i) => app.append(0, ls, t, i + 0.5));
      await app.commit();
    };
    await scrape(T0); // also writes the series rows
    const events = async () =>
      Object.fromEntries(
        (
          await s.drv.queryJson<{ event: string; n: string }>(
            "SELECT event, toString(value) AS n FROM system.events" +
              " WHERE event LIKE 'MergeTreeDataWriterBlocks%'",
          )
        ).map((r) => [r.event, Number(r.n)]),
      );
    const before = await events();
    await scrape(T0 + 15_000);
    const after = await events();
    assert.equal(after.MergeTreeDataWriterBlocks! - before.MergeTreeDataWriterBlocks!, 1);
    assert.equal(
      (after.MergeTreeDataWriterBlocksAlreadySorted ?? 0) -
        (before.MergeTreeDataWriterBlocksAlreadySorted ?? 0),
      1,
      "the samples block arrived sorted",
    );
    const got = await s.querier(T0, T0 + 15_000).select([new Matcher("=~", METRIC_NAME, ".+")]);
    assert.equal(got.length, series.length);
    assert.ok(got.every((g) => g.values.length === 2));
    await s.close();
  });
});

describe("upgrade from migration 1", () => {
  // Yesterday at 12:00 UTC, inside the retention and away from a day boundary.
  const T0 = (Math.floor(Date.now() / 86_400_000) - 1) * 86_400_000 + 12 * 3_600_000;
  const bitsOf = (vs: Float64Array) => [...new BigUint64Array(vs.slice().buffer)];
  const special = new Float64Array([
    0,
    NaN,
    Infinity,
    -Infinity,
    -0,
    5e-324,
    1.7e308,
    0.1,
    0.1 + 0.2,
    Math.PI,
    2 ** 53 + 2,
    -(2 ** 53),
    -1e-12,
  ]);
  special[0] = STALE_NAN;
  const cases: { labels: Labels; values: Float64Array; exps: number[] }[] = [
    {
      labels: labelsFromRecord({ __name__: "upgrade_decimal", job: "api", instance: "a:1" }),
      // The series needs 9 decimals (1e-9); 1e15 * 1e9 is beyond 2^53 and stays raw.
      values: new Float64Array([1, 2.5, 0.125, 1e-9, -3.75, 123456.789, 0, 1e15, 10]),
      exps: [9, 9, 9, 9, 9, 9, 9, 255, 9],
    },
    {
      labels: labelsFromRecord({ __name__: "upgrade_special", job: "api", instance: "a:1" }),
      values: special,
      // Only 0.1 is decimal; ±2^53 and beyond are not safe mantissas, -1e-12 needs 12 decimals.
      exps: [255, 255, 255, 255, 255, 255, 255, 1, 255, 255, 255, 255, 255],
    },
    {
      labels: labelsFromRecord({ __name__: "upgrade_plain" }),
      values: new Float64Array([42, 43]),
      exps: [0, 0],
    },
  ];

  /** writeV1 creates migration 1's tables in `db` and fills them as Vigil 0.1 would. */
  async function writeV1(db: string): Promise<void> {
    const drv = await openChdbDriver(dir);
    const o = { database: db, retentionMs: 60 * 86_400_000 };
    for (const sql of [...bootstrapStatements(o), ...MIGRATIONS[0]!.statements(o)]) {
      await drv.exec(sql);
    }
    await drv.exec(`INSERT INTO ${db}.schema_migrations (version, name) VALUES (1, 'v1')`);
    const series: string[] = [];
    const samples: string[] = [];
    const day = `toDate(fromUnixTimestamp64Milli(toInt64(${T0}), 'UTC'))`;
    for (const c of cases) {
      const fp = fingerprint(c.labels);
      const labels = c.labels
        .filter((l) => l.name !== METRIC_NAME)
        .flatMap((l) => [quote(l.name), quote(l.value)]);
      const name = quote(metricName(c.labels));
      series.push(`(${day}, ${name}, ${fp}, map(${labels.join(", ")}))`);
      bitsOf(c.values).forEach((b, i) => {
        const t = `fromUnixTimestamp64Milli(toInt64(${T0 + i * 15_000}), 'UTC')`;
        samples.push(`(${name}, ${fp}, ${t}, reinterpretAsFloat64(toUInt64('${b}')))`);
      });
    }
    await drv.exec(`INSERT INTO ${db}.series VALUES ${series.join(", ")}`);
    await drv.exec(`INSERT INTO ${db}.samples VALUES ${samples.join(", ")}`);
    await drv.close();
  }

  it("keeps every sample bit for bit, stale markers included, and continues the series", async () => {
    const db = "vigil_upgrade";
    await writeV1(db);
    // A crash during migration 2 repeats it; its copy must not duplicate samples.
    const drv = await openChdbDriver(dir);
    for (const sql of MIGRATIONS[1]!.statements({ database: db, retentionMs: 60 * 86_400_000 })) {
      await drv.exec(sql);
    }
    await drv.close();

    const s = await open(db);
    const tablesLeft = await s.drv.queryJson<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = '${db}' ORDER BY name`,
    );
    assert.deepEqual(
      tablesLeft.map((r) => r.name),
      ["log_blooms", "log_entries", "log_streams", "samples_v2", "schema_migrations", "series"],
    );
    const stored = await s.drv.queryJson<{ fp: string; tg: string; e: number[]; n: string }>(
      `SELECT toString(fingerprint) AS fp, toString(any(target)) AS tg,` +
        ` arrayMap(x -> x.2, arraySort(groupArray((t, e)))) AS e, toString(count()) AS n` +
        ` FROM ${db}.samples_v2 GROUP BY fingerprint`,
    );
    for (const c of cases) {
      const row = stored.find((r) => r.fp === String(fingerprint(c.labels)));
      assert.ok(row, metricName(c.labels));
      assert.equal(row.n, String(c.values.length), "copied once");
      assert.equal(row.tg, String(targetOf(c.labels)), "SQL and JS agree on the target key");
      assert.deepEqual(row.e.map(Number), c.exps, `exponents of ${metricName(c.labels)}`);
    }
    const got = await s
      .querier(T0, T0 + 3_600_000)
      .select([new Matcher("=~", METRIC_NAME, "upgrade_.*")]);
    assert.equal(got.length, cases.length);
    for (const c of cases) {
      const g = got.find((x) => metricName(x.labels) === metricName(c.labels))!;
      assert.deepEqual(g.labels, c.labels);
      assert.deepEqual(
        [...g.timestamps],
        Array.from(c.values, (_, i) => T0 + i * 15_000),
      );
      assert.deepEqual(bitsOf(g.values), bitsOf(c.values), metricName(c.labels));
    }

    // Appends after the upgrade land on the same sorting key: a repeated sample is merged away.
    const app = s.appender();
    app.append(0, cases[0]!.labels, T0, 1);
    app.append(0, cases[0]!.labels, T0 + 9 * 15_000, 11);
    await app.commit();
    await s.optimize();
    const [n] = await s.drv.queryJson<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${db}.samples_v2` +
        ` WHERE fingerprint = ${fingerprint(cases[0]!.labels)}`,
    );
    assert.equal(n!.n, String(cases[0]!.values.length + 1));
    await s.close();
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));
