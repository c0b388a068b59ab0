import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "./main.ts";

const TESTDATA = fileURLToPath(new URL("../rulestest/testdata/", import.meta.url));

async function run(args: string[]) {
  let out = "";
  let err = "";
  const code = await main(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

describe("vigil check rules / test rules", () => {
  it("checks rule files and runs tests", async () => {
    const ok = await run(["check", "rules", `${TESTDATA}service-rules.yml`]);
    assert.equal(ok.code, 0);
    assert.equal(ok.out, `Checking ${TESTDATA}service-rules.yml\n  SUCCESS: 4 rules found\n\n`);
    const t = await run(["test", "rules", `${TESTDATA}semantics-reversed-test.yml`]);
    assert.deepEqual(t, { code: 0, out: "  SUCCESS\n\n", err: "" });
  });

  it("refuses files that do not exist, as promtool's flag parser", async () => {
    for (const cmd of [
      ["check", "rules"],
      ["test", "rules"],
    ]) {
      const r = await run([...cmd, `${TESTDATA}nope.yml`]);
      assert.equal(r.code, 1);
      assert.equal(r.err, `vigil: error: path '${TESTDATA}nope.yml' does not exist, try --help\n`);
    }
  });

  it("passes flags through", async () => {
    const featuresFile = `${TESTDATA}../../../../shared/conformance/rules/promtool-testdata/features.yml`;
    if (existsSync(featuresFile)) {
      const features = await run([
        "check",
        "rules",
        "--enable-feature=promql-experimental-functions,bogus",
        featuresFile,
      ]);
      assert.match(features.err, /unknown feature flag "bogus" ignored/);
    }
    const lint = await run(["check", "rules", "--lint", "none", `${TESTDATA}dup-rules.yml`]);
    assert.equal(lint.code, 0);
    assert.match(lint.out, /SUCCESS: 4 rules found/);
    const policy = await run(["check", "rules", "--policy", `${TESTDATA}policy-rules.yml`]);
    assert.equal(policy.code, 3);
    const run1 = await run([
      "test",
      "rules",
      "--run",
      "^ordered$",
      `${TESTDATA}semantics-test.yml`,
    ]);
    assert.equal(run1.code, 1);
    const run2 = await run([
      "test",
      "rules",
      "--run",
      "^subquery",
      `${TESTDATA}semantics-test.yml`,
    ]);
    assert.equal(run2.code, 0, run2.err);
    const cov = await run([
      "test",
      "rules",
      "--coverage",
      "--policy",
      `${TESTDATA}policy-test.yml`,
    ]);
    assert.equal(cov.code, 1);
    assert.match(cov.out, /^ {2}SUCCESS\n\nCoverage: 4 alert\(s\)/);
  });

  it("reports usage errors with exit 2", async () => {
    for (const args of [
      ["test", "rules"],
      ["test"],
      ["test", "bogus", "x"],
      ["test", "alerts"],
      ["check", "rules", "--bogus"],
      ["test", "rules", "--run"],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, /^vigil: .*\nRun 'vigil --help' for usage\.\n$/);
    }
  });
});
