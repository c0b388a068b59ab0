import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exprLanguage, groupLanguage } from "./ruleLanguage.ts";

describe("rule query language", () => {
  it("tells LogQL from PromQL by what parses", () => {
    const cases: [string, string | undefined][] = [
      ['sum(rate({app="api"} |= "error" [5m])) > 1', "logql"],
      ['count_over_time({app="api"} | json | level="error" [1m])', "logql"],
      ['sum by (host) (bytes_rate({job="nginx"}[5m]))', "logql"],
      ['{app="a"} |~ "timeout"', "logql"],
      ['rate(http_requests_total{job="api"}[5m]) > 0.5', "promql"],
      ["histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))", "promql"],
      ["up == 0", "promql"],
      // Valid in both: the group decides.
      ["vector(1)", undefined],
      ['count_over_time({app="a"}[5m])', undefined],
      ["", undefined],
      ["sum(", undefined],
    ];
    for (const [expr, want] of cases) assert.equal(exprLanguage(expr), want, expr);
  });

  it("makes a group LogQL when one of its rules is LogQL only", () => {
    assert.equal(groupLanguage(["vector(1)", '{app="a"} |= "x"']), "logql");
    assert.equal(groupLanguage(['count_over_time({app="a"}[5m]) > 0', "vector(1)"]), "promql");
    assert.equal(groupLanguage(["up == 0", "vector(1)"]), "promql");
    assert.equal(groupLanguage([]), "promql");
    // A language the API declares wins.
    assert.equal(groupLanguage(['count_over_time({app="a"}[5m]) > 0'], "logql"), "logql");
  });
});
