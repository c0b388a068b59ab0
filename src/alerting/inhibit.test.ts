import assert from "node:assert/strict";
import { test } from "node:test";
import type { Alert } from "./alert.ts";
import { fingerprint } from "./alert.ts";
import { AlertStore } from "./alert-store.ts";
import { parseAmConfigText } from "./config/load.ts";
import { Inhibitor } from "./inhibit.ts";

const NOW = 1_700_000_000_000;

function alert(labels: Record<string, string>, endsAtMs = NOW + 60_000): Alert {
  return {
    labels,
    annotations: {},
    startsAtMs: NOW - 1000,
    endsAtMs,
    generatorURL: "",
    updatedAtMs: NOW,
    timeout: false,
  };
}

const CFG = parseAmConfigText(
  `route:
  receiver: r
receivers: [{name: r}]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity=~"warning|critical"]
    equal: [cluster]
  - source_match: {alertname: NodeDown}
    target_match_re: {alertname: "Node.+"}
    equal: [instance]
`,
  "am.yml",
);

void test("inhibition: equal labels, source/target matchers, resolved sources", async () => {
  let now = NOW;
  const store = new AlertStore(() => now);
  const ih = new Inhibitor(CFG.inhibitRules, store, () => now);
  const crit = alert({ alertname: "Down", severity: "critical", cluster: "eu" });
  await store.put([crit]);
  // Same cluster: inhibited by the critical alert; other cluster: not.
  assert.deepEqual(ih.inhibitedBy({ alertname: "Slow", severity: "warning", cluster: "eu" }), [
    fingerprint(crit.labels),
  ]);
  assert.deepEqual(ih.inhibitedBy({ alertname: "Slow", severity: "warning", cluster: "us" }), []);
  // A target lacking the equal label only matches a source lacking it too.
  assert.deepEqual(ih.inhibitedBy({ alertname: "Slow", severity: "warning" }), []);
  // An alert matching both sides is not inhibited by another matching both sides.
  assert.deepEqual(ih.inhibitedBy({ alertname: "Other", severity: "critical", cluster: "eu" }), []);
  // Deprecated match/match_re forms.
  await store.put([alert({ alertname: "NodeDown", instance: "h1" })]);
  assert.equal(ih.inhibitedBy({ alertname: "NodeDiskFull", instance: "h1" }).length, 1);
  assert.equal(ih.inhibitedBy({ alertname: "NodeDiskFull", instance: "h2" }).length, 0);
  // Once the source resolves, the target is no longer inhibited.
  await store.put([{ ...crit, endsAtMs: now, updatedAtMs: now + 1 }]);
  now += 1;
  assert.deepEqual(ih.inhibitedBy({ alertname: "Slow", severity: "warning", cluster: "eu" }), []);
  ih.stop();
});
