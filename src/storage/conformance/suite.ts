// runStorageSuite is the one behavioural contract every Storage backend must pass, run against
// memory, embedded (chDB) and clickhouse (HTTP) the way Hono runs one router suite against every
// router (`src/router/common.case.test.ts`) and Prometheus runs its engine tests per storage.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Labels } from "../../model/labels/index.ts";
import { Matcher, labelsFromRecord } from "../../model/labels/index.ts";
import { STALE_NAN, isStaleNaN } from "../../model/value/index.ts";
import type { Series, Storage } from "../interface.ts";

/** StorageSuiteOptions describes how to make (and, if supported, reopen) the storage under test. */
export interface StorageSuiteOptions {
  /** name shows in test titles. */
  readonly name: string;
  /** newStorage returns a fresh, empty storage. */
  newStorage(): Promise<Storage>;
  /** reopen closes `s` and opens the same data again; absent for non-persistent backends. */
  reopen?(s: Storage): Promise<Storage>;
}

// Yesterday at 12:00 UTC: inside any retention, and far from a day boundary.
const T0 = (Math.floor(Date.now() / 86_400_000) - 1) * 86_400_000 + 12 * 3_600_000;

function L(rec: Record<string, string>): Labels {
  return labelsFromRecord(rec);
}

function m(name: string, type: "=" | "!=" | "=~" | "!~", value: string): Matcher {
  return new Matcher(type, name, value);
}

function bits(v: number): bigint {
  return new BigUint64Array(new Float64Array([v]).buffer)[0]!;
}

