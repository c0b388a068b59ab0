// Remote write benchmark: sustained samples/s that Vigil (embedded storage) accepts through
// POST /api/v1/write, with every request acknowledged only after its samples are committed;
// optionally the same load against prometheus 3.5 with --web.enable-remote-write-receiver.
//
//   npm run bench:remote-write -- [--duration 60] [--series 2000] [--samples 500]
//                                 [--concurrency 4] [--no-peer] [--keep]
//
// Vigil runs as its own process (`vigil start`); this process is the sender: `--concurrency`
// loops, each with its own `--series` series, each posting snappy-compressed WriteRequests of
// `--samples` samples per series (consecutive timestamps 100ms apart, starting 30 minutes ago, so
// that Prometheus accepts them in order too). Bodies are encoded while earlier requests are in
// flight. Printed: accepted samples/s, request latency p50/p99, the receiver's CPU seconds (all
// threads, from /proc) and samples per CPU-second, its peak RSS, and the ratio to Prometheus.

import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compress } from "snappy";
import { cpuSeconds, quantile, rssBytes } from "./proc.ts";
import { freePort } from "../src/testing/index.ts";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    series: { type: "string", default: "2000" },
    samples: { type: "string", default: "500" },
    concurrency: { type: "string", default: "4" },
    "no-peer": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

const num = (name: "duration" | "series" | "samples" | "concurrency"): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: not a positive number`);
  return v;
};
const DURATION_S = num("duration");
const SERIES = Math.floor(num("series"));
const SAMPLES = Math.floor(num("samples"));
const CONCURRENCY = Math.floor(num("concurrency"));
const STEP_MS = 100;
const ROOT = new URL("..", import.meta.url).pathname;

const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");
const fmtRate = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);

// ---------------------------------------------------------------------------------------------
// WriteRequest encoding (prompb field numbers; see src/ingest/remote-write/prompb.ts)

function varintLen(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

function labelBytes(labels: [string, string][]): Uint8Array {
  const parts: number[] = [];
  for (const [name, value] of labels) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const body = [0x0a, n.length, ...n, 0x12, v.length, ...v];
    parts.push(0x0a, body.length, ...body);
  }
  return Uint8Array.from(parts);
}

/** Sender produces the requests of one sender loop: its own series, advancing time. */
class Sender {
  private readonly labels: Uint8Array[];
  private readonly values: Float64Array;
  private next: number;
  private readonly buf: Uint8Array;
  private readonly view: DataView;

  constructor(id: number, startMs: number) {
    this.labels = [];
    for (let s = 0; s < SERIES; s++) {
      this.labels.push(
        labelBytes([
          ["__name__", `bench_metric_${s % 50}`],
          ["instance", `sender-${id}:9100`],
          ["job", "remote_write_bench"],
          ["series", String(s)],
        ]),
      );
    }
    this.values = new Float64Array(SERIES);
    this.next = startMs;
    // 18 bytes per sample at most (tag, length, double, timestamp varint) plus labels.
    let size = 0;
    for (const l of this.labels) size += l.length + 6 + SAMPLES * 20;
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /**
   * body encodes the next request: SAMPLES samples for each series. All series of a request
   * share their timestamps, so the samples are laid out once as a template and only the values
   * are written per series (counters go up, gauges vary), keeping the sender cheap.
   */
  body(): Uint8Array {
    const { buf, view } = this;
    const t0 = this.next;
    this.next += SAMPLES * STEP_MS;
    const tsWidth = varintLen(t0 + SAMPLES * STEP_MS);
    if (varintLen(t0) !== tsWidth) throw new Error("timestamp width changes within a request");
    const sampleLen = 1 + 8 + 1 + tsWidth;
    const stride = 2 + sampleLen;
    const template = new Uint8Array(SAMPLES * stride);
    for (let j = 0; j < SAMPLES; j++) {
      const o = j * stride;
      template[o] = 0x12;
      template[o + 1] = sampleLen;
      template[o + 2] = 0x09;
      template[o + 11] = 0x10;
      writeVarint(template, o + 12, t0 + j * STEP_MS);
    }
    let pos = 0;
    for (let s = 0; s < SERIES; s++) {
      const l = this.labels[s]!;
      buf[pos++] = 0x0a;
      pos = writeVarint(buf, pos, l.length + template.length);
      buf.set(l, pos);
      pos += l.length;
      buf.set(template, pos);
      let v = this.values[s]!;
      const counter = s % 2 === 0;
      for (let j = 0; j < SAMPLES; j++) {
        v = counter ? v + ((j * 7 + s) & 3) + 0.5 : ((s * 31 + j * 17 + this.next) % 1000) / 10;
        view.setFloat64(pos + j * stride + 3, v, true);
      }
      pos += template.length;
      this.values[s] = v;
    }
    return buf.subarray(0, pos);
  }
}

// ---------------------------------------------------------------------------------------------
// receivers

interface Receiver {
  readonly name: string;
  readonly url: string;
  readonly proc: ChildProcess;
  /** pid is the process whose CPU is measured. */
  readonly pid: number;
}

async function waitReady(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`receiver exited early:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`receiver not ready: ${url}\n${log()}`);
}

