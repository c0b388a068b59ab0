import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { parseConfig } from "../config/index.ts";
import { labelsToRecord } from "../model/labels/index.ts";
import { isStaleNaN } from "../model/value/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import type { ScrapeManager } from "./index.ts";
import type { Handler } from "./testdata/helpers.ts";
import {
  group,
  job,
  lastValue,
  select,
  serve,
  startScraping,
  waitFor,
} from "./testdata/helpers.ts";

const TEXT = "text/plain; version=0.0.4; charset=utf-8";
const OM = "application/openmetrics-text; version=1.0.0; charset=utf-8";

describe("scrape loop", () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups) await c();
  });

  async function run(
    handler: Handler,
    o: Record<string, unknown> = {},
  ): Promise<{ storage: MemoryStorage; m: ScrapeManager; addr: string }> {
    const srv = await serve(handler);
    const storage = new MemoryStorage();
    const m = await startScraping(job({ scrape_interval: "1s", ...o }), [srv.addr], storage);
    cleanups.push(async () => {
      await m.stop();
      await srv.close();
    });
    return { storage, m, addr: srv.addr };
  }

  it("stores the samples of a text-format target with target labels and report series", async () => {
    let accept = "";
    const { storage, addr, m } = await run((req, res) => {
      accept = String(req.headers.accept);
      res.setHeader("Content-Type", TEXT);
      res.end('# HELP a_total A counter.\n# TYPE a_total counter\na_total{x="1"} 3\nb 2.5\n');
    });
    await waitFor(async () => (await lastValue(storage, "up")) === 1, "up=1");
    const a = await select(storage, "a_total");
    assert.equal(a.length, 1);
    assert.deepEqual(labelsToRecord(a[0]!.labels), {
      __name__: "a_total",
      instance: addr,
      job: "test",
      x: "1",
    });
    assert.equal(a[0]!.values[0], 3);
    assert.equal(await lastValue(storage, "b"), 2.5);
    assert.equal(await lastValue(storage, "scrape_samples_scraped"), 2);
    assert.equal(await lastValue(storage, "scrape_samples_post_metric_relabeling"), 2);
    assert.equal(await lastValue(storage, "scrape_series_added"), 2);
    const up = await select(storage, "up");
    assert.deepEqual(labelsToRecord(up[0]!.labels), {
      __name__: "up",
      instance: addr,
      job: "test",
    });
    // Samples and report share the scrape timestamp.
    assert.equal(a[0]!.timestamps[0], up[0]!.timestamps[0]);
    assert.match(
      accept,
      /^application\/openmetrics-text;version=1\.0\.0;escaping=allow-utf-8;q=0\.6,/,
    );
    const t = m.targetsActive().get("test")![0]!;
    assert.equal(t.health, "up");
    assert.equal(t.lastError, "");
    assert.deepEqual(t.metadata.get("a_total"), {
      metricFamily: "a_total",
      type: "counter",
      help: "A counter.",
      unit: "",
      lastIter: 1,
    });
  });

  it("parses OpenMetrics and decompresses gzip", async () => {
    let encoding = "";
    const { storage, m } = await run((req, res) => {
      encoding = String(req.headers["accept-encoding"]);
      res.setHeader("Content-Type", OM);
      res.setHeader("Content-Encoding", "gzip");
      res.end(
        gzipSync(
          '# TYPE temp_celsius gauge\n# UNIT temp_celsius celsius\ntemp_celsius 21.5\n# TYPE build info\nbuild_info{version="1.2"} 1\n# EOF\n',
        ),
      );
    });
    await waitFor(async () => (await lastValue(storage, "up")) === 1, "up=1");
    assert.equal(encoding, "gzip");
    assert.equal(await lastValue(storage, "temp_celsius"), 21.5);
    assert.equal(await lastValue(storage, "build_info"), 1);
    const md = m.targetsActive().get("test")![0]!.metadata;
    assert.equal(md.get("temp_celsius")?.unit, "celsius");
    assert.equal(md.get("build")?.type, "info");
  });

  it("fails a scrape over sample_limit: up=0 and nothing stored", async () => {
    const { storage, m } = await run(
      (_req, res) => {
        res.setHeader("Content-Type", TEXT);
        res.end("a 1\nb 2\nc 3\n");
      },
      { sample_limit: 2 },
    );
    await waitFor(async () => (await lastValue(storage, "up")) === 0, "up=0");
    for (const n of ["a", "b", "c"]) assert.deepEqual(await select(storage, n), []);
    assert.equal(await lastValue(storage, "scrape_samples_scraped"), 3);
    const t = m.targetsActive().get("test")![0]!;
    assert.equal(t.health, "down");
    assert.equal(t.lastError, "sample limit exceeded");
  });

  it("fails a scrape over label_limit and label_value_length_limit", async () => {
    const a = await run(
      (_req, res) => {
        res.setHeader("Content-Type", TEXT);
        res.end('ok 1\nwide{a="1",b="2",c="3"} 1\n');
      },
      { label_limit: 4 },
    );
    await waitFor(async () => (await lastValue(a.storage, "up")) === 0, "up=0");
    assert.deepEqual(await select(a.storage, "ok"), []);
    assert.equal(
      a.m.targetsActive().get("test")![0]!.lastError,
      "label_limit exceeded (metric: wide, number of labels: 6, limit: 4)",
    );
    const b = await run(
      (_req, res) => {
        res.setHeader("Content-Type", TEXT);
        res.end('long{v="abcdef"} 1\n');
      },
      { label_value_length_limit: 5 },
    );
    await waitFor(async () => (await lastValue(b.storage, "up")) === 0, "up=0");
    assert.match(
      b.m.targetsActive().get("test")![0]!.lastError,
      /^label_value_length_limit exceeded/,
    );
  });

  it("reports malformed expositions, bad status codes, body size limits and timeouts", async () => {
    const cases: [Handler, Record<string, unknown>, RegExp][] = [
      [
        (_q, res) => {
          res.setHeader("Content-Type", TEXT);
          res.end("a 1\nb{ 2\n");
        },
        {},
        /^(?!$)/,
      ],
      [
        (_q, res) => res.writeHead(503, "Service Unavailable").end(),
        {},
        /^server returned HTTP status 503 Service Unavailable$/,
      ],
      [
        (_q, res) => {
          res.setHeader("Content-Type", TEXT);
          res.end("x 1\n".repeat(1000));
        },
        { body_size_limit: "1KB" },
        /^body size limit exceeded$/,
      ],
      [
        (_q, res) => {
          res.setHeader("Content-Type", TEXT);
          res.setHeader("Content-Encoding", "gzip");
          res.end(gzipSync("x 1\n".repeat(1000)));
        },
        { body_size_limit: "1KB" },
        /^body size limit exceeded$/,
      ],
      [
        (_q, res) => {
          res.setHeader("Content-Type", TEXT);
          res.setHeader("Content-Encoding", "gzip");
          res.end("not gzip at all");
        },
        {},
        /^Get "http:\/\/127\.0\.0\.1:\d+\/metrics": incorrect header check$/,
      ],
      [
        (_q, res) => {
          setTimeout(() => res.end("a 1\n"), 1500).unref();
        },
        { scrape_timeout: "200ms" },
        /^Get "http:\/\/127\.0\.0\.1:\d+\/metrics": context deadline exceeded$/,
      ],
      [(_q, res) => res.end("a 1\n"), {}, /non-compliant scrape target sending blank Content-Type/],
    ];
    for (const [handler, o, want] of cases) {
      const { storage, m } = await run(handler, o);
      await waitFor(async () => (await lastValue(storage, "up")) === 0, "up=0");
      const t = m.targetsActive().get("test")![0]!;
      assert.match(t.lastError, want);
      assert.deepEqual(await select(storage, "a"), []);
    }
  });

  it("writes staleness markers for series that disappear and when a scrape fails", async () => {
    let n = 0;
    const { storage } = await run(
      (_req, res) => {
        n++;
        if (n >= 4) {
          res.writeHead(500).end();
          return;
        }
        res.setHeader("Content-Type", TEXT);
        res.end(n === 1 ? "keep 1\ngone 1\n" : "keep 2\n");
      },
      { scrape_interval: "100ms" },
    );
    await waitFor(async () => (await lastValue(storage, "up")) === 0, "failed scrape");
    const gone = (await select(storage, "gone"))[0]!;
    assert.equal(gone.values.length, 2);
    assert.equal(gone.values[0], 1);
    assert.ok(isStaleNaN(gone.values[1]!), "gone is marked stale at the second scrape");
    const keep = (await select(storage, "keep"))[0]!;
    assert.deepEqual([...keep.values.slice(0, -1)], [1, 2, 2]);
    assert.ok(isStaleNaN(keep.values[keep.values.length - 1]!), "keep is stale after the failure");
  });

  it("marks every series stale about two intervals after its target goes away", async () => {
    const srv = await serve((_req, res) => {
      res.setHeader("Content-Type", TEXT);
      res.end("m 1\n");
    });
    const storage = new MemoryStorage();
    const cfg = job({ scrape_interval: "100ms" });
    const m = await startScraping(cfg, [srv.addr], storage);
    await waitFor(async () => (await lastValue(storage, "up")) === 1, "up=1");
    await m.sync(new Map([["test", []]]));
    assert.equal(m.targetsActive().get("test")!.length, 0);
    await waitFor(async () => isStaleNaN((await lastValue(storage, "m")) ?? 0), "m stale", 2000);
    await waitFor(async () => isStaleNaN((await lastValue(storage, "up")) ?? 0), "up stale", 2000);
    await m.stop();
    await srv.close();
  });

  it("writes no staleness markers for a target that comes back at once", async () => {
    const srv = await serve((_req, res) => {
      res.setHeader("Content-Type", TEXT);
      res.end("m 1\n");
    });
    const storage = new MemoryStorage();
    const m = await startScraping(job({ scrape_interval: "100ms" }), [srv.addr], storage);
    await waitFor(async () => (await lastValue(storage, "up")) === 1, "up=1");
    await m.sync(new Map([["test", []]]));
    await m.sync(new Map([["test", [group([srv.addr])]]]));
    await new Promise((r) => setTimeout(r, 500));
    const values = [...(await select(storage, "m"))[0]!.values];
    assert.ok(values.length >= 3);
    assert.ok(!values.some(isStaleNaN), "no staleness marker between the scrapes");
    await m.stop();
    await srv.close();
  });

  it("handles label clashes as honor_labels says", async () => {
    const handler: Handler = (_req, res) => {
      res.setHeader("Content-Type", TEXT);
      res.end('m{job="app",exported_job="x",instance="i"} 1\n');
    };
    const a = await run(handler);
    await waitFor(async () => (await lastValue(a.storage, "up")) === 1, "up=1");
    assert.deepEqual(labelsToRecord((await select(a.storage, "m"))[0]!.labels), {
      __name__: "m",
      exported_exported_job: "app",
      exported_instance: "i",
      exported_job: "x",
      instance: a.addr,
      job: "test",
    });
    const b = await run(handler, { honor_labels: true });
    await waitFor(async () => (await lastValue(b.storage, "up")) === 1, "up=1");
    assert.deepEqual(labelsToRecord((await select(b.storage, "m"))[0]!.labels), {
      __name__: "m",
      exported_job: "x",
      instance: "i",
      job: "app",
    });
  });

  it("honors timestamps unless told not to, and applies metric relabeling", async () => {
    const handler: Handler = (_req, res) => {
      res.setHeader("Content-Type", TEXT);
      res.end("ts 1 1000\ndropme 1\nkeep 2\n");
    };
    const cfg = {
      metric_relabel_configs: [{ source_labels: ["__name__"], regex: "dropme", action: "drop" }],
    };
    const a = await run(handler, cfg);
    await waitFor(async () => (await lastValue(a.storage, "up")) === 1, "up=1");
    assert.equal((await select(a.storage, "ts"))[0]!.timestamps[0], 1000);
    assert.deepEqual(await select(a.storage, "dropme"), []);
    assert.equal(await lastValue(a.storage, "scrape_samples_scraped"), 3);
    assert.equal(await lastValue(a.storage, "scrape_samples_post_metric_relabeling"), 2);
    const b = await run(handler, { honor_timestamps: false });
    await waitFor(async () => (await lastValue(b.storage, "up")) === 1, "up=1");
    assert.ok((await select(b.storage, "ts"))[0]!.timestamps[0]! > 1_000_000_000_000);
  });

  it("fails every target over target_limit", async () => {
    const srv = await serve((_req, res) => {
      res.setHeader("Content-Type", TEXT);
      res.end("m 1\n");
    });
    const storage = new MemoryStorage();
    const m = await startScraping(
      job({ scrape_interval: "1s", target_limit: 1 }),
      [srv.addr, `localhost:${srv.addr.split(":")[1]}`],
      storage,
    );
    await waitFor(
      () =>
        m
          .targetsActive()
          .get("test")!
          .every((t) => t.health === "down"),
      "down",
    );
    assert.equal(
      m.targetsActive().get("test")![0]!.lastError,
      "target_limit exceeded (number of targets: 2, limit: 1)",
    );
    assert.deepEqual(await select(storage, "m"), []);
    await m.stop();
    await srv.close();
  });

  it("applies reloads: unchanged jobs keep their loops, changed ones restart, removed ones stop", async () => {
    let hits = 0;
    const srv = await serve((_req, res) => {
      hits++;
      res.setHeader("Content-Type", TEXT);
      res.end("m 1\n");
    });
    const storage = new MemoryStorage();
    const a = job({ scrape_interval: "1s" });
    const m = await startScraping(a, [srv.addr], storage);
    await waitFor(async () => (await lastValue(storage, "up")) === 1, "up=1");
    const before = m.targetsActive().get("test")![0]!;

    await m.applyConfig([job({ scrape_interval: "1s" })]);
    assert.equal(m.targetsActive().get("test")![0], before, "same target, same loop");

    await m.applyConfig([job({ scrape_interval: "2s" })]);
    const after = m.targetsActive().get("test")![0]!;
    assert.notEqual(after, before);
    assert.equal(after.get("__scrape_interval__"), "2s");
    assert.equal(after.health, "up", "health carries over the restart");

    const other = { ...job({ scrape_interval: "1s" }), jobName: "other" };
    await m.applyConfig([other]);
    assert.deepEqual(m.scrapePools(), ["other"]);
    assert.equal(m.targetsActive().get("test"), undefined);
    const n = hits;
    await new Promise((r) => setTimeout(r, 2200));
    assert.equal(hits, n, "no scrapes after the job was removed");
    await m.stop();
    await srv.close();
  });

  it("does not add external labels to stored series", async () => {
    const srv = await serve((_req, res) => {
      res.setHeader("Content-Type", TEXT);
      res.end("m 1\n");
    });
    const cfg = parseConfig(
      stringify({
        global: { external_labels: { region: "eu" }, scrape_interval: "1s" },
        scrape_configs: [{ job_name: "test", static_configs: [{ targets: [srv.addr] }] }],
      }),
      "/tmp/vigil.yml",
    );
    const storage = new MemoryStorage();
    const m = await startScraping(cfg.scrapeConfigs[0]!, [srv.addr], storage);
    await waitFor(async () => (await lastValue(storage, "up")) === 1, "up=1");
    assert.equal(labelsToRecord((await select(storage, "m"))[0]!.labels).region, undefined);
    await m.stop();
    await srv.close();
  });
});
