// Scrape benchmark: Vigil's scrape manager (with the embedded ClickHouse storage) and
// prometheus 3.5 scrape the same synthetic targets, one after the other, for the same time;
// prints CPU-seconds per million samples ingested, RSS per active series, and the ratio.
//
//   npm run bench:scrape -- [--targets 50] [--series 2000] [--interval 5s] [--duration 60]
//                           [--warmup 40] [--storage embedded|memory|noop] [--batch-delay-ms 200]
//                           [--flush-interval-ms 30000]
//                           [--no-peer] [--keep]
//
// The targets are served by a child process (`bench/scrape.ts --serve`), so their CPU is not
// counted. Vigil runs in this process: its CPU is process.cpuUsage() (which includes chDB's
// threads, since chDB runs in-process) over the measured window; samples are counted at the
// storage appender. Prometheus runs as a child with a generated prometheus.yml; its CPU comes
// from /proc/<pid>/stat and its samples from prometheus_tsdb_head_samples_appended_total.
// Both count report series (up, scrape_duration_seconds, …) as samples. The window starts
// after --warmup seconds, so that series creation on the first scrapes is left out for both.
// Target (issue #3): Vigil ≤ 1.5× Prometheus CPU per sample (aim for ≤ 1×).

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { defaultConfig, parseConfig } from "../src/config/index.ts";
import { parseExposition } from "../src/model/textparse/index.ts";
import { ScrapeService } from "../src/scrape/index.ts";
import type { Appender, Storage } from "../src/storage/index.ts";
import { openChdbDriver, openClickHouseStorage } from "../src/storage/clickhouse/index.ts";
import { MemoryStorage } from "../src/storage/memory/index.ts";
import { newLogger } from "../src/util/logging/index.ts";
import { freePort } from "../src/testing/index.ts";
import { tuneGarbageCollector } from "../src/util/runtime/gc.ts";

// Vigil runs in this process: with the garbage-collector settings `vigil start` uses.
tuneGarbageCollector();

const HERE = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    serve: { type: "boolean", default: false },
    targets: { type: "string", default: "50" },
    series: { type: "string", default: "2000" },
    interval: { type: "string", default: "5s" },
    duration: { type: "string", default: "60" },
    // Past the first write-ahead log flush (30s), which writes the 100k new series' rows: series
    // creation is left out of the window for both, as it is one-off.
    warmup: { type: "string", default: "40" },
    storage: { type: "string", default: "embedded" },
    "no-peer": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    "batch-delay-ms": { type: "string", default: "200" },
    // Vigil's default (storage.flush_interval): the write-ahead log, one INSERT per 30s.
    // 0: no log, an INSERT per batch of batch-delay-ms.
    "flush-interval-ms": {
      type: "string",
      default: String(defaultConfig().storage.flushIntervalMs),
    },
  },
});

