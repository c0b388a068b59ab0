import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../util/logging/index.ts";
import { DEFAULT_HTTP_CLIENT_CONFIG } from "../util/http-client/index.ts";
import type { DiscoveryConfigs, DnsResolver, TargetGroup } from "./index.ts";
import {
  DiscoveryManager,
  DnsDiscoverer,
  FileDiscoverer,
  HttpDiscoverer,
  globToRegExp,
  parseTargetGroups,
} from "./index.ts";

/** collect runs a discoverer and keeps the latest group per source. */
function collect(d: {
  run(s: AbortSignal, u: (g: readonly TargetGroup[]) => void): Promise<void>;
}) {
  const groups = new Map<string, TargetGroup>();
  let updates = 0;
  const ac = new AbortController();
  const done = d.run(ac.signal, (gs) => {
    updates++;
    for (const g of gs) {
      if (g.targets.length === 0) groups.delete(g.source);
      else groups.set(g.source, g);
    }
  });
  return {
    groups,
    updates: () => updates,
    addresses: () =>
      [...groups.values()].flatMap((g) => g.targets.map((t) => t.__address__)).sort(),
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe("target group files", () => {
  it("parses groups and rejects unknown fields", () => {
    assert.deepEqual(parseTargetGroups([{ targets: ["a:1"], labels: { env: "x" } }], "f"), [
      { source: "f:0", targets: [{ __address__: "a:1" }], labels: { env: "x" } },
    ]);
    assert.throws(() => parseTargetGroups([{ target: ["a:1"] }], "f"), {
      message: 'target group 0: unknown field "target"',
    });
    assert.throws(() => parseTargetGroups([null], "f"), { message: "nil target group item found" });
    assert.throws(() => parseTargetGroups({}, "f"), {
      message: "expected a list of target groups",
    });
  });

  it("matches globs like Go's filepath.Match", () => {
    const re = globToRegExp("*.json");
    assert.ok(re.test("a.json") && re.test(".json") && !re.test("a.yml") && !re.test("d/a.json"));
    assert.ok(globToRegExp("t?[0-9].y*ml").test("ta1.yaml"));
    assert.ok(!globToRegExp("[^a]x.json").test("ax.json"));
  });
});

describe("FileDiscoverer", () => {
  it("follows a changing file, keeps the last good state of a bad one, and drops removed files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-filesd-"));
    const a = join(dir, "a.json");
    const b = join(dir, "b.yml");
    writeFileSync(
      a,
      JSON.stringify([{ targets: ["a1:9100", "a2:9100"], labels: { env: "prod" } }]),
    );
    writeFileSync(b, "- targets: [b1:9100]\n");
    const c = collect(
      new FileDiscoverer(
        { files: [join(dir, "*.json"), join(dir, "*.yml")], refreshIntervalMs: 60_000 },
        silentLogger(),
      ),
    );
    try {
      await waitFor(() => c.addresses().length === 3, "initial targets");
      const g = c.groups.get(`${a}:0`)!;
      assert.deepEqual(g.labels, { env: "prod", __meta_filepath: a });

      // A change is picked up through fs.watch, well before the refresh interval.
      writeFileSync(a, JSON.stringify([{ targets: ["a3:9100"] }]));
      await waitFor(() => c.addresses().join() === "a3:9100,b1:9100", "changed file");

      // A broken file is logged and keeps its previous targets.
      writeFileSync(a, "[{not json");
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(c.addresses().join(), "a3:9100,b1:9100");

      // Atomic replacement (write + rename), as config management tools do.
      writeFileSync(
        join(dir, "tmp"),
        JSON.stringify([{ targets: ["a4:9100"] }, { targets: ["a5:9100"] }]),
      );
      renameSync(join(dir, "tmp"), a);
      await waitFor(() => c.addresses().join() === "a4:9100,a5:9100,b1:9100", "renamed file");

      // Fewer groups: the missing ones are removed; a deleted file loses its targets.
      writeFileSync(a, JSON.stringify([{ targets: ["a4:9100"] }]));
      await waitFor(() => c.addresses().join() === "a4:9100,b1:9100", "shrunk file");
      rmSync(b);
      await waitFor(() => c.addresses().join() === "a4:9100", "deleted file");
    } finally {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("re-reads files every refresh interval", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-filesd-"));
    const f = join(dir, "later.json");
    const c = collect(new FileDiscoverer({ files: [f], refreshIntervalMs: 100 }, silentLogger()));
    try {
      await new Promise((r) => setTimeout(r, 50));
      writeFileSync(f, JSON.stringify([{ targets: ["x:1"] }]));
      await waitFor(() => c.addresses().join() === "x:1", "file created later");
    } finally {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("HttpDiscoverer", () => {
  it("fetches target groups, removes vanished ones and keeps state on errors", async () => {
    let body = JSON.stringify([{ targets: ["h1:80"], labels: { a: "1" } }, { targets: ["h2:80"] }]);
    let status = 200;
    let type = "application/json";
    let headers: Record<string, unknown> = {};
    const server = createServer((req, res) => {
      headers = req.headers;
      res.writeHead(status, { "Content-Type": type }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sd`;
    const c = collect(
      new HttpDiscoverer(
        {
          url,
          refreshIntervalMs: 50,
          httpClient: {
            ...DEFAULT_HTTP_CLIENT_CONFIG,
            authorization: { type: "Bearer", credentials: "tok" },
          },
        },
        silentLogger(),
      ),
    );
    try {
      await waitFor(() => c.addresses().join() === "h1:80,h2:80", "targets");
      assert.deepEqual(c.groups.get(`${url}:0`)!.labels, { a: "1", __meta_url: url });
      assert.equal(headers.authorization, "Bearer tok");
      assert.equal(headers["x-prometheus-refresh-interval-seconds"], "0.05");
      body = JSON.stringify([{ targets: ["h3:80"] }]);
      await waitFor(() => c.addresses().join() === "h3:80", "second group removed");
      // Errors keep the last state.
      const before = c.updates();
      status = 500;
      await new Promise((r) => setTimeout(r, 150));
      type = "text/plain";
      status = 200;
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(c.updates(), before);
      assert.equal(c.addresses().join(), "h3:80");
    } finally {
      await c.stop();
      server.close();
    }
  });
});

describe("DnsDiscoverer", () => {
  const resolver: DnsResolver = {
    resolve4: async (name) => {
      if (name === "web.example") return ["10.0.0.1", "10.0.0.2"];
      throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    },
    resolve6: async () => ["::1"],
    resolveSrv: async () => [
      { name: "node1.example", port: 9100 },
      { name: "node2.example", port: 9101 },
    ],
    resolveMx: async () => [{ exchange: "mx.example" }],
    resolveNs: async () => [],
  };

  it("resolves SRV records with their meta labels", async () => {
    const d = new DnsDiscoverer(
      { names: ["_node._tcp.example"], type: "SRV", port: 0, refreshIntervalMs: 30_000 },
      silentLogger(),
      resolver,
    );
    const [g] = await d.refresh();
    assert.equal(g!.source, "_node._tcp.example");
    assert.deepEqual(g!.targets[0], {
      __address__: "node1.example:9100",
      __meta_dns_name: "_node._tcp.example",
      __meta_dns_srv_record_target: "node1.example.",
      __meta_dns_srv_record_port: "9100",
      __meta_dns_mx_record_target: "",
      __meta_dns_ns_record_target: "",
    });
  });

  it("resolves A and AAAA records with the configured port, and skips failed names", async () => {
    const a = new DnsDiscoverer(
      { names: ["web.example", "missing.example"], type: "A", port: 80, refreshIntervalMs: 30_000 },
      silentLogger(),
      resolver,
    );
    const groups = await a.refresh();
    assert.equal(groups.length, 1);
    assert.deepEqual(
      groups[0]!.targets.map((t) => t.__address__),
      ["10.0.0.1:80", "10.0.0.2:80"],
    );
    const aaaa = new DnsDiscoverer(
      { names: ["v6.example"], type: "AAAA", port: 9100, refreshIntervalMs: 30_000 },
      silentLogger(),
      resolver,
    );
    assert.equal((await aaaa.refresh())[0]!.targets[0]!.__address__, "[::1]:9100");
  });
});

describe("DiscoveryManager", () => {
  const none: DiscoveryConfigs = {
    staticConfigs: [],
    fileSdConfigs: [],
    httpSdConfigs: [],
    dnsSdConfigs: [],
  };

  it("sends all jobs' groups, batching updates, and keeps unchanged providers on reload", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-filesd-"));
    const f = join(dir, "t.json");
    writeFileSync(f, JSON.stringify([{ targets: ["f1:1"] }]));
    const sent: Map<string, TargetGroup[]>[] = [];
    const m = new DiscoveryManager({
      logger: silentLogger(),
      updateIntervalMs: 300,
      onUpdate: (g) => sent.push(new Map(g)),
    });
    try {
      const jobs = new Map<string, DiscoveryConfigs>([
        ["static", { ...none, staticConfigs: [{ targets: ["s1:1", "s2:1"], labels: { a: "b" } }] }],
        ["file", { ...none, fileSdConfigs: [{ files: [f], refreshIntervalMs: 60_000 }] }],
        ["empty", none],
      ]);
      m.applyConfig(jobs);
      await waitFor(() => sent.some((s) => s.get("file")?.length === 1), "file targets");
      const last = sent[sent.length - 1]!;
      assert.deepEqual(last.get("static"), [
        {
          source: "0",
          targets: [{ __address__: "s1:1" }, { __address__: "s2:1" }],
          labels: { a: "b" },
        },
      ]);
      assert.deepEqual(last.get("empty"), []);

      // Updates within the interval are batched into one send.
      const n = sent.length;
      writeFileSync(f, JSON.stringify([{ targets: ["f2:1"] }]));
      await waitFor(() => sent.length > n, "batched update");
      const t = Date.now();
      writeFileSync(f, JSON.stringify([{ targets: ["f3:1"] }]));
      await waitFor(
        () => sent[sent.length - 1]!.get("file")![0]!.targets[0]!.__address__ === "f3:1",
        "f3",
      );
      assert.ok(Date.now() - t >= 150, "the second update waited for the interval");

      // Reloading with an unchanged job keeps its provider (and its targets) in place.
      m.applyConfig(new Map([["file", jobs.get("file")!]]));
      assert.deepEqual(
        m
          .targetGroups()
          .get("file")!
          .map((g) => g.targets[0]!.__address__),
        ["f3:1"],
      );
      assert.deepEqual([...m.targetGroups().keys()], ["file"]);
    } finally {
      await m.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
