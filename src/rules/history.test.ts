import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Matcher } from "../model/labels/index.ts";
import type { Appender } from "../storage/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import type { AlertTransition } from "./alerting-rule.ts";
import { ALERT_HISTORY_METRIC, AlertHistory, historyState, queryAlertHistory } from "./history.ts";
import { MIN, labelString, newEnv, steps } from "./testdata/env.ts";

const RULES = `groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 1m
        labels: {severity: critical}
      - alert: Flapping
        expr: up == 0
        for: 5m
      - alert: Instant
        expr: up == 0
`;

/** upDownUp: up is 1, then 0 from 1m to 3m, then 1 again from 4m. */
async function evaluate(history: AlertHistory | undefined, record: AlertTransition[][]) {
  const storage = new MemoryStorage();
  const env = newEnv(
    {
      onAlertTransitions: (rule, changes, tsMs) => {
        record.push([...changes]);
        history?.record(rule, changes, tsMs);
        assert.equal(tsMs % MIN, 0);
      },
    },
    storage,
  );
  await env.add(
    { __name__: "up", job: "a" },
    steps(0, 10 * MIN, MIN, (t) => (t >= MIN && t < 4 * MIN ? 0 : 1)),
  );
  const [g] = env.groups(RULES);
  for (let t = 0; t <= 6 * MIN; t += MIN) await g!.eval(t);
  return storage;
}

describe("alert state changes", () => {
  it("are reported by the rule engine after each evaluation", async () => {
    const record: AlertTransition[][] = [];
    await evaluate(undefined, record);
    const flat = record.flat().map((t) => `${labelString(t.labels)} ${t.from}->${t.to}`);
    assert.deepEqual(flat, [
      // 1m: the condition starts to hold.
      "alertname=Down,job=a,severity=critical inactive->pending",
      "alertname=Flapping,job=a inactive->pending",
      "alertname=Instant,job=a inactive->firing",
      // 2m: Down has waited its minute.
      "alertname=Down,job=a,severity=critical pending->firing",
      // 4m: the condition clears; Flapping never fired.
      "alertname=Down,job=a,severity=critical firing->inactive",
      "alertname=Flapping,job=a pending->inactive",
      "alertname=Instant,job=a firing->inactive",
    ]);
  });

  it("name the state entered, resolved for alerts that fired", () => {
    assert.equal(historyState("inactive", "pending"), "pending");
    assert.equal(historyState("pending", "firing"), "firing");
    assert.equal(historyState("inactive", "firing"), "firing");
    assert.equal(historyState("firing", "inactive"), "resolved");
    assert.equal(historyState("pending", "inactive"), "inactive");
  });

  it("are stored as samples and read back by matchers and time range", async () => {
    const probe = new MemoryStorage();
    const history = new AlertHistory({ appendable: probe, logger: silentLogger() });
    await evaluate(history, []);
    await history.flush();
    assert.equal(history.written, 7);
    assert.equal(history.failed, 0);

    const all = await queryAlertHistory(probe, { matcherSets: [], startMs: 0, endMs: 10 * MIN });
    assert.deepEqual(
      all.map((e) => `${e.timeMs / MIN}m ${e.state} ${labelString(e.labels)} ${e.value}`),
      [
        "1m pending alertname=Down,job=a,severity=critical 1",
        "1m pending alertname=Flapping,job=a 1",
        "1m firing alertname=Instant,job=a 1",
        "2m firing alertname=Down,job=a,severity=critical 1",
        "4m resolved alertname=Down,job=a,severity=critical 1",
        "4m inactive alertname=Flapping,job=a 1",
        "4m resolved alertname=Instant,job=a 1",
      ],
      "sorted by time, then by labels",
    );

    const down = await queryAlertHistory(probe, {
      matcherSets: [[new Matcher("=", "alertname", "Down")]],
      startMs: 0,
      endMs: 10 * MIN,
    });
    assert.deepEqual(
      down.map((e) => e.state),
      ["pending", "firing", "resolved"],
    );
    const union = await queryAlertHistory(probe, {
      matcherSets: [
        [new Matcher("=", "alertstate", "resolved")],
        [new Matcher("=~", "alertname", "Flap.*")],
      ],
      startMs: 0,
      endMs: 10 * MIN,
    });
    assert.deepEqual(
      union.map((e) => `${e.state} ${e.labels.find((l) => l.name === "alertname")!.value}`),
      ["pending Flapping", "resolved Down", "inactive Flapping", "resolved Instant"],
    );
    const window = await queryAlertHistory(probe, {
      matcherSets: [],
      startMs: 2 * MIN,
      endMs: 3 * MIN,
    });
    assert.deepEqual(
      window.map((e) => e.state),
      ["firing"],
    );
    const latest = await queryAlertHistory(probe, {
      matcherSets: [],
      startMs: 0,
      endMs: 10 * MIN,
      limit: 2,
    });
    assert.equal(latest.length, 2);
    assert.ok(latest.every((e) => e.timeMs === 4 * MIN));

    // The series are ordinary series, for PromQL too.
    const series = await probe
      .querier(0, 10 * MIN)
      .select([new Matcher("=", "__name__", ALERT_HISTORY_METRIC)]);
    assert.equal(series.length, 7, "one series per alert and state entered");
  });

  it("are counted as failed when storage refuses them", async () => {
    const broken = {
      appender: (): Appender => ({
        append: () => 0,
        commit: () => Promise.reject(new Error("disk full")),
        rollback: () => {},
      }),
    };
    const history = new AlertHistory({ appendable: broken, logger: silentLogger() });
    await evaluate(history, []);
    await history.flush();
    assert.equal(history.written, 0);
    assert.equal(history.failed, 7);
  });
});
