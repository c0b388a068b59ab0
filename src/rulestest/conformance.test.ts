import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { main as conformanceMain } from "../cmd/conformance.ts";
import { parseExpectedTsv, runConformance } from "./conformance.ts";
import { BufferIo } from "./io.ts";

const SHARED = fileURLToPath(new URL("../../../shared/conformance/rules/", import.meta.url));
const haveShared = existsSync(join(SHARED, "expected.tsv"));
const tmp = mkdtempSync(join(tmpdir(), "vigil-rules-conformance-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const HEADER =
  "command\ttest_file\trule_files_used\toptions\trun_filter\texpected_exit_code\texpected\tsource_test\twhy\n";

describe("rules conformance runner", () => {
  it("parses expected.tsv rows", () => {
    const rows = parseExpectedTsv(
      HEADER +
        "test rules\tt.yml\tr.yml\t--ignore-unknown-fields\tcorrect,wrong\t1\tfail\tX\twhy\n\n" +
        "check duplicates\td.yml\t-\t-\t-\tn/a\tdups=[a]\tY\twhy\n",
    );
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0], {
      line: 2,
      command: "test rules",
      testFile: "t.yml",
      ruleFilesUsed: "r.yml",
      options: "--ignore-unknown-fields",
      runFilter: "correct,wrong",
      expectedExitCode: "1",
      expected: "fail",
      sourceTest: "X",
    });
    assert.equal(rows[1]!.line, 4);
  });

  it(
    "gives promtool's verdict on every row of the shared expected.tsv",
    { skip: haveShared ? false : `${SHARED} not found` },
    async () => {
      const io = new BufferIo();
      const code = await runConformance(SHARED, io);
      const rows = parseExpectedTsv(readFileSync(join(SHARED, "expected.tsv"), "utf8"));
      assert.equal(
        io.stdout.trimEnd().split("\n").at(-1),
        `${rows.length} passed, 0 failed`,
        io.stdout,
      );
      assert.equal(code, 0);
    },
  );

  it("fails rows whose verdict differs, and says so", async () => {
    const dir = join(tmp, "wrong");
    cpSync(
      join(fileURLToPath(new URL("./testdata/", import.meta.url))),
      join(dir, "promtool-testdata"),
      {
        recursive: true,
      },
    );
    writeFileSync(
      join(dir, "expected.tsv"),
      HEADER +
        "test rules\teval-error-test.yml\t-\t-\t-\t0\tpass\tX\twrong on purpose\n" +
        "check rules\tdup-rules.yml\t-\tlint=duplicate-rules, lint-fatal\t-\t3\tfail(lint)\tY\tright\n" +
        "check duplicates\tdup-rules.yml\t-\t-\t-\tn/a\tdups=[Down]\tZ\tright\n" +
        "check duplicates\tservice-rules.yml\t-\t-\t-\tn/a\tdups=[X]\tZ\twrong on purpose\n",
    );
    const io = new BufferIo();
    assert.equal(await runConformance(dir, io), 1);
    const lines = io.stdout.split("\n").filter((l) => /^(PASS|FAIL)/.test(l));
    assert.deepEqual(lines, [
      "FAIL  test rules eval-error-test.yml: got exit 1, promtool exit 0",
      "PASS  check rules dup-rules.yml [lint=duplicate-rules, lint-fatal]: exit 3",
      "PASS  check duplicates dup-rules.yml: dups=[Down]",
      "FAIL  check duplicates service-rules.yml: got dups=[], promtool dups=[X]",
    ]);
    assert.match(io.stdout, /2 passed, 2 failed\n$/);
    // Failed rows show what Vigil printed.
    assert.match(io.stdout, / {6}rule: joined, time: 2m0s, err: found duplicate series/);
  });

  it("is the rules suite of npm run conformance", async () => {
    const io = new BufferIo();
    assert.equal(await conformanceMain(["rules", join(tmp, "absent")], io), 0);
    assert.match(io.stdout, /nothing to run/);
    const dir = join(tmp, "one");
    cpSync(fileURLToPath(new URL("./testdata/", import.meta.url)), join(dir, "promtool-testdata"), {
      recursive: true,
    });
    writeFileSync(
      join(dir, "expected.tsv"),
      HEADER + "check rules\tbad-rules.yml\t-\t-\t-\t1\tfail\tX\t-\n",
    );
    const ok = new BufferIo();
    assert.equal(await conformanceMain(["rules", dir], ok), 0);
    assert.match(ok.stdout, /1 passed, 0 failed\n$/);
  });
});
