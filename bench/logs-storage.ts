// Log storage benchmark of the embedded engine (chDB): ingest throughput through the LogStore
// API, bytes on disk, and the speed of a `|= "needle"` line filter scan, compared with ripgrep
// (or GNU grep when rg is absent) over the same lines in a text file.
//
//   node --import tsx bench/logs-storage.ts [--mb 200] [--streams 100] [--in-flight 16]
//        [--push-lines 7000] [--needle-every 200000] [--data-dir DIR] [--keep]
//        [--seed 1]
//
// Lines are synthetic but shaped like real logs (access logs, logfmt and JSON application logs
// with random trace ids), so that they compress and index like real data. Every
// `--needle-every`-th line carries the needle. Ingest MB/s counts line bytes (UTF-8) from the
// first append to the last acknowledged commit; CPU is process CPU, which includes chDB's
// threads. Scan GB/s counts the line bytes of the whole range divided by the wall time of the
// select's first run (repeats profit from ClickHouse's query condition cache). Targets:
// ≥ 50 MB/s ingest; a line filter scan ≥ 25% of ripgrep's speed over ≥ 2 GB.

import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Matcher, labelsFromRecord } from "../src/model/labels/index.ts";
import type { Labels } from "../src/model/labels/index.ts";
import { openChdbDriver, openClickHouseStorage } from "../src/storage/clickhouse/index.ts";
import { ClickHouseLogStore } from "../src/storage/clickhouse/logs.ts";
import type { LineFilter, LogEntry, LogOrder } from "../src/storage/logs.ts";
import { LEVELS, MSGS, PATHS, seededRandom } from "./loggen.ts";

const { values: args } = parseArgs({
  options: {
    mb: { type: "string", default: "200" },
    streams: { type: "string", default: "100" },
    "in-flight": { type: "string", default: "16" },
    "push-lines": { type: "string", default: "7000" },
    "needle-every": { type: "string", default: "200000" },
    "data-dir": { type: "string" },
    keep: { type: "boolean", default: false },
    seed: { type: "string", default: "1" },
  },
});
const num = (k: keyof typeof args) => Number(args[k]);
const NEEDLE = "needle-7f3a9c";

const { rand, pick, hex } = seededRandom(num("seed"));

function line(kind: number, n: number, tsMs: number): string {
  const needle = n % num("needle-every") === 7 ? ` ${NEEDLE}` : "";
  switch (kind) {
    case 0:
      return (
        `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)} - - ` +
        `[${new Date(tsMs).toISOString()}] "${pick(["GET", "GET", "POST", "PUT"])} ${pick(PATHS)}/${Math.floor(rand() * 100000)} HTTP/1.1" ` +
        `${pick([200, 200, 200, 201, 304, 404, 500])} ${Math.floor(rand() * 50000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"${needle}`
      );
    case 1:
      return (
        `ts=${new Date(tsMs).toISOString()} level=${pick(LEVELS)} msg="${pick(MSGS)}" ` +
        `trace_id=${hex(32)} span_id=${hex(16)} user=u${Math.floor(rand() * 10000)} ` +
        `duration_ms=${(rand() * 500).toFixed(2)}${needle}`
      );
    default:
      return JSON.stringify({
        time: new Date(tsMs).toISOString(),
        level: pick(LEVELS),
        msg: pick(MSGS) + needle,
        trace_id: hex(32),
        order_id: Math.floor(rand() * 1e9),
        amount: Number((rand() * 1000).toFixed(2)),
      });
  }
}

