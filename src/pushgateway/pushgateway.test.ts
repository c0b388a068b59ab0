import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram, Pushgateway, Registry, Summary } from "prom-client";
import { App } from "../app/index.ts";
import { newSelfMetrics } from "../exporters/index.ts";
import { Matcher, labelsToRecord } from "../model/labels/index.ts";
import { isStaleNaN } from "../model/value/index.ts";
import type { Storage } from "../storage/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { createWebServer } from "../web/index.ts";
import {
  GroupStore,
  GroupingError,
  encodeDelimitedFamilies,
  groupingLabels,
  registerPushgateway,
} from "./index.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-pushgateway-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("grouping labels from push paths", () => {
  const cases: [string, Record<string, string> | RegExp][] = [
    ["job/batch", { job: "batch" }],
    ["job/batch/", { job: "batch" }],
    ["job/batch/instance/db1/zone/eu", { job: "batch", instance: "db1", zone: "eu" }],
    ["job@base64/YmF0Y2gvbmlnaHRseQ", { job: "batch/nightly" }],
    ["job@base64/YmF0Y2gvbmlnaHRseQ==", { job: "batch/nightly" }],
    ["job/x/path@base64/L3Zhci90bXA", { job: "x", path: "/var/tmp" }],
    ["job/x/instance@base64/=", { job: "x", instance: "" }],
    ["job/x/job/y", { job: "x" }],
    ["job/a%20b/l/c%2Fd", { job: "a b", l: "c/d" }],
    ["job/", /job name is required/],
    ["job/x/instance", /odd number of components in label string "\/instance"/],
    ["job/x/__meta/y", /improper label name "__meta"/],
    ["job/x/bad-name/y", /improper label name "bad-name"/],
    ["job/x/l@base64/!!", /invalid base64 encoding for label l="!!"/],
    ["job@base64/%%%", /invalid URL escape/],
    ["jobs/x", /invalid push path/],
  ];
  for (const [path, want] of cases) {
    it(path, () => {
      if (want instanceof RegExp) {
        assert.throws(
          () => groupingLabels(path),
          (e: Error) => e instanceof GroupingError && want.test(e.message),
        );
      } else {
        assert.deepEqual(groupingLabels(path), want);
      }
    });
  }
});

interface Harness {
  web: FastifyInstance;
  base: string;
  storage: MemoryStorage;
  store: GroupStore;
  clock: { now: number };
  ready: { storage: Storage | undefined };
  file: string;
}

const T0 = Date.UTC(2025, 0, 1);

async function startHarness(file: string, clock = { now: T0 }): Promise<Harness> {
  const storage = new MemoryStorage();
  const ready: { storage: Storage | undefined } = { storage };
  const metrics = newSelfMetrics();
  const store = new GroupStore({
    storage: () => ready.storage,
    logger: silentLogger(),
    resendIntervalMs: 15_000,
    tickMs: 3_600_000,
    persistenceFile: file,
    registry: metrics.registry,
    now: () => clock.now,
  });
  await store.load();
  const web = await createWebServer({
    logger: silentLogger(),
    metrics,
    maxRequestBodyBytes: 1 << 20,
    isReady: () => true,
    reload: async () => {},
  });
  await registerPushgateway(web, {
    store,
    logger: silentLogger(),
    maxDecodedBytes: () => 1 << 20,
    startTimeMs: T0,
  });
  await web.listen({ host: "127.0.0.1", port: 0 });
  await store.start();
  const a = web.server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return { web, base: `http://127.0.0.1:${port}`, storage, store, clock, ready, file };
}

async function stopHarness(h: Harness): Promise<void> {
  await h.store.stop();
  await h.web.close();
}

async function send(
  h: Harness,
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const r = await fetch(h.base + path, { method, body, headers });
  return { status: r.status, text: await r.text() };
}

type Row = { labels: Record<string, string>; t: number; v: number };

