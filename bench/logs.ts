// End-to-end log benchmark: Loki push into a `vigil start` child process (embedded storage),
// then a line-filter query through the Loki query API, beside ripgrep over the same text.
//
//   npm run bench:logs -- [--gb 2] [--streams 40] [--in-flight 4] [--push-lines 10000]
//        [--needle-every 200000] [--json] [--data-dir DIR] [--keep] [--seed 1] [--settle 0]
//
// Lines are synthetic but shaped like real logs (access logs, logfmt and JSON application logs
// with random ids, as bench/logs-storage.ts generates them), spread over streams with
// app="x" (a quarter of the streams) and other apps; every --needle-every-th line carries the
// needle. Pushes are snappy-compressed protobuf (as Promtail/Alloy send them; --json for JSON),
// all generated and encoded before the ingest starts and sent with node:http, so that the clients'
// work (about 1 CPU-s per GB) competes little with the server for this machine's two cores; the
// same lines go to a text file for ripgrep. The server's page faults are counted beside its CPU:
// on this VM each costs about 10 µs. Ingest MB/s counts line bytes (UTF-8) from the first
// request to the last 204 (Vigil answers 204 only once the entries are committed). The scan speed counts the line bytes of the app="x"
// streams (what `{app="x"}` selects) over the wall time of the query; ripgrep's counts the whole
// file, so the ratio favours ripgrep. Targets: ≥ 50 MB/s ingest; a line-filter scan ≥ 25% of
// ripgrep's speed over ≥ 2 GB.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { WriteStream } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import snappy from "snappy";
import { encodeLokiPushRequest } from "../src/ingest/loki/index.ts";
import type { LokiProtoStream } from "../src/ingest/loki/index.ts";
import { openStorage } from "../src/app/index.ts";
import { loadConfigFile } from "../src/config/index.ts";
import { newSelfMetrics } from "../src/exporters/index.ts";
import { registerLokiPushReceiver } from "../src/ingest/loki/index.ts";
import type { Storage } from "../src/storage/index.ts";
import { newStorageMetrics } from "../src/storage/index.ts";
import { newLogger } from "../src/util/logging/index.ts";
import { createWebServer } from "../src/web/index.ts";
import { registerLokiApi } from "../src/web/loki/index.ts";
import { cpuSeconds, loadAverage, minorFaults } from "./proc.ts";
import { LEVELS, MSGS, PATHS, seededRandom } from "./loggen.ts";

const { values: args } = parseArgs({
  options: {
    gb: { type: "string", default: "2" },
    streams: { type: "string", default: "40" },
    "in-flight": { type: "string", default: "4" },
    "push-lines": { type: "string", default: "10000" },
    "needle-every": { type: "string", default: "200000" },
    json: { type: "boolean", default: false },
    "data-dir": { type: "string" },
    keep: { type: "boolean", default: false },
    seed: { type: "string", default: "1" },
    settle: { type: "string", default: "0" },
    // Internal: run as the server child (see startVigil).
    serve: { type: "string" },
    port: { type: "string" },
  },
});
const num = (k: keyof typeof args) => Number(args[k]);
const NEEDLE = "needle-7f3a9c";
const ROOT = resolve(import.meta.dirname, "..");

const { rand, pick, hex } = seededRandom(num("seed"));

function line(kind: number, needle: boolean, tsMs: number): string {
  const n = needle ? ` ${NEEDLE}` : "";
  const iso = new Date(tsMs).toISOString();
  switch (kind) {
    case 0:
      return (
        `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)} - - ` +
        `[${iso}] "${pick(["GET", "GET", "POST", "PUT"])} ${pick(PATHS)}/${Math.floor(rand() * 100000)} HTTP/1.1" ` +
        `${pick([200, 200, 200, 201, 304, 404, 500])} ${Math.floor(rand() * 50000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"${n}`
      );
    case 1:
      return (
        `ts=${iso} level=${pick(LEVELS)} msg="${pick(MSGS)}" trace_id=${hex(32)} span_id=${hex(16)} ` +
        `user=u${Math.floor(rand() * 10000)} duration_ms=${(rand() * 500).toFixed(2)}${n}`
      );
    default:
      return JSON.stringify({
        time: iso,
        level: pick(LEVELS),
        msg: pick(MSGS) + n,
        trace_id: hex(32),
        order_id: Math.floor(rand() * 1e9),
        amount: Number((rand() * 1000).toFixed(2)),
      });
  }
}

