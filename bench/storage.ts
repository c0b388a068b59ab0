// Storage benchmark of the embedded engine (chDB): append throughput, bytes on disk per sample
// after merges, and select latency, on a synthetic node_exporter-like set; optionally compared
// with Prometheus' TSDB through `promtool tsdb create-blocks-from openmetrics`.
//
//   npm run bench:storage -- [--series 10000] [--hours 24] [--data-dir DIR] [--keep]
//                            [--batch-rows 1000000] [--batch-delay-ms 200] [--jitter-ms 5]
//                            [--peer-series 1000] [--no-peer] [--seed 1]
//
// The default data dir is a temp dir removed at the end (unless --keep); a --data-dir is kept.
// Samples are appended through the real Storage API (one appender per target per scrape, refs
// reused); CPU is process CPU, which includes chDB's threads since chDB runs in-process.
// Targets (foundation issue): ≥ 1M samples/s appended per core; ≤ 1.5 bytes/sample on disk.

import { execFile } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Matcher, METRIC_NAME } from "../src/model/labels/index.ts";
import type { ClickHouseDriver, ClickHouseStorage } from "../src/storage/clickhouse/index.ts";
import {
  SAMPLES_TABLE,
  SERIES_TABLE,
  openChdbDriver,
  openClickHouseStorage,
} from "../src/storage/clickhouse/index.ts";
import type { SeriesRef, StorageMetrics } from "../src/storage/index.ts";
import { newStorageMetrics } from "../src/storage/index.ts";
import type { Dataset } from "./synth.ts";
import { generate, STEP_MS } from "./synth.ts";

const HOUR_MS = 3_600_000;
const OPENMETRICS_MAX_BYTES = 600e6;

const { values: args } = parseArgs({
  options: {
    series: { type: "string", default: "10000" },
    hours: { type: "string", default: "24" },
    "data-dir": { type: "string" },
    keep: { type: "boolean", default: false },
    "batch-rows": { type: "string", default: "1000000" },
    "batch-delay-ms": { type: "string", default: "200" },
    "jitter-ms": { type: "string", default: "5" },
    "peer-series": { type: "string", default: "1000" },
    "no-peer": { type: "boolean", default: false },
    seed: { type: "string", default: "1" },
  },
});

const numArg = (name: keyof typeof args): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: not a number: ${args[name]}`);
  return v;
};

const SERIES = Math.floor(numArg("series"));
const HOURS = numArg("hours");
const BATCH_ROWS = Math.floor(numArg("batch-rows"));
const BATCH_DELAY_MS = numArg("batch-delay-ms");
const JITTER_MS = Math.floor(numArg("jitter-ms"));
const PEER_SERIES = Math.floor(numArg("peer-series"));
const SEED = Math.floor(numArg("seed"));
const STEPS = Math.max(1, Math.round((HOURS * HOUR_MS) / STEP_MS));
const RETENTION_MS = 30 * 24 * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// formatting helpers

const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");
const fmtRate = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
const fmtBytes = (n: number): string =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} GB`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)} MB`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)} kB`
        : `${n} B`;
const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

/**
 * threadCpu reads the CPU seconds of every thread of this process from /proc (Linux), keyed by
 * thread id and name. Empty elsewhere.
 */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const st = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const comm = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      out.set(`${tid}:${comm}`, (Number(f[11]) + Number(f[12])) / 100); // utime + stime, ticks
    } catch {
      // the thread exited meanwhile
    }
  }
  return out;
}

/** CpuSplit attributes a phase's CPU seconds to groups of threads. */
interface CpuSplit {
  /** js: Node's main thread (appends, encoding, the benchmark loop). */
  readonly js: number;
  /**
   * nodeOther: Node's other threads: V8 GC helpers and the libuv pool, which runs the file
   * writes and chDB's queryAsync calls (so part of chDB's INSERT work lands here).
   */
  readonly nodeOther: number;
  /** merges: chDB's MergeMutate pool (background merges). */
  readonly merges: number;
  /** chdb: chDB's own pools (INSERT/query pipelines) and threads that ended meanwhile. */
  readonly chdb: number;
}

