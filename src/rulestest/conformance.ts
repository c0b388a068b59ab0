// Conformance with promtool: every row of ../shared/conformance/rules/expected.tsv names a
// `promtool test rules` or `check rules` run on the files of promtool-testdata/ and the exit
// code promtool 3.5.3 gives; the row passes when Vigil gives the same exit code (and, for the
// `check duplicates` rows, finds the same duplicated rules).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage } from "../util/errors.ts";
import { checkRules, findDuplicateRules } from "./check-rules.ts";
import { BufferIo } from "./io.ts";
import type { Io } from "./io.ts";
import { parseFeatures, promtoolReadRuleFile } from "./rulefiles.ts";
import { testRules } from "./test-rules.ts";

/** ConformanceRow is one row of expected.tsv. */
export interface ConformanceRow {
  /** line is the row's line in the file (the header is line 1). */
  readonly line: number;
  readonly command: string;
  readonly testFile: string;
  readonly ruleFilesUsed: string;
  /** options are the row's options, comma separated, "-" for none. */
  readonly options: string;
  /** runFilter is the --run patterns, comma separated, "-" for none. */
  readonly runFilter: string;
  /** expectedExitCode is a number, or "n/a" for rows checked otherwise. */
  readonly expectedExitCode: string;
  readonly expected: string;
  readonly sourceTest: string;
}

/** RowVerdict is the outcome of one row. */
export interface RowVerdict {
  readonly row: ConformanceRow;
  readonly passed: boolean;
  /** got describes what Vigil did: "exit 1", "dups=[...]". */
  readonly got: string;
  /** want describes what promtool did. */
  readonly want: string;
  /** output is what Vigil printed (stdout then stderr). */
  readonly output: string;
}

/** parseExpectedTsv reads expected.tsv: a header line, then tab-separated rows. */
export function parseExpectedTsv(text: string): ConformanceRow[] {
  const lines = text.split("\n");
  const header = (lines[0] ?? "").split("\t");
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`expected.tsv: no column ${JSON.stringify(name)}`);
    return i;
  };
  const c = {
    command: col("command"),
    testFile: col("test_file"),
    ruleFilesUsed: col("rule_files_used"),
    options: col("options"),
    runFilter: col("run_filter"),
    exit: col("expected_exit_code"),
    expected: col("expected"),
    source: header.indexOf("source_test"),
  };
  const rows: ConformanceRow[] = [];
  lines.slice(1).forEach((l, i) => {
    if (l.trim() === "") return;
    const f = l.split("\t");
    rows.push({
      line: i + 2,
      command: f[c.command] ?? "",
      testFile: f[c.testFile] ?? "",
      ruleFilesUsed: f[c.ruleFilesUsed] ?? "",
      options: f[c.options] ?? "-",
      runFilter: f[c.runFilter] ?? "-",
      expectedExitCode: f[c.exit] ?? "",
      expected: f[c.expected] ?? "",
      sourceTest: c.source >= 0 ? (f[c.source] ?? "") : "",
    });
  });
  return rows;
}

function listOf(field: string): string[] {
  if (field === "-" || field.trim() === "") return [];
  return field
    .split(",")
    .map((s) => s.trim().replace(/^--/, ""))
    .filter((s) => s !== "");
}

/** runConformanceRow runs one row with the files under dataDir and judges it. */
export async function runConformanceRow(row: ConformanceRow, dataDir: string): Promise<RowVerdict> {
  const io = new BufferIo();
  const file = join(dataDir, row.testFile);
  const opts = listOf(row.options);
  const value = (name: string) =>
    opts.find((o) => o.startsWith(name + "="))?.slice(name.length + 1);
  const { features } = parseFeatures(
    opts.filter((o) => o.startsWith("enable-feature=")).map((o) => o.slice(15)),
  );
  const verdict = (got: string, want: string): RowVerdict => ({
    row,
    passed: got === want,
    got,
    want,
    output: io.stdout + io.stderr,
  });
  try {
    switch (row.command) {
      case "test rules": {
        // EnableAtModifier and EnableNegativeOffset are always on, as in promtool's CLI.
        const run = listOf(row.runFilter);
        const r = await testRules(
          [file],
          {
            ...(run.length > 0 && { run }),
            ignoreUnknownFields: opts.includes("ignore-unknown-fields"),
            features,
          },
          io,
        );
        return verdict(`exit ${r.exitCode}`, `exit ${row.expectedExitCode}`);
      }
      case "check rules": {
        const code = await checkRules(
          [file],
          {
            lint: value("lint") ?? "duplicate-rules",
            lintFatal: opts.includes("lint-fatal"),
            ignoreUnknownFields: opts.includes("ignore-unknown-fields"),
            features,
          },
          io,
        );
        return verdict(`exit ${code}`, `exit ${row.expectedExitCode}`);
      }
      case "check duplicates": {
        const { groups, errors } = await promtoolReadRuleFile(file, { features });
        if (errors.length > 0) return verdict(`error: ${errors[0]!.message}`, row.expected);
        const names = findDuplicateRules(groups).map((d) => d.metric);
        return verdict(`dups=[${names.join(" ")}]`, row.expected);
      }
      default:
        return verdict(`unknown command ${JSON.stringify(row.command)}`, row.expected);
    }
  } catch (err) {
    return verdict(`crash: ${errorMessage(err)}`, `exit ${row.expectedExitCode}`);
  }
}

/**
 * runConformance runs every row of DIR/expected.tsv, printing a verdict per row and a last line
 * `N passed, M failed`. It resolves to 0 when every row passed, 1 otherwise, 2 when DIR has no
 * expected.tsv.
 */
export async function runConformance(
  dir: string,
  io: Io,
  o: { verbose?: boolean } = {},
): Promise<number> {
  let text: string;
  try {
    text = await readFile(join(dir, "expected.tsv"), "utf8");
  } catch (err) {
    io.err(`conformance rules: cannot read ${join(dir, "expected.tsv")}: ${errorMessage(err)}\n`);
    return 2;
  }
  const rows = parseExpectedTsv(text);
  const dataDir = join(dir, "promtool-testdata");
  let passed = 0;
  let failed = 0;
  io.out(`Rules conformance: ${rows.length} rows of ${join(dir, "expected.tsv")}\n`);
  for (const row of rows) {
    const v = await runConformanceRow(row, dataDir);
    const args = [
      row.testFile,
      row.options !== "-" ? `[${row.options}]` : "",
      row.runFilter !== "-" ? `--run ${row.runFilter}` : "",
    ]
      .filter((s) => s !== "")
      .join(" ");
    if (v.passed) {
      passed++;
      io.out(`PASS  ${row.command} ${args}: ${v.got}\n`);
    } else {
      failed++;
      io.out(`FAIL  ${row.command} ${args}: got ${v.got}, promtool ${v.want}\n`);
    }
    if (o.verbose || !v.passed) {
      const out = v.output.trimEnd();
      if (out !== "") io.out(out.replace(/^/gm, "      ") + "\n");
    }
  }
  io.out(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