const APPS = ["x", "api", "worker", "db"];

interface Stream {
  readonly labels: string;
  readonly app: string;
  readonly kind: number;
}

/** Generator makes pushes of lines in time order, writing the same lines to the text file. */
class Generator {
  bytes = 0;
  lines = 0;
  xBytes = 0;
  xNeedles = 0;
  needles = 0;
  private readonly streams: Stream[];
  constructor(
    private readonly targetBytes: number,
    nStreams: number,
    private readonly startMs: number,
    private readonly text: WriteStream,
  ) {
    this.streams = Array.from({ length: nStreams }, (_, i) => {
      const app = APPS[i % APPS.length]!;
      return {
        app,
        kind: i % 3,
        labels: `{app="${app}", env="${i % 3 === 0 ? "prod" : "staging"}", instance="10.0.${Math.floor(i / 10)}.${i % 10}:8080"}`,
      };
    });
  }

  done(): boolean {
    return this.bytes >= this.targetBytes;
  }

  /** next returns one push body: --push-lines lines over 10 random streams. */
  next(): { body: Buffer; bytes: number; lines: number } {
    const per = Math.max(1, Math.floor(num("push-lines") / 10));
    const streams: LokiProtoStream[] = [];
    let text = "";
    let bytes = 0;
    let lines = 0;
    for (let k = 0; k < 10; k++) {
      const s = this.streams[Math.floor(rand() * this.streams.length)]!;
      const entries: LokiProtoStream["entries"] = [];
      for (let j = 0; j < per; j++) {
        // 10,000 lines per second of simulated time, every line a distinct timestamp.
        const tsNs = BigInt(this.startMs) * 1_000_000n + BigInt(this.lines) * 100_000n;
        const needle = this.lines % num("needle-every") === 7;
        const l = line(s.kind, needle, Number(tsNs / 1_000_000n));
        const b = Buffer.byteLength(l);
        this.lines++;
        lines++;
        bytes += b;
        if (needle) this.needles++;
        if (s.app === "x") {
          this.xBytes += b;
          if (needle) this.xNeedles++;
        }
        text += l + "\n";
        entries.push({
          timestamp: {
            seconds: String(tsNs / 1_000_000_000n),
            nanos: Number(tsNs % 1_000_000_000n),
          },
          line: l,
        });
      }
      streams.push({ labels: s.labels, entries });
    }
    this.bytes += bytes;
    this.text.write(text);
    const body = args.json
      ? Buffer.from(
          JSON.stringify({
            streams: streams.map((s) => ({
              stream: Object.fromEntries(
                [...s.labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
              ),
              values: s.entries.map((e) => [
                `${BigInt(e.timestamp!.seconds) * 1_000_000_000n + BigInt(e.timestamp!.nanos)}`,
                e.line,
              ]),
            })),
          }),
        )
      : snappy.compressSync(Buffer.from(encodeLokiPushRequest({ streams })));
    return { body, bytes, lines };
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? res(a.port) : rej(new Error("no port"))));
    });
  });
}

function spawnServer(argv: string[]): { proc: ChildProcess; log: () => string } {
  let log = "";
  const proc = spawn(process.execPath, argv, {
    stdio: ["ignore", "ignore", "pipe"],
    cwd: ROOT,
  });
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (log = (log + d).slice(-4000)));
  return { proc, log: () => log };
}

