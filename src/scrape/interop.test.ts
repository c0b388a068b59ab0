// Interop: Vigil scrapes real exporters (node_exporter from ../shared/peers, a prom-client app)
// and stores the series and values of the exposition, checked against a direct fetch made at
// the same moment. One test writes through the embedded ClickHouse storage.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import client from "prom-client";
import type { Labels } from "../model/labels/index.ts";
import { Matcher, labelsFromPairs, labelsKey, labelsToRecord } from "../model/labels/index.ts";
import { acceptHeader, parseExposition } from "../model/textparse/index.ts";
import type { ParseResult } from "../model/textparse/index.ts";
import type { Storage } from "../storage/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import { openChdbDriver, openClickHouseStorage } from "../storage/clickhouse/index.ts";
import { peersBin } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { ScrapeManager } from "./index.ts";
import { group, job, serve, waitFor } from "./testdata/helpers.ts";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** fetchDirect fetches and parses an exposition the way the scraper asks for it. */
async function fetchDirect(url: string): Promise<ParseResult> {
  const res = await fetch(url, { headers: { Accept: acceptHeader() } });
  const body = new Uint8Array(await res.arrayBuffer());
  return parseExposition(body, res.headers.get("content-type"));
}

/** samplesAt returns the stored samples of a job at one timestamp, keyed by labels. */
async function samplesAt(
  storage: Storage,
  jobName: string,
  tMs: number,
): Promise<Map<string, { labels: Labels; value: number }>> {
  const series = await storage.querier(tMs, tMs).select([new Matcher("=", "job", jobName)]);
  const out = new Map<string, { labels: Labels; value: number }>();
  for (const s of series) {
    // Identity as exposed: without the target labels.
    const labels = s.labels.filter((l) => l.name !== "job" && l.name !== "instance");
    out.set(labelsKey(labels), { labels, value: s.values[0]! });
  }
  return out;
}

/** latestScrapeTime returns the timestamp of the newest `up` sample of a job. */
async function latestScrapeTime(storage: Storage, jobName: string): Promise<number | undefined> {
  const [up] = await storage
    .querier(0, Date.now() + 60_000)
    .select([new Matcher("=", "__name__", "up"), new Matcher("=", "job", jobName)]);
  if (!up || up.values[up.values.length - 1] !== 1) return undefined;
  return up.timestamps[up.timestamps.length - 1];
}

const REPORT = new Set([
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
]);

/**
 * compare checks the stored scrape against a direct fetch: the same series, the same values for
 * the series stable matches (values of others may change between the two fetches), and
 * scrape_samples_scraped equal to the exposition's sample count.
 */
