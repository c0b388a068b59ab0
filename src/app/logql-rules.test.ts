// LogQL rules inside a running Vigil: a Loki ruler file listed under rules.log_rule_files alerts
// on lines pushed through the Loki push API, and the alert reaches a webhook through Vigil's
// router like any PromQL alert.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { waitFor } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { App } from "./index.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-logql-app-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Hook {
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  value: string;
}

void test(
  "a LogQL alert on pushed logs fires, shows in the API and reaches the webhook",
  { timeout: 60_000 },
  async () => {
    const got: Hook[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        got.push(JSON.parse(body) as Hook);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
    // A Loki ruler file, unchanged.
    writeFileSync(
      join(tmp, "loki-rules.yml"),
      `groups:
  - name: api-logs
    rules:
      - alert: ApiLogErrors
        expr: sum by (app) (count_over_time({app="api"} |= "error" [1m])) > 2
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.app }} logged {{ $value }} errors"
      - record: app:log_lines:count1m
        expr: sum by (app) (count_over_time({app=~".+"}[1m]))
`,
    );
    const cfg = join(tmp, "vigil.yml");
    writeFileSync(
      cfg,
      [
        "storage: {engine: memory}",
        "global: {evaluation_interval: 1s}",
        "rules:",
        "  watchdog: false",
        "  policy: off",
        "  log_rule_files: [loki-rules.yml]",
        "alertmanager:",
        "  route: {receiver: hook, group_wait: 0s, group_interval: 1s}",
        "  receivers:",
        "    - name: hook",
        `      webhook_configs: [{url: ${JSON.stringify(url)}}]`,
        "",
      ].join("\n"),
    );
    const app = new App({
      configFile: cfg,
      overrides: { listen: "127.0.0.1:0" },
      logger: silentLogger(),
    });
    await app.start();
    try {
      const rules = (await (await fetch(`${app.address}/api/v1/rules`)).json()) as {
        data: {
          groups: { name: string; rules: { name: string; query: string; type: string }[] }[];
        };
      };
      assert.deepEqual(
        rules.data.groups.flatMap((g) => g.rules.map((r) => [g.name, r.name, r.type, r.query])),
        [
          [
            "api-logs",
            "ApiLogErrors",
            "alerting",
            '(sum by (app)(count_over_time({app="api"} |= "error"[1m])) > 2)',
          ],
          [
            "api-logs",
            "app:log_lines:count1m",
            "recording",
            'sum by (app)(count_over_time({app=~".+"}[1m]))',
          ],
        ],
      );

      const now = BigInt(Date.now()) * 1_000_000n;
      const values = [0n, 1n, 2n, 3n].map((i) => [`${now - i * 1_000_000n}`, `error ${i}`]);
      const r = await fetch(`${app.address}/loki/api/v1/push`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          streams: [
            { stream: { app: "api", env: "prod" }, values },
            { stream: { app: "api", env: "prod" }, values: [[`${now}`, "all fine"]] },
          ],
        }),
      });
      assert.equal(r.status, 204);

      const alert = await waitFor("the alert in /api/v1/alerts", async () => {
        const body = (await (await fetch(`${app.address}/api/v1/alerts`)).json()) as {
          data: { alerts: ApiAlert[] };
        };
        return body.data.alerts.find((a) => a.labels.alertname === "ApiLogErrors");
      });
      assert.equal(alert.state, "firing");
      assert.deepEqual(alert.labels, {
        alertname: "ApiLogErrors",
        app: "api",
        severity: "critical",
      });
      assert.equal(alert.annotations.summary, "api logged 4 errors");

      const firing = await waitFor("the webhook notification", async () =>
        got.find((h) => h.status === "firing"),
      );
      assert.equal(firing.alerts[0]!.labels.alertname, "ApiLogErrors");
      assert.equal(firing.alerts[0]!.annotations.summary, "api logged 4 errors");

      // The recording rule's output is a metric like any other.
      const recorded = await waitFor("the recorded series", async () => {
        const q = await fetch(
          `${app.address}/api/v1/query?query=${encodeURIComponent("app:log_lines:count1m")}`,
        );
        const body = (await q.json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        return body.data.result[0];
      });
      assert.deepEqual(recorded.metric, { __name__: "app:log_lines:count1m", app: "api" });
      assert.equal(recorded.value[1], "5");
    } finally {
      await app.stop();
      hook.close();
    }
  },
);