async function waitReady(base: string, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited ${proc.exitCode}\n${log()}`);
    try {
      if ((await fetch(`${base}/-/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready\n${log()}`);
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await exited;
}

/**
 * startVigil starts `vigil start` with embedded storage. While app.ts does not register the Loki
 * query API yet, it falls back to this file in --serve mode: the same composition for logs as
 * App (createWebServer, Loki push receiver, openStorage after listen) plus registerLokiApi.
 */
async function startVigil(dir: string): Promise<{ proc: ChildProcess; base: string }> {
  const port = await freePort();
  const cfg = join(dir, "vigil.yml");
  writeFileSync(
    cfg,
    [
      "server:",
      "  max_request_body: 256MiB",
      "storage:",
      "  engine: embedded",
      `  data_dir: ${JSON.stringify(join(dir, "vigil-data"))}`,
      "rules: {watchdog: false}",
      "logs:",
      "  ingest:",
      "    ingestion_rate_mb: 0",
      "    ingestion_burst_size_mb: 0",
      "    per_stream_rate_limit: 0",
      "    per_stream_rate_limit_burst: 0",
      "    max_recv_msg_size: 256MiB",
      "    max_decompressed_size: 1GiB",
      "",
    ].join("\n"),
  );
  const base = `http://127.0.0.1:${port}`;
  const v = spawnServer([
    // e.g. VIGIL_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
    ...(process.env.VIGIL_BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean),
    join(ROOT, "bin/vigil.mjs"),
    "start",
    "--config",
    cfg,
    "--listen",
    `127.0.0.1:${port}`,
  ]);
  await waitReady(base, v.proc, v.log);
  if ((await fetch(`${base}/loki/api/v1/status/buildinfo`)).status === 200) {
    console.log("server: vigil start");
    return { proc: v.proc, base };
  }
  await stop(v.proc);
  console.log(
    "server: vigil start lacks the Loki query API (app.ts does not register it yet);" +
      " using bench/logs.ts --serve (App's log composition + registerLokiApi)",
  );
  const c = spawnServer([
    "--import",
    "tsx",
    join(ROOT, "bench/logs.ts"),
    "--serve",
    cfg,
    "--port",
    String(port),
  ]);
  await waitReady(base, c.proc, c.log);
  return { proc: c.proc, base };
}

/** serve is the server child: what App.start wires for Loki push and query, nothing else. */
async function serve(cfgFile: string, port: number): Promise<void> {
  const cfg = await loadConfigFile(cfgFile);
  const logger = newLogger("warn");
  const metrics = newSelfMetrics();
  let storage: Storage | undefined = undefined;
  const web = await createWebServer({
    logger,
    metrics,
    maxRequestBodyBytes: cfg.server.maxRequestBodyBytes,
    rateLimitPerSecond: 100_000,
    isReady: () => storage !== undefined,
    reload: async () => {},
  });
  await registerLokiPushReceiver(web, {
    logStore: () => storage?.logs,
    limits: () => cfg.logs.ingest,
    logger,
    registry: metrics.registry,
  });
  await registerLokiApi(web, { storage: () => storage, logger });
  await web.listen({ host: "127.0.0.1", port });
  storage = await openStorage(cfg.storage, newStorageMetrics(metrics.registry));
  process.once("SIGTERM", () => {
    void web
      .close()
      .then(() => storage?.close())
      .then(() => process.exit(0));
  });
}

/** post sends one request and reads its answer. */
function post(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": String(body.length) } },
      (r) => {
        let text = "";
        r.setEncoding("utf8")
          .on("data", (d: string) => (text += d))
          .on("end", () => res({ status: r.statusCode ?? 0, body: text }))
          .on("error", rej);
      },
    );
    req.on("error", rej);
    req.end(body);
  });
}

const mb = (b: number) => (b / 1e6).toFixed(1);

