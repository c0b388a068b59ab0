// Alerting benchmark: Vigil beside alertmanager 0.33 (and prometheus 3.5 as its rule engine),
// same load, same run.
//
//   npm run bench:alerting -- [--alerts 50000] [--batch 500] [--concurrency 4]
//                             [--latency-seconds 40] [--cycle 4] [--no-peer] [--keep]
//
// 1. Ingest: `--alerts` distinct alerts are POSTed to /api/v2/alerts in batches of `--batch`,
//    `--concurrency` requests in flight, first to Vigil, then to Alertmanager. They route to a
//    receiver without integrations (nothing is delivered). Printed: alerts/s accepted (wall)
//    and server CPU-seconds per 10k alerts.
// 2. End-to-end latency: a rule evaluated every second fires a new alert every `--cycle`
//    seconds (its `cycle` label changes), routed with group_by [cycle] and group_wait 0s to a
//    webhook served by this process. Latency = webhook arrival − the alert's startsAt (the
//    evaluation that made it fire). Vigil runs rules and routing in one process; the peer is
//    prometheus 3.5 sending to alertmanager 0.33. Printed: median, p90 and max per system.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { PeerProcess } from "../src/testing/index.ts";
import { alertmanagerReady, freePort, peerPath, startPeer, waitFor } from "../src/testing/index.ts";
import { cpuSeconds, loadAverage, median, quantile } from "./proc.ts";

