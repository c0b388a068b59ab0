import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Labels } from "../../model/labels/index.ts";
import { Matcher, labelsFromRecord } from "../../model/labels/index.ts";
import { STALE_NAN, isStaleNaN } from "../../model/value/index.ts";
import { openChdbDriver } from "./chdb-driver.ts";
import { Head, HeadQuerier } from "./head.ts";
import { openClickHouseStorage } from "./store.ts";

const L = labelsFromRecord;

function headOf(
  series: Labels[],
  nowMs: number,
  openedMs = 0,
): { head: Head; clock: { now: number } } {
  const clock = { now: nowMs };
  const head = new Head({
    durationMs: 600_000,
    openedMs,
    labelsOf: (ref) => series[ref - 1]!,
    now: () => clock.now,
  });
  return { head, clock };
}

// Values are numbers or "stale": a plain array of doubles would lose the stale marker's bits.
function add(head: Head, samples: [ref: number, t: number, v: number | "stale"][]): void {
  const refs = Int32Array.from(samples.map((s) => s[0]));
  const ts = Float64Array.from(samples.map((s) => s[1]));
  const vs = new Float64Array(samples.length);
  samples.forEach((s, i) => (vs[i] = s[2] === "stale" ? STALE_NAN : s[2]));
  head.append(refs, ts, vs, samples.length);
}

void test("head: order, duplicates, stale markers, truncation and completeness", async () => {
  const series = [
    L({ __name__: "up", job: "a" }),
    L({ __name__: "up", job: "b" }),
    L({ __name__: "x" }),
  ];
  const { head, clock } = headOf(series, 1_000_000, 500_000);
  add(head, [
    [1, 700_000, 1],
    [1, 760_000, 2],
    [1, 730_000, 3], // out of order
    [1, 760_000, 4], // replaces
    [2, 800_000, "stale"],
    [3, 100_000, 9], // older than the head's duration: not kept
  ]);
  assert.equal(head.completeFromMs(), 500_000);
  const q = new HeadQuerier(head, () => {}, 0, 2_000_000);
  const all = await q.select([new Matcher("=", "__name__", "up")]);
  assert.deepEqual(
    all.map((s) => [s.labels.find((l) => l.name === "job")!.value, [...s.timestamps]]),
    [
      ["a", [700_000, 730_000, 760_000]],
      ["b", [800_000]],
    ],
  );
  assert.deepEqual([...all[0]!.values], [1, 3, 4]);
  assert.ok(isStaleNaN(all[1]!.values[0]!), "the stale marker keeps its bits");
  assert.deepEqual(await q.select([new Matcher("=", "__name__", "x")]), []);
  // Ranges are inclusive; regex and negative matchers; missing labels match "".
  const r = new HeadQuerier(head, () => {}, 730_000, 760_000);
  const a = await r.select([new Matcher("=~", "job", "a|c"), new Matcher("!=", "__name__", "x")]);
  assert.deepEqual([...a[0]!.timestamps], [730_000, 760_000]);
  assert.deepEqual(await r.labelValues("job"), ["a"]);
  assert.deepEqual(await q.labelNames(), ["__name__", "job"]);
  assert.deepEqual(await q.select([new Matcher("=", "job", "")]), []);
  assert.equal((await q.select([], { seriesOnly: true, limit: 1 })).length, 1);

  clock.now = 1_350_000; // now − 10m = 750_000
  head.truncate();
  assert.equal(head.completeFromMs(), 750_000);
  const t = await new HeadQuerier(head, () => {}, 750_000, 2_000_000).select([]);
  assert.deepEqual(
    t.map((s) => [...s.timestamps]),
    [[760_000], [800_000]],
  );
  assert.deepEqual(head.stats(), { series: 2, samples: 2 });
});