async function compare(
  storage: Storage,
  jobName: string,
  url: string,
  stable: (name: string) => boolean,
): Promise<{ series: number; checkedValues: number }> {
  let t: number | undefined;
  await waitFor(
    async () => (t = await latestScrapeTime(storage, jobName)) !== undefined,
    "up=1",
    15_000,
  );
  const direct = await fetchDirect(url);
  const stored = await samplesAt(storage, jobName, t!);
  const want = new Map<string, { labels: Labels; value: number }>();
  for (let i = 0; i < direct.length; i++) {
    const labels = labelsFromPairs(direct.labels(i));
    want.set(labelsKey(labels), { labels, value: direct.values[i]! });
  }
  const name = (ls: Labels) => ls.find((l) => l.name === "__name__")!.value;
  // A histogram or summary child that first appears between the scrape and the direct fetch
  // (prom-client adds nodejs_gc_duration_seconds{kind=...} at a process's first GC of a kind)
  // brings all its series at once; only series of children the scrape already saw must match.
  const child = (ls: Labels): string =>
    labelsKey(
      ls
        .filter((l) => l.name !== "le" && l.name !== "quantile")
        .map((l) =>
          l.name === "__name__" ? { ...l, value: l.value.replace(/_(bucket|sum|count)$/, "") } : l,
        ),
    );
  const storedChildren = new Set([...stored.values()].map((s) => child(s.labels)));
  const missing = [...want.values()].filter(
    (w) => !stored.has(labelsKey(w.labels)) && storedChildren.has(child(w.labels)),
  );
  const extra = [...stored.values()].filter(
    (s) => !want.has(labelsKey(s.labels)) && !REPORT.has(name(s.labels)),
  );
  // A handful of series may legitimately come and go between the two fetches; nothing else.
  assert.ok(
    missing.length + extra.length <= Math.max(2, want.size * 0.01),
    `series differ: missing ${missing.slice(0, 5).map((m) => JSON.stringify(labelsToRecord(m.labels)))} extra ${extra.slice(0, 5).map((m) => JSON.stringify(labelsToRecord(m.labels)))}`,
  );
  let checkedValues = 0;
  for (const [k, w] of want) {
    const s = stored.get(k);
    if (!s || !stable(name(w.labels))) continue;
    assert.ok(
      Object.is(s.value, w.value) || s.value === w.value,
      `${JSON.stringify(labelsToRecord(w.labels))}: stored ${s.value}, exposed ${w.value}`,
    );
    checkedValues++;
  }
  const scraped = [...stored.values()].find((s) => name(s.labels) === "scrape_samples_scraped");
  const appeared = [...want.values()].filter(
    (w) => !stored.has(labelsKey(w.labels)) && !storedChildren.has(child(w.labels)),
  ).length;
  const expected = direct.length - appeared;
  assert.ok(
    Math.abs(scraped!.value - expected) <= Math.max(2, expected * 0.01),
    `scrape_samples_scraped ${scraped!.value}, exposition ${direct.length} (${appeared} appeared since)`,
  );
  return { series: want.size, checkedValues };
}

describe("interop: node_exporter", () => {
  const bin = peersBin();
  const procs: ChildProcess[] = [];
  after(() => {
    for (const p of procs) p.kill("SIGKILL");
  });

  it(
    "stores the series and values node_exporter exposes",
    {
      skip: bin ? false : "reference peers not available (../shared/peers/get-peers.sh)",
      timeout: 60_000,
    },
    async () => {
      const port = await freePort();
      const p = spawn(join(bin!, "node_exporter"), [`--web.listen-address=127.0.0.1:${port}`], {
        stdio: "ignore",
      });
      procs.push(p);
      const addr = `127.0.0.1:${port}`;
      await waitFor(
        async () => {
          try {
            return (await fetch(`http://${addr}/metrics`)).ok;
          } catch {
            return false;
          }
        },
        "node_exporter to listen",
        15_000,
      );
      const storage = new MemoryStorage();
      const cfg = job({ job_name: "node", scrape_interval: "10s", sample_limit: 0 });
      const m = new ScrapeManager({ storage, logger: silentLogger(), skipOffset: true });
      await m.applyConfig([cfg]);
      await m.sync(new Map([["node", [group([addr])]]]));
      try {
        const r = await compare(storage, "node", `http://${addr}/metrics`, (n) =>
          /(_info|_start_time_seconds|boot_time_seconds|MemTotal_bytes|_max_fds|cpu_guest_seconds_total)$/.test(
            n,
          ),
        );
        assert.ok(r.series > 200, `node_exporter exposed ${r.series} series`);
        assert.ok(r.checkedValues > 3, `${r.checkedValues} stable values compared`);
        const t = m.targetsActive().get("node")![0]!;
        assert.equal(t.health, "up");
        assert.equal(t.metadata.get("node_boot_time_seconds")?.type, "gauge");
      } finally {
        await m.stop();
      }
    },
  );
});

