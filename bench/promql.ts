// PromQL benchmark: the same synthetic node_exporter-like data (bench/synth.ts) in Vigil
// (embedded chDB, a real App) and in prometheus 3.5, a fixed set of dashboard-style queries run
// on both as range queries over the last 1h (step 15s) and 24h (step 5m) and as instant queries;
// median and p90 latency of each, the ratio Vigil/Prometheus per query and overall (geometric
// mean), and a check that both answer the same (issue 4, "Interop and benchmark": ≤ 2×).
//
//   npm run bench:promql -- [--series 10000] [--hours 24] [--reps 10] [--no-peer]
//                           [--jitter-ms 5] [--seed 1] [--no-optimize] [--head 2h]
//
// Loading: both systems receive the same remote write 1.0 requests (snappy + protobuf), time
// window by time window (1h), each request holding a group of series with all their samples of
// the window (series-major), so every series arrives in time order. Before anything is timed,
// per-metric `count_over_time` totals must equal what was generated on both systems, Vigil's
// parts are merged (OPTIMIZE ... FINAL, as background merges would do over a day; --no-optimize
// skips it) and Prometheus has finished compacting its head into blocks.
//
// Timing: one unmeasured run per query, mode and system (its result is compared between the
// systems: same series, same timestamps, values within 1e-9 relative), then --reps runs
// alternating the systems (fewer, down to 3, where one run takes over 2 s, to bound the time). Latency is client-side wall time of the HTTP request until the whole
// body is read (POST /api/v1/query or /api/v1/query_range). Vigil runs in this process, so its
// CPU column is this process's CPU over the request (client included); Prometheus's is read
// from /proc.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compress } from "snappy";
import { App } from "../src/app/index.ts";
import type { PromLabel, PromSample, PromTimeSeries } from "../src/ingest/remote-write/index.ts";
import { WriteRequestType } from "../src/ingest/remote-write/index.ts";
import type { Storage } from "../src/storage/index.ts";
import type { PeerProcess } from "../src/testing/index.ts";
import { freePort, peerPath, startPeer, waitFor } from "../src/testing/index.ts";
import { newLogger } from "../src/util/logging/index.ts";
import type { Dataset } from "./synth.ts";
import { generate, STEP_MS } from "./synth.ts";

const { values: args } = parseArgs({
  options: {
    series: { type: "string", default: "10000" },
    hours: { type: "string", default: "24" },
    reps: { type: "string", default: "10" },
    "no-peer": { type: "boolean", default: false },
    "jitter-ms": { type: "string", default: "5" },
    seed: { type: "string", default: "1" },
    /** head: Vigil's storage.head_duration (default: Vigil's own default). */
    head: { type: "string" },
    "no-optimize": { type: "boolean", default: false },
  },
});

