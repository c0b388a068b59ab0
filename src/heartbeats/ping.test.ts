import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createServer as createTcpServer } from "node:net";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { silentLogger } from "../util/logging/index.ts";
import { HeartbeatService } from "./index.ts";

interface Captured {
  method: string;
  url: string;
  userAgent: string;
}

async function captureServer(status: () => number) {
  const got: Captured[] = [];
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      got.push({
        method: req.method ?? "",
        url: req.url ?? "",
        userAgent: req.headers["user-agent"] ?? "",
      });
      res.statusCode = status();
      res.end("OK");
    });
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  const close = () => new Promise<void>((r) => srv.close(() => r()));
  return { got, url: `http://127.0.0.1:${port}/api/vigil/heartbeats/vigil-a`, close };
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function metric(registry: Registry, name: string): Promise<number> {
  const m = await registry.getSingleMetric(name)!.get();
  return m.values[0]?.value ?? 0;
}

function service(registry: Registry) {
  return new HeartbeatService({ sinks: () => [], logger: silentLogger(), registry });
}

describe("heartbeat ping", () => {
  it("POSTs to the URL at every interval", async () => {
    const cap = await captureServer(() => 200);
    const registry = new Registry();
    const svc = service(registry);
    svc.applyConfig({ checks: [], ping: { url: cap.url, intervalMs: 50, timeoutMs: 1000 } });
    svc.start();
    try {
      await until(() => cap.got.length >= 3);
      assert.equal(cap.got[0]!.method, "POST");
      assert.equal(cap.got[0]!.url, "/api/vigil/heartbeats/vigil-a");
      assert.match(cap.got[0]!.userAgent, /^Vigil\//);
      assert.equal(await metric(registry, "vigil_heartbeat_ping_failures_total"), 0);
      assert.ok((await metric(registry, "vigil_heartbeat_pings_total")) >= 3);
      assert.ok(
        (await metric(registry, "vigil_heartbeat_ping_last_success_timestamp_seconds")) > 0,
      );
    } finally {
      await svc.stop();
      await cap.close();
    }
  });

  it("counts failures (status, refused connection) without crashing", async () => {
    const cap = await captureServer(() => 500);
    const registry = new Registry();
    const svc = service(registry);
    svc.applyConfig({ checks: [], ping: { url: cap.url, intervalMs: 50, timeoutMs: 1000 } });
    svc.start();
    try {
      await until(async () => (await metric(registry, "vigil_heartbeat_ping_failures_total")) >= 2);
      // The server goes away: connections are refused, and pinging goes on.
      await cap.close();
      const before = await metric(registry, "vigil_heartbeat_ping_failures_total");
      await until(
        async () => (await metric(registry, "vigil_heartbeat_ping_failures_total")) >= before + 2,
      );
      // A reload without ping stops it.
      svc.applyConfig({ checks: [] });
      await new Promise((r) => setTimeout(r, 100));
      const after = await metric(registry, "vigil_heartbeat_pings_total");
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(await metric(registry, "vigil_heartbeat_pings_total"), after);
    } finally {
      await svc.stop();
    }
  });

  it("times out a server that does not answer", async () => {
    const sockets: Socket[] = [];
    const srv = createTcpServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as AddressInfo).port;
    const registry = new Registry();
    const svc = service(registry);
    svc.applyConfig({
      checks: [],
      ping: { url: `http://127.0.0.1:${port}/`, intervalMs: 1000, timeoutMs: 50 },
    });
    svc.start();
    try {
      await until(async () => (await metric(registry, "vigil_heartbeat_ping_failures_total")) >= 1);
    } finally {
      await svc.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