const num = (name: "targets" | "series" | "duration" | "warmup"): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: not a number: ${args[name]}`);
  return v;
};

const TARGETS = Math.floor(num("targets"));
const SERIES = Math.floor(num("series"));
const DURATION_S = num("duration");
const WARMUP_S = num("warmup");
const INTERVAL = args.interval;

/**
 * startProfile starts V8's CPU profiler on this process when VIGIL_BENCH_PROFILE names a file
 * (its sampling heap profiler when the name ends in .heapprofile), so that the measured window
 * alone is profiled; the returned function writes the profile. A name ending in .heapsnapshot
 * writes a heap snapshot at the end of the window instead.
 */
async function startProfile(): Promise<(() => Promise<void>) | undefined> {
  const file = process.env.VIGIL_BENCH_PROFILE;
  if (!file) return undefined;
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  if (file.endsWith(".heapsnapshot")) {
    // A snapshot of what is live at the end of the window.
    return async () => {
      const { writeHeapSnapshot } = await import("node:v8");
      writeHeapSnapshot(file);
    };
  }
  if (file.endsWith(".heapprofile")) {
    await session.post("HeapProfiler.enable");
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 32768,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: process.env.VIGIL_BENCH_MINOR !== "0",
    });
    return async () => {
      const { profile } = await session.post("HeapProfiler.stopSampling");
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    };
  }
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

// ---------------------------------------------------------------------------------------------
// The target server (child process).

/**
 * serveTargets serves TARGETS expositions at /t/<i>/metrics, each with SERIES series in
 * families of 20 (counters and gauges, as an exporter would have), values changing on every
 * request. It prints its port on stdout.
 */
function serveTargets(): void {
  const FAMILY = 20;
  interface Fam {
    header: string;
    lines: string[];
    counter: boolean;
  }
  const targets: { fams: Fam[]; values: Float64Array }[] = [];
  for (let t = 0; t < TARGETS; t++) {
    const fams: Fam[] = [];
    for (let s = 0; s < SERIES; s += FAMILY) {
      const f = s / FAMILY;
      const counter = f % 2 === 0;
      const name = counter ? `bench_requests_${f}_total` : `bench_queue_depth_${f}`;
      const fam: Fam = {
        header: `# HELP ${name} Synthetic ${counter ? "counter" : "gauge"} ${f}.\n# TYPE ${name} ${counter ? "counter" : "gauge"}\n`,
        lines: [],
        counter,
      };
      for (let i = 0; i < FAMILY && s + i < SERIES; i++) {
        fam.lines.push(`${name}{code="${200 + i}",handler="/api/v${f % 7}/item",method="GET"} `);
      }
      fams.push(fam);
    }
    targets.push({ fams, values: new Float64Array(SERIES) });
  }
  const server = createServer((req, res) => {
    const m = /^\/t\/(\d+)\/metrics$/.exec(req.url ?? "");
    const target = m ? targets[Number(m[1])] : undefined;
    if (!target) {
      res.writeHead(404).end();
      return;
    }
    let out = "";
    let k = 0;
    for (const fam of target.fams) {
      out += fam.header;
      for (const line of fam.lines) {
        const v = target.values;
        v[k] = fam.counter
          ? v[k]! + Math.floor(Math.random() * 10)
          : Math.round(Math.random() * 1000) / 10;
        out += line + v[k] + "\n";
        k++;
      }
    }
    res.setHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      res.setHeader("Content-Encoding", "gzip");
      res.end(gzipSync(out, { level: 1 }));
    } else {
      res.end(out);
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** startTargets starts the target server child and returns its port. */
async function startTargets(): Promise<{ port: number; proc: ChildProcess }> {
  const proc = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(HERE, "scrape.ts"),
      "--serve",
      "--targets",
      String(TARGETS),
      "--series",
      String(SERIES),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolvePort, reject) => {
    let buf = "";
    proc.stdout!.on("data", (c: Buffer) => {
      buf += c.toString();
      const line = buf.split("\n")[0];
      if (buf.includes("\n")) resolvePort(Number(line));
    });
    proc.on("exit", (code) => reject(new Error(`target server exited with ${code}`)));
  });
  return { port, proc };
}

/** staticConfigs lists the targets as static_configs, each with its own metrics path. */
function staticConfigs(port: number) {
  return Array.from({ length: TARGETS }, (_, i) => ({
    targets: [`127.0.0.1:${port}`],
    labels: { __metrics_path__: `/t/${i}/metrics`, target: String(i) },
  }));
}

/** procCpuSeconds reads a process's user+system CPU time from /proc/<pid>/stat. */
function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

function procRssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

interface Result {
  samples: number;
  cpuSeconds: number;
  rssBytes: number;
  activeSeries: number;
}

// ---------------------------------------------------------------------------------------------
// Vigil.

/** countingStorage counts the samples appended through a storage's appenders. */
function countingStorage(s: Storage): { storage: Pick<Storage, "appender">; count: () => number } {
  let n = 0;
  return {
    storage: {
      appender(): Appender {
        const a = s.appender();
        return {
          append: (ref, labels, t, v) => {
            n++;
            return a.append(ref, labels, t, v);
          },
          commit: () => a.commit(),
          rollback: () => a.rollback(),
        };
      },
    },
    count: () => n,
  };
}