/** Meter measures wall and process CPU time (all threads, chDB's included) of a phase. */
class Meter {
  private readonly t0 = performance.now();
  private readonly c0 = process.cpuUsage();
  private readonly th0 = threadCpu();
  stop(): { wallS: number; cpuS: number; split: CpuSplit } {
    const c = process.cpuUsage(this.c0);
    const cpuS = (c.user + c.system) / 1e6;
    const split = { js: 0, nodeOther: 0, merges: 0, chdb: 0 };
    for (const [key, v] of threadCpu()) {
      const d = v - (this.th0.get(key) ?? 0);
      const [tid, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
      if (tid === String(process.pid)) split.js += d;
      else if (name === "node" || name.startsWith("libuv")) split.nodeOther += d;
      else if (name === "MergeMutate") split.merges += d;
    }
    split.chdb = Math.max(0, cpuS - split.js - split.nodeOther - split.merges);
    return { wallS: (performance.now() - this.t0) / 1000, cpuS, split };
  }
}

const fmtSplit = (s: CpuSplit, samples: number): string =>
  `JS main thread ${s.js.toFixed(1)} s (${((s.js * 1e6) / samples).toFixed(2)} µs/sample),` +
  ` Node workers (GC, libuv: file writes + chDB calls) ${s.nodeOther.toFixed(1)} s,` +
  ` chDB pipelines ${s.chdb.toFixed(1)} s` +
  ` (${((s.chdb * 1e6) / samples).toFixed(2)} µs/sample), chDB merges ${s.merges.toFixed(1)} s` +
  ` (${((s.merges * 1e6) / samples).toFixed(2)} µs/sample)`;

// ---------------------------------------------------------------------------------------------
// storage helpers

/** insertStats accumulates the time spent inside the driver's INSERTs (file write + query). */
const insertStats = { calls: 0, ms: 0 };

/**
 * shared wraps the one chDB driver of the process so that two storages can use it, and times
 * its inserts.
 */
function shared(d: ClickHouseDriver): ClickHouseDriver {
  return {
    ...d,
    insertNative: async (table, columns, block) => {
      const t0 = performance.now();
      try {
        await d.insertNative(table, columns, block);
      } finally {
        insertStats.calls++;
        insertStats.ms += performance.now() - t0;
      }
    },
    close: async () => {},
  };
}

interface Store {
  readonly storage: ClickHouseStorage;
  readonly metrics: StorageMetrics;
}

async function openStore(driver: ClickHouseDriver, database: string): Promise<Store> {
  const metrics = newStorageMetrics();
  const storage = await openClickHouseStorage(shared(driver), {
    engine: "embedded",
    database,
    retentionMs: RETENTION_MS,
    batchMaxRows: BATCH_ROWS,
    batchMaxDelayMs: BATCH_DELAY_MS,
    metrics,
  });
  return { storage, metrics };
}

interface AppendResult {
  readonly samples: number;
  readonly wallS: number;
  readonly cpuS: number;
  readonly split: CpuSplit;
  readonly commits: number;
  /** batches: INSERT batches written; writeS: total time inside batch writes (encode+INSERT). */
  readonly batches: number;
  readonly writeS: number;
  /** insertS: of writeS, the time inside the driver's insertNative calls (both tables). */
  readonly insertS: number;
}

/**
 * appendAll writes the first `nSeries` series of the dataset the way a scrape loop does: one
 * appender per target per scrape, refs remembered from the previous scrape, commits left in
 * flight (at most ~2 batches' worth) so that the storage's batches fill.
 */
async function appendAll(
  { storage: store, metrics }: Store,
  ds: Dataset,
  nSeries: number,
): Promise<AppendResult> {
  const refs = new Array<SeriesRef>(nSeries).fill(0);
  const N = ds.numSeries;
  const H = ds.numHosts;
  const maxInflight = 2 * BATCH_ROWS;
  const inflight: { p: Promise<void>; rows: number }[] = [];
  let head = 0;
  let inflightRows = 0;
  let failure: Error | undefined;
  let samples = 0;
  let commits = 0;
  const ins0 = insertStats.ms;
  const meter = new Meter();
  for (let k = 0; k < ds.steps; k++) {
    const row = k * N;
    for (let h = 0; h < H; h++) {
      const from = ds.hostStart[h]!;
      const to = Math.min(ds.hostStart[h + 1]!, nSeries);
      if (from >= to) break;
      const t = ds.ts[k * H + h]!;
      const app = store.appender();
      for (let s = from; s < to; s++) {
        refs[s] = app.append(refs[s]!, ds.labels[s]!, t, ds.vals[row + s]!);
      }
      const rows = to - from;
      const p = app.commit().catch((err: Error) => void (failure ??= err));
      inflight.push({ p, rows });
      inflightRows += rows;
      samples += rows;
      commits++;
      while (inflightRows > maxInflight) {
        const oldest = inflight[head++]!;
        await oldest.p;
        inflightRows -= oldest.rows;
      }
      // Each scrape is its own task in a server: yield to the event loop between them, so that
      // the storage's I/O completions (file write, INSERT) are handled while appends go on.
      await new Promise((r) => setImmediate(r));
      if (failure) throw failure;
    }
    if (head > 4096) {
      inflight.splice(0, head);
      head = 0;
    }
  }
  await Promise.all(inflight.slice(head).map((x) => x.p));
  await store.flush();
  if (failure) throw failure;
  const times = meter.stop();
  const h = await metrics.insertDuration.get();
  const sum = h.values.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
  const count = h.values.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
  const insertS = (insertStats.ms - ins0) / 1000;
  return { samples, commits, ...times, batches: count, writeS: sum, insertS };
}

interface TableDisk {
  parts: number;
  rows: number;
  bytesOnDisk: number;
  compressed: number;
  uncompressed: number;
}

async function diskUsage(d: ClickHouseDriver, database: string): Promise<Map<string, TableDisk>> {
  const rows = await d.queryJson<Record<string, string>>(
    `SELECT table, toString(count()) AS parts, toString(sum(rows)) AS rows,` +
      ` toString(sum(bytes_on_disk)) AS bytes, toString(sum(data_compressed_bytes)) AS comp,` +
      ` toString(sum(data_uncompressed_bytes)) AS uncomp` +
      ` FROM system.parts WHERE active AND database = '${database}' GROUP BY table`,
  );
  const out = new Map<string, TableDisk>();
  for (const r of rows) {
    out.set(r.table!, {
      parts: Number(r.parts),
      rows: Number(r.rows),
      bytesOnDisk: Number(r.bytes),
      compressed: Number(r.comp),
      uncompressed: Number(r.uncomp),
    });
  }
  return out;
}

async function columnSizes(
  d: ClickHouseDriver,
  database: string,
): Promise<{ table: string; name: string; codec: string; comp: number; uncomp: number }[]> {
  const rows = await d.queryJson<Record<string, string>>(
    `SELECT table, name, compression_codec AS codec,` +
      ` toString(data_compressed_bytes) AS comp, toString(data_uncompressed_bytes) AS uncomp` +
      ` FROM system.columns WHERE database = '${database}' AND table IN ('${SAMPLES_TABLE}', '${SERIES_TABLE}')` +
      ` ORDER BY table != '${SAMPLES_TABLE}', data_compressed_bytes DESC`,
  );
  return rows.map((r) => ({
    table: r.table!,
    name: r.name!,
    codec: r.codec!,
    comp: Number(r.comp),
    uncomp: Number(r.uncomp),
  }));
}

const empty: TableDisk = { parts: 0, rows: 0, bytesOnDisk: 0, compressed: 0, uncompressed: 0 };

// ---------------------------------------------------------------------------------------------
// select latency

interface Counts {
  readonly series: number;
  readonly samples: number;
}

interface QueryResult {
  readonly name: string;
  readonly short: string;
  readonly coldMs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly series: number;
  readonly samples: number;
}

async function timeQuery(
  short: string,
  name: string,
  runs: number,
  f: () => Promise<Counts>,
): Promise<QueryResult> {
  const times: number[] = [];
  let last = { series: 0, samples: 0 };
  let coldMs = 0;
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    last = await f();
    const ms = performance.now() - t0;
    if (i === 0) coldMs = ms;
    else times.push(ms);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  return { name, short, coldMs, medianMs: q(0.5), p90Ms: q(0.9), ...last };
}

async function selectLatency(store: ClickHouseStorage, ds: Dataset): Promise<QueryResult[]> {
  const maxt = ds.ts[ds.ts.length - 1]! + STEP_MS;
  const h1 = `host-${Math.min(1, ds.numHosts - 1)}:9100`;
  const h3 = `host-${Math.min(3, ds.numHosts - 1)}:9100`;
  const eq = (n: string, v: string) => new Matcher("=", n, v);
  const oneSeries = [
    eq(METRIC_NAME, "node_cpu_seconds_total"),
    eq("instance", h1),
    eq("cpu", "0"),
    eq("mode", "idle"),
  ];
  const sel = (mint: number, ms: Matcher[]) => async (): Promise<Counts> => {
    const res = await store.querier(mint, maxt).select(ms);
    let samples = 0;
    for (const s of res) samples += s.timestamps.length;
    return { series: res.length, samples };
  };
  const runs = 5;
  const out: QueryResult[] = [];
  const q = async (short: string, name: string, f: () => Promise<Counts>) =>
    out.push(await timeQuery(short, name, runs, f));
  const idle = `node_cpu_seconds_total{instance="${h1}",cpu="0",mode="idle"}`;
  await q("1 series 1h", `${idle} [1h]`, sel(maxt - HOUR_MS, oneSeries));
  await q("1 series 24h", `${idle} [24h]`, sel(maxt - 24 * HOUR_MS, oneSeries));
  const cpuIdle = [eq(METRIC_NAME, "node_cpu_seconds_total"), eq("mode", "idle")];
  await q("cpu idle 1h", 'node_cpu_seconds_total{mode="idle"} [1h]', sel(maxt - HOUR_MS, cpuIdle));
  await q("1 host 5m", `{instance="${h3}"} [5m]`, sel(maxt - 5 * 60_000, [eq("instance", h3)]));
  const net = [new Matcher("=~", METRIC_NAME, "node_network_.*_bytes_total")];
  await q("regex 1h", '{__name__=~"node_network_.*_bytes_total"} [1h]', sel(maxt - HOUR_MS, net));
  await q("labelValues", 'labelValues("instance") [24h]', async () => {
    const v = await store.querier(maxt - 24 * HOUR_MS, maxt).labelValues("instance");
    return { series: v.length, samples: 0 };
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Prometheus peer (promtool create-blocks-from openmetrics)

function run(
  cmd: string,
  argv: string[],
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(cmd, argv, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      res({ code, stdout: String(stdout), stderr: String(stderr || (err?.message ?? "")) });
    });
  });
}

async function findPeers(): Promise<string | undefined> {
  const script = resolve(import.meta.dirname, "../../shared/peers/get-peers.sh");
  const r = await run("bash", [script], 600_000);
  if (r.code !== 0) {
    console.log(
      `  peers: get-peers.sh failed (exit ${r.code}): ${r.stderr.trim().split("\n").pop()}`,
    );
    return undefined;
  }
  const lines = r.stdout.trim().split("\n");
  return lines[lines.length - 1]?.trim();
}

const escLabel = (v: string): string =>
  v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/**
 * omTimestamp renders ms as OpenMetrics seconds such that Prometheus' parser, which computes
 * int64(float64(text) * 1000) and so truncates, gets back exactly `ms`.
 */
function omTimestamp(ms: number): string {
  const s = (ms / 1000).toFixed(3);
  if (Math.trunc(Number(s) * 1000) === ms) return s;
  return ((ms + 0.5) / 1000).toFixed(4);
}

/** familyOf returns the OpenMetrics family and type of a series. */
function familyOf(ds: Dataset, s: number): { family: string; type: string } {
  const name = ds.metricNames[s]!;
  if (ds.isCounter[s]) {
    if (name.endsWith("_total")) return { family: name.slice(0, -6), type: "counter" };
    return { family: name, type: "unknown" };
  }
  return { family: name, type: "gauge" };
}

/** seriesText renders a series' name and labels as in the exposition format. */
function seriesText(ds: Dataset, s: number): string {
  const parts: string[] = [];
  for (const l of ds.labels[s]!) {
    if (l.name !== METRIC_NAME) parts.push(`${l.name}="${escLabel(l.value)}"`);
  }
  return `${ds.metricNames[s]}{${parts.join(",")}}`;
}

/** estimateOpenMetricsBytes estimates the file size for the first `n` series. */
function estimateOpenMetricsBytes(ds: Dataset, n: number): number {
  let perStep = 0;
  const k = Math.floor(ds.steps / 2);
  for (let s = 0; s < n; s++) {
    perStep += seriesText(ds, s).length + String(ds.vals[k * ds.numSeries + s]).length + 17;
  }
  return perStep * ds.steps;
}

/** writeOpenMetrics writes the first `n` series, grouped by family, series by series. */
function writeOpenMetrics(ds: Dataset, n: number, path: string): number {
  const families = new Map<string, { type: string; series: number[] }>();
  for (let s = 0; s < n; s++) {
    const { family, type } = familyOf(ds, s);
    let f = families.get(family);
    if (!f) families.set(family, (f = { type, series: [] }));
    f.series.push(s);
  }
  const fd = openSync(path, "w");
  let buf = "";
  let bytes = 0;
  const flush = () => {
    bytes += writeSync(fd, buf);
    buf = "";
  };
  try {
    for (const [family, f] of families) {
      buf += `# TYPE ${family} ${f.type}\n`;
      for (const s of f.series) {
        const head = seriesText(ds, s) + " ";
        const h = ds.host[s]!;
        for (let k = 0; k < ds.steps; k++) {
          const v = ds.vals[k * ds.numSeries + s]!;
          const ts = ds.ts[k * ds.numHosts + h]!;
          buf += head + String(v) + " " + omTimestamp(ts) + "\n";
        }
        if (buf.length > 1 << 22) flush();
      }
    }
    buf += "# EOF\n";
    flush();
  } finally {
    closeSync(fd);
  }
  return bytes;
}

function dirBytes(dir: string): { chunks: number; index: number; total: number; blocks: number } {
  const out = { chunks: 0, index: 0, total: 0, blocks: 0 };
  const walk = (p: string, part: "chunks" | "index" | "other"): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) walk(join(p, e), e === "chunks" ? "chunks" : part);
      return;
    }
    if (part === "chunks") out.chunks += st.size;
    else if (p.endsWith("/index")) out.index += st.size;
    out.total += st.size;
  };
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory() && e.length === 26) {
      out.blocks++;
      walk(p, "other");
    }
  }
  return out;
}

