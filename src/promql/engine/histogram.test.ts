// Native histograms through the whole engine: selection, staleness, operators, aggregations,
// functions and range queries, against a MemoryStorage.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { CounterResetHint } from "../../model/histogram/index.ts";
import { FloatHistogram } from "../../model/histogram/index.ts";
import { labelsFromRecord } from "../../model/labels/index.ts";
import { STALE_NAN } from "../../model/value/index.ts";
import { MemoryStorage } from "../../storage/memory/index.ts";
import type { QueryResult, QueryValue } from "./index.ts";
import { Engine, renderAnnotation } from "./index.ts";

const M = 60_000;

/** hist is a schema-0 histogram with positive buckets from index 0. */
function hist(
  count: number,
  buckets: number[],
  opts: { sum?: number; counterResetHint?: CounterResetHint; schema?: number } = {},
): FloatHistogram {
  return new FloatHistogram({
    schema: opts.schema ?? 0,
    count,
    sum: opts.sum ?? count,
    positiveSpans: buckets.length > 0 ? [{ offset: 0, length: buckets.length }] : [],
    positiveBuckets: buckets,
    counterResetHint: opts.counterResetHint ?? "unknown",
  });
}

type Value = number | FloatHistogram | null;

async function load(series: [Record<string, string>, Value[]][]): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  for (const [rec, values] of series) {
    const ls = labelsFromRecord(rec);
    values.forEach((v, i) => {
      if (v === null) return;
      if (typeof v === "number") app.append(0, ls, i * M, v);
      else app.appendHistogram!(0, ls, i * M, v);
    });
  }
  await app.commit();
  return st;
}

/** flat renders a result as sorted lines, histograms in their test notation. */
function flat(v: QueryValue): string[] {
  const lbl = (m: readonly { name: string; value: string }[]): string =>
    `{${m.map((l) => `${l.name}="${l.value}"`).join(",")}}`;
  switch (v.type) {
    case "vector":
      return v.vector
        .map((s) => `${lbl(s.metric)} ${s.h ? s.h.copy().compact(0).testExpression() : s.f}`)
        .sort();
    case "matrix":
      return v.matrix.map(
        (s) =>
          `${lbl(s.metric)} ${[
            ...s.floats.map((p) => `${p.f}@${p.t / M}m`),
            ...s.histograms.map((p) => `${p.h.copy().compact(0).testExpression()}@${p.t / M}m`),
          ].join(" ")}`,
      );
    case "scalar":
      return [`scalar ${v.scalar.f}`];
    case "string":
      return [`string ${v.string.s}`];
  }
}

function notes(r: QueryResult, query: string): string[] {
  return [...r.annotations].map((a) => renderAnnotation(a, query));
}