/** samples lists every stored sample of the series matching name, sorted by labels then time. */
async function samples(h: Harness, name: string | RegExp): Promise<Row[]> {
  const m =
    typeof name === "string"
      ? new Matcher("=", "__name__", name)
      : new Matcher("=~", "__name__", name.source);
  const series = await h.storage.querier(0, h.clock.now + 86_400_000).select([m]);
  const out: Row[] = [];
  for (const s of series) {
    for (let i = 0; i < s.timestamps.length; i++) {
      out.push({ labels: labelsToRecord(s.labels), t: s.timestamps[i]!, v: s.values[i]! });
    }
  }
  return out;
}

/** latest maps each series (formatted) to its newest value, "stale" for a stale marker. */
async function latest(
  h: Harness,
  name: string | RegExp,
): Promise<Record<string, number | "stale">> {
  const out: Record<string, number | "stale"> = {};
  for (const r of await samples(h, name)) {
    const key = Object.entries(r.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    out[key] = isStaleNaN(r.v) ? "stale" : r.v;
  }
  return out;
}

function withoutStale(m: Record<string, number | "stale">): Record<string, number | "stale"> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== "stale"));
}

describe("Pushgateway API", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(join(tmp, "groups-a.json"));
  });
  after(async () => {
    await stopHarness(h);
  });

  it("PUT stores a group with the grouping labels, push_time_seconds and push_failure_time_seconds", async () => {
    const r = await send(
      h,
      "PUT",
      "/metrics/job/batch/instance/db1",
      '# TYPE rows_total counter\n# HELP rows_total Rows.\nrows_total{table="a",job="other"} 10\n' +
        '# TYPE lag_seconds summary\nlag_seconds{quantile="0.5"} 1\nlag_seconds_sum 3\nlag_seconds_count 2\n' +
        '# TYPE size_bytes histogram\nsize_bytes_bucket{le="1"} 1\nsize_bytes_bucket{le="10"} 2\nsize_bytes_sum 9\nsize_bytes_count 3\n',
    );
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, "");
    assert.deepEqual(await latest(h, /rows_total|lag_seconds.*|size_bytes.*|push_.*/), {
      "__name__=lag_seconds,instance=db1,job=batch,quantile=0.5": 1,
      "__name__=lag_seconds_count,instance=db1,job=batch": 2,
      "__name__=lag_seconds_sum,instance=db1,job=batch": 3,
      "__name__=push_failure_time_seconds,instance=db1,job=batch": 0,
      "__name__=push_time_seconds,instance=db1,job=batch": T0 / 1000,
      "__name__=rows_total,instance=db1,job=batch,table=a": 10,
      "__name__=size_bytes_bucket,instance=db1,job=batch,le=+Inf": 3,
      "__name__=size_bytes_bucket,instance=db1,job=batch,le=1.0": 1,
      "__name__=size_bytes_bucket,instance=db1,job=batch,le=10.0": 2,
      "__name__=size_bytes_count,instance=db1,job=batch": 3,
      "__name__=size_bytes_sum,instance=db1,job=batch": 9,
    });
  });

  it("POST replaces only families of the same name", async () => {
    h.clock.now = T0 + 1000;
    const r = await send(h, "POST", "/metrics/job/batch/instance/db1", 'rows_total{table="b"} 5\n');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await latest(h, /rows_total|lag_seconds_sum|push_time_seconds/), {
      "__name__=lag_seconds_sum,instance=db1,job=batch": 3,
      "__name__=push_time_seconds,instance=db1,job=batch": (T0 + 1000) / 1000,
      // The replaced family's series that went away ends with a stale marker.
      "__name__=rows_total,instance=db1,job=batch,table=a": "stale",
      "__name__=rows_total,instance=db1,job=batch,table=b": 5,
    });
  });

  it("PUT replaces the whole group and marks vanished series stale", async () => {
    h.clock.now = T0 + 2000;
    const r = await send(h, "PUT", "/metrics/job/batch/instance/db1", "only_metric 1\n");
    assert.equal(r.status, 200, r.text);
    const got = await latest(h, /rows_total|lag_seconds_sum|only_metric|push_failure_time_seconds/);
    assert.deepEqual(got, {
      "__name__=lag_seconds_sum,instance=db1,job=batch": "stale",
      "__name__=only_metric,instance=db1,job=batch": 1,
      "__name__=push_failure_time_seconds,instance=db1,job=batch": 0,
      "__name__=rows_total,instance=db1,job=batch,table=a": "stale",
      "__name__=rows_total,instance=db1,job=batch,table=b": "stale",
    });
  });

  it("re-sends every group's values so that they stay within the lookback", async () => {
    h.clock.now = T0 + 60_000;
    await h.store.resend();
    const rows = (await samples(h, "only_metric")).map((r) => [r.t, r.v]);
    assert.deepEqual(rows, [
      [T0 + 2000, 1],
      [T0 + 60_000, 1],
    ]);
  });

  it("DELETE removes the group (202) and marks its series stale", async () => {
    h.clock.now = T0 + 61_000;
    await send(h, "PUT", "/metrics/job/other", "x 1\n");
    const r = await send(h, "DELETE", "/metrics/job/batch/instance/db1");
    assert.equal(r.status, 202);
    assert.deepEqual(await latest(h, /only_metric|push_time_seconds/), {
      "__name__=only_metric,instance=db1,job=batch": "stale",
      "__name__=push_time_seconds,instance=db1,job=batch": "stale",
      "__name__=push_time_seconds,job=other": (T0 + 61_000) / 1000,
    });
    assert.equal((await send(h, "DELETE", "/metrics/job/never-pushed")).status, 202);
    assert.deepEqual(
      h.store.list().map((g) => g.labels),
      [{ job: "other" }],
    );
  });

  it("decodes base64 grouping values", async () => {
    const r = await send(h, "PUT", "/metrics/job@base64/YS9i/path@base64/L3Zhci90bXA", "b64 1\n");
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await latest(h, "b64"), { "__name__=b64,job=a/b,path=/var/tmp": 1 });
    assert.equal(
      (await send(h, "DELETE", "/metrics/job@base64/YS9i/path@base64/L3Zhci90bXA")).status,
      202,
    );
    assert.deepEqual(await latest(h, "b64"), { "__name__=b64,job=a/b,path=/var/tmp": "stale" });
  });

  it("refuses timestamps with 400 and records push_failure_time_seconds", async () => {
    h.clock.now = T0 + 70_000;
    const r = await send(h, "PUT", "/metrics/job/ts", "with_ts 1 1000\n");
    assert.equal(r.status, 400);
    assert.equal(
      r.text,
      "pushed metrics are invalid or inconsistent with existing metrics: pushed metrics must not have timestamps\n",
    );
    assert.deepEqual(await latest(h, /with_ts|push_.*_seconds/).then(withoutStale), {
      "__name__=push_failure_time_seconds,job=ts": (T0 + 70_000) / 1000,
      "__name__=push_time_seconds,job=ts": 0,
      "__name__=push_time_seconds,job=other": (T0 + 61_000) / 1000,
      "__name__=push_failure_time_seconds,job=other": 0,
    });
    const api = (await (await fetch(h.base + "/api/v1/metrics")).json()) as {
      data: { labels: Record<string, string>; last_push_successful: boolean }[];
    };
    const g = api.data.find((x) => x.labels.job === "ts")!;
    assert.equal(g.last_push_successful, false);
  });

  it("refuses a type that conflicts with another group's family", async () => {
    await send(h, "PUT", "/metrics/job/t1", "# TYPE shared gauge\nshared 1\n");
    const r = await send(h, "PUT", "/metrics/job/t2", "# TYPE shared counter\nshared 2\n");
    assert.equal(r.status, 400);
    assert.match(
      r.text,
      /^pushed metrics are invalid or inconsistent with existing metrics: collected metric "shared" \{ label:\{name:"instance" value:""\} label:\{name:"job" value:"t2"\} counter:\{value:2\}\} is not a GAUGE\n$/,
    );
    assert.deepEqual(await latest(h, "shared"), { "__name__=shared,job=t1": 1 });
  });

  it("accepts a help string that differs from another group's, as the Pushgateway does", async () => {
    await send(h, "PUT", "/metrics/job/h1", "# HELP helped One.\nhelped 1\n");
    const r = await send(h, "PUT", "/metrics/job/h2", "# HELP helped Two.\nhelped 2\n");
    assert.equal(r.status, 200, r.text);
  });

  it("refuses a series that another group already has (job/instance conflict)", async () => {
    await send(h, "PUT", "/metrics/job/j", 'dup{instance="i2"} 1\n');
    const r = await send(h, "PUT", "/metrics/job/j/instance/i2", "dup 2\n");
    assert.equal(r.status, 400);
    assert.match(
      r.text,
      /collected metric "dup" .* was collected before with the same name and label values/,
    );
    assert.equal(
      r.text,
      'pushed metrics are invalid or inconsistent with existing metrics: collected metric "dup" ' +
        '{ label:{name:"instance" value:"i2"} label:{name:"job" value:"j"} untyped:{value:2}} ' +
        "was collected before with the same name and label values\n",
    );
  });

  it("refuses malformed bodies with the parser's message and stores nothing", async () => {
    const r = await send(h, "PUT", "/metrics/job/bad", "metric{ 1\n");
    assert.equal(r.status, 400);
    assert.match(r.text, /^text format parsing error in line 1: /);
    assert.ok(!h.store.list().some((g) => g.labels.job === "bad"));
  });

  it("answers 404 for paths that are not push paths", async () => {
    assert.equal((await send(h, "PUT", "/metrics/jobs/x", "a 1\n")).status, 404);
    assert.equal((await send(h, "DELETE", "/metrics/other")).status, 404);
  });

  it("refuses bad grouping paths", async () => {
    for (const [path, msg] of [
      ["/metrics/job/x/odd", /odd number of components/],
      ["/metrics/job/x/in-valid/y", /improper label name/],
      ["/metrics/job@base64/***", /invalid base64 encoding in job name/],
    ] as const) {
      const r = await send(h, "PUT", path, "a 1\n");
      assert.equal(r.status, 400, path);
      assert.match(r.text, msg);
    }
  });

  it("accepts gzip bodies, protobuf and OpenMetrics", async () => {
    let r = await send(h, "PUT", "/metrics/job/gz", gzipSync("gz_metric 4\n"), {
      "Content-Encoding": "gzip",
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await latest(h, "gz_metric"), { "__name__=gz_metric,job=gz": 4 });

    const proto = encodeDelimitedFamilies([
      {
        name: "pb_total",
        help: "From protobuf.",
        type: "COUNTER",
        metric: [{ label: [{ name: "a", value: "b" }], counter: { value: 7 } }],
      },
      { name: "pb_gauge", type: "GAUGE", metric: [{ gauge: { value: 0.5 } }] },
    ]);
    r = await send(h, "PUT", "/metrics/job/pb", proto, {
      "Content-Type":
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await latest(h, /pb_.*/), {
      "__name__=pb_gauge,job=pb": 0.5,
      "__name__=pb_total,a=b,job=pb": 7,
    });

    r = await send(
      h,
      "PUT",
      "/metrics/job/om",
      '# TYPE om_requests counter\nom_requests_total 3\nom_requests_created 1.7e9\n# TYPE om_build info\nom_build_info{version="1.2"} 1\n# EOF\n',
      { "Content-Type": "application/openmetrics-text; version=1.0.0" },
    );
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await latest(h, /om_.*/), {
      "__name__=om_build_info,job=om,version=1.2": 1,
      "__name__=om_requests_total,job=om": 3,
    });
  });

  it("answers 503 while storage is not open", async () => {
    h.ready.storage = undefined;
    try {
      assert.equal((await send(h, "PUT", "/metrics/job/later", "a 1\n")).status, 503);
    } finally {
      h.ready.storage = h.storage;
    }
  });

  it("serves the groups as the Pushgateway's JSON API", async () => {
    await send(
      h,
      "PUT",
      "/metrics/job/api/instance/i",
      '# HELP api_total Calls.\n# TYPE api_total counter\napi_total{code="200"} 3\n',
    );
    const res = await fetch(h.base + "/api/v1/metrics");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const api = (await res.json()) as { status: string; data: Record<string, any>[] };
    assert.equal(api.status, "success");
    const g = api.data.find((x) => x.labels.job === "api")!;
    assert.deepEqual(g.labels, { job: "api", instance: "i" });
    assert.equal(g.last_push_successful, true);
    assert.equal(g.api_total.type, "COUNTER");
    assert.equal(g.api_total.help, "Calls.");
    assert.deepEqual(g.api_total.metrics, [
      { labels: { code: "200", instance: "i", job: "api" }, value: "3" },
    ]);
    assert.equal(g.push_time_seconds.type, "GAUGE");
    const st = (await (await fetch(h.base + "/api/v1/status")).json()) as {
      data: { start_time: string };
    };
    assert.equal(st.data.start_time, new Date(T0).toISOString());
  });

  it("keeps the groups across a restart", async () => {
    const before = h.store.list().map((g) => g.labels);
    const persisted = JSON.parse(readFileSync(h.file, "utf8")) as { groups: unknown[] };
    assert.equal(persisted.groups.length, before.length);
    const h2 = await startHarness(h.file, { now: T0 + 120_000 });
    try {
      assert.deepEqual(
        h2.store.list().map((g) => g.labels),
        before,
      );
      // Restored groups are written again right away.
      assert.deepEqual(await latest(h2, "gz_metric"), { "__name__=gz_metric,job=gz": 4 });
      const api = (await samples(h2, "api_total"))[0]!;
      assert.equal(api.t, T0 + 120_000);
    } finally {
      await stopHarness(h2);
    }
  });
});