interface PeerResult {
  readonly series: number;
  readonly samples: number;
  readonly vigil: { bytes: number; samplesBytes: number; append: AppendResult };
  readonly prom?: {
    bytes: number;
    chunks: number;
    index: number;
    blocks: number;
    wallS: number;
    cpuS: number;
    textBytes: number;
  };
  readonly skipped?: string;
}

async function peerComparison(
  driver: ClickHouseDriver,
  ds: Dataset,
  dataDir: string,
): Promise<PeerResult> {
  let n = Math.min(PEER_SERIES, ds.numSeries);
  // Keep the text file under OPENMETRICS_MAX_BYTES by taking fewer series when needed.
  while (n > 1 && estimateOpenMetricsBytes(ds, n) > OPENMETRICS_MAX_BYTES) n = Math.floor(n * 0.9);
  const samples = n * ds.steps;
  console.log(`\n-- peer comparison: first ${fmtInt(n)} series, ${fmtInt(samples)} samples --`);

  const store = await openStore(driver, "vigil_peer");
  const append = await appendAll(store, ds, n);
  await store.storage.optimize();
  const disk = await diskUsage(driver, "vigil_peer");
  const sm = disk.get(SAMPLES_TABLE) ?? empty;
  const se = disk.get(SERIES_TABLE) ?? empty;
  await store.storage.close();
  const vigil = { bytes: sm.bytesOnDisk + se.bytesOnDisk, samplesBytes: sm.bytesOnDisk, append };
  console.log(
    `  vigil (database vigil_peer): append ${fmtRate(samples / append.wallS)} samples/s wall,` +
      ` ${fmtRate(samples / append.cpuS)} samples/CPU-s,` +
      ` ${(vigil.bytes / samples).toFixed(3)} B/sample incl. series` +
      ` (${(vigil.samplesBytes / samples).toFixed(3)} samples table)`,
  );

  const bin = await findPeers();
  if (!bin) return { series: n, samples, vigil, skipped: "get-peers.sh failed" };
  const promtool = join(bin, "promtool");
  const omFile = join(dataDir, "peer.om.txt");
  const outDir = join(dataDir, "prom-blocks");
  const w = new Meter();
  const textBytes = writeOpenMetrics(ds, n, omFile);
  console.log(`  wrote ${fmtBytes(textBytes)} OpenMetrics text in ${w.stop().wallS.toFixed(1)} s`);
  // bash's `time` reports the child's user and system CPU; 24h max block duration gives the
  // 18h-aligned blocks a Prometheus server would have compacted its 2h blocks into.
  const r = await run(
    "bash",
    [
      "-c",
      'TIMEFORMAT="%R %U %S"; time "$0" tsdb create-blocks-from --max-block-duration=24h' +
        ' openmetrics --quiet "$1" "$2" >/dev/null',
      promtool,
      omFile,
      outDir,
    ],
    1_800_000,
  );
  rmSync(omFile, { force: true });
  if (r.code !== 0) {
    console.log(`  promtool failed (exit ${r.code}): ${r.stderr.trim().slice(-2000)}`);
    return { series: n, samples, vigil, skipped: "promtool failed" };
  }
  const [wall, user, sys] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  const size = dirBytes(outDir);
  const prom = {
    bytes: size.total,
    chunks: size.chunks,
    index: size.index,
    blocks: size.blocks,
    wallS: wall!,
    cpuS: user! + sys!,
    textBytes,
  };
  console.log(
    `  promtool create-blocks-from (offline): ${prom.wallS.toFixed(1)} s wall,` +
      ` ${prom.cpuS.toFixed(1)} CPU-s, ${prom.blocks} blocks, ${(prom.bytes / samples).toFixed(3)}` +
      ` B/sample (chunks ${(prom.chunks / samples).toFixed(3)}, index ${(prom.index / samples).toFixed(3)})`,
  );
  return { series: n, samples, vigil, prom };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dataDir = args["data-dir"]
    ? resolve(args["data-dir"])
    : mkdtempSync(join(tmpdir(), "vigil-bench-"));
  const removeAtEnd = !args.keep && !args["data-dir"];
  console.log(`== Vigil storage benchmark (embedded chDB) ==`);
  console.log(
    `data dir ${dataDir}${removeAtEnd ? " (removed at the end)" : ""}; batchMaxRows ${fmtInt(BATCH_ROWS)},` +
      ` batchMaxDelayMs ${BATCH_DELAY_MS}, one appender per target per scrape, ≤ 2 batches in flight`,
  );

  const g = new Meter();
  const ds = generate({
    series: SERIES,
    steps: STEPS,
    endMs: Date.now(),
    jitterMs: JITTER_MS,
    seed: SEED,
  });
  const gen = g.stop();
  const total = ds.numSeries * ds.steps;
  console.log(
    `generated ${fmtInt(ds.numSeries)} series on ${ds.numHosts} hosts x ${fmtInt(ds.steps)} scrapes` +
      ` = ${fmtInt(total)} samples in ${gen.wallS.toFixed(1)} s (precomputed, not in append time)`,
  );

  const driver = await openChdbDriver(dataDir);
  try {
    const opened = await openStore(driver, "vigil");
    const store = opened.storage;
    console.log(`\n-- append --`);
    const app = await appendAll(opened, ds, ds.numSeries);
    const before = await diskUsage(driver, "vigil");
    console.log(
      `  ${fmtInt(app.samples)} samples in ${app.commits} commits: ${app.wallS.toFixed(1)} s wall,` +
        ` ${app.cpuS.toFixed(1)} CPU-s -> ${fmtRate(app.samples / app.wallS)} samples/s wall,` +
        ` ${fmtRate(app.samples / app.cpuS)} samples/CPU-s`,
    );
    console.log(
      `  ${app.batches} INSERT batches (avg ${fmtInt(app.samples / Math.max(1, app.batches))} rows);` +
        ` time inside batch writes (encode + INSERT, one at a time): ${app.writeS.toFixed(1)} s` +
        ` = ${((100 * app.writeS) / app.wallS).toFixed(0)}% of wall, of which driver.insertNative` +
        ` ${app.insertS.toFixed(1)} s`,
    );
    console.log(`  CPU: ${fmtSplit(app.split, app.samples)}`);
    console.log(
      `  generation + append: ${(gen.wallS + app.wallS).toFixed(1)} s wall ->` +
        ` ${fmtRate(app.samples / (gen.wallS + app.wallS))} samples/s;` +
        ` samples parts before OPTIMIZE: ${before.get(SAMPLES_TABLE)?.parts ?? 0}`,
    );

    console.log(`\n-- disk --`);
    const o = new Meter();
    await store.optimize();
    const opt = o.stop();
    console.log(
      `  OPTIMIZE TABLE ... FINAL: ${opt.wallS.toFixed(1)} s wall, ${opt.cpuS.toFixed(1)} CPU-s`,
    );
    const disk = await diskUsage(driver, "vigil");
    const sm = disk.get(SAMPLES_TABLE) ?? empty;
    const se = disk.get(SERIES_TABLE) ?? empty;
    for (const [t, d] of [
      ["samples", sm],
      ["series", se],
    ] as const) {
      console.log(
        `  ${pad(t, 8)} ${lpad(String(d.parts), 3)} parts ${lpad(fmtInt(d.rows), 12)} rows` +
          ` ${lpad(fmtBytes(d.bytesOnDisk), 10)} on disk (compressed ${fmtBytes(d.compressed)},` +
          ` uncompressed ${fmtBytes(d.uncompressed)})`,
      );
    }
    console.log(`  per column (data_compressed_bytes / sample):`);
    for (const c of await columnSizes(driver, "vigil")) {
      if (c.comp === 0) continue; // compact parts (the small series table) keep no column sizes
      console.log(
        `    ${pad(`${c.table}.${c.name}`, 24)} ${lpad(fmtBytes(c.comp), 10)}` +
          ` ${lpad((c.comp / total).toFixed(4), 7)} B/sample  (${(c.uncomp / Math.max(1, c.comp)).toFixed(1)}x)  ${c.codec}`,
      );
    }
    const bpsSamples = sm.bytesOnDisk / total;
    const bpsAll = (sm.bytesOnDisk + se.bytesOnDisk) / total;

    console.log(`\n-- select latency (1 cold run, then median/p90 of 5) --`);
    const queries = await selectLatency(store, ds);
    for (const q of queries) {
      console.log(
        `  ${pad(q.name, 70)} cold ${lpad(q.coldMs.toFixed(1), 7)} ms  median ${lpad(q.medianMs.toFixed(1), 7)} ms` +
          `  p90 ${lpad(q.p90Ms.toFixed(1), 7)} ms  ${q.series} series ${fmtInt(q.samples)} samples`,
      );
    }
    await store.close();

    let peer: PeerResult | undefined;
    if (args["no-peer"] || PEER_SERIES === 0) console.log(`\npeer comparison skipped (--no-peer)`);
    else peer = await peerComparison(driver, ds, dataDir);

    const hours = (ds.steps * STEP_MS) / HOUR_MS;
    console.log(`\n== Vigil storage benchmark (embedded chDB) ==`);
    console.log(
      `series ${fmtInt(ds.numSeries)} (${ds.numHosts} hosts), samples ${fmtInt(total)},` +
        ` span ${hours}h at ${STEP_MS / 1000}s, scrape jitter 0..${JITTER_MS} ms`,
    );
    const perCpu = app.samples / app.cpuS;
    console.log(
      `append: ${fmtRate(app.samples / app.wallS)} samples/s wall, ${fmtRate(perCpu)} samples/CPU-s` +
        ` (target ≥ 1M per core: ${perCpu >= 1e6 ? "met" : "MISSED"});` +
        ` generation ${gen.wallS.toFixed(1)} s extra`,
    );
    const us = (x: number) => ((x * 1e6) / app.samples).toFixed(2);
    console.log(
      `  CPU µs/sample: JS main ${us(app.split.js)}, Node workers ${us(app.split.nodeOther)},` +
        ` chDB pipelines ${us(app.split.chdb)}, chDB merges ${us(app.split.merges)}`,
    );
    console.log(
      `disk: ${bpsSamples.toFixed(3)} bytes/sample samples table, ${bpsAll.toFixed(3)} incl. series` +
        ` (target ≤ 1.5: ${bpsAll <= 1.5 ? "met" : "MISSED"})`,
    );
    console.log(
      `select: ` + queries.map((q) => `${q.short} ${q.medianMs.toFixed(0)}ms`).join(", "),
    );
    if (peer) {
      const v = peer.vigil.bytes / peer.samples;
      if (peer.prom) {
        const p = peer.prom.bytes / peer.samples;
        console.log(
          `peer (${fmtInt(peer.series)} series subset): vigil ${v.toFixed(3)} B/sample,` +
            ` prometheus tsdb ${p.toFixed(3)} B/sample (chunks ${(peer.prom.chunks / peer.samples).toFixed(3)};` +
            ` promtool create-blocks-from (offline), ${peer.prom.blocks} blocks), ratio ${(v / p).toFixed(2)};` +
            ` time: vigil append ${peer.vigil.append.wallS.toFixed(1)} s, promtool ${peer.prom.wallS.toFixed(1)} s`,
        );
      } else {
        console.log(
          `peer (${fmtInt(peer.series)} series subset): vigil ${v.toFixed(3)} B/sample; prometheus skipped (${peer.skipped})`,
        );
      }
    }
  } finally {
    await driver.close();
    if (removeAtEnd) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