const { values: args } = parseArgs({
  options: {
    alerts: { type: "string", default: "50000" },
    batch: { type: "string", default: "500" },
    concurrency: { type: "string", default: "4" },
    "latency-seconds": { type: "string", default: "40" },
    cycle: { type: "string", default: "4" },
    "no-peer": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

function positive(name: keyof typeof args): number {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: not a positive number`);
  return Math.floor(v);
}
const ALERTS = positive("alerts");
const BATCH = positive("batch");
const CONCURRENCY = positive("concurrency");
const LATENCY_S = positive("latency-seconds");
const CYCLE_S = positive("cycle");
const ROOT = new URL("..", import.meta.url).pathname;

// ---------------------------------------------------------------------------------------------
// the webhook that receives the latency alerts

interface Arrival {
  readonly system: string;
  readonly cycle: string;
  readonly latencyMs: number;
}

const arrivals: Arrival[] = [];
const seen = new Set<string>();
const hook = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const now = Date.now();
    const system = (req.url ?? "").slice(1);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        alerts: { status: string; startsAt: string; labels: Record<string, string> }[];
      };
      for (const a of body.alerts) {
        if (a.status !== "firing") continue;
        const key = `${system}/${a.labels.cycle}`;
        if (seen.has(key)) continue;
        seen.add(key);
        arrivals.push({
          system,
          cycle: a.labels.cycle ?? "",
          latencyMs: now - Date.parse(a.startsAt),
        });
      }
    } catch {
      // not ours
    }
    res.writeHead(200).end();
  });
});

// ---------------------------------------------------------------------------------------------
// configurations

function routing(hookURL: string): string {
  return [
    "route:",
    "  receiver: discard",
    "  group_by: [alertname]",
    "  group_wait: 30s",
    "  group_interval: 5m",
    "  repeat_interval: 4h",
    "  routes:",
    "    - matchers: ['alertname=\"BenchCycle\"']",
    "      receiver: hook",
    "      group_by: [cycle]",
    "      group_wait: 0s",
    "      group_interval: 1m",
    "receivers:",
    "  - name: discard",
    "  - name: hook",
    "    webhook_configs:",
    `      - url: ${JSON.stringify(hookURL)}`,
    "        send_resolved: false",
    "",
  ].join("\n");
}

function ruleFile(): string {
  return [
    "groups:",
    "  - name: bench",
    "    interval: 1s",
    "    rules:",
    "      - alert: BenchCycle",
    `        expr: count_values("cycle", floor(vector(time()) / ${CYCLE_S}))`,
    "",
  ].join("\n");
}

interface System {
  readonly name: string;
  /** base URL of the API that takes /api/v2/alerts */
  readonly amURL: string;
  readonly procs: PeerProcess[];
  /** pid of the process that does the routing */
  readonly amPid: number;
}

async function ready(url: string, name: string, p: PeerProcess): Promise<void> {
  await waitFor(
    `${name} ready`,
    async () => {
      if (p.child.exitCode !== null) throw new Error(`${name} exited:\n${p.output()}`);
      const r = await fetch(url).catch(() => undefined);
      return r?.ok ? true : undefined;
    },
    120_000,
  );
}

async function startVigil(dir: string, hookBase: string): Promise<System> {
  const port = await freePort();
  const rules = join(dir, "vigil-rules.yml");
  writeFileSync(rules, ruleFile());
  const am = routing(`${hookBase}/vigil`)
    .split("\n")
    .map((l) => (l === "" ? l : `  ${l}`))
    .join("\n");
  const cfg = join(dir, "vigil.yml");
  writeFileSync(
    cfg,
    [
      "server:",
      "  rate_limit: 100000",
      "  max_request_body: 64MiB",
      "storage:",
      `  data_dir: ${JSON.stringify(join(dir, "vigil-data"))}`,
      `rule_files: [${JSON.stringify(rules)}]`,
      "rules:",
      "  watchdog: false",
      "alertmanager:",
      "  team_routing: {enabled: false}",
      am,
    ].join("\n"),
  );
  const p = startPeer(process.execPath, [
    join(ROOT, "bin/vigil.mjs"),
    "start",
    "--config",
    cfg,
    "--listen",
    `127.0.0.1:${port}`,
    "--log-level",
    "error",
  ]);
  const base = `http://127.0.0.1:${port}`;
  await ready(`${base}/-/ready`, "vigil", p);
  return { name: "vigil", amURL: base, procs: [p], amPid: p.child.pid! };
}

async function startPeers(dir: string, hookBase: string): Promise<System | undefined> {
  const amBin = peerPath("alertmanager");
  const promBin = peerPath("prometheus");
  if (!amBin || !promBin) return undefined;
  const why = alertmanagerReady();
  if (why !== undefined) throw new Error(why);
  const amPort = await freePort();
  const amCluster = await freePort();
  const amCfg = join(dir, "alertmanager.yml");
  writeFileSync(amCfg, routing(`${hookBase}/peer`));
  const am = startPeer(amBin, [
    `--config.file=${amCfg}`,
    `--storage.path=${join(dir, "am-data")}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    `--cluster.listen-address=127.0.0.1:${amCluster}`,
    "--log.level=warn",
  ]);
  const amURL = `http://127.0.0.1:${amPort}`;
  await ready(`${amURL}/-/ready`, "alertmanager", am);
  const promPort = await freePort();
  const rules = join(dir, "prom-rules.yml");
  writeFileSync(rules, ruleFile());
  const promCfg = join(dir, "prometheus.yml");
  writeFileSync(
    promCfg,
    [
      "global: {evaluation_interval: 1s}",
      `rule_files: [${JSON.stringify(rules)}]`,
      "alerting:",
      "  alertmanagers:",
      `    - static_configs: [{targets: ["127.0.0.1:${amPort}"]}]`,
      "",
    ].join("\n"),
  );
  const prom = startPeer(promBin, [
    `--config.file=${promCfg}`,
    `--storage.tsdb.path=${join(dir, "prom-data")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    "--log.level=warn",
  ]);
  await ready(`http://127.0.0.1:${promPort}/-/ready`, "prometheus", prom);
  return { name: "peer", amURL, procs: [am, prom], amPid: am.child.pid! };
}

// ---------------------------------------------------------------------------------------------
// phase 1: ingest

interface IngestResult {
  readonly alertsPerSec: number;
  readonly cpuPer10k: number;
  readonly errors: number;
}

async function ingest(s: System): Promise<IngestResult> {
  const now = Date.now();
  const startsAt = new Date(now).toISOString();
  const endsAt = new Date(now + 3_600_000).toISOString();
  const bodies: string[] = [];
  for (let i = 0; i < ALERTS; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(ALERTS, i + BATCH); j++) {
      batch.push({
        labels: {
          alertname: `BenchIngest${j % 50}`,
          instance: `host-${j}`,
          job: `svc-${j % 20}`,
          severity: j % 3 === 0 ? "critical" : "warning",
        },
        annotations: { summary: `alert ${j} of the ingest benchmark` },
        startsAt,
        endsAt,
      });
    }
    bodies.push(JSON.stringify(batch));
  }
  let next = 0;
  let errors = 0;
  const cpu0 = cpuSeconds(s.amPid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const r = await fetch(`${s.amURL}/api/v2/alerts`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        if (!r.ok) {
          errors++;
          if (errors === 1) console.error(`${s.name}: HTTP ${r.status}: ${await r.text()}`);
        } else await r.arrayBuffer();
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(s.amPid) - cpu0;
  return { alertsPerSec: ALERTS / wall, cpuPer10k: (cpu / ALERTS) * 10_000, errors };
}

// ---------------------------------------------------------------------------------------------
// phase 2: latency

async function latency(s: System): Promise<number[]> {
  const from = arrivals.length;
  await new Promise((r) => setTimeout(r, LATENCY_S * 1000));
  return arrivals
    .slice(from)
    .filter((a) => a.system === s.name)
    .map((a) => a.latencyMs);
}

// ---------------------------------------------------------------------------------------------

function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "-";
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-alerting-"));
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const hookBase = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  const results: { name: string; ingest: IngestResult; lat: number[] }[] = [];
  try {
    const plan: (() => Promise<System | undefined>)[] = [() => startVigil(dir, hookBase)];
    if (!args["no-peer"]) plan.push(() => startPeers(dir, hookBase));
    for (const start of plan) {
      const s = await start();
      if (!s) {
        console.log("peer binaries not found (../shared/peers/get-peers.sh); peer skipped");
        continue;
      }
      try {
        console.log(`${s.name}: latency phase, ${LATENCY_S}s …`);
        const lat = await latency(s);
        console.log(`${s.name}: ingest phase, ${ALERTS} alerts …`);
        const ing = await ingest(s);
        results.push({ name: s.name, ingest: ing, lat });
      } finally {
        for (const p of s.procs) await p.stop();
      }
    }
  } finally {
    hook.close();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nalerts: ${ALERTS} in batches of ${BATCH}, ${CONCURRENCY} in flight; latency: rule every 1s, new alert every ${CYCLE_S}s, group_wait 0s`,
  );
  console.log("system  alerts/s  CPU-s/10k alerts  errors   latency n  median ms  p90 ms  max ms");
  for (const r of results) {
    const label = r.name === "vigil" ? "vigil" : "peer*";
    console.log(
      `${label.padEnd(6)}  ${fmt(r.ingest.alertsPerSec).padStart(8)}  ${fmt(r.ingest.cpuPer10k, 3).padStart(16)}  ${String(r.ingest.errors).padStart(6)}   ${String(r.lat.length).padStart(9)}  ${fmt(median(r.lat)).padStart(9)}  ${fmt(quantile(r.lat, 0.9)).padStart(6)}  ${fmt(Math.max(...r.lat)).padStart(6)}`,
    );
  }
  console.log("* peer: alertmanager 0.33 (ingest, routing); prometheus 3.5 evaluates the rule");
  const v = results.find((r) => r.name === "vigil");
  const p = results.find((r) => r.name === "peer");
  if (v && p) {
    console.log(
      `ratio vigil/peer: alerts/s ${fmt(v.ingest.alertsPerSec / p.ingest.alertsPerSec, 2)} (higher is better), CPU per alert ${fmt(v.ingest.cpuPer10k / p.ingest.cpuPer10k, 2)}, median latency ${fmt(median(v.lat) / median(p.lat), 2)} (lower is better)`,
    );
  }
  console.log(`load average: ${loadAverage()}`);
}

await main();
