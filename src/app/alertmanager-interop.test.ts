// Real alertmanager 0.33 receives the alerts of Vigil's rules, as it receives Prometheus's
// (alerting.alertmanagers, API v2).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { alertmanagerReady, freePort, peerPath, startPeer, waitFor } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { App } from "./index.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-am-peer-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const bin = peerPath("alertmanager");
const why = bin ? alertmanagerReady() : "alertmanager binary not found";

void test(
  "alertmanager 0.33 receives Vigil's alerts with their labels, annotations and generator URL",
  { skip: why, timeout: 90_000 },
  async () => {
    const amPort = await freePort();
    writeFileSync(
      join(tmp, "am.yml"),
      "route: {receiver: none, group_wait: 1s}\nreceivers: [{name: none}]\n",
    );
    const am = startPeer(bin!, [
      `--config.file=${join(tmp, "am.yml")}`,
      `--storage.path=${join(tmp, "am-data")}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      `--cluster.listen-address=127.0.0.1:${await freePort()}`,
    ]);
    const amURL = `http://127.0.0.1:${amPort}`;
    let app: App | undefined;
    try {
      await waitFor("alertmanager ready", async () => {
        if (am.child.exitCode !== null) throw new Error(am.output());
        return (await fetch(`${amURL}/-/ready`).catch(() => undefined))?.ok ? true : undefined;
      });
      writeFileSync(
        join(tmp, "rules.yml"),
        [
          "groups:",
          "  - name: g",
          "    interval: 1s",
          "    rules:",
          "      - alert: DiskFull",
          "        expr: vector(42)",
          "        labels: {severity: critical, team: infra}",
          "        annotations:",
          "          summary: 'value {{ $value }}'",
          "          runbook_url: https://runbooks.example/disk",
          "",
        ].join("\n"),
      );
      writeFileSync(
        join(tmp, "vigil.yml"),
        [
          "storage: {engine: memory}",
          "global: {external_labels: {cluster: eu1}}",
          "rule_files: [rules.yml]",
          "rules: {watchdog: false}",
          "alerting:",
          "  alertmanagers:",
          `    - static_configs: [{targets: ["127.0.0.1:${amPort}"]}]`,
          "",
        ].join("\n"),
      );
      app = new App({
        configFile: join(tmp, "vigil.yml"),
        overrides: { listen: "127.0.0.1:0" },
        logger: silentLogger(),
      });
      await app.start();
      type AmAlert = {
        labels: Record<string, string>;
        annotations: Record<string, string>;
        generatorURL: string;
        status: { state: string };
      };
      const alerts = await waitFor("the alert in alertmanager", async () => {
        const r = (await (await fetch(`${amURL}/api/v2/alerts`)).json()) as AmAlert[];
        return r.length > 0 ? r : undefined;
      });
      assert.equal(alerts.length, 1);
      const a = alerts[0]!;
      assert.deepEqual(a.labels, {
        alertname: "DiskFull",
        cluster: "eu1",
        severity: "critical",
        team: "infra",
      });
      assert.deepEqual(a.annotations, {
        summary: "value 42",
        runbook_url: "https://runbooks.example/disk",
      });
      assert.match(a.generatorURL, /\/graph\?g0\.expr=vector%2842%29&g0\.tab=1$/);
      assert.equal(a.status.state, "active");
    } finally {
      await app?.stop();
      await am.stop();
    }
  },
);
