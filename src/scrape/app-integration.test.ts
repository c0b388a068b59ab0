// Scraping wired into the App: scrape_configs from vigil.yml, results visible through the
// Prometheus API, reloads that add and remove jobs.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "../app/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { serve, waitFor } from "./testdata/helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-scrape-app-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function json(url: string): Promise<any> {
  return (await fetch(url)).json();
}

describe("App scraping", () => {
  it(
    "scrapes the configured jobs, serves their targets and applies reloads",
    { timeout: 30_000 },
    async () => {
      const srv = await serve((_req, res) => {
        res.setHeader("Content-Type", "text/plain; version=0.0.4");
        res.end("# TYPE app_up gauge\napp_up 1\n");
      });
      const cfg = join(tmp, "vigil.yml");
      const write = (jobs: string) =>
        writeFileSync(
          cfg,
          `storage:\n  engine: memory\nglobal:\n  scrape_interval: 1s\nscrape_configs:\n${jobs}`,
        );
      write(`  - job_name: app\n    static_configs:\n      - targets: ["${srv.addr}"]\n`);
      const app = new App({
        configFile: cfg,
        overrides: { listen: "127.0.0.1:0" },
        logger: silentLogger(),
      });
      await app.start();
      try {
        await waitFor(
          async () => {
            const r = await json(`${app.address}/api/v1/query?query=up{job="app"}`);
            return r.data.result[0]?.value[1] === "1";
          },
          "up=1 through the query API",
          10_000,
        );
        const q = await json(`${app.address}/api/v1/query?query=app_up`);
        assert.deepEqual(q.data.result[0].metric, {
          __name__: "app_up",
          instance: srv.addr,
          job: "app",
        });
        const t = await json(`${app.address}/api/v1/targets`);
        assert.equal(t.data.activeTargets[0].health, "up");
        assert.equal(t.data.activeTargets[0].scrapePool, "app");
        assert.deepEqual((await json(`${app.address}/api/v1/scrape_pools`)).data, {
          scrapePools: ["app"],
        });

        // Vigil scrapes itself too once a job says so.
        const self = app.address.replace("http://", "");
        write(
          `  - job_name: app\n    static_configs:\n      - targets: ["${srv.addr}"]\n  - job_name: vigil\n    static_configs:\n      - targets: ["${self}"]\n`,
        );
        await app.reload();
        await waitFor(
          async () => {
            const r = await json(`${app.address}/api/v1/query?query=up{job="vigil"}`);
            return r.data.result[0]?.value[1] === "1";
          },
          "Vigil scraping itself",
          10_000,
        );

        // Removing a job stops its scrapes.
        write(`  - job_name: vigil\n    static_configs:\n      - targets: ["${self}"]\n`);
        await app.reload();
        assert.deepEqual((await json(`${app.address}/api/v1/scrape_pools`)).data, {
          scrapePools: ["vigil"],
        });
        const status = await json(`${app.address}/api/v1/status/config`);
        assert.match(status.data.yaml, /scrape_configs:\n {2}- job_name: vigil\n/);
      } finally {
        await app.stop();
        await srv.close();
      }
    },
  );
});
