// `vigil test rules`: runs test files and prints what promtool prints (RulesUnitTestResult):
// "  SUCCESS" or "  FAILED:" and the failures per file, with promtool's split between stdout
// and stderr, and exit code 0 (all passed) or 1. With coverage, it then lists the alerts no test
// fires and the alerts no test shows silent.
import type { Io } from "./io.ts";
import type { CoverageReport } from "./coverage.ts";
import { coverageOf, formatCoverage } from "./coverage.ts";
import type { TestFileResult, UnitTestOptions } from "./runner.ts";
import { runTestFile } from "./runner.ts";

/** TestRulesOptions are the options of `vigil test rules`. */
export interface TestRulesOptions extends Omit<UnitTestOptions, "out" | "err"> {
  /** coverage prints which alerts lack a firing or a silent test case. */
  readonly coverage?: boolean;
  /** requireCoverage fails the run when an alert lacks either case (the team policy). */
  readonly requireCoverage?: boolean;
}

/** TestRulesResult is what a run found, for callers that need more than the exit code. */
export interface TestRulesResult {
  readonly exitCode: number;
  readonly files: readonly TestFileResult[];
  readonly coverage?: CoverageReport;
}

/** SUCCESS_EXIT_CODE and FAILURE_EXIT_CODE are promtool's exit codes. */
export const SUCCESS_EXIT_CODE = 0;
export const FAILURE_EXIT_CODE = 1;

/** testRules runs the test files in order and prints their results as promtool does. */
export async function testRules(
  files: readonly string[],
  o: TestRulesOptions,
  io: Io,
): Promise<TestRulesResult> {
  let failed = false;
  const results: TestFileResult[] = [];
  for (const f of files) {
    const r = await runTestFile(f, { ...o, out: io.out, err: io.err });
    results.push(r);
    if (r.errors.length > 0) {
      io.err("  FAILED:\n");
      for (const e of r.errors) {
        io.err(e + "\n");
        io.out("\n");
      }
      failed = true;
    } else {
      io.out("  SUCCESS\n");
    }
    io.out("\n");
  }
  let coverage: CoverageReport | undefined;
  if (o.coverage || o.requireCoverage) {
    coverage = coverageOf(results);
    io.out(formatCoverage(coverage, o.requireCoverage ?? false));
    if (o.requireCoverage && !coverage.complete) failed = true;
  }
  return {
    exitCode: failed ? FAILURE_EXIT_CODE : SUCCESS_EXIT_CODE,
    files: results,
    ...(coverage && { coverage }),
  };
}