void test("head: chunks hold random out-of-order writes, replacements and truncations like a sorted map", async () => {
  // A reference model (a map per series, sorted on read) against the chunked head, through
  // enough samples per series to fill, split and free many chunks.
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const series = Array.from({ length: 5 }, (_, i) => L({ __name__: "m", i: `${i}` }));
  const { head, clock } = headOf(series, 10_000_000);
  const model = series.map(() => new Map<number, number>());
  let cut = -Infinity;
  for (let round = 0; round < 40; round++) {
    const batch: [number, number, number][] = [];
    for (let k = 0; k < 200; k++) {
      const ref = 1 + Math.floor(rand() * series.length);
      // Mostly in order (the clock moves on), sometimes far back, sometimes a repeat.
      const base = clock.now - 590_000 + round * 1000;
      const t =
        rand() < 0.7 ? base + k * 10 : base - Math.floor(rand() * 300_000) + (rand() < 0.3 ? 0 : 1);
      const v = round * 1000 + k;
      batch.push([ref, t, v]);
      if (t >= clock.now - 600_000) model[ref - 1]!.set(t, v);
    }
    add(head, batch);
    if (round % 10 === 9) {
      clock.now += 100_000;
      head.truncate();
      cut = clock.now - 600_000;
      for (const m of model) for (const t of [...m.keys()]) if (t < cut) m.delete(t);
    }
    const q = new HeadQuerier(head, () => {}, -Infinity, Infinity);
    const got = await q.select([]);
    const want = model
      .map((m, i) => ({ i, ts: [...m.keys()].sort((a, b) => a - b), m }))
      .filter((x) => x.ts.length > 0);
    assert.equal(got.length, want.length, `round ${round}`);
    got.forEach((g, j) => {
      const w = want[j]!;
      assert.deepEqual([...g.timestamps], w.ts, `round ${round} series ${w.i}`);
      assert.deepEqual(
        [...g.values],
        w.ts.map((t) => w.m.get(t)),
        `round ${round} series ${w.i}`,
      );
    });
    assert.equal(
      head.stats().samples,
      want.reduce((a, w) => a + w.ts.length, 0),
    );
    // A narrow range inside.
    const mid = clock.now - 400_000;
    const r = await new HeadQuerier(head, () => {}, mid, mid + 50_000).select([
      new Matcher("=", "i", "2"),
    ]);
    const w2 = [...model[2]!.keys()]
      .filter((t) => t >= mid && t <= mid + 50_000)
      .sort((a, b) => a - b);
    assert.deepEqual(r.length ? [...r[0]!.timestamps] : [], w2);
  }
  assert.ok(cut > -Infinity);
});

const dir = mkdtempSync(join(tmpdir(), "vigil-head-"));
after(() => rmSync(dir, { recursive: true, force: true }));

void test("head: recent queries come from memory and equal what ClickHouse returns", async () => {
  const s = await openClickHouseStorage(await openChdbDriver(dir), {
    engine: "embedded",
    database: "vigil_head",
    retentionMs: 86_400_000,
    batchMaxRows: 100_000,
    batchMaxDelayMs: 5,
    headDurationMs: 1_800_000,
  });
  try {
    const now = Date.now();
    const app = s.appender();
    for (let i = 0; i < 50; i++) {
      for (let k = 0; k < 40; k++) {
        const v = k === 39 && i % 7 === 0 ? STALE_NAN : i * 1.5 + k;
        app.append(
          0,
          L({ __name__: i % 2 ? "req_total" : "err_total", job: `j${i % 5}`, i: `${i}` }),
          now + 1000 + k * 15_000,
          v,
        );
      }
    }
    await app.commit();
    const mint = now;
    const maxt = now + 600_000;
    const fromHead = s.querier(mint, maxt);
    assert.ok(fromHead instanceof HeadQuerier, "a recent range is served by the head");
    // A querier that starts before the storage was opened reads ClickHouse; narrow its result
    // to the same range to compare.
    const fromCh = s.querier(now - 3_600_000, maxt);
    assert.ok(!(fromCh instanceof HeadQuerier));
    for (const ms of [
      [new Matcher("=", "__name__", "req_total")],
      [new Matcher("=~", "job", "j[13]"), new Matcher("!=", "i", "3")],
      [new Matcher("=~", "__name__", ".+_total"), new Matcher("=", "job", "j0")],
    ]) {
      const h = await fromHead.select(ms);
      const c = (await fromCh.select(ms)).map((x) => {
        const keep = [...x.timestamps]
          .map((t, j) => (t >= mint && t <= maxt ? j : -1))
          .filter((j) => j >= 0);
        return {
          labels: x.labels,
          timestamps: Float64Array.from(keep.map((j) => x.timestamps[j]!)),
          bits: keep.map((j) =>
            new Uint32Array(x.values.buffer, x.values.byteOffset + j * 8, 2).join(),
          ),
        };
      });
      assert.equal(h.length, c.length);
      assert.ok(h.length > 0);
      h.forEach((x, i) => {
        assert.deepEqual(x.labels, c[i]!.labels);
        assert.deepEqual(x.timestamps, c[i]!.timestamps);
        assert.deepEqual(
          [...x.timestamps].map((_, j) =>
            new Uint32Array(x.values.buffer, x.values.byteOffset + j * 8, 2).join(),
          ),
          c[i]!.bits,
        );
      });
      assert.deepEqual(
        await fromHead.labelValues("job", ms),
        await s.querier(mint, maxt).labelValues("job", ms),
      );
    }
  } finally {
    await s.close();
  }
});

