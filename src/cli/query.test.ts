import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { App } from "../app/index.ts";
import { labelsFromRecord } from "../model/labels/index.ts";
import { silentLogger } from "../util/logging/index.ts";
import { main } from "./index.ts";

const BIN = new URL("../../bin/vigil.mjs", import.meta.url).pathname;
const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const T = T0 / 1000;

const tmp = mkdtempSync(join(tmpdir(), "vigil-query-"));
let app: App;
let url: string;

before(async () => {
  const cfg = join(tmp, "vigil.yml");
  writeFileSync(cfg, "storage:\n  engine: memory\n");
  app = new App({ configFile: cfg, overrides: { listen: "127.0.0.1:0" }, logger: silentLogger() });
  await app.start();
  url = app.address;
  const a = app.store.appender();
  for (let i = 0; i <= 4; i++) {
    const t = T0 - 60_000 + i * 15_000;
    a.append(0, labelsFromRecord({ __name__: "up", job: "api", instance: "a:1" }), t, 1);
    a.append(0, labelsFromRecord({ __name__: "up", job: "db", instance: "b:1" }), t, 0);
  }
  await a.commit();
});

after(async () => {
  await app.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** vigil runs the command line in this process and captures its output. */
async function vigil(...args: string[]) {
  let out = "";
  let err = "";
  const code = await main(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

describe("vigil query", () => {
  it("prints an instant vector as a table", async () => {
    const r = await vigil("query", "up", "--time", String(T), "--url", url);
    assert.equal(r.err, "");
    assert.equal(r.code, 0);
    assert.equal(r.out, 'up{instance="a:1", job="api"}  1\nup{instance="b:1", job="db"}   0\n');
  });

  it("runs a range query, one line per series", async () => {
    const r = await vigil(
      "query",
      "sum by (job) (up)",
      "--start",
      String(T - 30),
      "--end",
      new Date(T0).toISOString(),
      "--step",
      "15s",
      "--url",
      url,
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      `{job="api"}  1 @${T - 30}, 1 @${T - 15}, 1 @${T}\n` +
        `{job="db"}   0 @${T - 30}, 0 @${T - 15}, 0 @${T}\n`,
    );
  });

  it("prints scalars and the API's JSON", async () => {
    const s = await vigil("query", "scalar(sum(up))", "--time", String(T), "--url", url);
    assert.equal(s.out, "1\n");
    const j = await vigil("query", "up", "--time", String(T), "--format", "json", "--url", url);
    assert.equal(j.code, 0);
    const direct = await fetch(`${url}/api/v1/query?query=up&time=${T}`);
    assert.equal(j.out, (await direct.text()) + "\n");
  });

  it("prints warnings and infos on stderr", async () => {
    const r = await vigil("query", "rate(up[5m])", "--time", String(T), "--url", url);
    assert.equal(r.code, 0);
    assert.equal(
      r.err,
      'info: PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "up" (1:6)\n',
    );
  });

  it("exits 1 with the API's error", async () => {
    const r = await vigil("query", "up{", "--url", url);
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.equal(
      r.err,
      'vigil: error: bad_data: invalid parameter "query": 1:4: parse error: unexpected end of input inside braces\n',
    );
    const range = await vigil("query", "up", "--start", "10", "--end", "5", "--url", url);
    assert.equal(range.code, 1);
    assert.match(range.err, /bad_data: invalid parameter "end": end timestamp must not be before/);
  });

  it("exits 1 when Vigil cannot be reached", async () => {
    const srv = createServer();
    await new Promise<void>((res) => srv.listen(0, "127.0.0.1", res));
    const port = (srv.address() as { port: number }).port;
    await new Promise((res) => srv.close(res));
    const r = await vigil("query", "up", "--url", `http://127.0.0.1:${port}`);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      new RegExp(`^vigil: error: cannot query http://127\\.0\\.0\\.1:${port}/: .*ECONNREFUSED`),
    );
  });

  for (const [name, args, want] of [
    ["no expression", [], /query: missing EXPR/],
    ["two expressions", ["up", "down"], /unexpected argument "down"/],
    ["bad format", ["up", "--format", "yaml"], /invalid --format "yaml" \(want table or json\)/],
    ["time with range flags", ["up", "--time", "1", "--step", "1"], /--time cannot be combined/],
    ["bad time", ["up", "--time", "noon"], /--time: cannot parse "noon" to a valid timestamp/],
    ["bad step", ["up", "--step", "fast"], /--step: cannot parse "fast" to a valid duration/],
    ["bad url", ["up", "--url", "localhost:9700"], /invalid --url "localhost:9700"/],
    ["unknown flag", ["up", "--limit", "3"], /unknown flag --limit/],
  ] as const) {
    it(`exits 2 with a usage error: ${name}`, async () => {
      const r = await vigil("query", ...args);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, want);
      assert.match(r.err, /Run 'vigil --help' for usage/);
    });
  }

  it("works through the installed command", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      "query",
      "count(up)",
      "--time",
      String(T),
      "--url",
      url,
    ]);
    assert.equal(stdout, "{}  2\n");
  });
});
