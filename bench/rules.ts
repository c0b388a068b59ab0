// Rule evaluation benchmark: N alerting rules over M series, evaluated every interval by Vigil
// and, in the same run on the same data, by prometheus 3.5.
//
//   npm run bench:rules -- [--duration 90] [--rules 1000] [--series 10000] [--interval 15]
//                          [--storage embedded|memory] [--no-peer] [--keep]
//
// Both run as their own processes with the same rule file (groups of 50 rules, `interval`
// seconds apart). This process is the data source: it backfills 5 minutes of history, then
// every `interval` sends one sample per series, the same remote-write request to both. It polls
// /api/v1/rules of both for each group's evaluationTime and lastEvaluation, and reads
// Prometheus's prometheus_rule_group_last_duration_seconds from its /metrics. Printed per system:
// evaluation cycles seen, the time a whole cycle (all groups) takes (mean, p50, max), that time
// as a share of the interval, the process's CPU share (user+system, all threads, from /proc;
// ingestion of the feed included, which is the same for both) and the number of firing alerts
// at the end (a sanity check that both evaluate the same thing).
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compressSync } from "snappy";
import { encodeWriteRequest } from "../src/ingest/remote-write/index.ts";
import type { PromTimeSeries } from "../src/ingest/remote-write/index.ts";
import { cpuSeconds, quantile } from "./proc.ts";
import { freePort } from "../src/testing/index.ts";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "90" },
    rules: { type: "string", default: "1000" },
    series: { type: "string", default: "10000" },
    interval: { type: "string", default: "15" },
    storage: { type: "string", default: "embedded" },
    "no-peer": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

const num = (name: "duration" | "rules" | "series" | "interval"): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: not a positive number`);
  return v;
};
const DURATION_S = num("duration");
const RULES = Math.floor(num("rules"));
const SERIES = Math.floor(num("series"));
const INTERVAL_S = Math.floor(num("interval"));
const STORAGE = args.storage;
if (STORAGE !== "embedded" && STORAGE !== "memory")
  throw new Error("--storage: embedded or memory");
const RULES_PER_GROUP = 50;
const ROOT = new URL("..", import.meta.url).pathname;
const BACKFILL_S = 300;

// ---------------------------------------------------------------------------------------------
// data and rules

/** JOBS: services; each has SERIES / JOBS / 2 instances with a requests and an errors counter. */
const JOBS = 50;
const INSTANCES = Math.max(1, Math.floor(SERIES / JOBS / 2));

interface Series {
  readonly labels: { name: string; value: string }[];
  readonly rate: number;
  value: number;
}

function makeSeries(): Series[] {
  const out: Series[] = [];
  for (let j = 0; j < JOBS; j++) {
    for (let i = 0; i < INSTANCES; i++) {
      for (const metric of ["bench_requests_total", "bench_errors_total"]) {
        const base = metric === "bench_requests_total" ? 10 + ((j * 7 + i) % 40) : (j % 10) * 0.2;
        out.push({
          labels: [
            { name: "__name__", value: metric },
            { name: "instance", value: `i-${i}` },
            { name: "job", value: `svc-${j}` },
          ],
          rate: base,
          value: 0,
        });
      }
    }
  }
  return out;
}

/** body encodes one remote-write request with the samples of every series at the given times. */
function body(series: Series[], timesMs: readonly number[], stepS: number): Uint8Array {
  const ts: PromTimeSeries[] = series.map((s) => ({
    labels: s.labels,
    samples: timesMs.map((t) => {
      s.value += s.rate * stepS * (0.8 + ((t / 1000 + s.labels[1]!.value.length) % 5) / 10);
      return { timestamp: t, value: s.value };
    }),
  }));
  return compressSync(Buffer.from(encodeWriteRequest({ timeseries: ts })));
}

/** ruleFile writes RULES alerting rules, five kinds over the jobs, thresholds spread. */
function ruleFile(): string {
  const lines = ["groups:"];
  for (let r = 0; r < RULES; r++) {
    if (r % RULES_PER_GROUP === 0) {
      lines.push(`  - name: bench-${r / RULES_PER_GROUP}`, "    rules:");
    }
    const job = `svc-${r % JOBS}`;
    const k = Math.floor(r / JOBS);
    const th = (x: number) => (x * (1 + (k % 7))).toFixed(2);
    const exprs = [
      `sum by (job) (rate(bench_errors_total{job="${job}"}[1m])) / sum by (job) (rate(bench_requests_total{job="${job}"}[1m])) > ${th(0.01)}`,
      `max by (job, instance) (rate(bench_requests_total{job="${job}"}[1m])) > ${th(8)}`,
      `avg by (job) (increase(bench_errors_total{job="${job}"}[2m])) > ${th(15)}`,
      `sum by (job) (rate(bench_requests_total{job="${job}"}[5m])) > ${th(600)}`,
      `count by (job) (rate(bench_errors_total{job="${job}"}[1m]) > ${th(0.2)}) > 2`,
    ];
    lines.push(
      `      - alert: Bench${r}`,
      `        expr: '${exprs[r % exprs.length]}'`,
      `        for: ${r % 3 === 0 ? "0s" : "30s"}`,
      "        labels:",
      "          team: bench",
      `          severity: ${r % 2 === 0 ? "warning" : "critical"}`,
      "        annotations:",
      `          description: "{{ $labels.job }} is at {{ $value }}"`,
      `          runbook_url: https://handbook.example.com/bench/${r}`,
    );
  }
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// processes

