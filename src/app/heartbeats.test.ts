// Heartbeats inside a running Vigil: a missed beat raises an alert that Vigil's router delivers
// like any other; the next beat resolves it; the API lists the check.
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

const tmp = mkdtempSync(join(tmpdir(), "vigil-hb-app-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Hook {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

void test(
  "a missed heartbeat is routed to its team; a beat resolves it",
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
    const cfg = join(tmp, "vigil.yml");
    writeFileSync(
      cfg,
      [
        "storage: {engine: memory}",
        "rules: {watchdog: false}",
        "alertmanager:",
        "  route: {receiver: fallback, group_wait: 0s, group_interval: 1s}",
        "  receivers:",
        "    - name: fallback",
        "    - name: backups",
        `      webhook_configs: [{url: ${JSON.stringify(url)}}]`,
        "heartbeats:",
        "  checks:",
        "    - name: nightly-backup",
        "      period: 1s",
        "      grace: 0s",
        "      labels: {team: backups, severity: critical}",
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
      const firing = await waitFor("the HeartbeatMissing notification", async () =>
        got.find((h) => h.status === "firing"),
      );
      assert.equal(firing.alerts[0]!.labels.alertname, "HeartbeatMissing");
      assert.equal(firing.alerts[0]!.labels.heartbeat, "nightly-backup");

      const list = (await (await fetch(`${app.address}/api/vigil/heartbeats`)).json()) as {
        data: { name: string; state: string }[];
      };
      assert.deepEqual(
        list.data.map((c) => [c.name, c.state]),
        [["nightly-backup", "down"]],
      );

      // Keep beating so that the check stays up while the resolution is delivered.
      const beat = async () =>
        assert.equal(
          (await fetch(`${app.address}/api/vigil/heartbeats/nightly-backup`, { method: "POST" }))
            .status,
          200,
        );
      await beat();
      const timer = setInterval(() => void beat().catch(() => undefined), 300);
      try {
        const resolved = await waitFor("the resolved notification", async () =>
          got.find((h) => h.status === "resolved"),
        );
        assert.equal(resolved.alerts[0]!.labels.heartbeat, "nightly-backup");
      } finally {
        clearInterval(timer);
      }
      const unknown = await fetch(`${app.address}/api/vigil/heartbeats/nope`, { method: "POST" });
      assert.equal(unknown.status, 404);
    } finally {
      await app.stop();
      hook.close();
    }
  },
);
