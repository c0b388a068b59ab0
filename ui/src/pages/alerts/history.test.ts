import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertSelector, historySpans } from "./history.ts";

describe("alert history", () => {
  it("selects one alert by all its labels", () => {
    assert.equal(
      alertSelector({ severity: "warning", alertname: "Down", instance: 'a"b' }),
      '{alertname="Down", instance="a\\"b", severity="warning"}',
    );
  });

  it("turns state changes into spans, newest first", () => {
    const e = (state: string, timestamp: number) => ({
      labels: { alertname: "A" },
      state,
      time: "",
      timestamp,
      value: 1,
    });
    assert.deepEqual(historySpans([e("firing", 160), e("pending", 100), e("resolved", 400.5)]), [
      { state: "resolved", fromMs: 400_500, toMs: undefined },
      { state: "firing", fromMs: 160_000, toMs: 400_500 },
      { state: "pending", fromMs: 100_000, toMs: 160_000 },
    ]);
    assert.deepEqual(historySpans([]), []);
  });
});
