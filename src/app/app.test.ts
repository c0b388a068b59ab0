import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { labelsFromRecord } from "../model/labels/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { App } from "./index.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-app-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function json(url: string): Promise<{ status: string; data: unknown }> {
  const r = await fetch(url);
  return (await r.json()) as { status: string; data: unknown };
}

describe("App", () => {
  it("serves the Prometheus API over its storage, with the engine the config describes", async () => {
    const cfg = join(tmp, "vigil.yml");
    writeFileSync(cfg, "storage:\n  engine: memory\nquery:\n  lookback_delta: 1m\n");
    const app = new App({
      configFile: cfg,
      overrides: { listen: "127.0.0.1:0" },
      logger: silentLogger(),
    });
    await app.start();
    try {
      assert.equal(app.engine.opts.lookbackDeltaMs, 60_000);
      assert.equal(app.engine.opts.maxConcurrent, 20);
      const now = Date.now();
      const a = app.store.appender();
      a.append(0, labelsFromRecord({ __name__: "x", job: "j" }), now - 90_000, 7);
      a.append(0, labelsFromRecord({ __name__: "y", job: "j" }), now - 30_000, 8);
      await a.commit();

      // x's sample is older than the configured 1m lookback; y's is not.
      const r = await json(`${app.address}/api/v1/query?query={job="j"}&time=${now / 1000}`);
      assert.deepEqual(r, {
        status: "success",
        data: {
          resultType: "vector",
          result: [{ metric: { __name__: "y", job: "j" }, value: [now / 1000, "8"] }],
        },
      });

      const c = (await json(`${app.address}/api/v1/status/config`)) as { data: { yaml: string } };
      assert.match(c.data.yaml, /\nquery:\n {2}lookback_delta: 1m\n {2}timeout: 2m\n/);
      assert.deepEqual((await json(`${app.address}/api/v1/status/flags`)).data, {
        config: cfg,
        "data-dir": "",
        listen: "127.0.0.1:0",
        "log-level": "",
        env: "",
      });

      // A reload that changes the query section replaces the engine; one that fails is reported.
      const before = app.engine;
      writeFileSync(cfg, "storage:\n  engine: memory\nquery:\n  lookback_delta: 2m\n");
      await app.reload();
      assert.notEqual(app.engine, before);
      assert.equal(app.engine.opts.lookbackDeltaMs, 120_000);
      const same = app.engine;
      await app.reload();
      assert.equal(app.engine, same, "an unchanged query section keeps the engine");

      writeFileSync(cfg, "query:\n  lookback: 2m\n");
      await assert.rejects(app.reload());
      const info = (await json(`${app.address}/api/v1/status/runtimeinfo`)) as {
        data: { reloadConfigSuccess: boolean };
      };
      assert.equal(info.data.reloadConfigSuccess, false);
    } finally {
      await app.stop();
    }
  });
});
