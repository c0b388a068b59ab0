import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExploreState } from "./urlState.ts";
import { DEFAULT_PANEL, decodeExplore, encodeExplore, explorePath } from "./urlState.ts";

describe("Explore URL state", () => {
  it("round-trips panels and refresh", () => {
    const s: ExploreState = {
      panels: [
        {
          ...DEFAULT_PANEL,
          expr: 'rate(x{job="a b"}[5m])',
          range: "6h",
          stacked: true,
          unit: "bytes",
        },
        { ...DEFAULT_PANEL, expr: "up", tab: "table", end: "2025-01-01T00:00:00Z", step: "30s" },
        {
          ...DEFAULT_PANEL,
          expr: "up",
          start: "2025-01-01T00:00:00Z",
          end: "2025-01-01T06:30:00Z",
        },
      ],
      refresh: "30s",
    };
    const enc = encodeExplore(s);
    assert.deepEqual(decodeExplore(enc), s);
    assert.deepEqual(decodeExplore(`?${enc}`), s);
  });

  it("leaves defaults out of the URL", () => {
    assert.equal(
      encodeExplore({ panels: [{ ...DEFAULT_PANEL, expr: "up" }], refresh: "" }),
      "g0.expr=up&g0.tab=graph",
    );
    assert.equal(explorePath("sum(up)"), "/explore?g0.expr=sum%28up%29&g0.tab=graph");
  });

  it("keeps an absolute range in the URL", () => {
    const enc = encodeExplore({
      panels: [
        {
          ...DEFAULT_PANEL,
          expr: "up",
          start: "2025-01-01T00:00:00Z",
          end: "2025-01-01T01:00:00Z",
        },
      ],
      refresh: "",
    });
    assert.equal(
      enc,
      "g0.expr=up&g0.tab=graph&g0.start=2025-01-01T00%3A00%3A00Z&g0.end=2025-01-01T01%3A00%3A00Z",
    );
    const p = decodeExplore(enc).panels[0]!;
    assert.equal(p.start, "2025-01-01T00:00:00Z");
    assert.equal(p.end, "2025-01-01T01:00:00Z");
  });

  it("starts with one empty panel", () => {
    assert.deepEqual(decodeExplore(""), { panels: [DEFAULT_PANEL], refresh: "" });
  });

  it("orders panels by index and reads Prometheus's classic parameters", () => {
    const s = decodeExplore(
      "g10.expr=b&g2.expr=a&g2.tab=1&g2.range_input=2h&g2.end_input=now-1h&g2.step_input=10&g2.stacked=1&g2.unit=bogus",
    );
    assert.deepEqual(
      s.panels.map((p) => p.expr),
      ["a", "b"],
    );
    assert.deepEqual(s.panels[0], {
      expr: "a",
      tab: "table",
      range: "2h",
      start: "",
      end: "now-1h",
      step: "10",
      stacked: true,
      unit: "",
    });
  });
});
