import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";

const BIN = new URL("../../bin/vigil.mjs", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "vigil-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], cwd = tmp) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function lastLine(s: string): string {
  return s.trim().split("\n").at(-1) ?? "";
}

describe("vigil command line", () => {
  it("prints version and help", () => {
    const v = run(["--version"]);
    assert.equal(v.code, 0);
    assert.match(v.out, /^vigil, version \d+\.\d+\.\d+/);
    const h = run(["--help"]);
    assert.equal(h.code, 0);
    assert.match(h.out, /usage: vigil <command>/);
    assert.match(h.out, /--data-dir DIR/);
  });

  for (const [name, args, want] of [
    ["no command", [], /missing command/],
    ["unknown command", ["frobnicate"], /unknown command "frobnicate"/],
    ["unknown flag", ["start", "--bogus"], /unknown flag --bogus/],
    ["flag without value", ["start", "--config"], /--config/],
    ["bad log level", ["start", "--log-level", "loud"], /invalid --log-level "loud"/],
    ["bad listen", ["start", "--listen", "localhost"], /--listen: invalid listen address/],
    ["bad port", ["start", "--listen", "127.0.0.1:99999"], /--listen: invalid listen address/],
    ["stray argument", ["start", "extra"], /unexpected argument "extra"/],
    ["check without file", ["check", "config"], /missing FILE/],
    ["check unknown target", ["check", "everything"], /unknown target "everything"/],
  ] as const) {
    it(`exits 2 with a usage error: ${name}`, () => {
      const r = run([...args]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, want);
      assert.match(r.err, /Run 'vigil --help' for usage/);
    });
  }

  it("checks a valid and an invalid config", () => {
    const good = join(tmp, "good.yml");
    writeFileSync(good, "storage:\n  retention: 30d\n");
    const ok = run(["check", "config", good]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /SUCCESS/);
    const bad = join(tmp, "bad.yml");
    writeFileSync(bad, "server:\n  listen: 127.0.0.1:9700\nstroage:\n  engine: embedded\n");
    const r = run(["check", "config", bad]);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.yml:3:1: .*stroage/);
  });
});

describe("vigil start failures", () => {
  it("exits 1 with one line naming file, line and key for a bad config", () => {
    const bad = join(tmp, "bad-start.yml");
    writeFileSync(bad, "storage:\n  retention: forever\n");
    const r = run(["start", "--config", bad, "--listen", "127.0.0.1:0"]);
    assert.equal(r.code, 1);
    assert.match(
      lastLine(r.err),
      /^vigil: error: .*bad-start\.yml:2:\d+: storage\.retention: .*forever/,
    );
  });

  it("exits 1 when the config file does not exist", () => {
    const r = run(["start", "--config", join(tmp, "nope.yml"), "--listen", "127.0.0.1:0"]);
    assert.equal(r.code, 1);
    assert.match(lastLine(r.err), /^vigil: error: .*nope\.yml/);
  });

  it("exits 1 when the data directory is a file", () => {
    const file = join(tmp, "not-a-dir");
    writeFileSync(file, "x");
    const r = run(["start", "--data-dir", file, "--listen", "127.0.0.1:0"]);
    assert.equal(r.code, 1);
    assert.match(lastLine(r.err), /^vigil: error: data directory .*not-a-dir is not a directory$/);
  });

  it("exits 1 when ClickHouse is unreachable", () => {
    const cfg = join(tmp, "ch.yml");
    writeFileSync(
      cfg,
      "storage:\n  engine: clickhouse\n  clickhouse:\n    url: http://127.0.0.1:1\n    request_timeout: 2s\n",
    );
    const r = run(["start", "--config", cfg, "--listen", "127.0.0.1:0"]);
    assert.equal(r.code, 1);
    assert.match(
      lastLine(r.err),
      /^vigil: error: cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1/,
    );
  });

  it("exits 1 when the listen address is taken", async () => {
    const { createServer } = await import("node:net");
    const srv = createServer();
    await new Promise<void>((res) => srv.listen(0, "127.0.0.1", res));
    const port = (srv.address() as { port: number }).port;
    const r = run(["start", "--data-dir", join(tmp, "d-port"), "--listen", `127.0.0.1:${port}`]);
    srv.close();
    assert.equal(r.code, 1);
    assert.match(
      lastLine(r.err),
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
    );
  });
});