async function startVigil(dir: string): Promise<Receiver> {
  const port = await freePort();
  const cfg = join(dir, "vigil.yml");
  writeFileSync(
    cfg,
    [
      "server:",
      "  max_request_body: 256MiB",
      "storage:",
      "  engine: embedded",
      `  data_dir: ${join(dir, "vigil-data")}`,
      "remote_write_receiver:",
      "  max_decoded_bytes: 256MiB",
      "",
    ].join("\n"),
  );
  let log = "";
  const proc = spawn(
    process.execPath,
    [
      join(ROOT, "bin/vigil.mjs"),
      "start",
      "--config",
      cfg,
      "--listen",
      `127.0.0.1:${port}`,
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (log = (log + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/-/ready`, proc, () => log);
  return { name: "vigil", url: `${base}/api/v1/write`, proc, pid: proc.pid! };
}

function prometheusPath(): string | undefined {
  const cached = `${process.env.HOME ?? "/root"}/.cache/vigil-peers/bin/prometheus`;
  if (existsSync(cached)) return cached;
  const script = join(ROOT, "../shared/peers/get-peers.sh");
  if (!existsSync(script)) return undefined;
  const r = spawnSync("bash", [script], { encoding: "utf8", timeout: 300_000 });
  const dir = r.stdout.trim().split("\n").at(-1);
  return dir && existsSync(`${dir}/prometheus`) ? `${dir}/prometheus` : undefined;
}

async function startPrometheus(bin: string, dir: string): Promise<Receiver> {
  const port = await freePort();
  writeFileSync(join(dir, "prometheus.yml"), "global:\n  scrape_interval: 1h\n");
  let log = "";
  const proc = spawn(
    bin,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "prom-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (log = (log + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/-/ready`, proc, () => log);
  return { name: "prometheus", url: `${base}/api/v1/write`, proc, pid: proc.pid! };
}

async function stop(r: Receiver): Promise<void> {
  if (r.proc.exitCode !== null) return;
  const exited = new Promise((res) => r.proc.once("exit", res));
  r.proc.kill("SIGTERM");
  await exited;
}

// ---------------------------------------------------------------------------------------------
// load

interface Result {
  name: string;
  samples: number;
  requests: number;
  failures: number;
  wallS: number;
  cpuS: number;
  peakRss: number;
  senderCpuS: number;
  latenciesMs: number[];
  firstError?: string;
}

async function run(r: Receiver): Promise<Result> {
  const startMs = Date.now() - 30 * 60_000;
  const senders = Array.from({ length: CONCURRENCY }, (_, i) => new Sender(i, startMs));
  const res: Result = {
    name: r.name,
    samples: 0,
    requests: 0,
    failures: 0,
    wallS: 0,
    cpuS: 0,
    peakRss: 0,
    senderCpuS: 0,
    latenciesMs: [],
  };
  const senderCpu0 = process.cpuUsage();
  const rssTimer = setInterval(() => {
    res.peakRss = Math.max(res.peakRss, rssBytes(r.pid));
  }, 500);
  const cpu0 = cpuSeconds(r.pid);
  const t0 = performance.now();
  const deadline = t0 + DURATION_S * 1000;
  const perRequest = SERIES * SAMPLES;
  await Promise.all(
    senders.map(async (s) => {
      let body = await compress(s.body());
      while (performance.now() < deadline) {
        const t = performance.now();
        const pending = fetch(r.url, {
          method: "POST",
          body,
          headers: {
            "Content-Type": "application/x-protobuf",
            "Content-Encoding": "snappy",
            "X-Prometheus-Remote-Write-Version": "0.1.0",
          },
        }).then(async (resp) => {
          const text = await resp.text();
          return { status: resp.status, text, ms: performance.now() - t };
        });
        // Encode the next request while this one is in flight.
        const next = compress(s.body());
        const out = await pending;
        if (out.status === 204) {
          res.samples += perRequest;
          res.requests++;
          res.latenciesMs.push(out.ms);
        } else {
          res.failures++;
          res.firstError ??= `${out.status} ${out.text.slice(0, 200)}`;
        }
        body = await next;
      }
    }),
  );
  res.wallS = (performance.now() - t0) / 1000;
  res.cpuS = cpuSeconds(r.pid) - cpu0;
  const sc = process.cpuUsage(senderCpu0);
  res.senderCpuS = (sc.user + sc.system) / 1e6;
  clearInterval(rssTimer);
  res.peakRss = Math.max(res.peakRss, rssBytes(r.pid));
  return res;
}

function report(r: Result): void {
  const rate = r.samples / r.wallS;
  console.log(`\n${r.name}`);
  console.log(
    `  accepted:            ${fmtInt(r.samples)} samples in ${fmtInt(r.requests)} requests over ${r.wallS.toFixed(1)}s (${r.failures} failed${r.firstError ? `: ${r.firstError}` : ""})`,
  );
  console.log(`  sustained:           ${fmtRate(rate)} samples/s (ack after commit)`);
  console.log(
    `  request latency:     p50 ${quantile(r.latenciesMs, 0.5).toFixed(0)} ms, p99 ${quantile(r.latenciesMs, 0.99).toFixed(0)} ms`,
  );
  console.log(
    `  receiver CPU:        ${r.cpuS.toFixed(1)} s → ${fmtRate(r.samples / Math.max(r.cpuS, 1e-9))} samples per CPU-second`,
  );
  console.log(`  receiver peak RSS:   ${(r.peakRss / 2 ** 20).toFixed(0)} MiB`);
  console.log(`  sender CPU:          ${r.senderCpuS.toFixed(1)} s (same machine)`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-rw-"));
  console.log(
    `remote write benchmark: ${CONCURRENCY} senders × ${fmtInt(SERIES)} series × ${SAMPLES} samples per request ` +
      `(${fmtInt(SERIES * SAMPLES)} samples/request), ${DURATION_S}s per receiver`,
  );
  const results: Result[] = [];
  try {
    const vigil = await startVigil(dir);
    try {
      results.push(await run(vigil));
    } finally {
      await stop(vigil);
    }
    report(results[0]!);
    const bin = args["no-peer"] ? undefined : prometheusPath();
    if (bin) {
      const prom = await startPrometheus(bin, dir);
      try {
        results.push(await run(prom));
      } finally {
        await stop(prom);
      }
      report(results[1]!);
      const [v, p] = results as [Result, Result];
      const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "n/a");
      console.log("\nvigil / prometheus");
      console.log(
        `  sustained samples/s:       ${ratio(v.samples / v.wallS, p.samples / p.wallS)}×`,
      );
      console.log(`  samples per CPU-second:    ${ratio(v.samples / v.cpuS, p.samples / p.cpuS)}×`);
      console.log(
        `  p99 latency:               ${ratio(quantile(v.latenciesMs, 0.99), quantile(p.latenciesMs, 0.99))}×`,
      );
    } else if (!args["no-peer"]) {
      console.log("\n(prometheus not available: no peer comparison)");
    }
  } finally {
    if (args.keep) console.log(`\nkept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
