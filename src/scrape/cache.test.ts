import assert from "node:assert/strict";
import { test } from "node:test";
import { parseExposition } from "../model/textparse/index.ts";
import type { ParseResult } from "../model/textparse/index.ts";
import type { Labels } from "../model/labels/index.ts";
import { getLabel, labelsFromPairs, labelsKey } from "../model/labels/index.ts";
import { newLogger } from "../util/logging/index.ts";
import { ScrapeCache, ScrapeLoop } from "./loop.ts";
import { Target } from "./target.ts";

void test("scrape cache: entries of equal hash are chained, found by their text, and forgotten one by one", () => {
  const res = parseExposition('a{x="1"} 1\nb 2\nc{y="é"} 3\n', "text/plain; version=0.0.4");
  const keys = [0, 1, 2].map((i) => res.seriesKey(i));
  assert.deepEqual(keys.slice(0, 2), ['a{x="1"}', "b"]);
  assert.equal(keys[2], Buffer.from('c{y="é"}').toString("latin1"), "UTF-8 bytes one per char");
  const c = new ScrapeCache();
  // All three under one hash: lookups must compare the text.
  const es = keys.map((_, i) => c.add(res, i, 7, []));
  es.forEach((e, i) => (e.lastIter = i === 1 ? 1 : 2));
  assert.equal(c.size, 3);
  for (let i = 0; i < 3; i++) assert.equal(c.get(res, i, 7), es[i]);
  assert.equal(c.get(res, 0, 8), undefined);
  // The texts are kept as bytes, one after the other.
  assert.equal(Buffer.from(c.keys.subarray(0, c.keysUsed)).toString("latin1"), keys.join(""));
  // Iteration 2 saw a and c, not b (in the middle of the chain).
  c.forget(2);
  assert.equal(c.size, 2);
  assert.equal(c.get(res, 1, 7), undefined);
  assert.equal(c.get(res, 0, 7), es[0]);
  assert.equal(c.get(res, 2, 7), es[2]);
  // Then none: the bucket goes.
  c.forget(3);
  assert.equal(c.size, 0);
  assert.equal(c.series.size, 0);
});

void test("scrape cache: seriesHash, seriesIs and copySeries agree with the text, built entries with their UTF-8", () => {
  const prom = parseExposition('m{a="b"} 1\nm{a="c"} 1\n', "text/plain; version=0.0.4");
  const om = parseExposition(
    '# TYPE m counter\nm_total{a="b"} 1\nm_created{a="b"} 1\n# EOF\n',
    "application/openmetrics-text; version=1.0.0",
  );
  // The expfmt parser builds its series texts.
  const built = parseExposition('m{a="é"} 1\n', "text/plain; version=0.0.4", {
    textParser: "expfmt",
  });
  assert.equal(built.seriesKey(0), Buffer.from(built.series(0)).toString("latin1"));
  for (const r of [prom, om, built] as ParseResult[]) {
    for (let i = 0; i < r.length; i++) {
      const k = r.seriesKey(i);
      const b = Buffer.from(" " + k + " ", "latin1");
      assert.equal(r.seriesLength(i), k.length);
      assert.ok(r.seriesIs(i, b, 1));
      assert.ok(!r.seriesIs(i, b, 0));
      assert.ok(!r.seriesIs(i, b, 2), "past the end of b");
      const copy = new Uint8Array(k.length + 2);
      r.copySeries(i, copy, 1);
      assert.ok(r.seriesIs(i, copy, 1));
      assert.equal(r.seriesHash(i), hashString(k));
    }
  }
  assert.notEqual(prom.seriesHash(0), prom.seriesHash(1));
});

function hashString(s: string): number {
  // FNV-1a over char codes, written out again here so that the test does not trust the code.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

void test("scrape loop: series found by position, by hash after reordering, and across key compaction", async () => {
  // Series texts of equal length, so that a series at the position of another is only told
  // apart by its bytes.
  const pool = Array.from({ length: 60 }, (_, k) => `m{k="${String(k).padStart(2, "0")}"}`);
  let body = "";
  const client = {
    request: () =>
      Promise.resolve({
        status: 200,
        statusText: "OK",
        headers: { "content-type": "text/plain; version=0.0.4" },
        body: Buffer.from(body),
      }),
  };
  // The storage hands out one ref per label set and checks that a ref comes back with its labels.
  const refs = new Map<string, number>();
  const byRef = new Map<number, string>();
  let appended: { series: string; v: number }[] = [];
  const storage = {
    appender: () => ({
      append: (ref: number, labels: Labels, _t: number, v: number) => {
        const key = labelsKey(labels);
        if (ref !== 0) assert.equal(byRef.get(ref), key, "a cached ref must belong to its labels");
        let r = refs.get(key);
        if (r === undefined) {
          r = refs.size + 1;
          refs.set(key, r);
          byRef.set(r, key);
        }
        if (getLabel(labels, "__name__") === "m")
          appended.push({ series: getLabel(labels, "k"), v });
        return r;
      },
      commit: () => Promise.resolve(),
      rollback: () => {},
    }),
  };
  const target = new Target(labelsFromPairs([{ name: "job", value: "j" }]), [], {});
  const loop = new ScrapeLoop(
    {
      target,
      client: client as never,
      storage,
      logger: newLogger("error"),
      intervalMs: 1000,
      timeoutMs: 1000,
      bodySizeLimitBytes: 0,
      sampleLimit: 0,
      labelLimits: { labelLimit: 0, labelNameLengthLimit: 0, labelValueLengthLimit: 0 },
      honorLabels: false,
      honorTimestamps: true,
      trackTimestampsStaleness: false,
      enableCompression: false,
      metricRelabelConfigs: [],
      scrapeProtocols: ["PrometheusText0.0.4"],
      validationScheme: "utf8",
      escapingScheme: "underscores",
      offsetSeed: 0,
      skipOffset: true,
    },
    new AbortController().signal,
  );
  let seed = 42;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  let prev = new Set<string>();
  let maxKeys = 0;
  for (let round = 0; round < 200; round++) {
    // Mostly the same series in the same order; sometimes reordered, replaced or churned.
    let series = [...prev].map((s) => pool.indexOf(s));
    const change = rand(4);
    if (series.length === 0 || change === 0)
      series = pool.map((_, k) => k).filter(() => rand(2) === 0);
    else if (change === 1) series.reverse();
    else if (change === 2) series[rand(series.length)] = rand(pool.length);
    series = [...new Set(series)];
    const values = series.map(() => rand(1000));
    body = series.map((k, j) => `${pool[k]} ${values[j]}\n`).join("");
    appended = [];
    await loop.scrapeOnce(1_000_000 + round * 1000);
    const now = new Set(series.map((k) => pool[k]!));
    const expected = series.map((k, j) => ({ series: String(k).padStart(2, "0"), v: values[j]! }));
    const samples = appended.filter((a) => !Number.isNaN(a.v));
    assert.deepEqual(samples, expected, `round ${round}: samples with their series`);
    const stale = appended.filter((a) => Number.isNaN(a.v)).map((a) => `m{k="${a.series}"}`);
    assert.deepEqual(
      new Set(stale),
      new Set([...prev].filter((s) => !now.has(s))),
      `round ${round}: stale markers for the series that went`,
    );
    prev = now;
    maxKeys = Math.max(maxKeys, loop.cache.keysUsed);
    assert.equal(loop.cache.keysLive, now.size * pool[0]!.length, `round ${round}: live key bytes`);
  }
  assert.ok(maxKeys <= 2 * pool.length * pool[0]!.length + 4096, "the key buffer is compacted");
});
