import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { labelsFromRecord } from "../../model/labels/index.ts";
import { STALE_NAN } from "../../model/value/index.ts";
import { MemoryStorage } from "../../storage/memory/index.ts";
import type { Querier, Storage } from "../../storage/index.ts";
import { Engine, QueryError } from "./index.ts";
import type { QueryValue } from "./index.ts";

const M = 60_000;

async function load(
  series: [Record<string, string>, (number | null)[]][],
  stepMs = M,
): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  for (const [rec, values] of series) {
    const ls = labelsFromRecord(rec);
    values.forEach((v, i) => {
      if (v !== null) app.append(0, ls, i * stepMs, v);
    });
  }
  await app.commit();
  return st;
}

/** flat renders a result as sorted "labels value" lines for compact assertions. */
function flat(v: QueryValue): string[] {
  const lbl = (m: readonly { name: string; value: string }[]): string =>
    `{${m.map((l) => `${l.name}="${l.value}"`).join(",")}}`;
  switch (v.type) {
    case "vector":
      return v.vector.map((s) => `${lbl(s.metric)} ${s.f}`).sort();
    case "matrix":
      return v.matrix.map(
        (s) => `${lbl(s.metric)} ${s.floats.map((p) => `${p.f}@${p.t / 1000}`).join(" ")}`,
      );
    case "scalar":
      return [`scalar ${v.scalar.f}`];
    case "string":
      return [`string ${v.string.s}`];
  }
}