/** noopStorage accepts and drops every sample (--storage noop). */
function noopStorage(): Storage {
  const s = new MemoryStorage();
  let next = 1;
  return {
    engine: "memory",
    logs: s.logs,
    appender: () => ({
      append: (ref) => ref || next++,
      commit: async () => {},
      rollback: () => {},
    }),
    querier: (a, b) => s.querier(a, b),
    stats: () => s.stats(),
    close: () => s.close(),
  };
}

async function runVigil(port: number, dataDir: string): Promise<Result> {
  let storage: Storage;
  if (args.storage === "memory") {
    storage = new MemoryStorage();
  } else if (args.storage === "noop") {
    // Measures the scrape path alone: nothing is stored.
    storage = noopStorage();
  } else {
    storage = await openClickHouseStorage(await openChdbDriver(join(dataDir, "vigil")), {
      engine: "embedded",
      database: "vigil",
      retentionMs: 86_400_000,
      batchMaxRows: 1_000_000,
      batchMaxDelayMs: Number(args["batch-delay-ms"]),
      // Vigil's default head, so that its memory shows in RSS per series.
      headDurationMs: defaultConfig().storage.headDurationMs,
      headMaxSamples: defaultConfig().storage.headMaxSamples,
      walDir: join(dataDir, "wal"),
      flushIntervalMs: Number(args["flush-interval-ms"]),
    });
  }
  const counting = countingStorage(storage);
  const cfg = parseConfig(
    stringify({
      global: { scrape_interval: INTERVAL },
      scrape_configs: [{ job_name: "bench", sample_limit: 0, static_configs: staticConfigs(port) }],
    }),
    join(dataDir, "vigil.yml"),
  );
  const service = new ScrapeService({
    storage: counting.storage,
    logger: newLogger("warn"),
    discoveryUpdateIntervalMs: 100,
  });
  await service.applyConfig(cfg.global, cfg.scrapeConfigs);
  await sleep(WARMUP_S * 1000);
  const profile = await startProfile();
  const cpu0 = process.cpuUsage();
  const n0 = counting.count();
  await sleep(DURATION_S * 1000);
  const cpu = process.cpuUsage(cpu0);
  await profile?.();
  const samples = counting.count() - n0;
  const rssBytes = process.memoryUsage().rss;
  const targets = service.scrapeManager.targetsActive().get("bench") ?? [];
  const down = targets.filter((t) => t.health !== "up");
  if (down.length > 0) console.error(`vigil: ${down.length} targets down: ${down[0]!.lastError}`);
  await service.stop();
  await storage.close();
  return {
    samples,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssBytes,
    activeSeries: TARGETS * (SERIES + 5),
  };
}

// ---------------------------------------------------------------------------------------------
// Prometheus.

