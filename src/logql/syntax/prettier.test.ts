// Expectations follow Loki's pkg/logql/syntax/prettier.go (its own tests split at 20 bytes;
// the first four cases below are theirs) and what /loki/api/v1/format_query answers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exprToString } from "./printer.ts";
import { parseExpr } from "./parser.ts";
import { prettify } from "./prettier.ts";

const at20: [string, string, string][] = [
  [
    "basic stream selector",
    `{job="loki", instance="localhost"}`,
    `{job="loki", instance="localhost"}`,
  ],
  [
    "pipeline",
    `{job="loki", instance="localhost"}|logfmt|level="error" `,
    `{job="loki", instance="localhost"}\n  | logfmt\n  | level="error"`,
  ],
  [
    "aggregation",
    `count_over_time({job="loki", instance="localhost"}|logfmt[1m])`,
    `count_over_time(\n  {job="loki", instance="localhost"}\n    | logfmt [1m]\n)`,
  ],
  [
    "pipeline line filter",
    `count_over_time({job="loki", instance="localhost"}|= "error" != "memcached" |= ip("192.168.0.1") |logfmt[1m])`,
    `count_over_time(\n  {job="loki", instance="localhost"}\n    |= "error"\n    != "memcached"\n    |= ip("192.168.0.1")\n    | logfmt [1m]\n)`,
  ],
  [
    "vector aggregation with grouping and k",
    `topk by (app) (5, rate({app="a"}[5m]))`,
    `topk by (app)(\n  5,\n  rate({app="a"}[5m])\n)`,
  ],
  [
    "binary operation with matching",
    `sum by (app) (rate({app="a"}[5m])) / on (app) group_left (env) sum by (app, env) (rate({app="b"}[5m]))`,
    `  sum by (app)(\n    rate({app="a"}[5m])\n  )\n/ on (app) group_left (env)\n  sum by (app, env)(\n    rate({app="b"}[5m])\n  )`,
  ],
  [
    "unwrap and offset",
    `sum_over_time({app="a"} | logfmt | unwrap bytes(size) | __error__="" [5m] offset 1h)`,
    `sum_over_time(\n  {app="a"} | logfmt\n    | unwrap bytes(size)\n    | __error__="" [5m] offset 1h\n)`,
  ],
  [
    "quantile with parameter and grouping after",
    `quantile_over_time(0.99, {app="a"} | json | unwrap latency [5m]) by (path)`,
    `quantile_over_time(\n  0.99,\n  {app="a"} | json\n    | unwrap latency [5m]\n) by (path)`,
  ],
  [
    "label_replace",
    `label_replace(rate({app="a"}[1m]), "dst", "$1", "src", "(.*)")`,
    `label_replace(\n  rate({app="a"}[1m]),\n  "dst",\n  "$1",\n  "src",\n  "(.*)"\n)`,
  ],
];

describe("prettify", () => {
  for (const [name, input, want] of at20) {
    it(`${name} (split at 20 bytes)`, () => {
      assert.equal(prettify(parseExpr(input), 20), want);
    });
  }

  it("keeps queries of at most 100 bytes on one line, in the printer's form", () => {
    for (const q of [
      `{app="a"} |= "x" | json`,
      `sum by (app) (count_over_time({app="a"}[5m])) > 1`,
    ]) {
      const e = parseExpr(q);
      assert.equal(prettify(e), exprToString(e));
    }
  });

  it("splits at 100 bytes by default, and its output parses back to the same query", () => {
    const q =
      `sum by (namespace, app) (rate({namespace="production", app="checkout"} |= "error" ` +
      `| logfmt | level="error" | duration > 250ms [5m]))`;
    const e = parseExpr(q);
    const p = prettify(e);
    assert.ok(p.includes("\n"), p);
    assert.equal(exprToString(parseExpr(p)), exprToString(e));
  });
});