describe("Pushgateway time to live (Vigil extension)", () => {
  it("deletes a group after its TTL, with stale markers, and keeps the TTL across restarts", async () => {
    const file = join(tmp, "groups-ttl.json");
    const h = await startHarness(file);
    try {
      let r = await send(h, "PUT", "/metrics/job/cron?ttl=10m", "backup_ok 1\n");
      assert.equal(r.status, 200, r.text);
      r = await send(h, "PUT", "/metrics/job/forever", "kept 1\n");
      r = await send(h, "PUT", "/metrics/job/hdr", "hdr_metric 1\n", { "X-Vigil-TTL": "1m" });
      assert.equal(r.status, 200, r.text);
      r = await send(h, "PUT", "/metrics/job/bad?ttl=soon", "x 1\n");
      assert.equal(r.status, 400);
      assert.match(r.text, /invalid time to live: invalid duration "soon"/);

      // A later push without a TTL keeps the group's TTL and restarts its clock.
      h.clock.now = T0 + 5 * 60_000;
      r = await send(h, "POST", "/metrics/job/cron", "backup_size_bytes 100\n");
      assert.equal(r.status, 200);

      h.clock.now = T0 + 2 * 60_000;
      await h.store.expire();
    } finally {
      await stopHarness(h);
    }
    // hdr (1m) expired before the restart; cron (10m after T0+5m) expires after it.
    const h2 = await startHarness(file, { now: T0 + 14 * 60_000 });
    try {
      assert.deepEqual(
        h2.store.list().map((g) => g.labels.job),
        ["cron", "forever"],
      );
      h2.clock.now = T0 + 15 * 60_000;
      await h2.store.expire();
      assert.deepEqual(
        h2.store.list().map((g) => g.labels.job),
        ["forever"],
      );
      assert.deepEqual(await latest(h2, /backup_.*/), {
        "__name__=backup_ok,job=cron": "stale",
        "__name__=backup_size_bytes,job=cron": "stale",
      });
      assert.deepEqual(await latest(h2, "kept"), { "__name__=kept,job=forever": 1 });
    } finally {
      await stopHarness(h2);
    }
  });
});

