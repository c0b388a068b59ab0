// Interop with the real Prometheus 3.5 (from ../shared/peers/get-peers.sh; skipped when absent),
// against a real Vigil App on embedded storage:
//  - Prometheus scrapes itself and a small exposition server and remote-writes to Vigil: every
//    sample Prometheus holds for those series in a closed time window arrives in Vigil with the
//    same bits, and a series that disappears ends with Prometheus's stale marker in Vigil.
//  - Prometheus scrapes Vigil's /federate: it gets the series Vigil holds, labels, values and
//    timestamps unchanged.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { App } from "../../app/index.ts";
import { Matcher, labelsFromRecord, labelsKey, labelsToRecord } from "../../model/labels/index.ts";
import { NORMAL_NAN } from "../../model/textparse/index.ts";
import { isStaleNaN } from "../../model/value/index.ts";
import { freePort, peerPath } from "../../testing/index.ts";
import { silentLogger } from "../../util/logging/index.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** bits is a float's exact bit pattern, so that -0, NaN payloads and denormals compare exactly. */
function bits(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0).toString(16);
}

/** parsePromValue reads a value as Prometheus's JSON API writes it. */
function parsePromValue(s: string): number {
  if (s === "NaN") return NORMAL_NAN;
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

/** MatrixSeries is a series of a query result: `values` for range vectors, `value` for instant ones. */
interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
  value?: [number, string];
}

const PROMETHEUS = peerPath("prometheus");

