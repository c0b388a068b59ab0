// Tests of the `npm run conformance` command (src/cmd/conformance.ts) with a stand-in engine.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cmd/conformance.ts";
import type { Io } from "../../cmd/conformance.ts";
import { SelectorEngine } from "./fake-engine.ts";

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    stdout: () => out,
    stderr: () => err,
  };
}

function scripts(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "promqltest-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const PASSING = "load 1m\n  foo 1 2\n\neval instant at 1m foo\n  foo 2\n";
const FAILING = "load 1m\n  foo 1 2\n\neval instant at 1m foo\n  foo 3\n";
const NATIVE = "load 1m\n  h {{count:1}}\n\neval instant at 1m h\n  h {{count:1}}\n";

describe("conformance command", () => {
  const engine = async () => new SelectorEngine();

  it("prints per-file tallies and exits 0 when everything passes", async () => {
    const dir = scripts({ "a.test": PASSING, "n.test": NATIVE, "ignored.txt": "x" });
    try {
      const io = capture();
      assert.equal(await main(["promql", dir], io, engine), 0);
      const lines = io.stdout().trimEnd().split("\n");
      assert.match(
        lines[1]!,
        /^a\.test\s+1 passed\s+0 failed\s+native\s+0 passed\s+0 failed\s+0 skipped/,
      );
      assert.match(lines[2]!, /^n\.test\s+0 passed\s+0 failed\s+native\s+1 passed\s+0 failed/);
      assert.equal(lines.at(-2), "native histograms: 1 passed, 0 failed");
      assert.equal(lines.at(-1), "1 passed, 0 failed");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("exits 1 on failures and explains them with --verbose", async () => {
    const dir = scripts({ "a.test": PASSING, "b.test": FAILING, "c.test": "nonsense\n" });
    try {
      const io = capture();
      assert.equal(await main(["promql", dir, "--verbose"], io, engine), 1);
      const out = io.stdout();
      assert.match(out, /line 4: foo\n\s+expected 3 for foo but got 2/);
      assert.match(out, /parse error: line 1: invalid command "nonsense"/);
      assert.match(out, /\n1 passed, 2 failed\n$/);

      const quiet = capture();
      assert.equal(await main(["promql", dir, "--run", "a."], quiet, engine), 0);
      assert.doesNotMatch(quiet.stdout(), /b\.test/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("handles a missing directory, a missing engine and other suites", async () => {
    let io = capture();
    assert.equal(await main(["promql", "/nonexistent/promql"], io, engine), 0);
    assert.match(io.stdout(), /not found/);

    const dir = scripts({ "a.test": PASSING });
    try {
      io = capture();
      assert.equal(await main(["promql", dir], io, async () => "no engine yet"), 2);
      assert.match(io.stderr(), /no engine yet/);
    } finally {
      rmSync(dir, { recursive: true });
    }

    const empty = mkdtempSync(join(tmpdir(), "vigil-logql-empty-"));
    try {
      io = capture();
      assert.equal(await main(["logql", empty], io, engine), 0);
      assert.match(io.stdout(), /LogQL conformance vectors not found in .*; nothing to run/);
    } finally {
      rmSync(empty, { recursive: true });
    }
    io = capture();
    assert.equal(await main(["bogus"], io, engine), 2);
    assert.match(io.stderr(), /unknown suite/);
  });
});