void test("head: after a restart the head is loaded from ClickHouse and serves recent ranges", async () => {
  const opts = {
    engine: "embedded" as const,
    database: "vigil_head_reload",
    retentionMs: 86_400_000,
    batchMaxRows: 100_000,
    batchMaxDelayMs: 5,
    headDurationMs: 1_800_000,
  };
  const now = Date.now();
  const series = L({ __name__: "up", job: "a" });
  let s = await openClickHouseStorage(await openChdbDriver(dir), opts);
  const app = s.appender();
  for (let k = 0; k < 60; k++) app.append(0, series, now - 3_600_000 + k * 60_000, k);
  await app.commit();
  await s.close();

  s = await openClickHouseStorage(await openChdbDriver(dir), opts);
  try {
    const mint = now - 900_000;
    const q = await waitForHead(() => s.querier(mint, now));
    const [got] = await q.select([new Matcher("=", "__name__", "up")]);
    // Samples at now−60m+k·1m for k ≥ 45 lie in [now−15m, now].
    assert.deepEqual(
      [...got!.values],
      Array.from({ length: 15 }, (_, i) => 45 + i),
    );
    // Older than the head's duration: still ClickHouse.
    assert.ok(!(s.querier(now - 3_000_000, now) instanceof HeadQuerier));
  } finally {
    await s.close();
  }
});

async function waitForHead<Q>(f: () => Q): Promise<Q> {
  for (let i = 0; i < 200; i++) {
    const q = f();
    if (q instanceof HeadQuerier) return q;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the head was not loaded");
}

/** budgetHead is a 2h head of 10 series ("m", i="0".."9") limited to 1000 samples. */
function budgetHead(clock: { now: number }): Head {
  const series = Array.from({ length: 10 }, (_, i) => L({ __name__: "m", i: `${i}` }));
  return new Head({
    durationMs: 2 * 3_600_000,
    maxSamples: 1000,
    openedMs: 0,
    labelsOf: (ref) => series[ref - 1]!,
    now: () => clock.now,
  });
}

void test("head: over head_max_samples the span shrinks (not below 15m) and completeness follows", () => {
  const H = 3_600_000;
  const clock = { now: 10 * H };
  const head = budgetHead(clock);
  head.loaded(0);
  // 10 series × one sample a minute for 2h = 1200 samples: over the budget of 1000.
  const samples: [number, number, number][] = [];
  for (let t = clock.now - 2 * H + 60_000; t <= clock.now; t += 60_000)
    for (let r = 1; r <= 10; r++) samples.push([r, t, 1]);
  add(head, samples);
  assert.equal(head.stats().samples, 1200);
  head.truncate();
  assert.ok(head.keptMs < 2 * H && head.keptMs >= 15 * 60_000, `kept ${head.keptMs}`);
  assert.ok(head.stats().samples <= 1000);
  assert.equal(head.completeFromMs(), clock.now - head.keptMs);
  const kept = head.keptMs;
  // A tiny budget cannot push the span under 15 minutes.
  for (let i = 0; i < 10; i++) head.truncate();
  assert.ok(head.keptMs >= 15 * 60_000);
  // Once well under budget the span widens again, but completeness never reaches back past
  // what was already dropped.
  const truncatedAt = clock.now - Math.min(kept, head.keptMs);
  clock.now += 60_000;
  head.truncate();
  head.truncate();
  assert.ok(head.completeFromMs() >= truncatedAt);
});

void test("head: a burst of appends over head_max_samples truncates at once, not at the next tick", () => {
  const H = 3_600_000;
  const clock = { now: 10 * H };
  const head = budgetHead(clock);
  // 10 series × one sample every 10s for 2h = 7200 samples in one append: 7× the budget.
  const samples: [number, number, number][] = [];
  for (let t = clock.now - 2 * H + 10_000; t <= clock.now; t += 10_000)
    for (let r = 1; r <= 10; r++) samples.push([r, t, 1]);
  add(head, samples);
  const held = head.stats().samples;
  assert.ok(held <= 1250, `holds ${held} samples after the burst`);
  // Never below 15 minutes: 10 series × 6 a minute × 15 minutes.
  assert.ok(held >= 900, `holds only ${held}`);
});