describe("Engine", () => {
  const engine = new Engine();

  it("selects the latest sample within the lookback window, skipping stale markers", async () => {
    const st = await load([
      [{ __name__: "a", job: "x" }, [1, 2, 3]],
      [{ __name__: "a", job: "y" }, [5, null, null]],
    ]);
    const r1 = await engine.instantQuery(st, "a", 2 * M);
    assert.deepEqual(flat(r1.value), ['{__name__="a",job="x"} 3', '{__name__="a",job="y"} 5']);
    // Five minutes after the last sample the series is gone (the window is left-open).
    const r2 = await engine.instantQuery(st, "a", 5 * M);
    assert.deepEqual(flat(r2.value), ['{__name__="a",job="x"} 3']);
    const app = st.appender();
    app.append(0, labelsFromRecord({ __name__: "a", job: "x" }), 3 * M, STALE_NAN);
    await app.commit();
    const r3 = await engine.instantQuery(st, "a", 3 * M);
    assert.deepEqual(flat(r3.value), ['{__name__="a",job="y"} 5']);
  });

  it("evaluates offsets, @ and subqueries", async () => {
    const st = await load([[{ __name__: "c_total" }, [0, 10, 20, 30, 40, 50, 60]]]);
    assert.deepEqual(flat((await engine.instantQuery(st, "c_total offset 2m", 6 * M)).value), [
      '{__name__="c_total"} 40',
    ]);
    assert.deepEqual(flat((await engine.instantQuery(st, "c_total @ 60", 6 * M)).value), [
      '{__name__="c_total"} 10',
    ]);
    assert.deepEqual(flat((await engine.instantQuery(st, "c_total @ end()", 2 * M)).value), [
      '{__name__="c_total"} 20',
    ]);
    assert.deepEqual(flat((await engine.instantQuery(st, "c_total offset -1m", 2 * M)).value), [
      '{__name__="c_total"} 30',
    ]);
    const r = await engine.instantQuery(st, "c_total[3m:1m]", 6 * M);
    assert.deepEqual(flat(r.value), ['{__name__="c_total"} 40@240 50@300 60@360']);
    const r2 = await engine.instantQuery(st, "c_total[2m]", 6 * M);
    assert.deepEqual(flat(r2.value), ['{__name__="c_total"} 50@300 60@360']);
  });

  it("runs range queries step by step and sorts the matrix by labels", async () => {
    const st = await load([
      [{ __name__: "g", i: "b" }, [1, 2, 3, 4]],
      [{ __name__: "g", i: "a" }, [10, 20, 30, 40]],
    ]);
    const r = await engine.rangeQuery(st, "g * 2", 0, 3 * M, M);
    assert.deepEqual(flat(r.value), [
      '{i="a"} 20@0 40@60 60@120 80@180',
      '{i="b"} 2@0 4@60 6@120 8@180',
    ]);
    const s = await engine.rangeQuery(st, "1 + 1", 0, 2 * M, M);
    assert.deepEqual(flat(s.value), ["{} 2@0 2@60 2@120"]);
  });

  it("matches vectors one-to-one, many-to-one and with set operators", async () => {
    const st = await load([
      [{ __name__: "req", job: "a", code: "200" }, [10]],
      [{ __name__: "req", job: "a", code: "500" }, [2]],
      [{ __name__: "req", job: "b", code: "200" }, [4]],
      [{ __name__: "lim", job: "a" }, [100]],
      [{ __name__: "lim", job: "c" }, [1]],
    ]);
    const q = async (e: string): Promise<string[]> =>
      flat((await engine.instantQuery(st, e, 0)).value);
    assert.deepEqual(await q("req / on(job) group_left lim"), [
      '{code="200",job="a"} 0.1',
      '{code="500",job="a"} 0.02',
    ]);
    assert.deepEqual(await q("lim > bool 10"), ['{job="a"} 1', '{job="c"} 0']);
    assert.deepEqual(await q("lim > 10"), ['{__name__="lim",job="a"} 100']);
    assert.deepEqual(await q("lim and on(job) req"), ['{__name__="lim",job="a"} 100']);
    assert.deepEqual(await q("lim unless on(job) req"), ['{__name__="lim",job="c"} 1']);
    assert.deepEqual(await q('req{code="200"} or on(job) lim'), [
      '{__name__="lim",job="c"} 1',
      '{__name__="req",code="200",job="a"} 10',
      '{__name__="req",code="200",job="b"} 4',
    ]);
    await assert.rejects(
      engine.instantQuery(st, "req / on(job) lim", 0),
      /multiple matches for labels: many-to-one matching must be explicit \(group_left\/group_right\)$/,
    );
    await assert.rejects(engine.instantQuery(st, "lim / on(job) req", 0), (e: unknown) => {
      assert.ok(e instanceof QueryError);
      assert.equal(e.errorType, "execution");
      assert.match(
        e.message,
        /^found duplicate series for the match group \{job="a"\} on the right hand-side of the operation: \[\{__name__="req", code="(200|500)", job="a"\}/,
      );
      return true;
    });
  });

  it("aggregates with by/without, topk, quantile and count_values", async () => {
    const st = await load([
      [{ __name__: "x", job: "a", i: "1" }, [1]],
      [{ __name__: "x", job: "a", i: "2" }, [3]],
      [{ __name__: "x", job: "b", i: "1" }, [5]],
      [{ __name__: "x", job: "b", i: "2" }, [5]],
    ]);
    const q = async (e: string): Promise<string[]> =>
      flat((await engine.instantQuery(st, e, 0)).value);
    assert.deepEqual(await q("sum by (job) (x)"), ['{job="a"} 4', '{job="b"} 10']);
    assert.deepEqual(await q("avg without (i) (x)"), ['{job="a"} 2', '{job="b"} 5']);
    assert.deepEqual(await q("count(x)"), ["{} 4"]);
    assert.deepEqual(await q("stddev(x)"), [`{} ${Math.sqrt(2.75)}`]);
    assert.deepEqual(await q("quantile(0.5, x)"), ["{} 4"]);
    assert.deepEqual(
      await q("topk(1, x) by (job)"),
      ['{__name__="x",i="1",job="b"} 5', '{__name__="x",i="2",job="a"} 3'].sort(),
    );
    assert.deepEqual(await q('count_values("v", x)'), ['{v="1"} 1', '{v="3"} 1', '{v="5"} 2']);
    const r = await engine.instantQuery(st, "quantile(2, x)", 0);
    assert.deepEqual(
      [...r.annotations].map((a) => a.text),
      ["PromQL warning: quantile value should be between 0 and 1, got 2"],
    );
  });

  it("reports syntax errors as bad_data and refuses range queries over range vectors", async () => {
    const st = new MemoryStorage();
    await assert.rejects(engine.instantQuery(st, "sum(", 0), (e: unknown) => {
      assert.ok(e instanceof QueryError);
      assert.equal(e.errorType, "bad_data");
      assert.match(e.message, /^1:5: parse error/);
      return true;
    });
    await assert.rejects(
      engine.rangeQuery(st, "x[5m]", 0, M, M),
      /invalid expression type "range vector" for range query/,
    );
  });

  it("fails with too many samples, times out and honours cancellation", async () => {
    const st = await load(
      Array.from({ length: 50 }, (_, i) => [{ __name__: "m", i: String(i) }, [1, 2, 3, 4, 5]]),
    );
    const small = new Engine({ maxSamples: 100 });
    await assert.rejects(
      small.rangeQuery(st, "m", 0, 4 * M, M),
      /query processing would load too many samples into memory in query execution/,
    );
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(engine.instantQuery(st, "m", 0, { signal: ac.signal }), (e: unknown) => {
      assert.ok(e instanceof QueryError);
      assert.equal(e.errorType, "canceled");
      return true;
    });
    const slow: Storage = Object.assign(Object.create(st) as Storage, {
      querier(mint: number, maxt: number): Querier {
        const q = st.querier(mint, maxt);
        return {
          mintMs: mint,
          maxtMs: maxt,
          select: async (m, h) => {
            await new Promise((r) => setTimeout(r, 200));
            return q.select(m, h);
          },
          labelNames: q.labelNames.bind(q),
          labelValues: q.labelValues.bind(q),
        };
      },
    });
    await assert.rejects(engine.instantQuery(slow, "m", 0, { timeoutMs: 50 }), (e: unknown) => {
      assert.ok(e instanceof QueryError);
      assert.equal(e.errorType, "timeout");
      return true;
    });
  });

  it("queues queries beyond maxConcurrent", async () => {
    const st = await load([[{ __name__: "m" }, [1]]]);
    const one = new Engine({ maxConcurrent: 1 });
    const results = await Promise.all([1, 2, 3].map(() => one.instantQuery(st, "m", 0)));
    assert.equal(results.length, 3);
    assert.equal(one.activeQueries, 0);
  });

  it("yields to ingestion while a heavy query runs", async () => {
    const st = await load(
      Array.from({ length: 300 }, (_, i) => [
        { __name__: "heavy_total", i: String(i) },
        Array.from({ length: 720 }, (_, k) => k),
      ]),
      10_000,
    );
    let queryDone = false;
    const query = engine
      .rangeQuery(
        st,
        "sum(rate(heavy_total[10m])) + sum(deriv(heavy_total[10m]))",
        0,
        7_200_000,
        1000,
      )
      .then((r) => {
        queryDone = true;
        return r;
      });
    // Writes issued after the query started must be committed before it finishes.
    let committedDuringQuery = 0;
    for (let n = 0; n < 5; n++) {
      const app = st.appender();
      app.append(0, labelsFromRecord({ __name__: "ingest", n: String(n) }), Date.now(), n);
      await app.commit();
      await new Promise((r) => setImmediate(r));
      if (!queryDone) committedDuringQuery++;
    }
    const r = await query;
    assert.equal(r.value.type, "matrix");
    assert.equal(committedDuringQuery, 5);
  });
});