describe(
  "Prometheus 3.5 interop",
  { skip: PROMETHEUS ? false : "prometheus not available" },
  () => {
    const tmp = mkdtempSync(join(tmpdir(), "vigil-prom-interop-"));
    let app: App;
    let prom: ChildProcess | undefined;
    let promLog = "";
    let expo: Server;
    let promUrl = "";
    let vanish = false;
    let counter = 0;

    before(async () => {
      const cfgFile = join(tmp, "vigil.yml");
      writeFileSync(
        cfgFile,
        `storage:\n  engine: embedded\n  data_dir: ${join(tmp, "vigil-data")}\n  batch_max_delay: 20ms\n`,
      );
      app = new App({
        configFile: cfgFile,
        overrides: { listen: "127.0.0.1:0" },
        logger: silentLogger(),
      });
      await app.start();

      // Series for Prometheus to federate, with recent timestamps.
      const now = Date.now();
      const a = app.store.appender();
      a.append(
        0,
        labelsFromRecord({
          __name__: "fed_requests_total",
          job: "fedsrc",
          instance: "a",
          code: "200",
        }),
        now - 1000,
        42,
      );
      a.append(
        0,
        labelsFromRecord({ __name__: "fed_temperature_celsius", job: "fedsrc", instance: "b" }),
        now - 500,
        21.5,
      );
      a.append(
        0,
        labelsFromRecord({ __name__: "fed_ratio", job: "fedsrc", instance: "b" }),
        now - 500,
        0.1 + 0.2,
      );
      await a.commit();

      expo = createServer((_req, res) => {
        counter += 0.1;
        const lines = [
          "# HELP interop_values Values that must survive bit for bit.",
          "# TYPE interop_values gauge",
          'interop_values{case="pi"} 3.141592653589793',
          'interop_values{case="tiny"} 5e-324',
          // No -0: Prometheus's remote write encoder (gogo proto3) omits a zero value, -0 included,
          // so a receiver can only see +0 for it.
          'interop_values{case="nan"} NaN',
          'interop_values{case="inf"} +Inf',
          'interop_values{case="ninf"} -Inf',
          'interop_values{case="max"} 1.7976931348623157e+308',
          'interop_values{case="third"} 0.30000000000000004',
          "# TYPE interop_counter_total counter",
          `interop_counter_total ${counter}`,
        ];
        if (!vanish) lines.push("# TYPE interop_vanishing gauge", "interop_vanishing 1");
        res
          .writeHead(200, { "Content-Type": "text/plain; version=0.0.4" })
          .end(lines.join("\n") + "\n");
      });
      await new Promise<void>((resolve) => expo.listen(0, "127.0.0.1", resolve));
      const expoPort = (expo.address() as AddressInfo).port;
      const vigilPort = new URL(app.address).port;
      const promPort = await freePort();
      promUrl = `http://127.0.0.1:${promPort}`;
      writeFileSync(
        join(tmp, "prometheus.yml"),
        `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ["127.0.0.1:${promPort}"] }]
  - job_name: expo
    static_configs: [{ targets: ["127.0.0.1:${expoPort}"] }]
  - job_name: vigil_federate
    honor_labels: true
    metrics_path: /federate
    params:
      "match[]": ['{__name__=~"fed_.*"}']
    static_configs: [{ targets: ["127.0.0.1:${vigilPort}"] }]
remote_write:
  - url: http://127.0.0.1:${vigilPort}/api/v1/write
    remote_timeout: 5s
    queue_config:
      batch_send_deadline: 100ms
      max_samples_per_send: 1000
      min_backoff: 10ms
      max_backoff: 100ms
    write_relabel_configs:
      - source_labels: [__name__]
        regex: "fed_.*"
        action: drop
`,
      );
      prom = spawn(
        PROMETHEUS!,
        [
          `--config.file=${join(tmp, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(tmp, "prom-data")}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          "--log.level=warn",
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      prom.stderr!.setEncoding("utf8").on("data", (d: string) => (promLog += d));
      // Ready, then a few scrapes.
      for (let i = 0; i < 100; i++) {
        try {
          if ((await fetch(`${promUrl}/-/ready`)).ok) break;
        } catch {
          // Not listening yet.
        }
        await sleep(100);
      }
    });

    after(async () => {
      if (prom && prom.exitCode === null) {
        const exited = new Promise((r) => prom!.once("exit", r));
        prom.kill("SIGTERM");
        await exited;
      }
      await new Promise<void>((resolve) => expo.close(() => resolve()));
      await app.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    async function expoScrapes(): Promise<number> {
      const r = await promQuery('count_over_time(up{job="expo"}[10m])', Date.now() / 1000);
      return r[0]?.value ? Number(r[0].value[1]) : 0;
    }

    async function waitForScrapes(n: number): Promise<void> {
      for (let i = 0; i < 120; i++) {
        if ((await expoScrapes()) >= n) return;
        await sleep(250);
      }
      assert.fail(`Prometheus did not scrape the exposition ${n} times; log:\n${promLog}`);
    }

    async function promQuery(query: string, timeSec: number): Promise<MatrixSeries[]> {
      const u = `${promUrl}/api/v1/query?query=${encodeURIComponent(query)}&time=${timeSec}`;
      const r = (await (await fetch(u)).json()) as {
        status: string;
        data: { result: MatrixSeries[] };
      };
      assert.equal(r.status, "success", JSON.stringify(r));
      return r.data.result;
    }

    it("receives every sample Prometheus remote-writes, bit-exact, and its stale markers", async () => {
      // Targets start after Prometheus's discovery reload (5s); let it scrape a few times, then
      // drop a series and let it notice.
      await waitForScrapes(4);
      vanish = true;
      await waitForScrapes((await expoScrapes()) + 3);
      // A closed window: Prometheus appends nothing older than now, so [end-2m, end] is final.
      const endMs = Date.now() - 1500;
      const series = await promQuery('{job=~"prometheus|expo"}[2m]', endMs / 1000);
      const want = new Map<
        string,
        { labels: Record<string, string>; samples: Map<number, number> }
      >();
      let total = 0;
      for (const s of series) {
        const labels = labelsFromRecord(s.metric);
        const samples = new Map<number, number>();
        for (const [t, v] of s.values) samples.set(Math.round(t * 1000), parsePromValue(v));
        total += samples.size;
        want.set(labelsKey(labels), { labels: s.metric, samples });
      }
      assert.ok(want.size > 50, `Prometheus has only ${want.size} series; log:\n${promLog}`);
      const expoHost = `127.0.0.1:${(expo.address() as AddressInfo).port}`;
      const tiny = { __name__: "interop_values", case: "tiny", instance: expoHost, job: "expo" };
      assert.ok(want.has(labelsKey(labelsFromRecord(tiny))), "the exposition was scraped");

      let problems: string[] = [];
      for (let attempt = 0; attempt < 60; attempt++) {
        const got = await app.store
          .querier(endMs - 120_000 + 1, endMs)
          .select([new Matcher("=~", "job", "prometheus|expo")]);
        const byKey = new Map(got.map((s) => [labelsKey(s.labels), s]));
        problems = [];
        for (const [key, w] of want) {
          const s = byKey.get(key);
          if (!s) {
            problems.push(`missing series ${JSON.stringify(w.labels)}`);
            continue;
          }
          const have = new Map<number, number>();
          for (let i = 0; i < s.timestamps.length; i++) have.set(s.timestamps[i]!, s.values[i]!);
          for (const [t, v] of w.samples) {
            const g = have.get(t);
            if (g === undefined) problems.push(`${JSON.stringify(w.labels)} @${t}: missing`);
            else if (bits(g) !== bits(v)) {
              problems.push(`${JSON.stringify(w.labels)} @${t}: got ${bits(g)} want ${bits(v)}`);
            }
          }
        }
        if (problems.length === 0) break;
        await sleep(500);
      }
      assert.deepEqual(
        problems.slice(0, 10),
        [],
        `${problems.length} problems over ${total} samples`,
      );

      // The series that disappeared from the exposition ends with Prometheus's stale marker.
      const gone = await app.store
        .querier(endMs - 120_000, Date.now())
        .select([new Matcher("=", "__name__", "interop_vanishing")]);
      assert.equal(gone.length, 1);
      const vs = gone[0]!.values;
      assert.ok(vs.length > 2);
      assert.ok(isStaleNaN(vs[vs.length - 1]!), "last sample is a stale marker");
      assert.ok(!isStaleNaN(vs[0]!));
    });

    it("serves /federate to Prometheus: it gets the series Vigil holds", async () => {
      const vigilSeries = await app.store
        .querier(Date.now() - 300_000, Date.now())
        .select([new Matcher("=~", "__name__", "fed_.*")]);
      assert.equal(vigilSeries.length, 3);
      let got: MatrixSeries[] = [];
      for (let attempt = 0; attempt < 40; attempt++) {
        got = await promQuery('{__name__=~"fed_.*"}[5m]', Date.now() / 1000);
        if (got.length === 3) break;
        await sleep(250);
      }
      const byKey = new Map(got.map((s) => [labelsKey(labelsFromRecord(s.metric)), s]));
      for (const s of vigilSeries) {
        const p = byKey.get(labelsKey(s.labels));
        assert.ok(
          p,
          `Prometheus lacks ${JSON.stringify(labelsToRecord(s.labels))}: ${JSON.stringify(got)}`,
        );
        const last = s.values.length - 1;
        // Federation keeps the sample's own timestamp (honor_timestamps), so Prometheus holds
        // exactly Vigil's latest sample however often it scraped.
        assert.deepEqual(
          p.values.map(([t, v]) => [Math.round(t * 1000), bits(parsePromValue(v))]),
          [[s.timestamps[last], bits(s.values[last]!)]],
        );
      }
    });
  },
);
