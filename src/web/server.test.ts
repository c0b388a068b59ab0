import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newSelfMetrics } from "../exporters/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { createWebServer } from "./server.ts";

async function server(
  opts: { ready?: () => boolean; reload?: () => Promise<void>; rate?: number } = {},
) {
  const metrics = newSelfMetrics();
  const app = await createWebServer({
    logger: silentLogger(),
    metrics,
    maxRequestBodyBytes: 1024,
    rateLimitPerSecond: opts.rate,
    isReady: opts.ready ?? (() => true),
    reload: opts.reload ?? (async () => {}),
  });
  app.post("/echo", async (req) => req.body);
  return { app, metrics };
}

describe("web server", () => {
  it("answers /-/ready 503 until ready, then 200", async () => {
    let ready = false;
    const { app } = await server({ ready: () => ready });
    const r1 = await app.inject({ url: "/-/ready" });
    assert.equal(r1.statusCode, 503);
    ready = true;
    const r2 = await app.inject({ url: "/-/ready" });
    assert.equal(r2.statusCode, 200);
    assert.equal(r2.body, "Vigil is Ready.\n");
    await app.close();
  });

  it("reports reload failures with Prometheus's message and status", async () => {
    const { app } = await server({
      reload: async () => {
        throw new Error("vigil.yml:3:1: stroage: unknown key");
      },
    });
    const r = await app.inject({ method: "POST", url: "/-/reload" });
    assert.equal(r.statusCode, 500);
    assert.equal(r.body, "failed to reload config: vigil.yml:3:1: stroage: unknown key\n");
    await app.close();
  });

  it("refuses oversized bodies with 413", async () => {
    const { app } = await server();
    const r = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "text/plain" },
      payload: "x".repeat(2048),
    });
    assert.equal(r.statusCode, 413);
    await app.close();
  });

  it("rate-limits a client with 429", async () => {
    const { app } = await server({ rate: 5 });
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await app.inject({ url: "/-/healthy" })).statusCode);
    assert.deepEqual(codes.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.ok(
      codes.slice(5).every((c) => c === 429),
      String(codes),
    );
    await app.close();
  });

  it("counts requests by route pattern and status code", async () => {
    const { app, metrics } = await server();
    await app.inject({ url: "/-/healthy" });
    await app.inject({ url: "/no/such/path" });
    const text = await metrics.registry.metrics();
    assert.match(
      text,
      /vigil_http_requests_total\{handler="\/-\/healthy",code="200",method="GET"\} 1/,
    );
    assert.match(
      text,
      /vigil_http_requests_total\{handler="unmatched",code="404",method="GET"\} 1/,
    );
    await app.close();
  });
});