const numArg = (name: "series" | "hours" | "reps" | "jitter-ms" | "seed"): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: not a number: ${args[name]}`);
  return v;
};

const HOUR_MS = 3_600_000;
const SERIES = Math.max(1, Math.floor(numArg("series")));
const HOURS = numArg("hours");
const REPS = Math.max(1, Math.floor(numArg("reps")));
const JITTER_MS = Math.floor(numArg("jitter-ms"));
const SEED = Math.floor(numArg("seed"));
const STEPS = Math.max(1, Math.round((HOURS * HOUR_MS) / STEP_MS));
/** WINDOW_STEPS: scrapes per load window; every series is sent window by window. */
const WINDOW_STEPS = HOUR_MS / STEP_MS;
/** REQUEST_SAMPLES: about this many samples per remote write request (≈ 4.5 MB decoded). */
const REQUEST_SAMPLES = 240_000;
/** IN_FLIGHT: requests encoded or in flight at once within a window. */
const IN_FLIGHT = 3;
/** VERIFY_NAMES: metric names whose sample counts one verification query sums. */
const VERIFY_NAMES = 8;
/**
 * RUN_BUDGET_MS: a query and mode whose first run is slow gets fewer timed runs (at least
 * MIN_REPS), about this much time per system, so that the default run stays near 10 minutes.
 */
const RUN_BUDGET_MS = 20_000;
const MIN_REPS = 3;

/** Query is one dashboard-style expression over metrics the generator produces. */
interface Query {
  readonly name: string;
  readonly expr: string;
}

// The synthetic set has no classic histograms (go_gc_duration_seconds is a summary), so there is
// no histogram_quantile here; the summary's _sum/_count ratio stands in for a latency panel.
const QUERIES: readonly Query[] = [
  {
    name: "cpu busy by instance",
    expr: 'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))',
  },
  {
    name: "memory available ratio",
    expr: "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
  },
  { name: "topk network receive", expr: "topk(5, rate(node_network_receive_bytes_total[5m]))" },
  {
    name: "network transmit by instance",
    expr: 'sum by (instance) (irate(node_network_transmit_bytes_total{device!="lo"}[5m]))',
  },
  {
    name: "disk written by instance",
    expr: "sum by (instance) (rate(node_disk_written_bytes_total[5m]))",
  },
  {
    name: "filesystem used ratio",
    expr:
      '1 - node_filesystem_avail_bytes{fstype!="tmpfs"}' +
      ' / node_filesystem_size_bytes{fstype!="tmpfs"}',
  },
  { name: "load1 1h average", expr: "avg_over_time(node_load1[1h])" },
  { name: "selector: collector durations", expr: "node_scrape_collector_duration_seconds" },
  { name: "targets by job", expr: "count by (job) (up)" },
  {
    name: "gc pause mean (summary)",
    expr: "rate(go_gc_duration_seconds_sum[5m]) / rate(go_gc_duration_seconds_count[5m])",
  },
];

/** Mode is one way of running a query: a range (start = end - rangeMs) or an instant query. */
interface Mode {
  readonly name: string;
  readonly rangeMs: number;
  readonly stepMs: number;
}

const MODES: readonly Mode[] = [
  { name: "1h/15s", rangeMs: HOUR_MS, stepMs: 15_000 },
  { name: "24h/5m", rangeMs: 24 * HOUR_MS, stepMs: 300_000 },
  { name: "instant", rangeMs: 0, stepMs: 0 },
];

// ---------------------------------------------------------------------------------------------
// helpers

const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");
const fmtRate = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
const fmtMs = (ms: number): string =>
  Number.isNaN(ms) ? "-" : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** mean is the average; used for CPU, which /proc counts in 10 ms ticks. */
function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, x) => a + x, 0) / xs.length;
}

/** quantile is the nearest-rank quantile (p90 of 10 runs is the 9th fastest). */
function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

function geomean(xs: readonly number[]): number {
  const ok = xs.filter((x) => x > 0 && Number.isFinite(x));
  if (ok.length === 0) return NaN;
  return Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length);
}

/** procCpuS is the user+system CPU of a process and all its threads, in seconds (Linux /proc). */
function procCpuS(pid: number): number {
  const st = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** selfCpuS is this process's CPU (JS, Vigil's HTTP server and chDB's threads), in seconds. */
function selfCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// systems

/** System is one query target: Vigil in this process or the prometheus child. */
interface System {
  readonly name: "vigil" | "prometheus";
  readonly url: string;
  /** cpuS reads the CPU seconds the system has used so far. */
  readonly cpuS: () => number;
}

async function startVigil(dir: string): Promise<App> {
  const cfg = join(dir, "vigil.yml");
  writeFileSync(
    cfg,
    [
      "server:",
      "  log_level: warn",
      "  max_request_body: 64MiB",
      "storage:",
      "  engine: embedded",
      ...(args.head !== undefined ? [`  head_duration: ${JSON.stringify(args.head)}`] : []),
      "remote_write_receiver:",
      "  max_decoded_bytes: 256MiB",
      "",
    ].join("\n"),
  );
  const app = new App({
    configFile: cfg,
    overrides: { listen: "127.0.0.1:0", dataDir: join(dir, "vigil-data") },
    logger: newLogger("warn"),
  });
  await app.start();
  return app;
}

async function startPrometheus(
  bin: string,
  dir: string,
): Promise<{ proc: PeerProcess; url: string }> {
  const port = await freePort();
  const cfg = join(dir, "prometheus.yml");
  // No scrape configs; the out-of-order window lets the TSDB take samples older than its head.
  writeFileSync(
    cfg,
    [
      "global:",
      "  scrape_interval: 15s",
      "storage:",
      "  tsdb:",
      "    out_of_order_time_window: 2d",
      "",
    ].join("\n"),
  );
  const proc = startPeer(
    bin,
    [
      "--web.enable-remote-write-receiver",
      `--storage.tsdb.path=${join(dir, "prom-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--config.file=${cfg}`,
    ],
    dir,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    "prometheus ready",
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`prometheus exited:\n${proc.output()}`);
      return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
    },
    60_000,
  );
  return { proc, url };
}

