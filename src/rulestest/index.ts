// Public API of the rule tooling: `vigil check rules` and `vigil test rules` with promtool's
// formats, output and exit codes, the team policy for alerting rules, test coverage per alert,
// and the conformance runner over promtool's expected verdicts.
export type { CheckRulesOptions, DuplicateRule } from "./check-rules.ts";
export { LINT_EXIT_CODE, LINT_OPTIONS, checkRules, findDuplicateRules } from "./check-rules.ts";
export type { ConformanceRow, RowVerdict } from "./conformance.ts";
export { parseExpectedTsv, runConformance, runConformanceRow } from "./conformance.ts";
export type { AlertCoverage, CoverageReport } from "./coverage.ts";
export { coverageOf, formatCoverage } from "./coverage.ts";
export type { Io } from "./io.ts";
export { BufferIo } from "./io.ts";
export type { PolicyMode } from "./policy.ts";
export { POLICY_MODES, SEVERITIES, checkPolicy } from "./policy.ts";
export type { PromqlFeatures } from "./rulefiles.ts";
export {
  FEATURE_NAMES,
  formatRuleFileErrors,
  parseFeatures,
  promtoolReadRuleFile,
} from "./rulefiles.ts";
export type { AlertCaseInfo, AlertRuleInfo, TestFileResult, UnitTestOptions } from "./runner.ts";
export { runTestFile } from "./runner.ts";
export type { TestRulesOptions, TestRulesResult } from "./test-rules.ts";
export { FAILURE_EXIT_CODE, SUCCESS_EXIT_CODE, testRules } from "./test-rules.ts";
export type { UnitTestFile } from "./testfile.ts";
export { TestFileError, parseTestFile } from "./testfile.ts";
