import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { EMPTY_LABELS, Matcher, labelsFromRecord } from "../../model/labels/index.ts";
import { runLogStoreSuite } from "../conformance/logs-suite.ts";
import type { LogEntry, LogRow, LogSelect } from "../logs.ts";
import { openChdbDriver } from "./chdb-driver.ts";
import type { ClickHouseLogStoreOptions } from "./logs.ts";
import { ClickHouseLogStore } from "./logs.ts";
import type { ClickHouseStorage } from "./store.ts";
import { openClickHouseStorage } from "./store.ts";

// chDB binds one data directory per process, so every store of this file lives in one
// directory, each in a database of its own.
const dir = mkdtempSync(join(tmpdir(), "vigil-logs-embedded-"));
let seq = 0;

async function open(
  database: string,
  extra: Partial<ClickHouseLogStoreOptions> = {},
): Promise<{ storage: ClickHouseStorage; store: ClickHouseLogStore }> {
  const opts = {
    engine: "embedded" as const,
    database,
    retentionMs: 60 * 86_400_000,
    batchMaxRows: 10_000,
    batchMaxDelayMs: 20,
    ...extra,
  };
  const storage = await openClickHouseStorage(await openChdbDriver(dir), opts);
  // Small pages, so that the suite's larger selects take many pages and windows.
  const store = new ClickHouseLogStore(storage.drv, {
    pageRows: 2000,
    pageBytes: 64 << 10,
    ...opts,
  });
  return { storage, store };
}

runLogStoreSuite({
  name: "embedded (chDB)",
  newStore: async () => {
    const { storage, store } = await open(`vigil_logs_${++seq}`);
    return {
      store,
      close: async () => {
        await store.close();
        await storage.close();
      },
    };
  },
});

const T0 = BigInt((Math.floor(Date.now() / 86_400_000) - 1) * 86_400_000) * 1_000_000n;
const DAY = 86_400_000_000_000n;
const e = (tsNs: bigint, line: string): LogEntry => ({ tsNs, line, metadata: EMPTY_LABELS });

async function all(store: ClickHouseLogStore, q: Partial<LogSelect>): Promise<LogRow[]> {
  const out: LogRow[] = [];
  for await (const b of store.logQuerier().select({
    matchers: [new Matcher("=~", "job", ".+")],
    startNs: 0n,
    endNs: T0 + 10n * DAY,
    order: "forward",
    ...q,
  })) {
    out.push(...b);
  }
  return out;
}

