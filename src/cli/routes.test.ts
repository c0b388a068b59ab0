import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "./main.ts";

const tmp = mkdtempSync(join(tmpdir(), "vigil-routes-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const AM = `route:
  receiver: default
  routes:
    - matchers: [severity="critical"]
      receiver: pager
      continue: true
    - matchers: [service="db"]
      receiver: db
receivers: [{name: default}, {name: pager}, {name: db}, {name: payments}]
`;

void test("vigil test routes prints receivers in amtool's order", async () => {
  const file = join(tmp, "am.yml");
  writeFileSync(file, AM);
  assert.deepEqual(
    await run(["test", "routes", "--config", file, "severity=critical", "service=db"]),
    {
      code: 0,
      out: "pager,db\n",
      err: "",
    },
  );
  assert.equal(
    (await run(["test", "routes", "--config", file, "team=payments"])).out,
    "payments\n",
  );
  assert.equal(
    (await run(["test", "routes", "--no-team-routing", "--config", file, "team=payments"])).out,
    "default\n",
  );
  const verify = await run(["test", "routes", "--config", file, "--verify.receivers", "db", "x=y"]);
  assert.equal(verify.code, 1);
  assert.equal(
    verify.out,
    "default\nWARNING: Expected receivers did not match resolved receivers.\n",
  );
  const bad = await run(["test", "routes", "--config", file, "a=~b"]);
  assert.deepEqual(
    [bad.code, bad.err],
    [1, "vigil: error: Labels must be specified as key=value pairs\n"],
  );
  // A vigil.yml with the configuration inline.
  const vigil = join(tmp, "vigil.yml");
  writeFileSync(
    vigil,
    `alertmanager:\n${AM.trimEnd().replace(/^/gm, "  ")}\n  team_routing: false\n`,
  );
  assert.equal(
    (await run(["test", "routes", "--config", vigil, "team=payments"])).out,
    "default\n",
  );
  // Invalid configuration: file:line and reason.
  writeFileSync(file, "route:\n  receiver: nope\nreceivers: [{name: a}]\n");
  const invalid = await run(["test", "routes", "--config", file, "a=b"]);
  assert.equal(invalid.code, 1);
  assert.match(
    invalid.err,
    /am\.yml:2:13: route\.receiver: undefined receiver "nope" used in route/,
  );
  assert.equal((await run(["test", "routes", "a=b"])).code, 2);
});