/** startVigil starts `vigil start` and resolves with its URL once it logs that it listens. */
async function startVigil(args: string[]) {
  const child = spawn(process.execPath, [BIN, "start", "--listen", "127.0.0.1:0", ...args], {
    cwd: tmp,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const exit = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stderr });
    rl.on("line", (l) => {
      lines.push(l);
      const m = /"address":"(http:\/\/[^"]+)"/.exec(l);
      if (m) resolve(m[1]!);
    });
    void exit.then((c) => reject(new Error(`vigil exited ${c}: ${lines.join("\n")}`)));
  });
  return { child, url, lines, exit };
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${url}/-/ready`);
    if (r.status === 200) return;
    assert.equal(r.status, 503);
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error("not ready in 10s");
}

async function metric(url: string, name: string): Promise<string> {
  const body = await (await fetch(`${url}/metrics`)).text();
  const line = body.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{"));
  return line ?? "";
}

describe("vigil start lifecycle", () => {
  it("serves health, readiness and metrics, reloads, refuses a second process, stops on SIGTERM", async () => {
    const dataDir = join(tmp, "data-life");
    const cfg = join(tmp, "life.yml");
    writeFileSync(cfg, `server:\n  log_level: info\nstorage:\n  data_dir: ${dataDir}\n`);
    const v = await startVigil(["--config", cfg]);
    try {
      await waitReady(v.url);
      assert.ok(existsSync(join(dataDir, "vigil.lock")));
      assert.equal(await (await fetch(`${v.url}/-/healthy`)).text(), "Vigil is Healthy.\n");

      const body = await (await fetch(`${v.url}/metrics`)).text();
      for (const name of [
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "nodejs_eventloop_lag_seconds",
        'vigil_http_requests_total{handler="/-/ready",code="200",method="GET"}',
        "vigil_http_request_duration_seconds_bucket",
        "vigil_storage_batches_total",
        "vigil_storage_rows_total",
        "vigil_storage_errors_total",
        "vigil_storage_insert_duration_seconds_bucket",
        "vigil_config_last_reload_successful 1",
      ]) {
        assert.ok(body.includes(name), `/metrics lacks ${name}`);
      }

      // A second process on the same data directory is refused with one clear line.
      const second = run(["start", "--config", cfg, "--listen", "127.0.0.1:0"]);
      assert.equal(second.code, 1);
      assert.match(lastLine(second.err), /data directory .* is locked by running process \d+/);

      // A bad reload keeps the running config and reports failure.
      writeFileSync(cfg, `server:\n  log_levle: debug\nstorage:\n  data_dir: ${dataDir}\n`);
      const bad = await fetch(`${v.url}/-/reload`, { method: "POST" });
      assert.equal(bad.status, 500);
      assert.match(await bad.text(), /failed to reload config: .*life\.yml:2:3: .*log_levle/);
      assert.equal(
        await metric(v.url, "vigil_config_last_reload_successful"),
        "vigil_config_last_reload_successful 0",
      );
      assert.equal((await fetch(`${v.url}/-/ready`)).status, 200, "still serving");

      // A good config through SIGHUP restores success.
      writeFileSync(cfg, `server:\n  log_level: debug\nstorage:\n  data_dir: ${dataDir}\n`);
      v.child.kill("SIGHUP");
      let ok = "";
      for (let i = 0; i < 100 && !ok.endsWith(" 1"); i++) {
        await new Promise((res) => setTimeout(res, 50));
        ok = await metric(v.url, "vigil_config_last_reload_successful");
      }
      assert.equal(ok, "vigil_config_last_reload_successful 1");
      const good = await fetch(`${v.url}/-/reload`, { method: "POST" });
      assert.equal(good.status, 200);
      assert.equal((await fetch(`${v.url}/-/reload`)).status, 405);
    } finally {
      v.child.kill("SIGTERM");
    }
    assert.equal(await v.exit, 0);
    assert.ok(!existsSync(join(dataDir, "vigil.lock")), "lock released on clean shutdown");
    assert.ok(v.lines.some((l) => l.includes('"msg":"stopped"')));
  });
});
