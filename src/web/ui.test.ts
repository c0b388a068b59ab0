import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { newSelfMetrics } from "../exporters/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { createWebServer } from "./server.ts";
import { isApiPath, registerUi } from "./ui.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-ui-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const built = join(tmp, "dist");
mkdirSync(join(built, "assets"), { recursive: true });
writeFileSync(join(built, "index.html"), "<!doctype html><title>Vigil</title>");
writeFileSync(join(built, "assets", "index-abc123.js"), "console.log(1)");
writeFileSync(join(built, "assets", "index-abc123.css"), "body{}");
writeFileSync(join(built, "favicon.svg"), "<svg/>");

async function server(dir: string) {
  const app = await createWebServer({
    logger: silentLogger(),
    metrics: newSelfMetrics(),
    maxRequestBodyBytes: 1024,
    isReady: () => true,
    reload: async () => {},
  });
  app.get("/api/v1/query", async () => ({ status: "success" }));
  registerUi(app, { dir });
  // A route added after the UI still wins over its wildcard.
  app.get("/api/vigil/heartbeats", async () => ({ status: "success", data: [] }));
  return app;
}

describe("registerUi", () => {
  it("serves index.html at / and for client-side routes, revalidated", async () => {
    const app = await server(built);
    for (const url of ["/", "/explore?g0.expr=up", "/targets", "/silences/new", "/a/b/c"]) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, url);
      assert.match(r.headers["content-type"] as string, /^text\/html/, url);
      assert.equal(r.headers["cache-control"], "no-cache", url);
      assert.equal(r.body, "<!doctype html><title>Vigil</title>", url);
    }
    await app.close();
  });

  it("serves hashed assets as immutable with their content types", async () => {
    const app = await server(built);
    const js = await app.inject({ url: "/assets/index-abc123.js" });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers["content-type"] as string, /^text\/javascript/);
    assert.equal(js.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(js.body, "console.log(1)");
    const css = await app.inject({ url: "/assets/index-abc123.css" });
    assert.match(css.headers["content-type"] as string, /^text\/css/);
    const svg = await app.inject({ url: "/favicon.svg" });
    assert.equal(svg.headers["content-type"], "image/svg+xml");
    assert.equal(svg.headers["cache-control"], "no-cache");
    const etag = js.headers.etag as string;
    const again = await app.inject({
      url: "/assets/index-abc123.js",
      headers: { "if-none-match": etag },
    });
    assert.equal(again.statusCode, 304);
    const head = await app.inject({ method: "HEAD", url: "/assets/index-abc123.js" });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, "");
    await app.close();
  });

  it("answers 404 for missing assets instead of HTML", async () => {
    const app = await server(built);
    const r = await app.inject({ url: "/assets/index-old.js" });
    assert.equal(r.statusCode, 404);
    assert.doesNotMatch(r.body, /doctype/);
    await app.close();
  });

  it("keeps API routes and their 404 JSON", async () => {
    const app = await server(built);
    assert.equal((await app.inject({ url: "/api/v1/query" })).json().status, "success");
    assert.equal((await app.inject({ url: "/api/vigil/heartbeats" })).json().status, "success");
    for (const url of [
      "/api/v1/nope",
      "/api",
      "/loki/api/v1/query",
      "/metrics/job/x",
      "/-/nope",
      "/federate/x",
      "/v1/metrics",
    ]) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 404, url);
      assert.deepEqual(
        r.json(),
        { message: `Route GET:${url} not found`, error: "Not Found", statusCode: 404 },
        url,
      );
    }
    await app.close();
  });

  it("does not serve files outside its directory", async () => {
    writeFileSync(join(tmp, "secret.txt"), "secret");
    const app = await server(built);
    for (const url of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"]) {
      const r = await app.inject({ url });
      assert.notEqual(r.body, "secret", url);
    }
    await app.close();
  });

  it("explains how to build the app when it is missing", async () => {
    const app = await server(join(tmp, "missing"));
    const r = await app.inject({ url: "/targets" });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers["content-type"] as string, /^text\/html/);
    assert.match(r.body, /npm run build:ui/);
    assert.equal((await app.inject({ url: "/api/v1/nope" })).statusCode, 404);
    await app.close();
  });

  it("tells API paths from app paths", () => {
    assert.ok(isApiPath("/api/v1/query"));
    assert.ok(isApiPath("/metrics"));
    assert.ok(!isApiPath("/metricsfoo"));
    assert.ok(!isApiPath("/alerts"));
    assert.ok(!isApiPath("/"));
  });
});