describe("Engine with native histograms", () => {
  const engine = new Engine({ enableDelayedNameRemoval: true });

  it("selects histograms next to floats and ends a series at a stale histogram", async () => {
    const st = await load([
      [{ __name__: "h" }, [hist(1, [1]), hist(2, [2]), null]],
      [{ __name__: "f" }, [1, 2, 3]],
    ]);
    const r = await engine.instantQuery(st, "{__name__=~'h|f'}", 2 * M);
    assert.deepEqual(flat(r.value), [
      '{__name__="f"} 3',
      '{__name__="h"} {{count:2 sum:2 buckets:[2]}}',
    ]);
    const app = st.appender();
    app.appendHistogram!(
      0,
      labelsFromRecord({ __name__: "h" }),
      2 * M,
      new FloatHistogram({ sum: STALE_NAN }),
    );
    await app.commit();
    assert.deepEqual(flat((await engine.instantQuery(st, "h", 2 * M)).value), []);
    // The matrix selector leaves out the stale marker too.
    assert.deepEqual(flat((await engine.instantQuery(st, "h[3m]", 2 * M)).value), [
      '{__name__="h"} {{count:1 sum:1 buckets:[1]}}@0m {{count:2 sum:2 buckets:[2]}}@1m',
    ]);
  });

  it("adds, scales and compares histograms, and reports incompatible operands", async () => {
    const st = await load([
      [{ __name__: "a" }, [hist(3, [1, 2])]],
      [{ __name__: "b" }, [hist(1, [1])]],
    ]);
    const q = async (query: string) => engine.instantQuery(st, query, 0);
    assert.deepEqual(flat((await q("a + ignoring(__name__) b")).value), [
      "{} {{count:4 sum:4 buckets:[2 2]}}",
    ]);
    assert.deepEqual(flat((await q("a * 2")).value), ["{} {{count:6 sum:6 buckets:[2 4]}}"]);
    assert.deepEqual(flat((await q("a / 0")).value), ["{} {{count:+Inf sum:+Inf z_bucket:NaN}}"]);
    assert.deepEqual(flat((await q("-a")).value), ["{} {{count:-3 sum:-3 buckets:[-1 -2]}}"]);
    assert.deepEqual(flat((await q("a == a")).value), [
      '{__name__="a"} {{count:3 sum:3 buckets:[1 2]}}',
    ]);
    const bad = "a > 1";
    const r = await q(bad);
    assert.deepEqual(flat(r.value), []);
    assert.deepEqual(notes(r, bad), [
      'PromQL info: incompatible sample types encountered for binary operator ">": histogram > float (1:1)',
    ]);
  });

  it("sums and averages histograms, ignores them elsewhere and warns about mixes", async () => {
    const st = await load([
      [{ __name__: "m", i: "1" }, [hist(2, [2])]],
      [{ __name__: "m", i: "2" }, [hist(4, [0, 4], { schema: 1 })]],
      [{ __name__: "m", i: "3" }, [5]],
    ]);
    const q = async (query: string) => engine.instantQuery(st, query, 0);
    // Different schemas are added at the lower resolution.
    assert.deepEqual(flat((await q("sum(m{i!='3'})")).value), [
      "{} {{count:6 sum:6 buckets:[2 4]}}",
    ]);
    assert.deepEqual(flat((await q("avg(m{i!='3'})")).value), [
      "{} {{count:3 sum:3 buckets:[1 2]}}",
    ]);
    const mixed = await q("sum(m)");
    assert.deepEqual(flat(mixed.value), []);
    assert.deepEqual(notes(mixed, "sum(m)"), [
      "PromQL warning: encountered a mix of histograms and floats for aggregation (1:5)",
    ]);
    const max = await q("max(m)");
    assert.deepEqual(flat(max.value), ["{} 5"]);
    assert.deepEqual(notes(max, "max(m)"), [
      "PromQL info: ignored histogram in max aggregation (1:5)",
    ]);
    assert.deepEqual(flat((await q("count(m)")).value), ["{} 3"]);
    assert.deepEqual(flat((await q("count_values('v', m{i='1'})")).value), [
      '{v="{count:2, sum:2, (0.5,1]:2}"} 1',
    ]);
  });

  it("rates counter histograms across a reset and warns about gauges", async () => {
    const st = await load([
      [{ __name__: "c" }, [hist(0, []), hist(6, [6]), hist(2, [2]), hist(4, [4])]],
      [
        { __name__: "g" },
        [hist(1, [1], { counterResetHint: "gauge" }), hist(3, [3], { counterResetHint: "gauge" })],
      ],
    ]);
    const inc = await engine.instantQuery(st, "increase(c[3m])", 3 * M);
    // The window (0, 3m] holds 6, 2, 4: the reset between the first two makes the first count
    // as empty, so the increase is 4 over 2m of samples, extrapolated to the 3m window.
    assert.deepEqual(flat(inc.value), [
      "{} {{count:6 sum:6 counter_reset_hint:gauge buckets:[6]}}",
    ]);
    assert.deepEqual(
      flat((await engine.instantQuery(st, "histogram_count(rate(c[3m]))", 3 * M)).value),
      ["{} 0.03333333333333333"],
    );
    const gq = "rate(g[2m])";
    const g = await engine.instantQuery(st, gq, M);
    assert.deepEqual(notes(g, gq), [
      'PromQL warning: this native histogram metric is not a counter: "g" (1:6)',
    ]);
    const d = await engine.instantQuery(st, "delta(g[2m])", M);
    assert.deepEqual(flat(d.value), ["{} {{count:4 sum:4 counter_reset_hint:gauge buckets:[4]}}"]);
    assert.equal(d.annotations.size, 0);
    assert.deepEqual(flat((await engine.instantQuery(st, "resets(c[5m])", 3 * M)).value), ["{} 1"]);
    assert.deepEqual(flat((await engine.instantQuery(st, "changes(c[5m])", 3 * M)).value), [
      "{} 3",
    ]);
  });

  it("computes histogram statistics and quantiles", async () => {
    const st = await load([[{ __name__: "h" }, [hist(4, [1, 2, 1], { sum: 6 })]]]);
    const q = async (query: string) => flat((await engine.instantQuery(st, query, 0)).value);
    assert.deepEqual(await q("histogram_count(h)"), ["{} 4"]);
    assert.deepEqual(await q("histogram_sum(h)"), ["{} 6"]);
    assert.deepEqual(await q("histogram_avg(h)"), ["{} 1.5"]);
    // Buckets (0.5,1], (1,2], (2,4]: the median is half-way into (1,2] on a log scale, 2^0.5
    // as Go's math.Exp2 rounds it.
    assert.deepEqual(await q("histogram_quantile(0.5, h)"), ["{} 1.414213562373095"]);
    assert.deepEqual(await q("histogram_fraction(0, 2, h)"), ["{} 0.75"]);
  });

  it("averages and sums histograms over time, and returns them from range queries", async () => {
    const st = await load([[{ __name__: "h" }, [hist(1, [1]), hist(3, [3]), hist(5, [1, 4])]]]);
    assert.deepEqual(flat((await engine.instantQuery(st, "sum_over_time(h[3m])", 2 * M)).value), [
      "{} {{count:9 sum:9 buckets:[5 4]}}",
    ]);
    assert.deepEqual(flat((await engine.instantQuery(st, "avg_over_time(h[3m])", 2 * M)).value), [
      "{} {{count:3 sum:3 buckets:[1.6666666666666667 1.3333333333333333]}}",
    ]);
    assert.deepEqual(flat((await engine.instantQuery(st, "count_over_time(h[3m])", 2 * M)).value), [
      "{} 3",
    ]);
    const r = await engine.rangeQuery(st, "histogram_count(h) or h", 0, 2 * M, M);
    assert.deepEqual(flat(r.value), ["{} 1@0m 3@1m 5@2m"]);
    const h = await engine.rangeQuery(st, "h", M, 2 * M, M);
    assert.deepEqual(flat(h.value), [
      '{__name__="h"} {{count:3 sum:3 buckets:[3]}}@1m {{count:5 sum:5 buckets:[1 4]}}@2m',
    ]);
  });

  it("ignores histograms in float-only range functions with an info", async () => {
    const st = await load([[{ __name__: "x" }, [1, hist(1, [1]), 3]]]);
    const q = "max_over_time(x[5m])";
    const r = await engine.instantQuery(st, q, 2 * M);
    assert.deepEqual(flat(r.value), ["{} 3"]);
    assert.deepEqual(notes(r, q), [
      'PromQL info: ignored histograms in a range containing both floats and histograms for metric name "x" (1:15)',
    ]);
    const rate = "rate(x[5m])";
    const rr = await engine.instantQuery(st, rate, 2 * M);
    assert.deepEqual(flat(rr.value), []);
    assert.deepEqual(notes(rr, rate), [
      'PromQL warning: encountered a mix of histograms and floats for metric name "x" (1:6)',
    ]);
  });

  it("reduces histograms to count and sum under histogram_count, as upstream decides", async () => {
    const custom = (count: number) =>
      new FloatHistogram({
        schema: -53,
        count,
        sum: count,
        customValues: [1],
        positiveSpans: [{ offset: 0, length: 1 }],
        positiveBuckets: [count],
      });
    const st = await load([[{ __name__: "m" }, [custom(1), custom(2), hist(4, [4])]]]);
    // Reduced to statistics, the switch to exponential buckets is just a counter reset: 4 - 1 + 2
    // over 2m of samples, extrapolated to 3m...
    const reduced = await engine.instantQuery(st, "sum(histogram_count(increase(m[3m])))", 2 * M);
    assert.deepEqual(flat(reduced.value), ["{} 7.5"]);
    assert.equal(reduced.annotations.size, 0);
    // ...but upstream never reduces for a call at the root of the query.
    const q = "histogram_count(increase(m[3m]))";
    const full = await engine.instantQuery(st, q, 2 * M);
    assert.deepEqual(flat(full.value), []);
    assert.deepEqual(notes(full, q), [
      'PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name "m" (1:26)',
    ]);
  });

  it("weighs histogram samples by their size against the sample limit", async () => {
    const big = hist(
      100,
      Array.from({ length: 100 }, () => 1),
    );
    const st = await load([[{ __name__: "h" }, [big, big, big]]]);
    const small = new Engine({ maxSamples: 100 });
    await assert.rejects(small.instantQuery(st, "h[5m]", 2 * M), /too many samples/);
    await small.instantQuery(st, "h", 2 * M);
  });
});