describe("prom-client Pushgateway class against Vigil", () => {
  it("pushes, adds and deletes", async () => {
    const h = await startHarness(join(tmp, "groups-prom-client.json"), { now: Date.now() });
    try {
      const reg = new Registry();
      const c = new Counter({
        name: "jobs_processed_total",
        help: "Jobs.",
        labelNames: ["kind"],
        registers: [reg],
      });
      const g = new Gauge({ name: "queue_depth", help: "Depth.", registers: [reg] });
      const hist = new Histogram({
        name: "job_duration_seconds",
        help: "Duration.",
        buckets: [0.1, 1],
        registers: [reg],
      });
      const s = new Summary({
        name: "payload_bytes",
        help: "Payload.",
        percentiles: [0.5],
        registers: [reg],
      });
      c.inc({ kind: "a" }, 3);
      g.set(7);
      hist.observe(0.5);
      s.observe(100);
      const gw = new Pushgateway(h.base, {}, reg);
      await gw.push({ jobName: "nightly", groupings: { instance: "host/1" } });
      assert.deepEqual(
        await latest(h, /jobs_processed_total|queue_depth|job_duration_seconds_bucket/),
        {
          "__name__=job_duration_seconds_bucket,instance=host/1,job=nightly,le=+Inf": 1,
          "__name__=job_duration_seconds_bucket,instance=host/1,job=nightly,le=0.1": 0,
          "__name__=job_duration_seconds_bucket,instance=host/1,job=nightly,le=1.0": 1,
          "__name__=jobs_processed_total,instance=host/1,job=nightly,kind=a": 3,
          "__name__=queue_depth,instance=host/1,job=nightly": 7,
        },
      );
      g.set(9);
      await gw.pushAdd({ jobName: "nightly", groupings: { instance: "host/1" } });
      assert.deepEqual(await latest(h, "queue_depth"), {
        "__name__=queue_depth,instance=host/1,job=nightly": 9,
      });

      // gzip, as prom-client sends it when asked to.
      const gz = new Pushgateway(h.base, { headers: { "Content-Encoding": "gzip" } }, reg);
      await gz.push({ jobName: "zipped" });
      assert.ok(h.store.list().some((x) => x.labels.job === "zipped"));

      await gw.delete({ jobName: "nightly", groupings: { instance: "host/1" } });
      assert.equal(
        (await latest(h, "queue_depth"))["__name__=queue_depth,instance=host/1,job=nightly"],
        "stale",
      );
      assert.deepEqual(
        h.store.list().map((x) => x.labels.job),
        ["zipped"],
      );
    } finally {
      await stopHarness(h);
    }
  });
});

