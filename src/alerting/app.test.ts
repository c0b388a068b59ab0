// The Alertmanager inside a running Vigil: alerts from Vigil's own rules reach it, the API is
// served on Vigil's port, and a reload with a bad configuration keeps the running one.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { App } from "../app/index.ts";
import { waitFor } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-am-app-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

void test(
  "rules feed the Alertmanager; a bad reload keeps the running routing",
  { timeout: 60_000 },
  async () => {
    const cfg = join(tmp, "vigil.yml");
    const good = `storage:\n  engine: memory\nglobal:\n  evaluation_interval: 1s\nalertmanager:\n  route:\n    receiver: platform\n  receivers:\n    - name: platform\n`;
    writeFileSync(cfg, good);
    const app = new App({
      configFile: cfg,
      overrides: { listen: "127.0.0.1:0" },
      logger: silentLogger(),
    });
    await app.start();
    try {
      const alerts = await waitFor("the Watchdog alert", async () => {
        const r = (await (await fetch(`${app.address}/api/v2/alerts`)).json()) as {
          labels: Record<string, string>;
          receivers: { name: string }[];
        }[];
        return r.find((a) => a.labels.alertname === "Watchdog") ? r : undefined;
      });
      const watchdog = alerts.find((a) => a.labels.alertname === "Watchdog")!;
      assert.deepEqual(watchdog.receivers, [{ name: "platform" }]);

      writeFileSync(cfg, good.replace("receiver: platform", "receiver: nobody"));
      await assert.rejects(app.reload(), /undefined receiver "nobody" used in route/);
      assert.equal(app.alertmanager?.config.route.receiver, "platform");

      writeFileSync(cfg, good.replaceAll("platform", "ops"));
      await app.reload();
      assert.equal(app.alertmanager?.config.route.receiver, "ops");
      const receivers = (await (await fetch(`${app.address}/api/v2/receivers`)).json()) as {
        name: string;
      }[];
      assert.deepEqual(
        receivers.map((r) => r.name),
        ["ops"],
      );
    } finally {
      await app.stop();
    }
  },
);
