import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FixtureQuerier } from "../conformance/fixture-store.ts";
import { Engine, PipelineError, QueryError } from "./index.ts";
import type { QueryResult } from "./index.ts";

const S = 1_000_000_000n;

function engine(): Engine {
  return new Engine({
    querier: new FixtureQuerier([
      {
        labels: { app: "a", pod: "1" },
        entries: [
          { tsNs: 10n * S, line: "level=info v=1" },
          { tsNs: 20n * S, line: "level=error v=2" },
          { tsNs: 30n * S, line: "level=info v=3" },
          { tsNs: 60n * S, line: "level=error v=4" },
        ],
      },
      {
        labels: { app: "a", pod: "2" },
        entries: [
          { tsNs: 15n * S, line: "level=info v=10" },
          { tsNs: 45n * S, line: "not logfmt {", metadata: { trace: "t" } },
        ],
      },
    ]),
  });
}

function vector(r: QueryResult): Record<string, number> {
  assert.equal(r.type, "vector");
  const out: Record<string, number> = {};
  if (r.type === "vector") {
    for (const s of r.samples) out[s.labels.map((l) => `${l.name}=${l.value}`).join(",")] = s.value;
  }
  return out;
}

describe("LogQL engine", () => {
  it("counts over a left-open, right-closed window", async () => {
    const r = await engine().instantQuery('count_over_time({app="a"}[30s])', 60n * S);
    // (30s, 60s]: the entry at 30s is out, the one at 60s in; metadata labels count.
    assert.deepEqual(vector(r), { "app=a,pod=1": 1, "app=a,pod=2,trace=t": 1 });
  });

  it("applies offset", async () => {
    const r = await engine().instantQuery(
      'count_over_time({app="a", pod="1"}[20s] offset 30s)',
      60n * S,
    );
    assert.deepEqual(vector(r), { "app=a,pod=1": 2 });
  });

  it("aggregates and unwraps", async () => {
    const e = engine();
    assert.deepEqual(
      vector(
        await e.instantQuery(
          'sum by (pod) (sum_over_time({app="a", pod="1"} | logfmt | unwrap v [1m]))',
          60n * S,
        ),
      ),
      { "pod=1": 10 },
    );
    assert.deepEqual(
      vector(
        await e.instantQuery(
          'max_over_time({app="a", pod="1"} | logfmt | unwrap v [1m]) by (level)',
          60n * S,
        ),
      ),
      { "level=error": 4, "level=info": 3 },
    );
    const rate = vector(await e.instantQuery('sum(rate({app="a"}[1m]))', 60n * S));
    assert.ok(Math.abs(rate[""]! - 6 / 60) < 1e-12);
  });

  it("evaluates range queries step by step", async () => {
    const r = await engine().rangeQuery(
      'count_over_time({app="a", pod="1"}[20s])',
      20n * S,
      60n * S,
      20n * S,
    );
    assert.equal(r.type, "matrix");
    if (r.type === "matrix") {
      assert.deepEqual(
        r.series[0]!.points.map((p) => [Number(p.tsNs / S), p.value]),
        [
          [20, 2],
          [40, 1],
          [60, 1],
        ],
      );
    }
  });

  it("follows Loki's binary operator rules", async () => {
    const e = engine();
    const q = 'sum(count_over_time({app="a"}[1m]))';
    assert.deepEqual(vector(await e.instantQuery(`${q} / 0`, 60n * S)), { "": NaN });
    assert.deepEqual(vector(await e.instantQuery(`${q} > bool 100`, 60n * S)), { "": 0 });
    assert.deepEqual(vector(await e.instantQuery(`${q} > 100`, 60n * S)), {});
    const r = await e.instantQuery("2 * 3", 0n);
    assert.deepEqual(r, { type: "scalar", tsNs: 0n, value: 6 });
    await assert.rejects(
      e.instantQuery(
        'count_over_time({app="a"}[1m]) + on() count_over_time({app="a"}[1m])',
        60n * S,
      ),
      QueryError,
    );
  });

  it("fails metric queries on pipeline errors unless filtered", async () => {
    const e = engine();
    await assert.rejects(
      e.instantQuery('count_over_time({app="a"} | json [1m])', 60n * S),
      PipelineError,
    );
    const r = await e.instantQuery(
      'count_over_time({app="a"} | json | __error__="" [1m])',
      60n * S,
    );
    assert.deepEqual(vector(r), {});
  });

  it("returns streams for log queries, with limit and direction", async () => {
    const r = await engine().rangeQuery(
      '{app="a"} |= "level" | logfmt | level="info"',
      0n,
      100n * S,
      0n,
      {
        direction: "forward",
        limit: 2,
      },
    );
    assert.equal(r.type, "streams");
    if (r.type === "streams") {
      const lines = r.streams.flatMap((s) => s.entries.map((e) => e.line));
      assert.deepEqual(lines, ["level=info v=1", "level=info v=10"]);
      assert.deepEqual(
        r.streams[0]!.entries[0]!.parsed.map((l) => l.name),
        ["level", "v"],
      );
    }
  });

  it("refuses instant log queries", async () => {
    await assert.rejects(engine().instantQuery('{app="a"}', 0n), QueryError);
  });
});
