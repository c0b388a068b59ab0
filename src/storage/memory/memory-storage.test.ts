import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { FloatHistogram } from "../../model/histogram/index.ts";
import { Matcher, labelsFromPairs } from "../../model/labels/index.ts";
import { STALE_NAN, isStaleNaN } from "../../model/value/index.ts";
import { runStorageSuite } from "../conformance/index.ts";
import { MemoryStorage } from "./index.ts";

runStorageSuite({ name: "memory", newStorage: async () => new MemoryStorage() });

describe("MemoryStorage native histograms", () => {
  const ls = labelsFromPairs([{ name: "__name__", value: "h" }]);
  const all = [new Matcher("=", "__name__", "h")];
  const hist = (count: number) =>
    new FloatHistogram({
      count,
      sum: count,
      positiveSpans: [{ offset: 0, length: 1 }],
      positiveBuckets: [count],
    });

  it("stores histograms next to floats, one sample per timestamp", async () => {
    const st = new MemoryStorage();
    const app = st.appender();
    const h = hist(1);
    let ref = app.appendHistogram!(0, ls, 2000, h);
    h.count = 99; // The storage keeps its own copy.
    ref = app.append(ref, ls, 1000, 5);
    ref = app.append(ref, ls, 3000, 6);
    app.appendHistogram!(ref, ls, 3000, hist(2)); // Replaces the float at 3000.
    app.appendHistogram!(ref, ls, 4000, new FloatHistogram({ sum: STALE_NAN }));
    await app.commit();
    const [s] = await st.querier(0, 10_000).select(all);
    assert.deepEqual([...s!.timestamps], [1000]);
    assert.deepEqual([...s!.histograms!.timestamps], [2000, 3000, 4000]);
    assert.deepEqual(
      s!.histograms!.values.map((x) => x.count),
      [1, 2, 0],
    );
    assert.ok(isStaleNaN(s!.histograms!.values[2]!.sum));
    const stats = await st.stats();
    assert.equal(stats.numSamples, 4);
    assert.equal(stats.maxTimeMs, 4000);

    // A float replaces a histogram; series with only histograms in range are selected.
    const app2 = st.appender();
    app2.append(0, ls, 2000, 7);
    await app2.commit();
    const [t] = await st.querier(2000, 3000).select(all);
    assert.deepEqual([...t!.timestamps], [2000]);
    assert.deepEqual([...t!.histograms!.timestamps], [3000]);
    const [u] = await st.querier(3000, 3000).select(all);
    assert.equal(u!.timestamps.length, 0);
    assert.equal(u!.histograms!.values.length, 1);
  });

  it("rejects invalid histograms", () => {
    const app = new MemoryStorage().appender();
    const bad = new FloatHistogram({
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveBuckets: [1],
    });
    assert.throws(() => app.appendHistogram!(0, ls, 0, bad), /spans need 2 buckets, have 1/);
  });
});