describe("interop: prom-client", () => {
  for (const format of ["text", "openmetrics"] as const) {
    it(`stores what a prom-client app exposes (${format})`, { timeout: 30_000 }, async () => {
      const registry = new client.Registry();
      if (format === "openmetrics") {
        registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE as never);
      }
      client.collectDefaultMetrics({ register: registry });
      const c = new client.Counter({
        name: "app_requests_total",
        help: "Requests.",
        labelNames: ["code"],
        registers: [registry],
      });
      c.inc({ code: "200" }, 7);
      c.inc({ code: "500" }, 2);
      new client.Gauge({ name: "app_queue_length", help: "Queue.", registers: [registry] }).set(
        3.25,
      );
      const h = new client.Histogram({
        name: "app_latency_seconds",
        help: "Latency.",
        buckets: [0.1, 0.5, 1],
        registers: [registry],
      });
      for (const v of [0.05, 0.2, 0.7, 3]) h.observe(v);
      const s = new client.Summary({
        name: "app_size_bytes",
        help: "Sizes.",
        percentiles: [0.5, 0.9],
        registers: [registry],
      });
      for (const v of [10, 20, 30]) s.observe(v);
      new client.Gauge({
        name: "app_info",
        help: "Version.",
        labelNames: ["version"],
        registers: [registry],
      }).set({ version: "1.2.3" }, 1);

      const srv = await serve((_req, res) => {
        void registry.metrics().then((body) => {
          res.setHeader("Content-Type", registry.contentType);
          res.end(body);
        });
      });
      const storage = new MemoryStorage();
      const m = new ScrapeManager({ storage, logger: silentLogger(), skipOffset: true });
      await m.applyConfig([job({ job_name: "app", scrape_interval: "10s" })]);
      await m.sync(new Map([["app", [group([srv.addr])]]]));
      try {
        const r = await compare(
          storage,
          "app",
          `http://${srv.addr}/metrics`,
          (n) =>
            n.startsWith("app_") ||
            n === "process_start_time_seconds" ||
            n === "nodejs_version_info",
        );
        assert.ok(r.checkedValues >= 15, `${r.checkedValues} values compared`);
        const t = (await scrapedTime(storage))!;
        const at = await samplesAt(storage, "app", t);
        const value = (rec: Record<string, string>) =>
          at.get(
            labelsKey(
              labelsFromPairs(Object.entries(rec).map(([name, v]) => ({ name, value: v }))),
            ),
          )?.value;
        assert.equal(value({ __name__: "app_requests_total", code: "200" }), 7);
        assert.equal(value({ __name__: "app_latency_seconds_bucket", le: "0.5" }), 2);
        assert.equal(value({ __name__: "app_latency_seconds_bucket", le: "+Inf" }), 4);
        assert.equal(value({ __name__: "app_size_bytes_sum" }), 60);
        assert.equal(value({ __name__: "app_info", version: "1.2.3" }), 1);
        const md = m.targetsActive().get("app")![0]!.metadata;
        assert.equal(md.get("app_latency_seconds")?.type, "histogram");
        assert.equal(
          md.get(format === "openmetrics" ? "app_requests" : "app_requests_total")?.type,
          "counter",
        );
      } finally {
        await m.stop();
        await srv.close();
      }
    });
  }

  async function scrapedTime(storage: Storage) {
    return latestScrapeTime(storage, "app");
  }
});

describe("scraping into the embedded ClickHouse storage", () => {
  it("stores a scrape and reads it back", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-scrape-ch-"));
    const storage = await openClickHouseStorage(await openChdbDriver(dir), {
      engine: "embedded",
      database: "vigil_scrape_test",
      retentionMs: 86_400_000,
      batchMaxRows: 100_000,
      batchMaxDelayMs: 20,
    });
    const srv = await serve((_req, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end('# TYPE m gauge\nm{k="a"} 1.5\nm{k="b"} NaN\n');
    });
    const m = new ScrapeManager({ storage, logger: silentLogger(), skipOffset: true });
    try {
      await m.applyConfig([job({ scrape_interval: "1s" })]);
      await m.sync(new Map([["test", [group([srv.addr])]]]));
      await waitFor(
        async () => (await latestScrapeTime(storage, "test")) !== undefined,
        "up=1",
        20_000,
      );
      const got = await storage
        .querier(0, Date.now() + 60_000)
        .select([new Matcher("=", "__name__", "m")]);
      assert.deepEqual(
        got.map((s) => [labelsToRecord(s.labels).k, s.values[0]]),
        [
          ["a", 1.5],
          ["b", NaN],
        ],
      );
    } finally {
      await m.stop();
      await srv.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