async function main(): Promise<void> {
  const targetBytes = num("gb") * 1e9;
  const ownDir = !args["data-dir"];
  const dir = resolve(args["data-dir"] ?? mkdtempSync(join(tmpdir(), "vigil-bench-logs-")));
  mkdirSync(dir, { recursive: true });
  const textFile = join(dir, "lines.txt");
  console.log(`load average ${loadAverage()}; data in ${dir}`);
  const { proc, base } = await startVigil(dir).catch((err: unknown) => {
    if (ownDir && !args.keep) rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  try {
    const startMs = Date.now() - 3_600_000;
    const text = createWriteStream(textFile);
    const gen = new Generator(targetBytes, num("streams"), startMs, text);
    const g0 = performance.now();
    const pushes: { body: Buffer; bytes: number; lines: number }[] = [];
    while (!gen.done()) pushes.push(gen.next());
    await new Promise<void>((r) => text.end(r));
    console.log(
      `generated ${pushes.length} pushes, ${mb(gen.bytes)} MB of lines in ${((performance.now() - g0) / 1000).toFixed(0)} s`,
    );

    // Ingest: --in-flight workers sending the pushes, as concurrent clients would.
    const headers: Record<string, string> = args.json
      ? { "content-type": "application/json" }
      : { "content-type": "application/x-protobuf", "content-encoding": "snappy" };
    // node:http on kept-alive connections: fetch (undici) cost the client about three times
    // the CPU per push, which this machine's two cores share with the server.
    const agent = new Agent({ keepAlive: true, maxSockets: num("in-flight") });
    const cpu0 = cpuSeconds(proc.pid!);
    const faults0 = minorFaults(proc.pid!);
    const selfCpu0 = process.cpuUsage();
    const t0 = performance.now();
    let wire = 0;
    let sent = 0;
    let sentBytes = 0;
    let lastReport = t0;
    await Promise.all(
      Array.from({ length: num("in-flight") }, async () => {
        while (sent < pushes.length) {
          const p = pushes[sent++]!;
          wire += p.body.length;
          const r = await post(agent, `${base}/loki/api/v1/push`, headers, p.body);
          if (r.status !== 204) throw new Error(`push: ${r.status} ${r.body}`);
          sentBytes += p.bytes;
          const now = performance.now();
          if (now - lastReport > 10_000) {
            lastReport = now;
            const s = (now - t0) / 1000;
            console.log(
              `  ... ${mb(sentBytes)} MB in ${s.toFixed(0)} s (${(sentBytes / 1e6 / s).toFixed(1)} MB/s)`,
            );
          }
        }
      }),
    );
    const ingestS = (performance.now() - t0) / 1000;
    const serverCpu = cpuSeconds(proc.pid!) - cpu0;
    const faults = minorFaults(proc.pid!) - faults0;
    const c = process.cpuUsage(selfCpu0);
    pushes.length = 0;
    agent.destroy();
    console.log(
      `ingest: ${gen.lines} lines, ${mb(gen.bytes)} MB (${mb(wire)} MB on the wire, ${args.json ? "JSON" : "protobuf+snappy"})` +
        ` in ${ingestS.toFixed(1)} s = ${Math.round(gen.lines / ingestS)} lines/s, ${(gen.bytes / 1e6 / ingestS).toFixed(1)} MB/s` +
        ` (server ${serverCpu.toFixed(0)} CPU-s and ${(faults / 1e3).toFixed(0)}k page faults, client ${((c.user + c.system) / 1e6).toFixed(0)} CPU-s)`,
    );
    console.log(
      `app="x": ${mb(gen.xBytes)} MB of lines, ${gen.xNeedles} needles (${gen.needles} in all streams)`,
    );

    // Acknowledged lines wait in the write-ahead log's head until it is written to ClickHouse
    // (within 2 s, or at once when a query comes): the queries below measure the scan of stored
    // lines, so they wait for that write here, and say how long it took.
    const h0 = performance.now();
    for (let i = 0; i < 600; i++) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const m = /^vigil_storage_log_head_bytes (\S+)$/m.exec(text);
      if (!m || Number(m[1]) === 0) {
        if (m) {
          console.log(
            `head written to ClickHouse ${((performance.now() - h0) / 1000).toFixed(2)} s after the last push`,
          );
        }
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }

    // --settle S waits S seconds before querying, to tell the cost of the merges that follow a
    // large ingest apart from the query's own (the first run is reported either way).
    if (num("settle") > 0) {
      console.log(`waiting ${num("settle")} s before querying (--settle)`);
      await new Promise((r) => setTimeout(r, num("settle") * 1000));
    }
    const startNs = BigInt(startMs - 1000) * 1_000_000n;
    const endNs = BigInt(startMs) * 1_000_000n + BigInt(gen.lines) * 100_000n + 1_000_000_000n;
    const query = async (path: string, params: Record<string, string>) => {
      const s0 = performance.now();
      const r = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
      const body = await r.text();
      const s = (performance.now() - s0) / 1000;
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${body}`);
      return { s, data: (JSON.parse(body) as { data: { result: unknown[] } }).data };
    };
    const timed = async (name: string, run: () => Promise<{ s: number; n: number }>) => {
      const times: number[] = [];
      let n = 0;
      for (let i = 0; i < 3; i++) {
        const r = await run();
        times.push(r.s);
        n = r.n;
      }
      const first = times[0]!;
      const best = Math.min(...times);
      console.log(
        `${name}: ${n} matches; first ${first.toFixed(3)} s = ${(gen.xBytes / 1e9 / first).toFixed(2)} GB/s,` +
          ` best ${best.toFixed(3)} s = ${(gen.xBytes / 1e9 / best).toFixed(2)} GB/s of app="x" lines`,
      );
      if (n !== gen.xNeedles) console.log(`  MISMATCH: expected ${gen.xNeedles}`);
      return first;
    };
    const logQ = await timed(`query_range {app="x"} |= "${NEEDLE}"`, async () => {
      const r = await query("/loki/api/v1/query_range", {
        query: `{app="x"} |= "${NEEDLE}"`,
        start: `${startNs}`,
        end: `${endNs}`,
        limit: "5000",
        direction: "forward",
      });
      const n = (r.data.result as { values: unknown[] }[]).reduce((a, s) => a + s.values.length, 0);
      return { s: r.s, n };
    });
    const rangeS = Math.ceil(Number(endNs - startNs) / 1e9);
    const metricQ = await timed(
      `sum(count_over_time({app="x"} |= "${NEEDLE}" [${rangeS}s]))`,
      async () => {
        const r = await query("/loki/api/v1/query", {
          query: `sum(count_over_time({app="x"} |= "${NEEDLE}" [${rangeS}s]))`,
          time: `${endNs}`,
        });
        const v = r.data.result as { value: [number, string] }[];
        return { s: r.s, n: v.length ? Number(v[0]!.value[1]) : 0 };
      },
    );

    // The reference: ripgrep over the whole text file (page cache warm after one run).
    const rgArgs = ["-c", NEEDLE, textFile];
    const rgCount = execFileSync("rg", rgArgs, { encoding: "utf8" }).trim();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s0 = performance.now();
      execFileSync("rg", rgArgs);
      times.push((performance.now() - s0) / 1000);
    }
    const rgS = Math.min(...times);
    const rgGbs = gen.bytes / 1e9 / rgS;
    console.log(
      `rg -c needle over ${mb(gen.bytes)} MB file: ${rgCount} matches, best ${rgS.toFixed(3)} s = ${rgGbs.toFixed(2)} GB/s`,
    );
    const ratio = (s: number) => ((gen.xBytes / 1e9 / s / rgGbs) * 100).toFixed(1);
    console.log(
      `ratio to ripgrep (first run): log query ${ratio(logQ)}%, count_over_time ${ratio(metricQ)}% (target ≥ 25%)`,
    );

    const du = Number(
      execFileSync("du", ["-sb", join(dir, "vigil-data")], { encoding: "utf8" }).split("\t")[0],
    );
    console.log(
      `disk: ${mb(du)} MB data dir for ${mb(gen.bytes)} MB of lines = ${(du / gen.bytes).toFixed(3)} bytes per raw byte`,
    );
  } finally {
    await stop(proc);
    if (ownDir && !args.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`data kept in ${dir}`);
  }
}

if (args.serve) await serve(args.serve, Number(args.port));
else await main();
