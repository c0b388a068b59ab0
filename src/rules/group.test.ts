import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isStaleNaN } from "../model/value/index.ts";
import type { Appender } from "../storage/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import { evalTimestamp, xxhash64 } from "./hash.ts";
import { MIN, labelString, newEnv, steps } from "./testdata/env.ts";

describe("recording rules", () => {
  it("write their output at the evaluation time, visible to later rules of the group", async () => {
    const env = newEnv();
    await env.add(
      { __name__: "x", job: "a", i: "1" },
      steps(0, 10 * MIN, MIN, () => 2),
    );
    await env.add(
      { __name__: "x", job: "a", i: "2" },
      steps(0, 10 * MIN, MIN, () => 3),
    );
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - record: job:x:sum
        expr: sum by (job) (x)
        labels: {source: rule}
      - record: job:x:double
        expr: job:x:sum * 2
`);
    await g!.eval(5 * MIN);
    const sum = await env.series("job:x:sum");
    assert.deepEqual(
      sum.map((s) => labelString(s.labels)),
      ["__name__=job:x:sum,job=a,source=rule"],
    );
    assert.deepEqual([...sum[0]!.timestamps], [5 * MIN]);
    assert.deepEqual([...sum[0]!.values], [5]);
    // The second rule read the first one's output of the same evaluation.
    const dbl = await env.series("job:x:double");
    assert.deepEqual([...dbl[0]!.values], [10]);
    assert.equal(dbl[0]!.labels.length, 3);
    for (const r of g!.rules) {
      assert.equal(r.health, "ok");
      assert.equal(r.lastError, undefined);
      assert.equal(r.evaluationTimestampMs, 0);
    }
    assert.equal(g!.lastEvalTimestampMs, undefined);
    await g!.iterate(6 * MIN);
    assert.equal(g!.lastEvalTimestampMs, 6 * MIN);
    assert.equal(g!.lastEvaluationMs, 0);
  });

  it("mark series they stop producing stale", async () => {
    const env = newEnv();
    await env.add(
      { __name__: "x", i: "1" },
      steps(0, 10 * MIN, MIN, () => 10),
    );
    await env.add(
      { __name__: "x", i: "2" },
      steps(0, 10 * MIN, MIN, (t) => (t < 3 * MIN ? 10 : 0)),
    );
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - record: high
        expr: x > 5
`);
    for (let t = MIN; t <= 5 * MIN; t += MIN) await g!.eval(t);
    const out = await env.series("high");
    const byI = new Map(out.map((s) => [labelString(s.labels), s]));
    const one = byI.get("__name__=high,i=1")!;
    assert.deepEqual([...one.timestamps], [MIN, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN]);
    const two = byI.get("__name__=high,i=2")!;
    assert.deepEqual([...two.timestamps], [MIN, 2 * MIN, 3 * MIN]);
    assert.equal(two.values[1], 10);
    assert.ok(isStaleNaN(two.values[2]!), "stale marker when the series went away");
  });

  it("query and write query_offset in the past", async () => {
    const env = newEnv();
    await env.add(
      { __name__: "x" },
      steps(0, 10 * MIN, MIN, (t) => t / MIN),
    );
    const [g] = env.groups(`groups:
  - name: g
    query_offset: 2m
    rules:
      - record: y
        expr: x
`);
    assert.equal(g!.queryOffsetMs, 2 * MIN);
    await g!.eval(5 * MIN);
    const [y] = await env.series("y");
    assert.deepEqual([...y!.timestamps], [3 * MIN]);
    assert.deepEqual([...y!.values], [3]);
  });

  it("fail on exceeding the group limit and on label clashes", async () => {
    const env = newEnv();
    await env.add({ __name__: "x", i: "1" }, [[0, 1]]);
    await env.add({ __name__: "x", i: "2" }, [[0, 1]]);
    const [g] = env.groups(`groups:
  - name: g
    limit: 1
    rules:
      - record: y
        expr: x
      - record: z
        expr: x
        labels: {i: same}
`);
    await g!.eval(MIN);
    assert.equal(g!.rules[0]!.health, "err");
    assert.equal(g!.rules[0]!.lastError?.message, "exceeded limit of 1 with 2 series");
    assert.equal(
      g!.rules[1]!.lastError?.message,
      "vector contains metrics with the same labelset after applying rule labels",
    );
    assert.deepEqual(await env.series("y"), []);
  });

  it("record query errors and recover from them", async () => {
    const env = newEnv();
    await env.add({ __name__: "x", i: "1", j: "a" }, [[0, 1]]);
    await env.add({ __name__: "x", i: "1", j: "b" }, [[0, 1]]);
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - record: y
        expr: x * on(i) x
`);
    await g!.eval(MIN);
    const r = g!.rules[0]!;
    assert.equal(r.health, "err");
    assert.match(r.lastError!.message, /many-to-many matching not allowed/);
  });

  it("commit each rule's output before the next rule runs", async () => {
    const storage = new MemoryStorage();
    const commits: number[] = [];
    const counting = {
      appender(): Appender {
        const app = storage.appender();
        let n = 0;
        return {
          append: (ref, ls, t, v) => {
            n++;
            return app.append(ref, ls, t, v);
          },
          commit: async () => {
            commits.push(n);
            await app.commit();
          },
          rollback: () => app.rollback(),
        };
      },
    };
    const env = newEnv({ appendable: counting }, storage);
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - record: a
        expr: vector(1)
      - record: b
        expr: a + 1
      - alert: C
        expr: b > 1
`);
    await g!.eval(MIN);
    // One commit per rule: a, b, and the ALERTS / ALERTS_FOR_STATE pair of C.
    assert.deepEqual(commits, [1, 1, 2]);
  });
});

describe("evaluation slots", () => {
  it("hash like Prometheus (xxhash64 of the group's labels)", () => {
    const enc = new TextEncoder();
    assert.equal(xxhash64(enc.encode("")).toString(16), "ef46db3751d8e999");
    assert.equal(xxhash64(enc.encode("abc")).toString(16), "44bc2cf5ad770999");
    assert.equal(
      xxhash64(enc.encode("Nobody inspects the spammish repetition")).toString(16),
      "fbcea83c8a378bf1",
    );
  });

  it("match the slots prometheus 3.5 evaluated a group at", () => {
    // prometheus 3.5.3 evaluated group g1 of rules.yml every 5s at ...x.891472798 (from the
    // timestamps of its recorded samples and the activeAt of its alerts).
    assert.equal(evalTimestamp("rules.yml", "g1", 5000, 1795276062000), 1795276059891);
    // The slot is at .891472798 in nanoseconds: .892 is after it, .891 still before.
    assert.equal(evalTimestamp("rules.yml", "g1", 5000, 1795276059892), 1795276059891);
    assert.equal(evalTimestamp("rules.yml", "g1", 5000, 1795276059891), 1795276054891);
  });
});
