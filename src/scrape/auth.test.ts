import { describe, it, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStorage } from "../storage/memory/index.ts";
import { job, lastValue, serve, startScraping, waitFor } from "./testdata/helpers.ts";

const TEXT = "text/plain; version=0.0.4";

/** opensslAvailable tells whether the openssl command runs. */
function opensslAvailable(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("scrape authentication", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-auth-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** scrapeWith scrapes a server that wants the given Authorization header. */
  async function scrapeWith(want: string, cfg: Record<string, unknown>) {
    const seen: string[] = [];
    const srv = await serve((req, res) => {
      seen.push(String(req.headers.authorization));
      if (req.headers.authorization !== want) {
        res.writeHead(401, "Unauthorized").end();
        return;
      }
      res.setHeader("Content-Type", TEXT);
      res.end("secret_metric 1\n");
    });
    const storage = new MemoryStorage();
    const m = await startScraping(job({ scrape_interval: "1s", ...cfg }), [srv.addr], storage);
    await waitFor(async () => (await lastValue(storage, "up")) !== undefined, "a scrape");
    const t = m.targetsActive().get("test")![0]!;
    const result = { up: await lastValue(storage, "up"), error: t.lastError, seen };
    await m.stop();
    await srv.close();
    return result;
  }

  it("sends basic auth, with the password from a file", async () => {
    const basic = `Basic ${Buffer.from("user:pa ss").toString("base64")}`;
    assert.equal(
      (await scrapeWith(basic, { basic_auth: { username: "user", password: "pa ss" } })).up,
      1,
    );
    const file = join(dir, "password");
    writeFileSync(file, "pa ss\n");
    assert.equal(
      (await scrapeWith(basic, { basic_auth: { username: "user", password_file: file } })).up,
      1,
    );
    const wrong = await scrapeWith(basic, { basic_auth: { username: "user", password: "nope" } });
    assert.equal(wrong.up, 0);
    assert.equal(wrong.error, "server returned HTTP status 401 Unauthorized");
  });

  it("sends bearer credentials (authorization, credentials_file, legacy bearer_token)", async () => {
    assert.equal((await scrapeWith("Bearer t0k", { authorization: { credentials: "t0k" } })).up, 1);
    const file = join(dir, "token");
    writeFileSync(file, "t0k\n");
    assert.equal(
      (await scrapeWith("Bearer t0k", { authorization: { credentials_file: file } })).up,
      1,
    );
    assert.equal((await scrapeWith("Bearer t0k", { bearer_token: "t0k" })).up, 1);
    assert.equal(
      (await scrapeWith("Custom t0k", { authorization: { type: "Custom", credentials: "t0k" } }))
        .up,
      1,
    );
  });

  it("fetches an OAuth2 token with the client credentials grant and caches it", async () => {
    let tokenRequests = 0;
    let form = "";
    let basic = "";
    const tokenServer = await serve((req, res) => {
      tokenRequests++;
      basic = String(req.headers.authorization);
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        form = body;
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ access_token: "abc", token_type: "bearer", expires_in: 3600 }));
      });
    });
    try {
      const r = await scrapeWith("Bearer abc", {
        scrape_interval: "100ms",
        oauth2: {
          client_id: "vigil",
          client_secret: "s3",
          token_url: `http://${tokenServer.addr}/token`,
          scopes: ["read", "metrics"],
          endpoint_params: { audience: "x" },
        },
      });
      assert.equal(r.up, 1);
      assert.equal(basic, `Basic ${Buffer.from("vigil:s3").toString("base64")}`);
      const params = new URLSearchParams(form);
      assert.equal(params.get("grant_type"), "client_credentials");
      assert.equal(params.get("scope"), "read metrics");
      assert.equal(params.get("audience"), "x");
      assert.equal(tokenRequests, 1);
    } finally {
      await tokenServer.close();
    }
  });
});

describe(
  "scrape over TLS",
  { skip: opensslAvailable() ? false : "openssl is not installed" },
  () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-tls-"));
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    let addr = "";
    let close: () => void = () => {};

    before(async () => {
      execFileSync(
        "openssl",
        [
          ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
          ...["-keyout", key, "-out", cert, "-subj", "/CN=vigil-test"],
          ...["-addext", "subjectAltName=DNS:vigil-test,IP:127.0.0.1"],
        ],
        { stdio: "ignore" },
      );
      const server = createServer(
        { cert: readFileSync(cert), key: readFileSync(key) },
        (_req, res) => {
          res.setHeader("Content-Type", TEXT);
          res.end("tls_metric 42\n");
        },
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => {
        server.closeAllConnections();
        server.close();
      };
    });
    after(() => {
      close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function scrape(cfg: Record<string, unknown>) {
      const storage = new MemoryStorage();
      const m = await startScraping(
        job({ scheme: "https", scrape_interval: "1s", ...cfg }),
        [addr],
        storage,
      );
      await waitFor(async () => (await lastValue(storage, "up")) !== undefined, "a scrape");
      const r = {
        up: await lastValue(storage, "up"),
        value: await lastValue(storage, "tls_metric"),
        error: m.targetsActive().get("test")![0]!.lastError,
      };
      await m.stop();
      return r;
    }

    it("verifies the server against ca_file or inline ca", async () => {
      assert.deepEqual(await scrape({ tls_config: { ca_file: cert } }), {
        up: 1,
        value: 42,
        error: "",
      });
      const inline = await scrape({ tls_config: { ca: readFileSync(cert, "utf8") } });
      assert.equal(inline.up, 1);
    });

    it("rejects an unknown certificate unless insecure_skip_verify", async () => {
      const r = await scrape({});
      assert.equal(r.up, 0);
      assert.match(r.error, /self-signed certificate/);
      assert.equal((await scrape({ tls_config: { insecure_skip_verify: true } })).up, 1);
    });

    it("checks server_name", async () => {
      assert.equal(
        (await scrape({ tls_config: { ca_file: cert, server_name: "vigil-test" } })).up,
        1,
      );
      const r = await scrape({ tls_config: { ca_file: cert, server_name: "other" } });
      assert.equal(r.up, 0);
      assert.match(r.error, /other/);
    });
  },
);
