import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
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
import { MIGRATIONS } from "./schema.ts";

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
  await store.open();
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

// The same suite with the write-ahead log and a small head: commits are acknowledged from the
// log, and every query first writes the head in INSERTs that join several commits.
runLogStoreSuite({
  name: "embedded (chDB) with write-ahead log",
  newStore: async () => {
    const walDir = join(dir, `wal-${++seq}`);
    const { storage, store } = await open(`vigil_logs_${seq}`, {
      walDir,
      flushBytes: 4096,
      flushAgeMs: 50,
    });
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
      ["log_blooms", "log_entries", "log_streams"],
    );
    const entries = ddl[1]!.q;
    assert.match(entries, /ENGINE = ReplacingMergeTree/);
    assert.match(entries, /PARTITION BY toDate\(ts\)/);
    assert.match(entries, /PRIMARY KEY \(fingerprint, ts\)/);
    assert.match(entries, /ORDER BY \(fingerprint, ts, line\)/);
    assert.match(entries, /`line` String CODEC\(ZSTD\(1\)\)/);
    assert.doesNotMatch(entries, /INDEX/, "migration 6 dropped the ngram index");
    assert.match(ddl[0]!.q, /PARTITION BY toDate\(end\) ORDER BY \(fingerprint, start\)/);
    assert.match(ddl[0]!.q, /TTL toDateTime\(end\) \+ toIntervalSecond\(259200\)/);
    // Reopening with another retention re-applies the TTL, apart from the metrics retention.
    assert.match(entries, /TTL toDateTime\(ts\) \+ toIntervalSecond\(259200\)/);
    assert.match(ddl[2]!.q, /TTL date \+ toIntervalDay\(4\)/);
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
    // One block of line blooms, one of entries.
    assert.equal(afterWrite.MergeTreeDataWriterBlocks! - before.MergeTreeDataWriterBlocks!, 2);
    assert.equal(
      (afterWrite.MergeTreeDataWriterBlocksAlreadySorted ?? 0) -
        (before.MergeTreeDataWriterBlocksAlreadySorted ?? 0),
      2,
      "the blooms and entries blocks arrived sorted",
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

describe("log write-ahead log (embedded)", () => {
  const walFiles = (d: string): string[] => readdirSync(d).filter((n) => n.endsWith(".wal"));

  it("acknowledges from the log, and a store opened after a crash writes what it held", async () => {
    const walDir = join(dir, "wal-crash");
    const db = "vigil_logs_wal_crash";
    // No flush by size or age: the head holds every commit until a query or close.
    const big = { walDir, flushBytes: 1 << 30, flushAgeMs: 3_600_000 };
    const { storage, store } = await open(db, big);
    const ls = labelsFromRecord({ job: "wal" });
    for (let c = 0; c < 3; c++) {
      const app = store.logAppender();
      app.append(ls, [e(T0 + BigInt(c), `commit ${c}`), e(T0 + 10n + BigInt(c), `more ${c}`)]);
      await app.commit();
    }
    const count = async (): Promise<string> => {
      const [r] = await storage.drv.queryJson<{ n: string }>(
        `SELECT toString(count()) AS n FROM ${store.tables.entries}`,
      );
      return r!.n;
    };
    assert.equal(await count(), "0", "the head holds the acknowledged entries");
    assert.equal(walFiles(walDir).length, 1);
    // A record cut short at the end (a crash during a write) is not replayed, and not fatal.
    const seg = join(walDir, walFiles(walDir)[0]!);
    appendFileSync(seg, Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    // The process "dies": the store is dropped without close. A new store on the same tables
    // and log writes the segment, removes it, and starts its own.
    const again = new ClickHouseLogStore(storage.drv, {
      database: db,
      retentionMs: 60 * 86_400_000,
      batchMaxDelayMs: 20,
      ...big,
    });
    await again.open();
    assert.equal(await count(), "6");
    const rows = await all(again, { matchers: [new Matcher("=", "job", "wal")] });
    assert.deepEqual(
      rows.map((r) => r.line),
      ["commit 0", "commit 1", "commit 2", "more 0", "more 1", "more 2"],
    );
    assert.equal(walFiles(walDir).length, 1, "only the new store's segment is left");
    assert.ok(!existsSync(seg));
    // Queries write the head first: a commit is visible at once, and its segment goes once
    // the head is in ClickHouse and a newer segment is being written.
    const app = again.logAppender();
    app.append(ls, [e(T0 + 100n, "after reopen")]);
    await app.commit();
    const before = walFiles(walDir);
    assert.equal(
      (await all(again, { lineFilters: [{ op: "|=", values: ["after reopen"] }] })).length,
      1,
    );
    assert.equal(walFiles(walDir).length, 1);
    assert.notDeepEqual(walFiles(walDir), before);
    await again.close();
    assert.equal(walFiles(walDir).length, 0, "a clean close leaves an empty log");
    await storage.close();
  });

  it("joins commits of more than 100 days into inserts of at most 90 days", async () => {
    const walDir = join(dir, "wal-days");
    const { storage, store } = await open("vigil_logs_wal_days", {
      logsRetentionMs: 400 * 86_400_000,
      walDir,
      flushBytes: 1 << 30,
      flushAgeMs: 3_600_000,
    });
    // Three commits of 50 days each, 150 days in all, overlapping by 25 days.
    for (let c = 0; c < 3; c++) {
      const app = store.logAppender();
      const es = Array.from({ length: 50 }, (_, i) =>
        e(T0 - BigInt(c * 25 + i) * DAY + BigInt(c), `c${c} d${c * 25 + i}`),
      );
      app.append(labelsFromRecord({ job: "days" }), es);
      await app.commit();
    }
    const rows = await all(store, { startNs: T0 - 200n * DAY });
    assert.equal(rows.length, 150);
    const st = await store
      .logQuerier()
      .stats([new Matcher("=", "job", "days")], T0 - 200n * DAY, T0 + DAY);
    assert.equal(st.chunks, 100);
    assert.equal(st.entries, 150);
    await store.close();
    await storage.close();
  });

  it("keeps what ClickHouse refuses in the head and the log, and writes it later", async () => {
    const walDir = join(dir, "wal-refused");
    const { storage, store } = await open("vigil_logs_wal_refused", {
      walDir,
      flushBytes: 1 << 30,
      flushAgeMs: 3_600_000,
    });
    const drv = storage.drv as { insertNative: typeof storage.drv.insertNative };
    const real = drv.insertNative.bind(drv);
    let refuse = true;
    drv.insertNative = (...a) =>
      refuse && a[0] === store.tables.entries
        ? Promise.reject(new Error("refused on purpose"))
        : real(...a);
    try {
      const app = store.logAppender();
      app.append(labelsFromRecord({ job: "refused" }), [e(T0, "kept")]);
      await app.commit();
      await assert.rejects(all(store, {}), /refused on purpose/);
      assert.equal(walFiles(walDir).length, 2, "the segment stays while its piece waits");
      refuse = false;
      assert.deepEqual(
        (await all(store, {})).map((r) => r.line),
        ["kept"],
      );
      assert.equal(walFiles(walDir).length, 1);
    } finally {
      drv.insertNative = real;
    }
    await store.close();
    await storage.close();
  });
});

/** cacheReady waits until a store's bloom cache (if any) knows the table's filter rows. */
async function cacheReady(store: ClickHouseLogStore): Promise<void> {
  for (let i = 0; store.bloomCache && !store.bloomCache.ready; i++) {
    assert.ok(i < 500, "the bloom cache reads the table's filter ends");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("line blooms (embedded)", () => {
  // Without the cache of recent blooms, with one that holds them all, and with one that holds
  // a quarter of them (the rest are evicted and read from the table).
  for (const [name, cacheBytes] of [
    ["no cache", 0],
    ["cache", 1 << 30],
    ["small cache", 8 << 10],
  ] as const) {
    it(`finds every line that holds a needle, reading only the blocks that may hold it (${name})`, async () => {
      const db = `vigil_logs_blooms_${name.replace(" ", "_")}`;
      const { storage, store } = await open(db, { bloomCacheBytes: cacheBytes });
      await cacheReady(store);
      // Capture the entries queries, to see which ranges they name.
      const sqls: string[] = [];
      const drv = storage.drv;
      const queryNative = drv.queryNative.bind(drv);
      drv.queryNative = (sql, signal) => {
        sqls.push(sql);
        return queryNative(sql, signal);
      };
      let seed = 7;
      const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const words = [
        "alpha",
        "beta",
        "gamma",
        "délta",
        "ε",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
      ];
      const streams = [0, 1, 2].map((i) => labelsFromRecord({ job: "blooms", s: String(i) }));
      const written: { stream: number; line: string }[] = [];
      // Twenty commits, each a batch of its own, so that every stream has twenty blocks.
      for (let c = 0; c < 20; c++) {
        const app = store.logAppender();
        streams.forEach((ls, si) => {
          const es: LogEntry[] = [];
          for (let k = 0; k < 30; k++) {
            let line = "";
            for (let w = 0; w < 6; w++) line += words[Math.floor(rand() * words.length)]! + " ";
            line += `id=${Math.floor(rand() * 1e9).toString(36)}`;
            written.push({ stream: si, line });
            es.push(e(T0 + BigInt(c * 1000 + k), line));
          }
          app.append(ls, es);
        });
        await app.commit();
        await store.flush();
      }
      const needles = [
        ...Array.from({ length: 25 }, () => {
          const l = written[Math.floor(rand() * written.length)]!.line;
          const a = Math.floor(rand() * (l.length - 4));
          return l.slice(a, a + 4 + Math.floor(rand() * 12));
        }),
        "no such needle",
        "délta ε",
        "abc", // shorter than an n-gram: no bloom condition
      ];
      const check = async (s: ClickHouseLogStore, what: string) => {
        for (const needle of needles) {
          const want = written.filter((w) => w.line.includes(needle)).length;
          const got = await all(s, { lineFilters: [{ op: "|=", values: [needle] }] });
          assert.equal(got.length, want, `${what}: |= ${JSON.stringify(needle)}`);
          assert.ok(got.every((r) => r.line.includes(needle)));
        }
      };
      await check(store, "writer");
      if (cacheBytes > 0) {
        assert.ok(store.bloomCache!.bytes <= cacheBytes);
        if (cacheBytes < 1 << 20) assert.ok(store.bloomCache!.bytes > cacheBytes / 2);
      }
      // A needle held by one line: the entries query names that line's block only.
      const rare = written[345]!.line;
      assert.equal(written.filter((w) => w.line.includes(rare)).length, 1);
      sqls.length = 0;
      const got = await all(store, { lineFilters: [{ op: "|=", values: ["blah", rare] }] });
      assert.equal(got.length, 1);
      const entrySql = sqls.find((s) => s.includes(store.tables.entries))!;
      assert.equal(entrySql.match(/\(fingerprint = \d+ AND ts >= /g)?.length, 1, entrySql);
      // A needle no block holds reads no entries at all.
      sqls.length = 0;
      assert.equal(
        (await all(store, { lineFilters: [{ op: "|=", values: ["zzzzzz"] }] })).length,
        0,
      );
      assert.ok(!sqls.some((s) => s.includes(store.tables.entries)));
      // A store opened later on the same tables (as after a restart) finds what the first wrote,
      // and, once it has written more, both.
      const later = new ClickHouseLogStore(storage.drv, {
        database: db,
        retentionMs: 60 * 86_400_000,
        batchMaxDelayMs: 20,
        bloomCacheBytes: cacheBytes,
      });
      await later.open();
      await cacheReady(later);
      await check(later, "reopened");
      const app = later.logAppender();
      streams.forEach((ls, si) => {
        const line = `${words[si]} later ${si} ${written[si * 7]!.line}`;
        written.push({ stream: si, line });
        app.append(ls, [e(T0 + 5000n + BigInt(si), line)]);
      });
      await app.commit();
      await later.flush();
      needles.push("later");
      await check(later, "reopened, then written to");
      await later.close();
      await store.close();
      await storage.close();
    });
  }

  it("reads entries stored before migration 6 through the rows it adds for them", async () => {
    const { storage, store } = await open("vigil_logs_premigration");
    const app = store.logAppender();
    app.append(labelsFromRecord({ job: "old" }), [e(T0, "written with blooms")]);
    await app.commit();
    // An entry as Vigil stored it before migration 6: no filter row.
    const [fp] = await storage.drv.queryJson<{ fp: string }>(
      `SELECT toString(fingerprint) AS fp FROM ${store.tables.entries} LIMIT 1`,
    );
    await storage.drv.exec(
      `INSERT INTO ${store.tables.entries} (fingerprint, ts, line) VALUES` +
        ` (${fp!.fp}, fromUnixTimestamp64Nano(toInt64(${T0 + 5n}), 'UTC'), 'written before the blooms')`,
    );
    const q = { lineFilters: [{ op: "|=" as const, values: ["before the"] }] };
    assert.equal((await all(store, q)).length, 0, "not covered by a filter row yet");
    const v6 = MIGRATIONS.find((m) => m.version === 6)!;
    await storage.drv.exec(
      v6.statements({ database: "vigil_logs_premigration", retentionMs: 1 })[1]!,
    );
    assert.deepEqual(
      (await all(store, q)).map((r) => r.line),
      ["written before the blooms"],
    );
    await store.close();
    await storage.close();
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));
