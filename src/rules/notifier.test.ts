import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { labelsFromRecord } from "../model/labels/index.ts";
import { newRelabelConfig } from "../model/relabel/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import type { AlertmanagerSetConfig } from "./notifier.ts";
import { AlertmanagerNotifier, alertmanagerUrls, encodePostableAlerts } from "./notifier.ts";
import type { NotifierAlert } from "./sink.ts";
import { alertSender } from "./sink.ts";
import { MIN, SETTINGS, newEnv, steps } from "./testdata/env.ts";

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** capture starts an HTTP server that records requests and answers with status. */
async function capture(status = 200): Promise<{ server: Server; port: number; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      got.push({ url: req.url ?? "", headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  return { server, port: typeof addr === "object" && addr ? addr.port : 0, got };
}

function amSet(
  targets: string[],
  over: Partial<AlertmanagerSetConfig> = {},
): AlertmanagerSetConfig {
  return {
    staticConfigs: [{ targets, labels: {} }],
    scheme: "http",
    pathPrefix: "",
    timeoutMs: 2000,
    apiVersion: "v2",
    relabelConfigs: [],
    alertRelabelConfigs: [],
    ...over,
  };
}

const ALERT: NotifierAlert = {
  labels: labelsFromRecord({ alertname: "High", job: "a<b>" }),
  annotations: labelsFromRecord({ summary: "too high" }),
  startsAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  endsAtMs: Date.UTC(2026, 0, 2, 3, 8, 5, 6),
  generatorURL: "http://vigil:9700/graph?g0.expr=x&g0.tab=1",
};

describe("encodePostableAlerts", () => {
  it("renders API v2 alerts like Prometheus", () => {
    assert.equal(
      encodePostableAlerts([
        ALERT,
        { ...ALERT, annotations: [], generatorURL: "", startsAtMs: undefined },
      ]),
      '[{"annotations":{"summary":"too high"},"endsAt":"2026-01-02T03:08:05.006Z","startsAt":"2026-01-02T03:04:05.006Z","generatorURL":"http://vigil:9700/graph?g0.expr=x\\u0026g0.tab=1","labels":{"alertname":"High","job":"a\\u003cb\\u003e"}},' +
        '{"endsAt":"2026-01-02T03:08:05.006Z","startsAt":"0001-01-01T00:00:00.000Z","labels":{"alertname":"High","job":"a\\u003cb\\u003e"}}]',
    );
  });
});

describe("alertmanagerUrls", () => {
  it("builds push URLs from targets, path prefix and relabeling", () => {
    assert.deepEqual(
      alertmanagerUrls(amSet(["a:9093", "b:9093", "a:9093"], { pathPrefix: "/am/" })),
      {
        urls: ["http://a:9093/am/api/v2/alerts", "http://b:9093/am/api/v2/alerts"],
        dropped: [],
      },
    );
    const drop = newRelabelConfig({
      source_labels: ["__address__"],
      regex: "b:.*",
      action: "drop",
    });
    assert.deepEqual(alertmanagerUrls(amSet(["a:9093", "b:9093"], { relabelConfigs: [drop] })), {
      urls: ["http://a:9093/api/v2/alerts"],
      dropped: ["http://b:9093/api/v2/alerts"],
    });
  });
});

describe("AlertmanagerNotifier", () => {
  it("posts batches to every Alertmanager and counts failures", async () => {
    const good = await capture(200);
    const bad = await capture(500);
    const n = new AlertmanagerNotifier({ logger: silentLogger(), maxBatchSize: 2 });
    n.applyConfig([
      amSet([`127.0.0.1:${good.port}`, `127.0.0.1:${bad.port}`]),
      amSet([`127.0.0.1:${good.port}`], {
        pathPrefix: "/second",
        alertRelabelConfigs: [newRelabelConfig({ target_label: "via", replacement: "second" })],
      }),
    ]);
    n.send([ALERT, ALERT, ALERT]);
    await n.flush();
    try {
      // Two batches (2 + 1 alerts), each to three Alertmanagers.
      assert.equal(good.got.length, 4);
      assert.equal(bad.got.length, 2);
      const first = good.got.find((r) => r.url === "/api/v2/alerts")!;
      assert.equal(first.headers["content-type"], "application/json");
      assert.match(first.headers["user-agent"] ?? "", /^Vigil\//);
      assert.equal(first.body, encodePostableAlerts([ALERT, ALERT]));
      const second = good.got.find((r) => r.url === "/second/api/v2/alerts")!;
      assert.match(second.body, /"via":"second"/);
      assert.deepEqual(n.stats, { sent: 9, errors: 3, dropped: 0 });
    } finally {
      good.server.close();
      bad.server.close();
    }
  });

  it("drops the oldest alerts when the queue is full", () => {
    const n = new AlertmanagerNotifier({ logger: silentLogger(), queueCapacity: 2 });
    n.applyConfig([amSet(["127.0.0.1:1"], { timeoutMs: 100 })]);
    n.send([ALERT, ALERT, ALERT]);
    assert.equal(n.stats.dropped, 1);
    return n.stop();
  });

  it("delivers firing and resolved alerts from rule evaluation with external labels", async () => {
    const am = await capture(200);
    const n = new AlertmanagerNotifier({ logger: silentLogger() });
    n.applyConfig([amSet([`127.0.0.1:${am.port}`])]);
    const env = newEnv({
      notify: alertSender({
        sinks: () => [n],
        externalURL: () => "http://vigil.example:9700",
        externalLabels: () => labelsFromRecord({ cluster: "eu1", job: "ignored" }),
        relabelConfigs: () => [],
      }),
    });
    await env.add(
      { __name__: "x", job: "api" },
      steps(0, 10 * MIN, MIN, (t) => (t < 3 * MIN ? 1 : 0)),
    );
    const [g] = env.groups(`groups:
  - name: g
    rules:
      - alert: Up
        expr: x > 0
        labels: {severity: critical}
        annotations: {summary: "up"}
`);
    try {
      for (let t = 0; t <= 3 * MIN; t += MIN) await g!.eval(t);
      await n.flush();
      // Requests may carry several evaluations' alerts, as the queue fills while one is sent.
      const sent = am.got.flatMap((r) => JSON.parse(r.body) as Record<string, unknown>[]);
      // Sent when it fires (0), re-sent after the resend delay (2m), and resolved (3m).
      assert.equal(sent.length, 3);
      assert.deepEqual(sent[0], {
        annotations: { summary: "up" },
        endsAt: "1970-01-01T00:04:00.000Z",
        startsAt: "1970-01-01T00:00:00.000Z",
        generatorURL: "http://vigil.example:9700/graph?g0.expr=x+%3E+0&g0.tab=1",
        labels: { alertname: "Up", cluster: "eu1", job: "api", severity: "critical" },
      });
      assert.equal(sent[1]!.endsAt, "1970-01-01T00:06:00.000Z");
      assert.equal(sent[2]!.endsAt, "1970-01-01T00:03:00.000Z");
    } finally {
      am.server.close();
    }
  });
});

// Interop: the real alertmanager 0.33 receives Vigil's alerts.
const here = dirname(fileURLToPath(import.meta.url));
const getPeers = resolve(here, "../../../shared/peers/get-peers.sh");

function peerBin(): string | undefined {
  if (!existsSync(getPeers)) return undefined;
  const r = spawnSync("bash", [getPeers], { encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) return undefined;
  const dir = r.stdout.trim().split("\n").pop() ?? "";
  const bin = join(dir, "alertmanager");
  return existsSync(bin) ? bin : undefined;
}

/**
 * amCommand is how to run the peer binary. Debian's alertmanager reads its default template
 * from /usr/share/prometheus/alertmanager, which get-peers.sh unpacks elsewhere; when the system
 * lacks it, the binary runs in a private mount namespace with the unpacked /usr/share bound
 * over the system's (nothing changes outside that process).
 */
function amCommand(bin: string, args: string[]): [string, string[]] | undefined {
  const system = "/usr/share/prometheus/alertmanager/default.tmpl";
  if (existsSync(system)) return [bin, args];
  const usr = resolve(dirname(realpathSync(bin)), "..");
  if (!existsSync(join(usr, "share/prometheus/alertmanager/default.tmpl"))) return undefined;
  if (spawnSync("unshare", ["--mount", "true"]).status !== 0) return undefined;
  const quoted = [realpathSync(bin), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return [
    "unshare",
    ["--mount", "sh", "-c", `mount --bind '${join(usr, "share")}' /usr/share && exec ${quoted}`],
  ];
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const addr = srv.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("alertmanager 0.33 interop", () => {
  const bin = peerBin();
  let proc: ChildProcess | undefined;
  const tmp = mkdtempSync(join(tmpdir(), "vigil-am-"));
  after(async () => {
    // Wait for alertmanager to exit: it may still be writing its data directory.
    const p = proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => p.kill("SIGKILL"), 5000);
        p.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        p.kill("SIGTERM");
      });
    }
    rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  it("receives Vigil's alerts with their labels and annotations", async (t) => {
    if (!bin) {
      t.skip("alertmanager binary not available (../shared/peers/get-peers.sh)");
      return;
    }
    const port = await freePort();
    writeFileSync(
      join(tmp, "am.yml"),
      "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n",
    );
    const cmd = amCommand(bin, [
      `--config.file=${join(tmp, "am.yml")}`,
      `--storage.path=${join(tmp, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ]);
    if (!cmd) {
      t.skip("alertmanager's default template is not installed and cannot be mounted");
      return;
    }
    proc = spawn(cmd[0], cmd[1], { stdio: "ignore" });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error("alertmanager did not start");
      await new Promise((r) => setTimeout(r, 100));
    }

    const n = new AlertmanagerNotifier({ logger: silentLogger() });
    n.applyConfig([amSet([`127.0.0.1:${port}`])]);
    const env = newEnv({
      notify: alertSender({
        sinks: () => [n],
        externalURL: () => SETTINGS.externalURL,
        externalLabels: () => labelsFromRecord({ cluster: "eu1" }),
        relabelConfigs: () => [],
      }),
    });
    // Evaluate at the wall clock, so that the alert is current for Alertmanager.
    const now = Date.now();
    await env.add({ __name__: "queue_depth", queue: "orders" }, [[now - 1000, 250]]);
    const [g] = env.groups(`groups:
  - name: queues
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 100
        labels: {severity: warning, team: shop}
        annotations:
          summary: "Queue {{ $labels.queue }} has {{ $value }} messages"
`);
    await g!.eval(now);
    await n.flush();
    assert.deepEqual(n.stats, { sent: 1, errors: 0, dropped: 0 });

    const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
      generatorURL: string;
      status: { state: string };
      startsAt: string;
    }[];
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.deepEqual(a!.labels, {
      alertname: "QueueBacklog",
      cluster: "eu1",
      queue: "orders",
      severity: "warning",
      team: "shop",
    });
    assert.deepEqual(a!.annotations, { summary: "Queue orders has 250 messages" });
    assert.equal(
      a!.generatorURL,
      `${SETTINGS.externalURL}/graph?g0.expr=queue_depth+%3E+100&g0.tab=1`,
    );
    assert.equal(a!.status.state, "active");
    assert.equal(new Date(a!.startsAt).getTime(), now);
  });
});