// ---------------------------------------------------------------------------------------------
// loading

/**
 * encodeRequest builds the WriteRequest of series [s0, s1) at scrapes [k0, k1). It calls the
 * protobufjs type's `encode` directly: the objects are already in prompb's shape, and skipping
 * `fromObject` (encodeWriteRequest) halves the sender's CPU for the same bytes.
 */
function encodeRequest(ds: Dataset, s0: number, s1: number, k0: number, k1: number): Uint8Array {
  const N = ds.numSeries;
  const H = ds.numHosts;
  const timeseries: PromTimeSeries[] = [];
  for (let s = s0; s < s1; s++) {
    const h = ds.host[s]!;
    const samples: PromSample[] = [];
    for (let k = k0; k < k1; k++) {
      samples.push({ value: ds.vals[k * N + s]!, timestamp: ds.ts[k * H + h]! });
    }
    const labels: PromLabel[] = ds.labels[s]!.map((l) => ({ name: l.name, value: l.value }));
    timeseries.push({ labels, samples });
  }
  return WriteRequestType.encode({ timeseries }).finish();
}

async function postWrite(base: string, body: Buffer): Promise<void> {
  const r = await fetch(`${base}/api/v1/write`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-protobuf",
      "Content-Encoding": "snappy",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    },
  });
  const text = await r.text();
  if (r.status !== 204 && r.status !== 200) {
    throw new Error(`remote write to ${base}: ${r.status} ${text.slice(0, 500)}`);
  }
}

interface LoadResult {
  wallS: number;
  selfCpuS: number;
  promCpuS: number;
  requests: number;
  bytes: number;
}

/** load sends the whole dataset to every system, window by window, IN_FLIGHT requests at once. */
async function load(ds: Dataset, systems: readonly System[]): Promise<LoadResult> {
  const groupSeries = Math.max(1, Math.floor(REQUEST_SAMPLES / WINDOW_STEPS));
  const prom = systems.find((s) => s.name === "prometheus");
  const cpu0 = selfCpuS();
  const promCpu0 = prom?.cpuS() ?? 0;
  const t0 = performance.now();
  let requests = 0;
  let bytes = 0;
  let lastReport = t0;
  for (let k0 = 0; k0 < ds.steps; k0 += WINDOW_STEPS) {
    const k1 = Math.min(ds.steps, k0 + WINDOW_STEPS);
    // A window's requests all finish before the next window starts, so that no series' samples
    // can overtake each other.
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const s0 = next;
        if (s0 >= ds.numSeries) return;
        next += groupSeries;
        const s1 = Math.min(ds.numSeries, s0 + groupSeries);
        const body = await compress(Buffer.from(encodeRequest(ds, s0, s1, k0, k1)));
        await Promise.all(systems.map((s) => postWrite(s.url, body)));
        requests++;
        bytes += body.length;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const now = performance.now();
    if (now - lastReport > 15_000 || k1 === ds.steps) {
      lastReport = now;
      const done = k1 * ds.numSeries;
      console.log(
        `  loaded ${fmtInt(done)} samples (${((100 * k1) / ds.steps).toFixed(0)}%)` +
          ` in ${((now - t0) / 1000).toFixed(0)} s`,
      );
    }
  }
  return {
    wallS: (performance.now() - t0) / 1000,
    selfCpuS: selfCpuS() - cpu0,
    promCpuS: prom ? prom.cpuS() - promCpu0 : 0,
    requests,
    bytes,
  };
}

// ---------------------------------------------------------------------------------------------
// querying

interface ApiData {
  resultType: string;
  result: unknown;
}

interface Timed {
  ms: number;
  cpuMs: number;
  text: string;
}

