// `vigil check rules` and `vigil test rules` print exactly what promtool 3.5.3 prints: each case
// of testdata/golden/cases.tsv runs through the CLI and its stdout, stderr and exit code are
// compared with promtool's, captured in testdata/golden/.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../cli/index.ts";
import { goldenCases } from "./interop-support.ts";
import { BufferIo } from "./io.ts";

const TESTDATA = fileURLToPath(new URL("./testdata/", import.meta.url));

/** runInTestdata runs the vigil CLI with cwd set to testdata/, as the goldens were made. */
async function runInTestdata(args: readonly string[]): Promise<{ io: BufferIo; code: number }> {
  const io = new BufferIo();
  const cwd = process.cwd();
  process.chdir(TESTDATA);
  try {
    return { io, code: await main(args, io) };
  } finally {
    process.chdir(cwd);
  }
}

describe("vigil rules commands print what promtool prints", () => {
  for (const c of goldenCases()) {
    it(`${c.name}: ${c.args.join(" ")}`, async () => {
      const { io, code } = await runInTestdata(c.args);
      const want = (ext: string) => readFileSync(`${TESTDATA}golden/${c.name}.${ext}`, "utf8");
      assert.equal(io.stdout, want("stdout"), "stdout");
      assert.equal(io.stderr, want("stderr"), "stderr");
      assert.equal(code, Number(want("exit").trim()), "exit code");
    });
  }
});