describe("embedded log tables", () => {
  it("serves Storage.logs on the storage's driver and keeps commits across reopen", async () => {
    const first = await open("vigil_logs_wired");
    const app = first.storage.logs.logAppender();
    app.append(labelsFromRecord({ job: "wired" }), [e(T0, "kept")]);
    await app.commit();
    await first.store.close();
    await first.storage.close();
    assert.throws(
      () => first.storage.logs.logAppender().append(labelsFromRecord({ a: "b" }), []),
      /closed/,
    );
    const again = await open("vigil_logs_wired");
    const rows = await all(again.storage.logs as ClickHouseLogStore, {});
    assert.deepEqual(
      rows.map((r) => r.line),
      ["kept"],
    );
    await again.store.close();
    await again.storage.close();
  });

  it("creates the log tables with codecs, daily partitions, a line index and their own TTL", async () => {
    const { storage, store } = await open("vigil_logs_ddl", { logsRetentionMs: 7 * 86_400_000 });
    await store.close();
    await storage.close();
    const again = await open("vigil_logs_ddl", { logsRetentionMs: 3 * 86_400_000 });
    const ddl = await again.storage.drv.queryJson<{ name: string; q: string }>(
      "SELECT name, create_table_query AS q FROM system.tables WHERE database = 'vigil_logs_ddl'" +
        " AND name LIKE 'log_%' ORDER BY name",
    );
    assert.deepEqual(
      ddl.map((t) => t.name),
      ["log_entries", "log_streams"],
    );
    const entries = ddl[0]!.q;
    assert.match(entries, /ENGINE = ReplacingMergeTree/);
    assert.match(entries, /PARTITION BY toDate\(ts\)/);
    assert.match(entries, /PRIMARY KEY \(fingerprint, ts\)/);
    assert.match(entries, /ORDER BY \(fingerprint, ts, line\)/);
    assert.match(entries, /`line` String CODEC\(ZSTD\(1\)\)/);
    assert.match(entries, /INDEX line_ngrams line TYPE ngrambf_v1/);
    // Reopening with another retention re-applies the TTL, apart from the metrics retention.
    assert.match(entries, /TTL toDateTime\(ts\) \+ toIntervalSecond\(259200\)/);
    assert.match(ddl[1]!.q, /TTL date \+ toIntervalDay\(4\)/);
    const samples = await again.storage.drv.queryJson<{ q: string }>(
      "SELECT create_table_query AS q FROM system.tables WHERE database = 'vigil_logs_ddl'" +
        " AND name = 'samples_v2'",
    );
    assert.match(samples[0]!.q, /toIntervalSecond\(5184000\)/);
    await again.store.close();
    await again.storage.close();
  });

  it("drops entries older than the log retention", async () => {
    const { storage, store } = await open("vigil_logs_ttl", { logsRetentionMs: 2 * 86_400_000 });
    const now = BigInt(Date.now()) * 1_000_000n;
    const app = store.logAppender();
    app.append(labelsFromRecord({ job: "ttl" }), [
      e(now - 5n * DAY, "old"),
      e(now - 60n * 1_000_000_000n, "new"),
    ]);
    await app.commit();
    await store.optimize();
    const rows = await all(store, { startNs: now - 10n * DAY, endNs: now + 1n });
    assert.deepEqual(
      rows.map((r) => r.line),
      ["new"],
    );
    await store.close();
    await storage.close();
  });

  it("merges duplicates away and writes blocks in sorting-key order", async () => {
    const { storage, store } = await open("vigil_logs_dups");
    const events = async () =>
      Object.fromEntries(
        (
          await storage.drv.queryJson<{ event: string; n: string }>(
            "SELECT event, toString(value) AS n FROM system.events" +
              " WHERE event LIKE 'MergeTreeDataWriterBlocks%'",
          )
        ).map((r) => [r.event, Number(r.n)]),
      );
    const streams = ["a", "b", "c", "d"].map((x) => labelsFromRecord({ job: "dups", x }));
    const write = async () => {
      const app = store.logAppender();
      for (const ls of streams)
        app.append(ls, [e(T0 + 2n, "z"), e(T0, "b"), e(T0, "a"), e(T0 + 1n, "m")]);
      await app.commit();
    };
    await write(); // also writes the stream rows
    const before = await events();
    await write();
    const afterWrite = await events();
    assert.equal(afterWrite.MergeTreeDataWriterBlocks! - before.MergeTreeDataWriterBlocks!, 1);
    assert.equal(
      (afterWrite.MergeTreeDataWriterBlocksAlreadySorted ?? 0) -
        (before.MergeTreeDataWriterBlocksAlreadySorted ?? 0),
      1,
      "the entries block arrived sorted",
    );
    assert.equal((await all(store, {})).length, 16, "duplicates dropped at read time");
    await store.optimize();
    const [n] = await storage.drv.queryJson<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${store.tables.entries}`,
    );
    assert.equal(n!.n, "16", "and by merges");
    await store.close();
    await storage.close();
  });

  it("writes a batch spanning more than 100 days in several inserts", async () => {
    const { storage, store } = await open("vigil_logs_days", { logsRetentionMs: 400 * 86_400_000 });
    const app = store.logAppender();
    const es = Array.from({ length: 150 }, (_, i) => e(T0 - BigInt(i) * DAY, `day ${i}`));
    app.append(labelsFromRecord({ job: "days" }), es);
    await app.commit();
    const rows = await all(store, { startNs: T0 - 200n * DAY });
    assert.equal(rows.length, 150);
    const st = await store
      .logQuerier()
      .stats([new Matcher("=", "job", "days")], T0 - 200n * DAY, T0 + DAY);
    assert.deepEqual(st, {
      streams: 1,
      chunks: 150,
      entries: 150,
      bytes: rows.reduce((a, r) => a + r.line.length, 0),
    });
    await store.close();
    await storage.close();
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));