function peersBin(): string | undefined {
  const script = resolve(HERE, "../../shared/peers/get-peers.sh");
  if (!existsSync(script)) return undefined;
  try {
    const out = execFileSync("bash", [script], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const dir = out.trim().split("\n").pop()!;
    return existsSync(join(dir, "prometheus")) ? dir : undefined;
  } catch {
    return undefined;
  }
}

async function promQuery(base: string, q: string): Promise<number> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const j = (await r.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(j.data.result[0]?.value[1] ?? NaN);
}

/** promMetric reads one unlabelled metric from Prometheus's own /metrics. */
async function promMetric(base: string, name: string): Promise<number> {
  const r = await fetch(`${base}/metrics`, { headers: { Accept: "text/plain" } });
  const res = parseExposition(new Uint8Array(await r.arrayBuffer()), r.headers.get("content-type"));
  for (let i = 0; i < res.length; i++) if (res.series(i) === name) return res.values[i]!;
  return NaN;
}

const APPENDED = 'prometheus_tsdb_head_samples_appended_total{type="float"}';

async function runPrometheus(bin: string, port: number, dataDir: string): Promise<Result> {
  const dir = join(dataDir, "prometheus");
  const cfgFile = join(dataDir, "prometheus.yml");
  writeFileSync(
    cfgFile,
    stringify({
      global: { scrape_interval: INTERVAL },
      scrape_configs: [{ job_name: "bench", static_configs: staticConfigs(port) }],
    }),
  );
  const webPort = await freePort();
  const proc = spawn(
    join(bin, "prometheus"),
    [
      `--config.file=${cfgFile}`,
      `--storage.tsdb.path=${dir}`,
      `--web.listen-address=127.0.0.1:${webPort}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const base = `http://127.0.0.1:${webPort}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // not up yet
      }
      if (i > 300) throw new Error("prometheus did not become ready");
      await sleep(100);
    }
    await sleep(WARMUP_S * 1000);
    const cpu0 = procCpuSeconds(proc.pid!);
    const n0 = await promMetric(base, APPENDED);
    await sleep(DURATION_S * 1000);
    const cpu1 = procCpuSeconds(proc.pid!);
    const n1 = await promMetric(base, APPENDED);
    const head = await promMetric(base, "prometheus_tsdb_head_series");
    const down = await promQuery(base, 'count(up{job="bench"} == 0)');
    if (down > 0) console.error(`prometheus: ${down} targets down`);
    return {
      samples: n1 - n0,
      cpuSeconds: cpu1 - cpu0,
      rssBytes: procRssBytes(proc.pid!),
      activeSeries: head,
    };
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
  }
}

// ---------------------------------------------------------------------------------------------
// Main.

function report(name: string, r: Result): { cpuPerMillion: number } {
  const cpuPerMillion = (r.cpuSeconds / r.samples) * 1e6;
  console.log(
    `${name.padEnd(11)} ${Math.round(r.samples).toLocaleString("en-US").padStart(12)} samples  ` +
      `${r.cpuSeconds.toFixed(2).padStart(7)} CPU-s  ${cpuPerMillion.toFixed(2).padStart(7)} CPU-s/1M samples  ` +
      `${(r.samples / r.cpuSeconds / 1e3).toFixed(1).padStart(7)}k samples/CPU-s  ` +
      `RSS ${(r.rssBytes / 2 ** 20).toFixed(0).padStart(5)} MiB = ${(r.rssBytes / r.activeSeries).toFixed(0)} B/series ` +
      `(${Math.round(r.activeSeries).toLocaleString("en-US")} series)`,
  );
  return { cpuPerMillion };
}

async function main(): Promise<void> {
  if (args.serve) {
    serveTargets();
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), "vigil-bench-scrape-"));
  const { port, proc } = await startTargets();
  console.log(
    `scrape benchmark: ${TARGETS} targets × ${SERIES} series every ${INTERVAL}; ` +
      `${WARMUP_S}s warm-up, ${DURATION_S}s measured; Vigil storage: ${args.storage}`,
  );
  try {
    const vigil = await runVigil(port, dataDir);
    const v = report("vigil", vigil);
    const bin = args["no-peer"] ? undefined : peersBin();
    if (!bin) {
      console.log("prometheus: skipped (no peer binaries; see ../shared/peers/get-peers.sh)");
      return;
    }
    const prom = await runPrometheus(bin, port, dataDir);
    const p = report("prometheus", prom);
    console.log(
      `ratio       Vigil / Prometheus CPU per sample: ${(v.cpuPerMillion / p.cpuPerMillion).toFixed(2)}× ` +
        `(target ≤ 1.5×); RSS per series: ${(vigil.rssBytes / vigil.activeSeries / (prom.rssBytes / prom.activeSeries)).toFixed(2)}×`,
    );
  } finally {
    proc.kill();
    if (!args.keep) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`data kept in ${dataDir}`);
  }
}

await main();