interface Target {
  readonly name: string;
  readonly base: string;
  readonly proc: ChildProcess;
  readonly log: () => string;
}

async function waitReady(t: Target): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (t.proc.exitCode !== null) throw new Error(`${t.name} exited early:\n${t.log()}`);
    try {
      if ((await fetch(`${t.base}/-/ready`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${t.name} not ready\n${t.log()}`);
}

function spawnTarget(name: string, bin: string, argv: string[], port: number): Target {
  let log = "";
  const proc = spawn(bin, argv, { stdio: ["ignore", "ignore", "pipe"] });
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (log = (log + d).slice(-4000)));
  return { name, base: `http://127.0.0.1:${port}`, proc, log: () => log };
}

async function startVigil(dir: string, rules: string): Promise<Target> {
  const port = await freePort();
  const cfg = join(dir, "vigil.yml");
  writeFileSync(
    cfg,
    [
      "server:",
      "  max_request_body: 256MiB",
      "storage:",
      `  engine: ${STORAGE}`,
      `  data_dir: ${join(dir, "vigil-data")}`,
      "remote_write_receiver:",
      "  max_decoded_bytes: 512MiB",
      "global:",
      `  evaluation_interval: ${INTERVAL_S}s`,
      `rule_files: [${JSON.stringify(rules)}]`,
      "rules:",
      "  watchdog: false",
      "",
    ].join("\n"),
  );
  const t = spawnTarget(
    "vigil",
    process.execPath,
    [
      join(ROOT, "bin/vigil.mjs"),
      "start",
      "--config",
      cfg,
      "--listen",
      `127.0.0.1:${port}`,
      "--log-level",
      "error",
    ],
    port,
  );
  await waitReady(t);
  return t;
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

async function startPrometheus(bin: string, dir: string, rules: string): Promise<Target> {
  const port = await freePort();
  const cfg = join(dir, "prometheus.yml");
  writeFileSync(
    cfg,
    `global:\n  evaluation_interval: ${INTERVAL_S}s\nrule_files: [${JSON.stringify(rules)}]\n`,
  );
  const t = spawnTarget(
    "prometheus",
    bin,
    [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${join(dir, "prom-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--log.level=warn",
    ],
    port,
  );
  await waitReady(t);
  return t;
}

async function stop(t: Target): Promise<void> {
  if (t.proc.exitCode !== null) return;
  const exited = new Promise((res) => t.proc.once("exit", res));
  t.proc.kill("SIGTERM");
  const timer = setTimeout(() => t.proc.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

async function send(t: Target, payload: Uint8Array): Promise<void> {
  const r = await fetch(`${t.base}/api/v1/write`, {
    method: "POST",
    body: payload,
    headers: {
      "Content-Type": "application/x-protobuf",
      "Content-Encoding": "snappy",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    },
  });
  if (!r.ok) throw new Error(`${t.name}: remote write ${r.status}: ${await r.text()}`);
}

// ---------------------------------------------------------------------------------------------
// measurement

interface Eval {
  readonly startMs: number;
  readonly seconds: number;
}

/** Stats accumulates what one system did during the measurement window. */
class Stats {
  /** groups and rules: evaluations finished in the window, by "name@start". */
  readonly groups = new Map<string, Eval>();
  readonly rules = new Map<string, Eval>();
  cpu0 = 0;
  cpu1 = 0;
  firing = 0;
  promLastDurationSum: number | undefined;
  pollErrors = 0;

  constructor(readonly target: Target) {}

  async poll(fromMs: number): Promise<void> {
    interface ApiRule {
      name: string;
      evaluationTime: number;
      lastEvaluation: string;
    }
    try {
      const r = (await (await fetch(`${this.target.base}/api/v1/rules?type=alert`)).json()) as {
        data: {
          groups: {
            name: string;
            evaluationTime: number;
            lastEvaluation: string;
            rules: ApiRule[];
          }[];
        };
      };
      for (const g of r.data.groups) {
        const t = Date.parse(g.lastEvaluation);
        if (t >= fromMs)
          this.groups.set(`${g.name}@${t}`, { startMs: t, seconds: g.evaluationTime });
        for (const rule of g.rules) {
          const rt = Date.parse(rule.lastEvaluation);
          if (rt >= fromMs) {
            this.rules.set(`${rule.name}@${rt}`, { startMs: rt, seconds: rule.evaluationTime });
          }
        }
      }
    } catch {
      this.pollErrors++;
    }
  }

  /**
   * cycles groups the evaluations by interval slot and keeps the complete ones (every group
   * evaluated): for each, the wall time from the first group's start to the last group's end,
   * and the sum of the groups' evaluation times (groups run concurrently, so sums overlap).
   */
  cycles(): { spanS: number; sumS: number }[] {
    const bySlot = new Map<number, Eval[]>();
    for (const e of this.groups.values()) {
      const slot = Math.floor(e.startMs / (INTERVAL_S * 1000));
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), e]);
    }
    const groups = Math.ceil(RULES / RULES_PER_GROUP);
    return [...bySlot.values()]
      .filter((es) => es.length >= groups)
      .map((es) => ({
        spanS:
          (Math.max(...es.map((e) => e.startMs + e.seconds * 1000)) -
            Math.min(...es.map((e) => e.startMs))) /
          1000,
        sumS: es.reduce((a, e) => a + e.seconds, 0),
      }));
  }

  /** perRule is the mean evaluation time of a rule and how many distinct rules finished one. */
  perRule(): { meanS: number; rules: number } {
    const names = new Set<string>();
    let sum = 0;
    for (const [k, e] of this.rules) {
      names.add(k.slice(0, k.lastIndexOf("@")));
      sum += e.seconds;
    }
    return { meanS: sum / Math.max(this.rules.size, 1), rules: names.size };
  }
}

async function firingAlerts(t: Target): Promise<number> {
  const r = await fetch(
    `${t.base}/api/v1/query?query=${encodeURIComponent('count(ALERTS{alertstate="firing"})')}`,
  );
  const b = (await r.json()) as { data?: { result: { value: [number, string] }[] } };
  return Number(b.data?.result[0]?.value[1] ?? 0);
}

async function promLastDuration(t: Target): Promise<number> {
  const text = await (await fetch(`${t.base}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^prometheus_rule_group_last_duration_seconds\{[^}]*\} (\S+)$/gm)) {
    sum += Number(m[1]);
  }
  return sum;
}

const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;

function report(s: Stats, wallS: number): void {
  const cycles = s.cycles();
  const spans = cycles.map((c) => c.spanS);
  const sums = cycles.map((c) => c.sumS);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  const cpu = s.cpu1 - s.cpu0;
  const groups = Math.ceil(RULES / RULES_PER_GROUP);
  const expected = Math.floor(wallS / INTERVAL_S) * groups;
  const pr = s.perRule();
  console.log(`\n${s.target.name}`);
  console.log(
    `  group evaluations:   ${s.groups.size} finished in the window (about ${expected} due), ${cycles.length} complete cycles`,
  );
  if (cycles.length > 0) {
    console.log(
      `  cycle wall time:     mean ${ms(mean(spans))}, p50 ${ms(quantile(spans, 0.5))}, max ${ms(Math.max(...spans))}` +
        ` (${((mean(spans) / INTERVAL_S) * 100).toFixed(1)}% of the ${INTERVAL_S}s interval; first group start to last group end)`,
    );
    console.log(
      `  group time, summed:  mean ${ms(mean(sums))} per cycle (groups run concurrently: the sum overlaps)`,
    );
  } else {
    console.log(
      `  cycle wall time:     no complete cycle in ${wallS.toFixed(0)}s (a cycle takes longer than the window)`,
    );
  }
  const cpuPerCycle = (cpu / Math.max(s.rules.size, 1)) * RULES;
  console.log(
    `  per rule:            mean ${ms(pr.meanS)} wall (${s.rules.size} rule evaluations in the window; ${pr.rules} of ${RULES} rules)`,
  );
  console.log(
    `  CPU per cycle:       ${cpuPerCycle.toFixed(2)} s for all ${RULES} rules (process CPU / rule evaluations × rules)` +
      ` = ${((cpuPerCycle / INTERVAL_S) * 100).toFixed(1)}% of one core at one cycle per ${INTERVAL_S}s`,
  );
  if (s.promLastDurationSum !== undefined) {
    console.log(
      `  prometheus_rule_group_last_duration_seconds, summed over groups: ${ms(s.promLastDurationSum)}`,
    );
  }
  console.log(
    `  CPU:                 ${cpu.toFixed(1)} s over ${wallS.toFixed(0)} s = ${((cpu / wallS) * 100).toFixed(1)}% of one core`,
  );
  console.log(
    `  firing alerts:       ${s.firing}${s.pollErrors ? ` (${s.pollErrors} failed polls)` : ""}`,
  );
}

const T0 = performance.now();
/** phase prints progress with the time since the benchmark started. */
function phase(what: string): void {
  console.log(`[${((performance.now() - T0) / 1000).toFixed(0).padStart(3)}s] ${what}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-rules-"));
  const rulesPath = join(dir, "rules.yml");
  writeFileSync(rulesPath, ruleFile());
  const series = makeSeries();
  console.log(
    `rules benchmark: ${RULES} alerting rules in ${Math.ceil(RULES / RULES_PER_GROUP)} groups over ${series.length} series, ` +
      `every ${INTERVAL_S}s, ${DURATION_S}s measured; Vigil storage: ${STORAGE}`,
  );
  const targets: Target[] = [];
  try {
    targets.push(await startVigil(dir, rulesPath));
    phase("vigil ready");
    const bin = args["no-peer"] ? undefined : prometheusPath();
    if (bin) {
      targets.push(await startPrometheus(bin, dir, rulesPath));
      phase("prometheus ready");
    } else console.log("(prometheus not available: Vigil only)");

    // History: BACKFILL_S seconds at the interval, then one sample per interval, to both.
    const now = Date.now();
    const times: number[] = [];
    for (let t = now - BACKFILL_S * 1000; t <= now; t += INTERVAL_S * 1000) times.push(t);
    const backfill = body(series, times, INTERVAL_S);
    for (const t of targets) await send(t, backfill);
    phase(`backfilled ${BACKFILL_S}s of history; warming up for one interval`);
    let last = times.at(-1)!;
    const feed = setInterval(() => {
      last += INTERVAL_S * 1000;
      const payload = body(series, [last], INTERVAL_S);
      for (const t of targets) send(t, payload).catch((err: unknown) => console.error(String(err)));
    }, INTERVAL_S * 1000);

    // Warm up for one interval (every group evaluates once), then measure.
    await new Promise((r) => setTimeout(r, INTERVAL_S * 1000 + 1000));
    const stats = targets.map((t) => new Stats(t));
    const fromMs = Date.now();
    phase(`measuring for ${DURATION_S}s`);
    for (const s of stats) s.cpu0 = cpuSeconds(s.target.proc.pid!);
    const t0 = performance.now();
    while (performance.now() - t0 < DURATION_S * 1000) {
      await new Promise((r) => setTimeout(r, 5000));
      await Promise.all(stats.map((s) => s.poll(fromMs)));
    }
    const wallS = (performance.now() - t0) / 1000;
    for (const s of stats) s.cpu1 = cpuSeconds(s.target.proc.pid!);
    clearInterval(feed);
    for (const s of stats) {
      s.firing = await firingAlerts(s.target);
      if (s.target.name === "prometheus") s.promLastDurationSum = await promLastDuration(s.target);
    }
    phase("done");
    for (const s of stats) report(s, wallS);
    if (stats.length === 2) {
      const [v, p] = stats as [Stats, Stats];
      const cpuPerRule = (x: Stats) => (x.cpu1 - x.cpu0) / Math.max(x.rules.size, 1);
      console.log(
        `\nvigil / prometheus: ${(cpuPerRule(v) / cpuPerRule(p)).toFixed(1)}× CPU per rule evaluation, ` +
          `${(v.perRule().meanS / Math.max(p.perRule().meanS, 1e-9)).toFixed(1)}× wall time per rule`,
      );
    }
    console.log(
      `\nload average during the run: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} on this machine's CPUs`,
    );
  } finally {
    for (const t of targets) await stop(t);
    if (args.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
