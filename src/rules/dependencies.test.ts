import assert from "node:assert/strict";
import { test } from "node:test";
import { ruleDependencies } from "./dependencies.ts";
import { RecordingRule } from "./recording-rule.ts";
import { QUERY_LANGUAGES } from "./rule.ts";
import type { Rule } from "./rule.ts";
import { EMPTY_LABELS } from "../model/labels/index.ts";

function rec(name: string, expr: string): Rule {
  return new RecordingRule(name, QUERY_LANGUAGES.promql!.parse(expr), EMPTY_LABELS);
}

void test("ruleDependencies: record names and ALERTS link rules; nameless selectors make it indeterminate", () => {
  const a = rec("job:up:sum", "sum by (job) (up)");
  const b = rec("job:up:avg", "avg by (job) (up)");
  const c = rec("job:up:ratio", "job:up:sum / job:up:avg");
  let d = ruleDependencies([a, b, c]);
  assert.deepEqual(d, {
    indeterminate: false,
    hasLaterDependents: [true, true, false],
    independent: false,
  });
  d = ruleDependencies([c, a, b]);
  // c reads a and b, but runs first: it sees their previous evaluation; nothing to wait for.
  assert.deepEqual(d.hasLaterDependents, [false, false, false]);
  assert.equal(d.independent, false);
  d = ruleDependencies([a, b]);
  assert.deepEqual(d, {
    indeterminate: false,
    hasLaterDependents: [false, false],
    independent: true,
  });
  d = ruleDependencies([a, rec("x", '{job="a"}'), b]);
  assert.deepEqual(d, {
    indeterminate: true,
    hasLaterDependents: [true, true, true],
    independent: false,
  });
});