/** timedQuery runs one query and returns its wall time until the body is read, and its CPU. */
async function timedQuery(
  sys: System,
  path: string,
  params: Record<string, string>,
): Promise<Timed> {
  const body = new URLSearchParams(params).toString();
  const cpu0 = sys.cpuS();
  const t0 = performance.now();
  const r = await fetch(`${sys.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  const text = await r.text();
  const ms = performance.now() - t0;
  const cpuMs = (sys.cpuS() - cpu0) * 1000;
  if (!r.ok)
    throw new Error(`${sys.name} ${path} ${params.query}: ${r.status} ${text.slice(0, 300)}`);
  return { ms, cpuMs, text };
}

function parseData(sys: System, text: string): ApiData {
  const b = JSON.parse(text) as { status: string; data: ApiData; error?: string };
  if (b.status !== "success") throw new Error(`${sys.name}: ${b.error}`);
  return b.data;
}

async function queryData(
  sys: System,
  path: string,
  params: Record<string, string>,
): Promise<ApiData> {
  return parseData(sys, (await timedQuery(sys, path, params)).text);
}

type Points = [number, string][];

/** rows turns an API result into series keyed by their sorted labels. */
function rows(d: ApiData): Map<string, Points> {
  const out = new Map<string, Points>();
  const key = (m: Record<string, string>): string =>
    JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  switch (d.resultType) {
    case "vector":
      for (const s of d.result as { metric: Record<string, string>; value: [number, string] }[])
        out.set(key(s.metric), [s.value]);
      break;
    case "matrix":
      for (const s of d.result as { metric: Record<string, string>; values: Points }[])
        out.set(key(s.metric), s.values);
      break;
    default:
      out.set("", [d.result as [number, string]]);
  }
  return out;
}

function closeEnough(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/** Shape summarises a result: series and points. */
interface Shape {
  series: number;
  points: number;
}

function shape(d: ApiData): Shape {
  let points = 0;
  const r = rows(d);
  for (const p of r.values()) points += p.length;
  return { series: r.size, points };
}

/** compare returns undefined when both results agree, else a description of the first difference. */
function compare(vigil: ApiData, prom: ApiData): string | undefined {
  if (vigil.resultType !== prom.resultType)
    return `result type ${vigil.resultType} vs ${prom.resultType}`;
  const v = rows(vigil);
  const p = rows(prom);
  if (v.size !== p.size) return `${v.size} series vs ${p.size}`;
  let diffs = 0;
  let first: string | undefined;
  for (const [k, pp] of p) {
    const vp = v.get(k);
    if (!vp) {
      diffs++;
      first ??= `series ${k} missing in vigil`;
      continue;
    }
    if (vp.length !== pp.length) {
      diffs++;
      first ??= `${k}: ${vp.length} points vs ${pp.length}`;
      continue;
    }
    for (let i = 0; i < pp.length; i++) {
      const [tv, xv] = vp[i]!;
      const [tp, xp] = pp[i]!;
      if (tv !== tp || !closeEnough(xv, xp)) {
        diffs++;
        first ??= `${k} @${tp}: vigil ${tv === tp ? xv : `${xv}@${tv}`}, prometheus ${xp}`;
        break;
      }
    }
  }
  return diffs === 0 ? undefined : `${diffs} series differ, first: ${first}`;
}

/** Measured holds the runs of one query in one mode. */
interface Measured {
  query: Query;
  mode: Mode;
  shape: Shape;
  ms: Map<System["name"], number[]>;
  cpuMs: Map<System["name"], number[]>;
  mismatch?: string;
}

function paramsFor(
  q: Query,
  m: Mode,
  endMs: number,
): { path: string; params: Record<string, string> } {
  if (m.rangeMs === 0)
    return { path: "/api/v1/query", params: { query: q.expr, time: String(endMs / 1000) } };
  return {
    path: "/api/v1/query_range",
    params: {
      query: q.expr,
      start: String((endMs - m.rangeMs) / 1000),
      end: String(endMs / 1000),
      step: String(m.stepMs / 1000),
    },
  };
}

async function measure(systems: readonly System[], endMs: number): Promise<Measured[]> {
  const out: Measured[] = [];
  for (const query of QUERIES) {
    for (const mode of MODES) {
      const { path, params } = paramsFor(query, mode, endMs);
      // The unmeasured first run of each system gives the results to compare.
      const first = new Map<System["name"], ApiData>();
      let firstMs = 0;
      for (const s of systems) {
        const t = await timedQuery(s, path, params);
        firstMs = Math.max(firstMs, t.ms);
        first.set(s.name, parseData(s, t.text));
      }
      const vd = first.get("vigil")!;
      const pd = first.get("prometheus");
      const m: Measured = {
        query,
        mode,
        shape: shape(pd ?? vd),
        ms: new Map(systems.map((s) => [s.name, []])),
        cpuMs: new Map(systems.map((s) => [s.name, []])),
      };
      if (pd) {
        m.mismatch = compare(vd, pd);
        if (m.mismatch)
          console.log(`  WARNING result mismatch: ${query.name} [${mode.name}]: ${m.mismatch}`);
      }
      const reps = Math.max(MIN_REPS, Math.min(REPS, Math.floor(RUN_BUDGET_MS / firstMs)));
      for (let i = 0; i < reps; i++) {
        // Alternate who goes first so that neither always runs right after the other.
        const order = i % 2 === 0 ? systems : [...systems].reverse();
        for (const s of order) {
          const t = await timedQuery(s, path, params);
          m.ms.get(s.name)!.push(t.ms);
          m.cpuMs.get(s.name)!.push(t.cpuMs);
        }
      }
      const line = systems
        .map((s) => `${s.name} ${fmtMs(median(m.ms.get(s.name)!))} ms`)
        .join(", ");
      console.log(`  ${pad(query.name, 30)} ${pad(mode.name, 8)} ${line} (${reps} runs)`);
      out.push(m);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// readiness: all samples present, background work done

/**
 * verifyCounts checks that every system holds exactly the generated samples: for each metric
 * name, `sum(count_over_time(name[range]))` must equal its series count × scrapes. Names are
 * summed VERIFY_NAMES per query; one selector cannot span several names, because
 * count_over_time drops `__name__` and series of different names would then collide (Prometheus
 * refuses such a vector too).
 */
async function verifyCounts(ds: Dataset, systems: readonly System[], atMs: number): Promise<void> {
  const range = `${Math.ceil(HOURS) + 1}h`;
  const perName = new Map<string, number>();
  for (const n of ds.metricNames) perName.set(n, (perName.get(n) ?? 0) + ds.steps);
  const names = [...perName.keys()];
  const t0 = performance.now();
  let total = 0;
  for (let i = 0; i < names.length; i += VERIFY_NAMES) {
    const chunk = names.slice(i, i + VERIFY_NAMES);
    const want = chunk.reduce((a, n) => a + perName.get(n)!, 0);
    const expr = chunk.map((n) => `sum(count_over_time(${n}[${range}]))`).join(" + ");
    for (const s of systems) {
      await waitFor(
        `${s.name}: ${want} samples of ${chunk.join(", ")}`,
        async () => {
          const d = await queryData(s, "/api/v1/query", { query: expr, time: String(atMs / 1000) });
          const r = d.result as { value: [number, string] }[];
          const got = r.length > 0 ? Number(r[0]!.value[1]) : 0;
          if (got === want) return true;
          console.log(
            `  ${s.name}: ${fmtInt(got)} samples of ${chunk[0]}..., want ${fmtInt(want)}`,
          );
          return undefined;
        },
        60_000,
        2_000,
      );
    }
    total += want;
  }
  console.log(
    `  count_over_time totals match the dataset on ${systems.map((s) => s.name).join(" and ")}:` +
      ` ${fmtInt(total)} samples of ${names.length} metric names` +
      ` (checked in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
}

/** promMetrics reads the gauges and counters that say whether the TSDB is still compacting. */
async function promMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const want = [
    "prometheus_tsdb_head_min_time",
    "prometheus_tsdb_head_max_time",
    "prometheus_tsdb_blocks_loaded",
    "prometheus_tsdb_compactions_total",
    "prometheus_tsdb_head_series",
  ];
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [name, value] = line.split(" ");
    if (name && want.includes(name)) out.set(name, Number(value));
  }
  return out;
}