function names(ss: Series[]): string[] {
  return ss.map((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(","));
}

async function put(s: Storage, rows: [Labels, number, number][]): Promise<void> {
  const app = s.appender();
  for (const [ls, t, v] of rows) app.append(0, ls, t, v);
  await app.commit();
}

/** runStorageSuite registers the storage contract tests with node:test. */
export function runStorageSuite(opts: StorageSuiteOptions): void {
  describe(`storage conformance: ${opts.name}`, () => {
    let s: Storage;
    before(async () => {
      s = await opts.newStorage();
      const up = (job: string, inst: string) => L({ __name__: "up", job, instance: inst });
      await put(s, [
        [up("api", "a:1"), T0, 1],
        [up("api", "a:1"), T0 + 15_000, 0],
        [up("api", "a:1"), T0 + 30_000, 1],
        [up("api", "b:1"), T0, 1],
        [up("db", "c:1"), T0 + 15_000, 1],
        [L({ __name__: "http_requests_total", job: "api", code: "200" }), T0, 10],
        [L({ __name__: "http_requests_total", job: "api", code: "500" }), T0, 2],
        [L({ __name__: "http_requests_total", job: "api" }), T0, 5],
      ]);
    });
    after(async () => {
      await s.close();
    });

    it("returns exactly the samples in the inclusive range", async () => {
      const q = s.querier(T0, T0 + 15_000);
      const [a] = await q.select([m("__name__", "=", "up"), m("instance", "=", "a:1")]);
      assert.ok(a);
      assert.deepEqual([...a.timestamps], [T0, T0 + 15_000]);
      assert.deepEqual([...a.values], [1, 0]);
      const q2 = s.querier(T0 + 1, T0 + 30_000);
      const [b] = await q2.select([m("instance", "=", "a:1")]);
      assert.deepEqual([...b!.timestamps], [T0 + 15_000, T0 + 30_000]);
    });

    it("omits series without samples in the range", async () => {
      const q = s.querier(T0 + 15_000, T0 + 15_000);
      assert.deepEqual(names(await q.select([m("__name__", "=", "up")])), [
        "__name__=up,instance=a:1,job=api",
        "__name__=up,instance=c:1,job=db",
      ]);
      const none = await s.querier(T0 - 10_000, T0 - 1).select([m("__name__", "=", "up")]);
      assert.equal(none.length, 0);
    });

    it("sorts series by labels", async () => {
      const all = await s.querier(T0, T0 + 30_000).select([m("job", "=", "api")]);
      assert.deepEqual(names(all), [
        "__name__=http_requests_total,code=200,job=api",
        "__name__=http_requests_total,code=500,job=api",
        "__name__=http_requests_total,job=api",
        "__name__=up,instance=a:1,job=api",
        "__name__=up,instance=b:1,job=api",
      ]);
    });

    it("applies =, !=, =~, !~ with anchored RE2 regexes and empty-label semantics", async () => {
      const q = s.querier(T0, T0 + 30_000);
      const sel = async (...ms: Matcher[]) => names(await q.select(ms));
      assert.deepEqual(await sel(m("__name__", "=", "up"), m("job", "!=", "api")), [
        "__name__=up,instance=c:1,job=db",
      ]);
      assert.deepEqual(await sel(m("__name__", "=~", "u"), m("job", "=", "api")), []);
      assert.deepEqual(await sel(m("__name__", "=~", "u.|x"), m("job", "=", "db")), [
        "__name__=up,instance=c:1,job=db",
      ]);
      assert.deepEqual(await sel(m("__name__", "=~", "http_.*"), m("code", "=", "")), [
        "__name__=http_requests_total,job=api",
      ]);
      assert.deepEqual(await sel(m("__name__", "=~", "http_.*"), m("code", "!=", "")), [
        "__name__=http_requests_total,code=200,job=api",
        "__name__=http_requests_total,code=500,job=api",
      ]);
      assert.deepEqual(await sel(m("code", "=~", "5..")), [
        "__name__=http_requests_total,code=500,job=api",
      ]);
      assert.deepEqual(await sel(m("__name__", "=~", "http.*"), m("code", "!~", "2.*")), [
        "__name__=http_requests_total,code=500,job=api",
        "__name__=http_requests_total,job=api",
      ]);
      assert.deepEqual(await sel(m("__name__", "!~", "up|http.*")), []);
      assert.deepEqual(
        (await sel(m("instance", "=~", "(a|c):1"))).length,
        2,
        "alternation inside a group",
      );
    });

    it("answers label names and values, optionally filtered", async () => {
      const q = s.querier(T0, T0 + 30_000);
      assert.deepEqual(await q.labelNames(), ["__name__", "code", "instance", "job"]);
      assert.deepEqual(await q.labelNames([m("__name__", "=", "up")]), [
        "__name__",
        "instance",
        "job",
      ]);
      assert.deepEqual(await q.labelValues("job"), ["api", "db"]);
      assert.deepEqual(await q.labelValues("__name__"), ["http_requests_total", "up"]);
      assert.deepEqual(await q.labelValues("instance", [m("job", "=", "api")]), ["a:1", "b:1"]);
      assert.deepEqual(await q.labelValues("nope"), []);
    });

    it("honours seriesOnly and limit hints", async () => {
      const q = s.querier(T0, T0 + 30_000);
      const only = await q.select([m("__name__", "=", "up")], { seriesOnly: true });
      assert.equal(only.length, 3);
      assert.equal(only[0]!.timestamps.length, 0);
      const lim = await q.select([m("__name__", "=", "up")], { limit: 2 });
      assert.deepEqual(names(lim), [
        "__name__=up,instance=a:1,job=api",
        "__name__=up,instance=b:1,job=api",
      ]);
    });

    it("preserves stale markers, NaN, infinities and -0 bit for bit", async () => {
      const ls = L({ __name__: "special_values", case: "bits" });
      // A typed array: JS double arrays canonicalize NaN payloads, typed arrays do not.
      const vals = new Float64Array([0, NaN, Infinity, -Infinity, -0, 5e-324, 1.7e308, 0.1]);
      vals[0] = STALE_NAN;
      const app = s.appender();
      vals.forEach((v, i) => app.append(0, ls, T0 + i * 1000, v));
      await app.commit();
      const [got] = await s.querier(T0, T0 + 10_000).select([m("case", "=", "bits")]);
      assert.ok(got);
      assert.equal(got.values.length, vals.length);
      assert.ok(isStaleNaN(got.values[0]!), "stale marker survives");
      assert.ok(!isStaleNaN(got.values[1]!) && Number.isNaN(got.values[1]!), "plain NaN stays");
      for (let i = 0; i < vals.length; i++) {
        assert.equal(bits(got.values[i]!), bits(vals[i]!), `value ${i}`);
      }
    });

    it("stores label values with quotes, backslashes, newlines and unicode", async () => {
      const tricky = `it's a "test" \\ with\nnewline, tab\t and ünïcødé ✓ {}[]`;
      const ls = L({ __name__: "tricky_labels", v: tricky, re: "a.b*c" });
      await put(s, [[ls, T0, 42]]);
      const q = s.querier(T0, T0);
      const [a] = await q.select([m("v", "=", tricky)]);
      assert.ok(a, "exact match on a tricky value");
      assert.equal(a.labels.find((l) => l.name === "v")!.value, tricky);
      assert.equal(
        (await q.select([m("v", "=~", 'it\'s a "test" \\\\ with\\nnewline.*')])).length,
        1,
      );
      assert.equal((await q.select([m("re", "=", "a.b*c")])).length, 1);
      assert.equal((await q.select([m("re", "=~", "a\\.b\\*c")])).length, 1);
      assert.equal((await q.select([m("re", "=~", "a.b")])).length, 0);
      assert.deepEqual(await q.labelValues("v"), [tricky]);
    });

    it("sorts out-of-order appends and drops duplicate timestamps", async () => {
      const ls = L({ __name__: "ooo_metric" });
      await put(s, [
        [ls, T0 + 2000, 2],
        [ls, T0, 0],
        [ls, T0 + 1000, 1],
      ]);
      await put(s, [[ls, T0 + 1000, 1]]);
      const [got] = await s.querier(T0, T0 + 2000).select([m("__name__", "=", "ooo_metric")]);
      assert.deepEqual([...got!.timestamps], [T0, T0 + 1000, T0 + 2000]);
      assert.deepEqual([...got!.values], [0, 1, 2]);
    });

    it("makes nothing visible before commit and nothing after rollback", async () => {
      const ls = L({ __name__: "txn_metric" });
      const app = s.appender();
      app.append(0, ls, T0, 1);
      const q = s.querier(T0, T0);
      assert.equal((await q.select([m("__name__", "=", "txn_metric")])).length, 0);
      app.rollback();
      assert.equal((await q.select([m("__name__", "=", "txn_metric")])).length, 0);
      const app2 = s.appender();
      const ref = app2.append(0, ls, T0, 1);
      assert.ok(ref > 0);
      assert.equal(app2.append(ref, ls, T0 + 1000, 2), ref, "ref is stable");
      await app2.commit();
      const [got] = await s.querier(T0, T0 + 1000).select([m("__name__", "=", "txn_metric")]);
      assert.deepEqual([...got!.values], [1, 2]);
    });

    it("rejects invalid input with a clear error", () => {
      const app = s.appender();
      assert.throws(() => app.append(0, L({ job: "x" }), T0, 1), /metric name/);
      assert.throws(
        () => app.append(0, L({ __name__: "x" }), 1.5, 1),
        /timestamp must be an integer/,
      );
      app.rollback();
    });

    it("answers every concurrent commit only once its samples are readable", async () => {
      const ls = (i: number) => L({ __name__: "concurrent_metric", writer: String(i) });
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const app = s.appender();
          for (let k = 0; k < 50; k++) app.append(0, ls(i), T0 + k * 1000, k);
          await app.commit();
          const [got] = await s
            .querier(T0, T0 + 60_000)
            .select([m("__name__", "=", "concurrent_metric"), m("writer", "=", String(i))]);
          assert.equal(got?.values.length, 50, `writer ${i} sees its samples after commit`);
        }),
      );
      const all = await s
        .querier(T0, T0 + 60_000)
        .select([m("__name__", "=", "concurrent_metric")]);
      assert.equal(all.length, 20);
    });

    it("reports stats", async () => {
      const st = await s.stats();
      assert.ok(st.numSeries >= 8, `numSeries ${st.numSeries}`);
      assert.ok(st.numSamples >= 12, `numSamples ${st.numSamples}`);
      assert.equal(st.minTimeMs, T0);
      assert.ok(st.maxTimeMs !== null && st.maxTimeMs >= T0 + 49_000);
    });

    if (opts.reopen) {
      it("keeps committed data across close and reopen", async () => {
        const ls = L({ __name__: "durable_metric", k: "v" });
        await put(s, [[ls, T0, STALE_NAN]]);
        s = await opts.reopen!(s);
        const [got] = await s.querier(T0, T0).select([m("__name__", "=", "durable_metric")]);
        assert.ok(got);
        assert.ok(isStaleNaN(got.values[0]!));
        const up = await s.querier(T0, T0 + 30_000).select([m("__name__", "=", "up")]);
        assert.equal(up.length, 3);
        // Still writable after reopening, with fresh refs.
        await put(s, [[ls, T0 + 1000, 1]]);
        const [again] = await s.querier(T0, T0 + 1000).select([m("k", "=", "v")]);
        assert.equal(again!.values.length, 2);
      });
    }

    it("rejects use after close", async () => {
      const extra = await opts.newStorage();
      await extra.close();
      assert.throws(() => extra.appender().append(0, L({ __name__: "x" }), T0, 1), /closed/);
      await assert.rejects(extra.querier(T0, T0).select([m("__name__", "=", "x")]), /closed/);
    });
  });
}
