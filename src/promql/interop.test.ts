// Interop: prometheus 3.5 scrapes node_exporter and itself and remote-writes everything to Vigil;
// then the same PromQL queries run on both, and the results are compared sample by sample.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "../app/index.ts";
import { freePort, peerPath, startPeer, waitFor } from "../testing/index.ts";
import type { PeerProcess } from "../testing/index.ts";
import { silentLogger } from "../util/logging/index.ts";

const prometheusBin = peerPath("prometheus");
const nodeExporterBin = peerPath("node_exporter");
const skip =
  prometheusBin && nodeExporterBin ? false : "prometheus or node_exporter binary unavailable";

interface ApiResult {
  resultType: string;
  result: unknown;
}

async function query(
  base: string,
  path: string,
  params: Record<string, string>,
): Promise<ApiResult> {
  const r = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await r.json()) as { status: string; data: ApiResult; error?: string };
  if (body.status !== "success") throw new Error(`${base}${path} ${params.query}: ${body.error}`);
  return body.data;
}

/** normalize turns an API result into comparable rows: "labels => values". */
function normalize(d: ApiResult): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  const key = (m: Record<string, string>): string =>
    JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  switch (d.resultType) {
    case "vector":
      for (const s of d.result as { metric: Record<string, string>; value: [number, string] }[]) {
        rows.set(key(s.metric), [`${s.value[0]} ${s.value[1]}`]);
      }
      break;
    case "matrix":
      for (const s of d.result as {
        metric: Record<string, string>;
        values: [number, string][];
      }[]) {
        rows.set(
          key(s.metric),
          s.values.map(([t, v]) => `${t} ${v}`),
        );
      }
      break;
    default: {
      const [t, v] = d.result as [number, string];
      rows.set("", [`${t} ${v}`]);
    }
  }
  return rows;
}

function close(a: string, b: string): boolean {
  if (a === b) return true;
  const [ta, va] = a.split(" ");
  const [tb, vb] = b.split(" ");
  if (ta !== tb) return false;
  const x = Number(va);
  const y = Number(vb);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

function assertSame(what: string, prom: ApiResult, vigil: ApiResult): void {
  assert.equal(vigil.resultType, prom.resultType, `${what}: result type`);
  const p = normalize(prom);
  const v = normalize(vigil);
  assert.deepEqual([...v.keys()].sort(), [...p.keys()].sort(), `${what}: series differ`);
  for (const [k, pv] of p) {
    const vv = v.get(k)!;
    assert.equal(vv.length, pv.length, `${what}: ${k}: point count ${vv.length} vs ${pv.length}`);
    pv.forEach((x, i) =>
      assert.ok(close(x, vv[i]!), `${what}: ${k}: prometheus ${x}, vigil ${vv[i]}`),
    );
  }
  assert.ok(
    p.size > 0 || what.includes("empty"),
    `${what}: prometheus returned nothing to compare`,
  );
}

describe("PromQL interop with prometheus 3.5 (remote write into Vigil)", { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "vigil-promql-interop-"));
  let app: App;
  let prom: PeerProcess;
  let nodeExporter: PeerProcess;
  let promUrl = "";

  before(async () => {
    const cfg = join(tmp, "vigil.yml");
    writeFileSync(cfg, "storage:\n  engine: memory\n");
    app = new App({
      configFile: cfg,
      overrides: { listen: "127.0.0.1:0" },
      logger: silentLogger(),
    });
    await app.start();

    const nePort = await freePort();
    nodeExporter = startPeer(nodeExporterBin!, [`--web.listen-address=127.0.0.1:${nePort}`]);
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      join(tmp, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "scrape_configs:",
        "  - job_name: prometheus",
        `    static_configs: [{ targets: ["127.0.0.1:${promPort}"] }]`,
        "  - job_name: node",
        `    static_configs: [{ targets: ["127.0.0.1:${nePort}"] }]`,
        "remote_write:",
        `  - url: ${app.address}/api/v1/write`,
        "    queue_config: { batch_send_deadline: 500ms, max_samples_per_send: 5000 }",
        "",
      ].join("\n"),
    );
    prom = startPeer(
      prometheusBin!,
      [
        `--config.file=${join(tmp, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(tmp, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      tmp,
    );
    await waitFor(
      "prometheus ready",
      async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined),
      30_000,
    );
  });

  after(async () => {
    await prom?.stop();
    await nodeExporter?.stop();
    await app?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("answers dashboard-style queries exactly like prometheus", { timeout: 120_000 }, async () => {
    // Collect 25 s of 1 s scrapes, then compare at a time whose samples have all arrived.
    await new Promise((r) => setTimeout(r, 25_000));
    const t = Math.floor(Date.now() / 1000) - 4;
    await waitFor(
      "remote-written samples at the comparison time",
      async () => {
        const d = await query(app.address, "/api/v1/query", {
          query: "min(timestamp(up))",
          time: String(t + 3),
        });
        const r = d.result as { value: [number, string] }[];
        return r.length > 0 && Number(r[0]!.value[1]) >= t + 1 ? true : undefined;
      },
      30_000,
    );
    const instant = [
      "up",
      'node_cpu_seconds_total{mode="idle"}',
      "rate(node_cpu_seconds_total[10s])",
      "sum by (mode) (irate(node_cpu_seconds_total[5s]))",
      "histogram_quantile(0.9, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[20s])))",
      "node_filesystem_avail_bytes / on(device, mountpoint) node_filesystem_size_bytes",
      "topk(3, prometheus_tsdb_head_series or node_memory_MemFree_bytes)",
      "count by (job) (up) * on(job) group_left sum by (job) (scrape_samples_scraped)",
      "max_over_time(rate(prometheus_http_requests_total[5s])[15s:2s])",
      `up @ ${t - 10}`,
      "scrape_duration_seconds offset 5s",
      'count_values("v", up)',
      "absent(nonexistent_metric)",
    ];
    for (const q of instant) {
      const params = { query: q, time: String(t) };
      assertSame(
        q,
        await query(promUrl, "/api/v1/query", params),
        await query(app.address, "/api/v1/query", params),
      );
    }
    const range = [
      "rate(node_cpu_seconds_total[5s])",
      "sum(up)",
      "deriv(process_resident_memory_bytes[10s])",
    ];
    for (const q of range) {
      const params = { query: q, start: String(t - 15), end: String(t), step: "3" };
      assertSame(
        `range ${q}`,
        await query(promUrl, "/api/v1/query_range", params),
        await query(app.address, "/api/v1/query_range", params),
      );
    }
  });
});
