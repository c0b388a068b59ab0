// Parses every `eval` expression of the upstream PromQL acceptance scripts (../shared/conformance
// /promql/*.test, copied from prometheus promql/promqltest/testdata at v3.5). Upstream parses each
// expression when it loads a script, so every one of them, including those of evals expected to
// fail, must parse; expected failures happen at evaluation time. The header patterns are those of
// promql/promqltest/test.go.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseExpr } from "./index.ts";

const DIR = fileURLToPath(new URL("../../../../shared/conformance/promql", import.meta.url));

const EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EVAL_RANGE =
  /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;

interface EvalCase {
  file: string;
  line: number;
  expr: string;
  expectFail: boolean;
}

function extractEvals(file: string, text: string): EvalCase[] {
  const lines = text.split("\n").map((l) => l.trim());
  const out: EvalCase[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!/^eval/i.test(line)) continue;
    const inst = EVAL_INSTANT.exec(line);
    const range = inst === null ? EVAL_RANGE.exec(line) : null;
    const m = inst ?? range;
    assert.ok(m, `${file}:${i + 1}: unrecognised eval line: ${line}`);
    const expr = inst !== null ? inst[3] : m[5];
    let expectFail = m[1] === "fail";
    // The body runs to the first empty or comment line.
    for (let j = i + 1; j < lines.length && lines[j] !== "" && !lines[j].startsWith("#"); j++) {
      if (/^expect\s+fail\b/.test(lines[j])) expectFail = true;
    }
    out.push({ file, line: i + 1, expr, expectFail });
  }
  return out;
}

test("conformance scripts: every eval expression parses", (t) => {
  if (!existsSync(DIR)) {
    t.skip(`conformance scripts not found at ${DIR}`);
    return;
  }
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith(".test"))
    .sort();
  const failures: string[] = [];
  let ok = 0;
  let expectFail = 0;
  let expectFailUnparsable = 0;
  for (const file of files) {
    for (const c of extractEvals(file, readFileSync(`${DIR}/${file}`, "utf8"))) {
      let err: unknown;
      try {
        parseExpr(c.expr);
      } catch (e) {
        err = e;
      }
      if (c.expectFail) {
        expectFail++;
        if (err !== undefined) expectFailUnparsable++;
        continue;
      }
      if (err === undefined) ok++;
      else failures.push(`${c.file}:${c.line}: ${c.expr}\n    ${(err as Error).message}`);
    }
  }
  t.diagnostic(
    `${files.length} files: ${ok} of ${ok + failures.length} expressions of successful evals parse; ` +
      `${expectFailUnparsable} of ${expectFail} expressions of expected-failure evals fail to parse`,
  );
  assert.deepEqual(failures, []);
  // Upstream loads a script only if all its expressions parse, so none of these may fail either.
  assert.equal(expectFailUnparsable, 0);
});
