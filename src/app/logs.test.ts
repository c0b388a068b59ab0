// Logs inside a running Vigil: a Loki push and a tailed file land in the log storage.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Matcher } from "../model/labels/index.ts";
import type { LogRow } from "../storage/logs.ts";
import { waitFor } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { App } from "./index.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-logs-app-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function rows(app: App, job: string): Promise<LogRow[]> {
  const out: LogRow[] = [];
  const now = BigInt(Date.now()) * 1_000_000n;
  for await (const batch of app.store.logs.logQuerier().select({
    matchers: [new Matcher("=", "job", job)],
    startNs: now - 3_600_000_000_000n,
    endNs: now + 60_000_000_000n,
    order: "forward",
  }))
    out.push(...batch);
  return out;
}

void test("Loki push and log_files reach the log storage", { timeout: 60_000 }, async () => {
  const logFile = join(tmp, "app.log");
  writeFileSync(logFile, "first line\n");
  const cfg = join(tmp, "vigil.yml");
  writeFileSync(
    cfg,
    [
      "storage: {engine: memory}",
      "rules: {watchdog: false}",
      "log_files:",
      `  - paths: [${JSON.stringify(join(tmp, "*.log"))}]`,
      "    labels: {job: tailed}",
      "log_file_options:",
      "  poll_interval: 50ms",
      "  sync_period: 200ms",
      `  positions_file: ${JSON.stringify(join(tmp, "positions.json"))}`,
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
    const ts = `${BigInt(Date.now()) * 1_000_000n}`;
    const r = await fetch(`${app.address}/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        streams: [{ stream: { job: "pushed" }, values: [[ts, "hello loki"]] }],
      }),
    });
    assert.equal(r.status, 204);
    const pushed = await rows(app, "pushed");
    assert.deepEqual(
      pushed.map((e) => [e.line, `${e.tsNs}`]),
      [["hello loki", ts]],
    );

    appendFileSync(logFile, "second line\n");
    const tailed = await waitFor("tailed lines", async () => {
      const got = await rows(app, "tailed");
      return got.length >= 2 ? got : undefined;
    });
    assert.deepEqual(
      tailed.map((e) => e.line),
      ["first line", "second line"],
    );
    assert.equal(tailed[0]!.stream.find((l) => l.name === "filename")?.value, logFile);
  } finally {
    await app.stop();
  }
});