describe("Pushgateway API in the App (embedded storage)", () => {
  it("serves pushes on Vigil's port and keeps groups across a restart", async () => {
    const dir = join(tmp, "app");
    const cfg = join(tmp, "app.yml");
    writeFileSync(
      cfg,
      `storage:\n  engine: embedded\n  data_dir: ${dir}\n  batch_max_delay: 20ms\npushgateway:\n  resend_interval: 1s\n`,
    );
    const start = async () => {
      const app = new App({
        configFile: cfg,
        overrides: { listen: "127.0.0.1:0" },
        logger: silentLogger(),
      });
      await app.start();
      return app;
    };
    const select = async (app: App, name: string) =>
      app.store
        .querier(Date.now() - 60_000, Date.now() + 1000)
        .select([new Matcher("=", "__name__", name)]);

    let app = await start();
    try {
      const r = await fetch(`${app.address}/metrics/job/backup/instance/db1`, {
        method: "PUT",
        body: "# TYPE backup_last_success_timestamp_seconds gauge\nbackup_last_success_timestamp_seconds 1.7e9\n",
      });
      assert.equal(r.status, 200, await r.text());
      const s = await select(app, "backup_last_success_timestamp_seconds");
      assert.deepEqual(labelsToRecord(s[0]!.labels), {
        __name__: "backup_last_success_timestamp_seconds",
        instance: "db1",
        job: "backup",
      });
      assert.equal(s[0]!.values[0], 1.7e9);
      // Re-sent every resend_interval.
      await new Promise((res) => setTimeout(res, 1300));
      assert.ok(
        (await select(app, "backup_last_success_timestamp_seconds"))[0]!.values.length >= 2,
      );
    } finally {
      await app.stop();
    }
    assert.ok(existsSync(join(dir, "pushgateway.json")));
    app = await start();
    try {
      const api = (await (await fetch(`${app.address}/api/v1/metrics`)).json()) as {
        data: { labels: Record<string, string> }[];
      };
      assert.deepEqual(
        api.data.map((g) => g.labels),
        [{ job: "backup", instance: "db1" }],
      );
      const r = await fetch(`${app.address}/metrics/job/backup/instance/db1`, { method: "DELETE" });
      assert.equal(r.status, 202);
      const vs = (await select(app, "backup_last_success_timestamp_seconds"))[0]!.values;
      assert.ok(isStaleNaN(vs[vs.length - 1]!));
    } finally {
      await app.stop();
    }
  });
});