interface Push {
  readonly streams: { labels: Labels; entries: LogEntry[] }[];
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function main(): Promise<void> {
  const targetBytes = num("mb") * 1e6;
  const nStreams = num("streams");
  const pushLines = num("push-lines");
  const ownDir = !args["data-dir"];
  const dir = resolve(args["data-dir"] ?? mkdtempSync(join(tmpdir(), "vigil-bench-logs-")));
  const textFile = join(dir, "lines.txt");

  // Generate the data set: pushes of `pushLines` lines over 10 streams each, timestamps over the
  // last 6 hours, each stream's entries in time order.
  const streams = Array.from({ length: nStreams }, (_, i) =>
    labelsFromRecord({
      job: `svc-${i % 10}`,
      instance: `10.0.${Math.floor(i / 10)}.${i % 10}:8080`,
      env: i % 3 === 0 ? "prod" : "staging",
    }),
  );
  const nowMs = Date.now();
  const startMs = nowMs - 6 * 3_600_000;
  const pushes: Push[] = [];
  let bytes = 0;
  let lines = 0;
  const clock = new Float64Array(nStreams).fill(startMs);
  const fd = openSync(textFile, "w");
  const t0 = performance.now();
  while (bytes < targetBytes) {
    const push: Push = { streams: [] };
    let text = "";
    for (let k = 0; k < 10; k++) {
      const si = Math.floor(rand() * nStreams);
      const entries: LogEntry[] = [];
      for (let j = 0; j < pushLines / 10; j++) {
        clock[si] = Math.min(nowMs, clock[si]! + rand() * 20);
        const tsMs = clock[si]!;
        const l = line(si % 3, lines++, tsMs);
        bytes += Buffer.byteLength(l);
        text += l + "\n";
        entries.push({
          tsNs: BigInt(Math.floor(tsMs)) * 1_000_000n + BigInt(Math.floor(rand() * 1e6)),
          line: l,
          metadata: [],
        });
      }
      push.streams.push({ labels: streams[si]!, entries });
    }
    writeSync(fd, text);
    pushes.push(push);
  }
  closeSync(fd);
  console.log(
    `generated ${lines} lines, ${mb(bytes)} MB in ${pushes.length} pushes over ${nStreams} streams` +
      ` (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  const opts = {
    engine: "embedded" as const,
    database: "vigil",
    retentionMs: 60 * 86_400_000,
    batchMaxRows: 1_000_000,
    batchMaxDelayMs: 200,
  };
  const storage = await openClickHouseStorage(await openChdbDriver(join(dir, "db")), opts);
  const store = new ClickHouseLogStore(storage.drv, opts);
  await store.open();
  const drv = storage.drv;

  // Ingest: up to --in-flight pushes committed at once, as concurrent push clients would.
  const inFlight = num("in-flight");
  const cpu0 = cpuSeconds();
  const i0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < pushes.length) {
        const p = pushes[next++]!;
        const app = store.logAppender();
        for (const s of p.streams) app.append(s.labels, s.entries);
        await app.commit();
      }
    }),
  );
  const ingestS = (performance.now() - i0) / 1000;
  const ingestCpu = cpuSeconds() - cpu0;
  console.log(
    `ingest: ${mb(bytes)} MB in ${ingestS.toFixed(2)} s = ${(bytes / 1e6 / ingestS).toFixed(1)} MB/s` +
      ` (${Math.round(lines / ingestS)} lines/s, ${(bytes / 1e6 / ingestCpu).toFixed(1)} MB per CPU-second)`,
  );
  pushes.length = 0;

  const parts = async () =>
    (
      await drv.queryJson<{ parts: string; data: string; idx: string; raw: string }>(
        `SELECT toString(countIf(table = 'log_entries')) AS parts,` +
          ` toString(sumIf(data_compressed_bytes, table = 'log_entries')) AS data,` +
          ` toString(sumIf(data_compressed_bytes, table = 'log_blooms')) AS idx,` +
          ` toString(sumIf(data_uncompressed_bytes, table = 'log_entries')) AS raw FROM system.parts` +
          ` WHERE active AND database = 'vigil' AND table IN ('log_entries', 'log_blooms')`,
      )
    )[0]!;
  let p = await parts();
  console.log(
    `after ingest: ${p.parts} parts, ${mb(Number(p.data))} MB data + ${mb(Number(p.idx))} MB line blooms on disk`,
  );
  const m0 = performance.now();
  await store.optimize();
  p = await parts();
  console.log(
    `after OPTIMIZE FINAL (${((performance.now() - m0) / 1000).toFixed(1)} s): ${p.parts} parts,` +
      ` ${mb(Number(p.data))} MB data (${(Number(p.raw) / Number(p.data)).toFixed(1)}x)` +
      ` + ${mb(Number(p.idx))} MB line blooms`,
  );

  // Scans through the LogQuerier, whole range, all streams.
  const all = [new Matcher("=~", "job", ".+")];
  const scan = async (
    name: string,
    filters: LineFilter[],
    order: LogOrder,
    limit?: number,
  ): Promise<void> => {
    const times: number[] = [];
    let rows = 0;
    for (let r = 0; r < 3; r++) {
      rows = 0;
      const s0 = performance.now();
      for await (const b of store.logQuerier().select({
        matchers: all,
        startNs: BigInt(startMs - 60_000) * 1_000_000n,
        endNs: BigInt(nowMs + 60_000) * 1_000_000n,
        lineFilters: filters,
        order,
        limit,
      })) {
        rows += b.length;
      }
      times.push((performance.now() - s0) / 1000);
    }
    // The first run is the honest one: ClickHouse's query condition cache remembers which
    // granules a filter rejected, so repeats of the same filter skip them.
    const first = times[0]!;
    console.log(
      `select ${name.padEnd(34)} ${String(rows).padStart(8)} rows  first ${first.toFixed(3)} s` +
        ` = ${(bytes / 1e9 / first).toFixed(2)} GB/s of lines  (repeats ${Math.min(...times.slice(1)).toFixed(3)} s)`,
    );
  };
  await scan(`|= "${NEEDLE}" forward`, [{ op: "|=", values: [NEEDLE] }], "forward");
  await scan(
    `|= "${NEEDLE}" backward limit 100`,
    [{ op: "|=", values: [NEEDLE] }],
    "backward",
    100,
  );
  await scan(`|= "${NEEDLE}" stream`, [{ op: "|=", values: [NEEDLE] }], "stream");
  await scan(`|~ "needle-7f.a9c"`, [{ op: "|~", values: ["needle-7f.a9c"] }], "forward");
  await scan(
    `|= "payment authorized" backward 1000`,
    [{ op: "|=", values: ["payment authorized"] }],
    "backward",
    1000,
  );
  await scan("no filter, backward limit 1000", [], "backward", 1000);

  // The same filter in plain SQL over every entry (no line blooms), to separate the engine's
  // scan speed from the blooms, Vigil's paging and decoding.
  {
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const s0 = performance.now();
      await drv.queryJson(
        `SELECT count() FROM ${store.tables.entries} WHERE line LIKE '%${NEEDLE}%'` +
          ` SETTINGS use_query_condition_cache = 0`,
      );
      times.push((performance.now() - s0) / 1000);
    }
    const best = Math.min(...times);
    console.log(
      `SQL count() LIKE needle, whole table: best ${best.toFixed(3)} s = ${(bytes / 1e9 / best).toFixed(2)} GB/s`,
    );
  }

  // The reference: a literal search over the same lines in a file (page cache warm).
  const tool = ["rg", "grep"].find((t) => spawnSync("which", [t]).status === 0);
  if (tool) {
    const argv = tool === "rg" ? ["-c", "-F", NEEDLE, textFile] : ["-c", "-F", NEEDLE, textFile];
    execFileSync(tool, argv);
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const s0 = performance.now();
      execFileSync(tool, argv);
      times.push((performance.now() - s0) / 1000);
    }
    const best = Math.min(...times);
    console.log(
      `${tool} -c -F needle over ${mb(bytes)} MB file: best ${best.toFixed(3)} s = ${(bytes / 1e9 / best).toFixed(2)} GB/s` +
        (tool === "rg" ? "" : " (ripgrep not installed; GNU grep instead)"),
    );
  }

  await store.close();
  await storage.close();
  if (ownDir && !args.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`data kept in ${dir}`);
}

await main();
