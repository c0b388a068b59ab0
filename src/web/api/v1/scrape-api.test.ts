import { describe, it, after, before } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { hostname } from "node:os";
import { MemoryStorage } from "../../../storage/memory/index.ts";
import type { ScrapeManager } from "../../../scrape/index.ts";
import {
  group,
  job,
  lastValue,
  serve,
  startScraping,
  waitFor,
} from "../../../scrape/testdata/helpers.ts";
import { globalUrl, registerScrapeApi } from "./scrape-api.ts";

async function newApp(mgr: ScrapeManager | undefined): Promise<FastifyInstance> {
  const app = Fastify();
  registerScrapeApi(app, { scrapeManager: () => mgr, listenAddress: () => "127.0.0.1:9700" });
  await app.ready();
  return app;
}

async function get(app: FastifyInstance, url: string): Promise<{ status: number; json: any }> {
  const r = await app.inject({ method: "GET", url });
  return { status: r.statusCode, json: JSON.parse(r.body) };
}

describe("scrape API without scraping", () => {
  for (const [url, data] of [
    ["/api/v1/targets", { activeTargets: [], droppedTargets: [], droppedTargetCounts: {} }],
    [
      "/api/v1/targets?state=active",
      { activeTargets: [], droppedTargets: [], droppedTargetCounts: null },
    ],
    ["/api/v1/metadata", {}],
    ["/api/v1/targets/metadata", []],
    ["/api/v1/scrape_pools", { scrapePools: [] }],
  ] as const) {
    it(`${url} answers empty data`, async () => {
      const app = await newApp(undefined);
      assert.deepEqual(await get(app, url), { status: 200, json: { status: "success", data } });
      await app.close();
    });
  }

  for (const [url, error] of [
    ["/api/v1/metadata?limit=x", "limit must be a number"],
    ["/api/v1/metadata?limit_per_metric=1.5", "limit_per_metric must be a number"],
    ["/api/v1/targets/metadata?limit=x", "limit must be a number"],
    [
      "/api/v1/targets/metadata?match_target={job=",
      'invalid parameter "match_target": 1:6: parse error: unexpected end of input inside braces',
    ],
  ] as const) {
    it(`${url} is bad data`, async () => {
      const app = await newApp(undefined);
      const r = await get(app, url);
      assert.equal(r.status, 400);
      assert.equal(r.json.errorType, "bad_data");
      assert.equal(r.json.error, error);
      await app.close();
    });
  }
});

describe("scrape API with targets", () => {
  let app: FastifyInstance;
  let m: ScrapeManager;
  let addr = "";
  let close: () => Promise<void> = async () => {};
  const storage = new MemoryStorage();

  before(async () => {
    const srv = await serve((_req, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end(
        "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total 5\n# HELP temp Temperature.\n# TYPE temp gauge\ntemp 3\n",
      );
    });
    addr = srv.addr;
    const cfg = job({
      scrape_interval: "1s",
      relabel_configs: [
        { source_labels: ["__meta_role"], regex: "skip", action: "drop" },
        { source_labels: ["__meta_role"], target_label: "role" },
      ],
    });
    m = await startScraping(cfg, [], storage);
    await m.sync(
      new Map([
        [
          "test",
          [
            { ...group([addr], { __meta_role: "web" }), source: "a" },
            { ...group(["127.0.0.1:1"], { __meta_role: "skip" }), source: "b" },
          ],
        ],
      ]),
    );
    await waitFor(async () => (await lastValue(storage, "up")) === 1, "up=1");
    app = await newApp(m);
    close = srv.close;
  });
  after(async () => {
    await app.close();
    await m.stop();
    await close();
  });

  it("lists active and dropped targets with their labels", async () => {
    const r = await get(app, "/api/v1/targets");
    assert.equal(r.status, 200);
    const data = r.json.data;
    assert.equal(data.activeTargets.length, 1);
    const t = data.activeTargets[0];
    assert.deepEqual(t.discoveredLabels, {
      __address__: addr,
      __meta_role: "web",
      __metrics_path__: "/metrics",
      __scheme__: "http",
      __scrape_interval__: "1s",
      __scrape_timeout__: "1s",
      job: "test",
    });
    assert.deepEqual(t.labels, { instance: addr, job: "test", role: "web" });
    assert.equal(t.scrapePool, "test");
    assert.equal(t.scrapeUrl, `http://${addr}/metrics`);
    assert.equal(t.globalUrl, `http://${hostname()}:${addr.split(":")[1]}/metrics`);
    assert.equal(t.lastError, "");
    assert.equal(t.health, "up");
    assert.equal(t.scrapeInterval, "1s");
    assert.equal(t.scrapeTimeout, "1s");
    assert.match(t.lastScrape, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(typeof t.lastScrapeDuration, "number");
    assert.deepEqual(data.droppedTargets, [
      {
        discoveredLabels: {
          __address__: "127.0.0.1:1",
          __meta_role: "skip",
          __metrics_path__: "/metrics",
          __scheme__: "http",
          __scrape_interval__: "1s",
          __scrape_timeout__: "1s",
          job: "test",
        },
        scrapePool: "test",
      },
    ]);
    assert.deepEqual(data.droppedTargetCounts, { test: 1 });
  });

  it("filters targets by state and pool", async () => {
    const dropped = (await get(app, "/api/v1/targets?state=dropped")).json.data;
    assert.deepEqual(dropped.activeTargets, []);
    assert.equal(dropped.droppedTargets.length, 1);
    const other = (await get(app, "/api/v1/targets?scrapePool=other")).json.data;
    assert.deepEqual(other.activeTargets, []);
    assert.deepEqual(other.droppedTargets, []);
  });

  it("serves metadata per target and per metric", async () => {
    const tm = (await get(app, "/api/v1/targets/metadata?metric=temp")).json.data;
    assert.deepEqual(tm, [
      {
        target: { instance: addr, job: "test", role: "web" },
        type: "gauge",
        help: "Temperature.",
        unit: "",
      },
    ]);
    const all = (await get(app, '/api/v1/targets/metadata?match_target={job="test"}')).json.data;
    assert.deepEqual(
      all.map((x: any) => x.metric),
      ["http_requests_total", "temp"],
    );
    assert.deepEqual(
      (await get(app, '/api/v1/targets/metadata?match_target={job="x"}')).json.data,
      [],
    );
    const md = (await get(app, "/api/v1/metadata")).json.data;
    assert.deepEqual(md, {
      http_requests_total: [{ type: "counter", help: "Requests.", unit: "" }],
      temp: [{ type: "gauge", help: "Temperature.", unit: "" }],
    });
    assert.equal(Object.keys((await get(app, "/api/v1/metadata?limit=1")).json.data).length, 1);
  });

  it("lists scrape pools", async () => {
    assert.deepEqual((await get(app, "/api/v1/scrape_pools")).json.data, { scrapePools: ["test"] });
  });
});

describe("globalUrl", () => {
  it("rewrites localhost targets as Prometheus does", () => {
    const h = hostname();
    assert.equal(
      globalUrl("http://example.com:80/metrics", "127.0.0.1:9700"),
      "http://example.com:80/metrics",
    );
    assert.equal(
      globalUrl("http://localhost:9100/metrics", "127.0.0.1:9700"),
      `http://${h}:9100/metrics`,
    );
    assert.equal(
      globalUrl("https://[::1]:9700/metrics?x=1", "127.0.0.1:9700"),
      `http://${h}:9700/metrics?x=1`,
    );
  });
});
