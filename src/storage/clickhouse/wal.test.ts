import assert from "node:assert/strict";
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Labels } from "../../model/labels/index.ts";
import { Matcher, labelsFromRecord } from "../../model/labels/index.ts";
import { STALE_NAN, isStaleNaN } from "../../model/value/index.ts";
import { openChdbDriver } from "./chdb-driver.ts";
import { SAMPLES_TABLE } from "./schema.ts";
import type { ClickHouseStorage } from "./store.ts";
import { openClickHouseStorage } from "./store.ts";
import { SampleWal, WalSegments, frameHeader, readFrames, readSegment } from "./wal.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "vigil-wal-"));
  dirs.push(d);
  return d;
}

const A = labelsFromRecord({ __name__: "wal_test", job: "a" });
const B = labelsFromRecord({ __name__: "wal_test", job: "b", ünïcode: "välue" });

describe("SampleWal", () => {
  function write(dir: string): { wal: SampleWal; seg: string } {
    const labels: Labels[] = [A, B];
    const { wal, segments } = SampleWal.open(dir, (ref) => labels[ref - 1]!);
    assert.deepEqual(segments, []);
    return { wal, seg: wal.segment };
  }

  it("reads back what it wrote: series defined once per segment, values bit for bit", async () => {
    const dir = tempDir();
    const { wal, seg } = write(dir);
    await wal.append(Int32Array.of(1, 2), Float64Array.of(1000, 1000), Float64Array.of(1.5, -0), 2);
    await wal.append(
      Int32Array.of(2, 1),
      Float64Array.of(2000, 2000),
      Float64Array.of(STALE_NAN, NaN),
      2,
    );
    const rotated = wal.rotate();
    assert.equal(rotated, seg);
    await wal.append(Int32Array.of(2), Float64Array.of(3000), Float64Array.of(7), 1);
    await wal.close(false);

    const first = readSegment(join(dir, seg), seg);
    assert.equal(first.error, undefined);
    assert.deepEqual(
      [...first.series.entries()],
      [
        [1, A],
        [2, B],
      ],
    );
    assert.equal(first.commits.length, 2);
    assert.deepEqual([...first.commits[0]!.refs], [1, 2]);
    assert.ok(Object.is(first.commits[0]!.vs[1], -0), "negative zero kept");
    assert.ok(isStaleNaN(first.commits[1]!.vs[0]!), "stale marker payload kept");
    assert.ok(Number.isNaN(first.commits[1]!.vs[1]!) && !isStaleNaN(first.commits[1]!.vs[1]!));

    // The next segment defines series 2 again, so that it replays on its own.
    const names = readdirSync(dir).sort();
    assert.equal(names.length, 2);
    const second = readSegment(join(dir, names[1]!), names[1]!);
    assert.deepEqual([...second.series.keys()], [2]);
    assert.deepEqual([...second.commits[0]!.ts], [3000]);
  });

  it("stops at a torn or corrupt record and keeps what came before", async () => {
    const dir = tempDir();
    const { wal, seg } = write(dir);
    await wal.append(Int32Array.of(1), Float64Array.of(1000), Float64Array.of(1), 1);
    await wal.append(Int32Array.of(1), Float64Array.of(2000), Float64Array.of(2), 1);
    await wal.close(false);
    const path = join(dir, seg);
    const full = readFileSync(path);

    truncateSync(path, full.length - 3);
    let r = readSegment(path, seg);
    assert.equal(r.commits.length, 1);
    assert.match(r.error ?? "", /cut short/);

    const bad = Buffer.from(full);
    bad[bad.length - 1]! ^= 0xff;
    writeFileSync(path, bad);
    r = readSegment(path, seg);
    assert.equal(r.commits.length, 1);
    assert.match(r.error ?? "", /checksum mismatch/);

    writeFileSync(path, full);
    appendFileSync(path, Buffer.from([1, 2, 3]));
    r = readSegment(path, seg);
    assert.equal(r.commits.length, 2);
    assert.match(r.error ?? "", /header cut short/);
  });
});