/**
 * promSettle waits until Prometheus has compacted its head (head span at most 1.5 × 2h, the
 * point below which it stops cutting blocks) and has been idle for a while.
 */
async function promSettle(prom: System): Promise<void> {
  const t0 = performance.now();
  let quiet = 0;
  let last = "";
  for (;;) {
    const cpu0 = prom.cpuS();
    await sleep(3_000);
    const busyS = prom.cpuS() - cpu0;
    const m = await promMetrics(prom.url);
    const spanMs =
      (m.get("prometheus_tsdb_head_max_time") ?? 0) - (m.get("prometheus_tsdb_head_min_time") ?? 0);
    const state = `${m.get("prometheus_tsdb_blocks_loaded")}/${m.get("prometheus_tsdb_compactions_total")}`;
    quiet = spanMs <= 3 * HOUR_MS && busyS < 0.3 && state === last ? quiet + 1 : 0;
    last = state;
    if (quiet >= 2) {
      console.log(
        `  prometheus settled after ${((performance.now() - t0) / 1000).toFixed(0)} s:` +
          ` ${m.get("prometheus_tsdb_blocks_loaded")} blocks, head ${(spanMs / HOUR_MS).toFixed(1)}h` +
          ` and ${fmtInt(m.get("prometheus_tsdb_head_series") ?? 0)} series,` +
          ` ${m.get("prometheus_tsdb_compactions_total")} compactions`,
      );
      return;
    }
    if (performance.now() - t0 > 300_000) {
      console.log(
        `  WARNING prometheus still busy after 5 min (head ${spanMs / HOUR_MS}h); timing anyway`,
      );
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// report

function report(results: readonly Measured[], peer: boolean): void {
  console.log(`\n== PromQL benchmark: Vigil (embedded chDB) vs prometheus 3.5 ==`);
  console.log(`queries:`);
  QUERIES.forEach((q, i) => console.log(`  ${pad(`Q${i + 1}`, 4)} ${pad(q.name, 30)} ${q.expr}`));
  console.log(
    `\nlatency in ms over n runs (after one unmeasured run; n = ${REPS}, fewer down to` +
      ` ${MIN_REPS} where a run takes over ${RUN_BUDGET_MS / REPS / 1000} s);` +
      ` cpu = mean CPU ms per query; ratio = vigil median / prometheus median`,
  );
  const head =
    `${pad("query", 5)} ${pad("mode", 8)} ${lpad("series", 6)} ${lpad("points", 8)} ${lpad("n", 2)}` +
    ` | ${lpad("vigil med", 9)} ${lpad("p90", 7)} ${lpad("cpu", 7)}` +
    (peer
      ? ` | ${lpad("prom med", 9)} ${lpad("p90", 7)} ${lpad("cpu", 7)} | ${lpad("ratio", 7)}`
      : "");
  console.log(head);
  console.log("-".repeat(head.length));
  const ratios = new Map<string, number[]>();
  for (const r of results) {
    const qi = QUERIES.indexOf(r.query) + 1;
    const v = r.ms.get("vigil")!;
    let line =
      `${pad(`Q${qi}`, 5)} ${pad(r.mode.name, 8)} ${lpad(fmtInt(r.shape.series), 6)}` +
      ` ${lpad(fmtInt(r.shape.points), 8)} ${lpad(String(v.length), 2)}` +
      ` | ${lpad(fmtMs(median(v)), 9)} ${lpad(fmtMs(quantile(v, 0.9)), 7)}` +
      ` ${lpad(fmtMs(mean(r.cpuMs.get("vigil")!)), 7)}`;
    if (peer) {
      const p = r.ms.get("prometheus")!;
      const ratio = median(v) / median(p);
      for (const k of ["all", r.mode.name]) ratios.set(k, [...(ratios.get(k) ?? []), ratio]);
      line +=
        ` | ${lpad(fmtMs(median(p)), 9)} ${lpad(fmtMs(quantile(p, 0.9)), 7)}` +
        ` ${lpad(fmtMs(mean(r.cpuMs.get("prometheus")!)), 7)}` +
        ` | ${lpad(ratio.toFixed(2) + "x", 7)}${ratio > 2 ? " >2x" : ""}${r.mismatch ? " MISMATCH" : ""}`;
    }
    console.log(line);
  }
  if (!peer) return;
  console.log("");
  for (const m of MODES) {
    console.log(`geomean ratio ${pad(m.name, 8)} ${geomean(ratios.get(m.name) ?? []).toFixed(2)}x`);
  }
  const all = geomean(ratios.get("all") ?? []);
  const over = (ratios.get("all") ?? []).filter((x) => x > 2).length;
  const mismatches = results.filter((r) => r.mismatch).length;
  console.log(
    `geomean ratio overall  ${all.toFixed(2)}x (target ≤ 2x: ${all <= 2 ? "met" : "MISSED"});` +
      ` ${over} of ${results.length} query/mode pairs above 2x;` +
      ` result mismatches: ${mismatches}`,
  );
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-promql-"));
  let app: App | undefined;
  let prom: PeerProcess | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      await prom?.stop().catch(() => undefined);
      await app?.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = (sig: NodeJS.Signals): void => {
    console.log(`\n${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    console.log(`== PromQL benchmark: Vigil (embedded chDB) vs prometheus 3.5 ==`);
    console.log(`temp dir ${dir} (removed at the end)`);
    const g = performance.now();
    let ds: Dataset | undefined = generate({
      series: SERIES,
      steps: STEPS,
      endMs: Date.now(),
      jitterMs: JITTER_MS,
      seed: SEED,
    });
    const samples = ds.numSeries * ds.steps;
    let lastTs = 0;
    for (let i = ds.ts.length - ds.numHosts; i < ds.ts.length; i++)
      lastTs = Math.max(lastTs, ds.ts[i]!);
    console.log(
      `generated ${fmtInt(ds.numSeries)} series on ${ds.numHosts} hosts x ${fmtInt(ds.steps)} scrapes` +
        ` (${HOURS}h at ${STEP_MS / 1000}s) = ${fmtInt(samples)} samples` +
        ` in ${((performance.now() - g) / 1000).toFixed(1)} s`,
    );

    app = await startVigil(dir);
    const vigilApp = app;
    const systems: System[] = [{ name: "vigil", url: app.address, cpuS: selfCpuS }];
    const bin = args["no-peer"] ? undefined : peerPath("prometheus");
    if (!args["no-peer"] && !bin) console.log(`prometheus binary unavailable: Vigil alone`);
    if (bin) {
      const p = await startPrometheus(bin, dir);
      prom = p.proc;
      const pid = p.proc.child.pid!;
      systems.push({ name: "prometheus", url: p.url, cpuS: () => procCpuS(pid) });
    }
    console.log(`started ${systems.map((s) => `${s.name} at ${s.url}`).join(", ")}`);

    console.log(`\n-- load (remote write 1.0, same requests to every system) --`);
    const l = await load(ds, systems);
    console.log(
      `  ${fmtInt(samples)} samples in ${l.requests} requests (${(l.bytes / 2 ** 20).toFixed(0)} MiB` +
        ` snappy) to ${systems.length} system(s): ${l.wallS.toFixed(1)} s wall,` +
        ` ${fmtRate((samples * systems.length) / l.wallS)} samples/s accepted in total;` +
        ` CPU: this process (sender + vigil) ${l.selfCpuS.toFixed(1)} s` +
        (bin ? `, prometheus ${l.promCpuS.toFixed(1)} s` : ""),
    );
    const hosts = ds.numHosts;
    const checkAtMs = Math.ceil((lastTs + 1) / 1000) * 1000;
    await verifyCounts(ds, systems, checkAtMs);
    // Free the dataset before timing: nothing below needs it.
    ds = undefined;

    const store = vigilApp.store as Storage & { optimize?: () => Promise<void> };
    if (!args["no-optimize"] && typeof store.optimize === "function") {
      const o = performance.now();
      const c = selfCpuS();
      await store.optimize();
      console.log(
        `  vigil: OPTIMIZE TABLE ... FINAL ${((performance.now() - o) / 1000).toFixed(1)} s wall,` +
          ` ${(selfCpuS() - c).toFixed(1)} CPU-s`,
      );
    }
    const promSys = systems.find((s) => s.name === "prometheus");
    if (promSys) await promSettle(promSys);

    // The queries end at the last full minute with data; 24h ranges start about when it does.
    const endMs = Math.floor(lastTs / 60_000) * 60_000;
    console.log(
      `\n-- queries: end ${new Date(endMs).toISOString()}, ${QUERIES.length} queries x` +
        ` ${MODES.length} modes, ${REPS} timed runs each, ${hosts} instances --`,
    );
    // Other work on the machine skews latencies; the load average tells a reader how much.
    const load0 = loadavg()[0]!;
    const results = await measure(systems, endMs);
    console.log(
      `  load average (1 min) ${load0.toFixed(1)} before the queries, ${loadavg()[0]!.toFixed(1)} after`,
    );
    report(results, systems.length > 1);
    console.log(`\ntotal run time ${((performance.now() - g) / 60_000).toFixed(1)} min`);
  } finally {
    await cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

await main();