describe("ClickHouse storage with the write-ahead log", () => {
  const open = (dir: string, flushIntervalMs = 60_000): Promise<ClickHouseStorage> =>
    openChdbDriver(dir).then((d) =>
      openClickHouseStorage(d, {
        engine: "embedded",
        database: "vigil",
        retentionMs: 30 * 86_400_000,
        batchMaxRows: 100_000,
        batchMaxDelayMs: 5,
        headDurationMs: 7_200_000,
        walDir: join(dir, "wal"),
        flushIntervalMs,
      }),
    );
  const rowsInClickHouse = async (s: ClickHouseStorage): Promise<number> => {
    const [r] = await s.drv.queryJson<{ n: string }>(
      `SELECT toString(count()) AS n FROM vigil.${SAMPLES_TABLE}`,
    );
    return Number(r!.n);
  };
  const sel = [new Matcher("=", "__name__", "wal_test")];

  it("acknowledges before ClickHouse has the samples, reads them from the head, writes them on flush", async () => {
    const dir = tempDir();
    const s = await open(dir);
    try {
      const now = Date.now();
      const app = s.appender();
      app.append(0, A, now, 1);
      app.append(0, B, now, 2);
      await app.commit();
      assert.equal(await rowsInClickHouse(s), 0, "not in ClickHouse before the flush interval");
      // A range reaching before the head's complete range reads both parts.
      const got = await s.querier(now - 3_600_000, now + 1).select(sel);
      assert.deepEqual(
        got.map((x) => [x.labels, [...x.values]]),
        [
          [A, [1]],
          [B, [2]],
        ],
      );
      await s.flush();
      assert.equal(await rowsInClickHouse(s), 2);
      assert.equal(readdirSync(join(dir, "wal")).length, 1, "only the open segment is left");
    } finally {
      await s.close();
    }
  });

  it("joins a series' samples from ClickHouse (before the head's range) and the head", async () => {
    const dir = tempDir();
    const now = Date.now();
    let s = await open(dir);
    const app = s.appender();
    app.append(0, A, now - 1_800_000, 10);
    await app.commit();
    await s.close();
    s = await open(dir);
    try {
      const app2 = s.appender();
      app2.append(0, A, now + 1000, 11);
      await app2.commit();
      const [x] = await s.querier(now - 3_600_000, now + 5000).select(sel);
      assert.deepEqual([...x!.timestamps], [now - 1_800_000, now + 1000]);
      assert.deepEqual([...x!.values], [10, 11]);
      assert.deepEqual(await s.querier(now - 3_600_000, now + 5000).labelValues("job"), ["a"]);
    } finally {
      await s.close();
    }
  });

  it("flushes before a ClickHouse read when logged samples are older than the head's range", async () => {
    const dir = tempDir();
    const s = await open(dir);
    try {
      const old = Date.now() - 5_400_000; // before the head's complete range (it just opened)
      const app = s.appender();
      app.append(0, B, old, 42);
      await app.commit();
      const got = await s.querier(old - 1000, old + 1000).select(sel);
      assert.deepEqual(
        got.map((x) => [...x.values]),
        [[42]],
      );
    } finally {
      await s.close();
    }
  });

  it("replays a segment left behind, and a segment replayed twice is written once", async () => {
    const dir = tempDir();
    const walDir = join(dir, "wal");
    // A segment written by "another process": the log alone, without a storage.
    const prep = tempDir();
    const labels = [A, B];
    const { wal } = SampleWal.open(prep, (ref) => labels[ref - 1]!);
    const t = Date.now() - 600_000;
    await wal.append(Int32Array.of(1, 2), Float64Array.of(t, t), Float64Array.of(5, 6), 2);
    const name = wal.rotate();
    await wal.close(true);

    let s = await open(dir);
    await s.close();
    copyFileSync(join(prep, name), join(walDir, name));
    s = await open(dir);
    assert.equal(await rowsInClickHouse(s), 2, "replayed at open");
    assert.ok(!readdirSync(walDir).includes(name), "removed once written");
    await s.close();
    // As if the process had died after the INSERT but before removing the file.
    copyFileSync(join(prep, name), join(walDir, name));
    s = await open(dir);
    try {
      assert.equal(await rowsInClickHouse(s), 2, "the repeat was deduplicated");
      const got = await s.querier(t - 1, t + 1).select(sel);
      assert.deepEqual(
        got.map((x) => [...x.values]),
        [[5], [6]],
      );
    } finally {
      await s.close();
    }
  });
});

describe("WalSegments.appendAsync", () => {
  it("writes queued records in call order across rotations, and close waits for them", async () => {
    const dir = tempDir();
    const log = new WalSegments(dir);
    const rec = (i: number): Uint8Array[] => {
      // Records of 4 bytes to ~600 KB, so that some writes take several writev calls.
      const payload = Buffer.alloc(4 + ((i * 7919) % 600_000), i & 0xff);
      payload.writeUInt32LE(i, 0);
      return [frameHeader(7, [payload]), payload];
    };
    const names: string[] = [log.segment];
    const done: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      done.push(log.appendAsync(rec(i)));
      if (i % 17 === 16) {
        log.rotate();
        names.push(log.segment);
      }
    }
    const closing = log.close(false);
    await Promise.all(done);
    await closing;
    const seen: number[] = [];
    for (const n of names) {
      const { frames, error } = readFrames(join(dir, n));
      assert.equal(error, undefined);
      for (const f of frames) {
        const i = f.payload.readUInt32LE(0);
        assert.equal(f.type, 7);
        assert.equal(f.payload.length, 4 + ((i * 7919) % 600_000));
        seen.push(i);
      }
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 60 }, (_, i) => i),
    );
    await assert.rejects(log.appendAsync(rec(1)), /closed/);
  });

  it("says when the writes queued so far are done (written), before their fsync", async () => {
    const log = new WalSegments(tempDir());
    assert.equal(await Promise.race([log.written(), "idle"]), undefined, "nothing queued");
    const order: string[] = [];
    const big = Buffer.alloc(4 << 20, 1);
    const a = log.appendAsync([frameHeader(7, [big]), big]).then(() => order.push("a synced"));
    const w = log.written().then(() => order.push("a written"));
    const b = log.appendAsync([frameHeader(7, [big]), big]).then(() => order.push("b synced"));
    await Promise.all([a, w, b]);
    assert.ok(order.indexOf("a written") < order.indexOf("a synced"), order.join(", "));
    assert.ok(order.indexOf("a written") < order.indexOf("b synced"));
    await log.close(true);
  });
});
