// `vigil check rules` and `vigil test rules`: promtool's commands of the same names (flags,
// output and exit codes), plus Vigil's team policy (--policy) and test coverage (--coverage).
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { checkRules, parseFeatures, testRules } from "../rulestest/index.ts";
import type { Io } from "./main.ts";
import { UsageError } from "./usage.ts";

/**
 * missingFile reports the first file that does not exist as promtool's flag parser does
 * (`path 'x' does not exist`, exit 1), or returns undefined.
 */
function missingFile(files: readonly string[], io: Io): number | undefined {
  for (const f of files) {
    if (!existsSync(f)) {
      io.err(`vigil: error: path '${f}' does not exist, try --help\n`);
      return 1;
    }
  }
  return undefined;
}

function features(values: readonly string[] | undefined, io: Io) {
  const { features: f, unknown } = parseFeatures(values ?? []);
  for (const u of unknown) io.err(`vigil: unknown feature flag ${JSON.stringify(u)} ignored\n`);
  return f;
}

/**
 * checkRulesCommand validates rule files (standard input without files). Exit codes: 0 valid,
 * 1 invalid, 3 lint problems with --lint-fatal or policy violations with --policy.
 */
export async function checkRulesCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      lint: { type: "string", default: "duplicate-rules" },
      "lint-fatal": { type: "boolean", default: false },
      "ignore-unknown-fields": { type: "boolean", default: false },
      "enable-feature": { type: "string", multiple: true },
      policy: { type: "boolean", default: false },
      // promtool's flag for metrics; accepted so that scripts run unchanged.
      extended: { type: "boolean", default: false },
    },
  });
  const missing = missingFile(positionals, io);
  if (missing !== undefined) return missing;
  return checkRules(
    positionals,
    {
      lint: values.lint,
      lintFatal: values["lint-fatal"],
      ignoreUnknownFields: values["ignore-unknown-fields"],
      features: features(values["enable-feature"], io),
      policy: values.policy,
    },
    io,
  );
}

/**
 * testRulesCommand runs rule unit test files. Exit codes: 0 every test passed, 1 a test failed
 * (or, with --coverage --policy, an alert lacks a firing or a silent test case).
 */
export async function testRulesCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      run: { type: "string", multiple: true },
      "ignore-unknown-fields": { type: "boolean", default: false },
      "enable-feature": { type: "string", multiple: true },
      debug: { type: "boolean", default: false },
      coverage: { type: "boolean", default: false },
      policy: { type: "boolean", default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError("test rules: missing test FILE");
  const missing = missingFile(positionals, io);
  if (missing !== undefined) return missing;
  const r = await testRules(
    positionals,
    {
      ...(values.run !== undefined && { run: values.run }),
      ignoreUnknownFields: values["ignore-unknown-fields"],
      features: features(values["enable-feature"], io),
      debug: values.debug,
      coverage: values.coverage,
      requireCoverage: values.coverage && values.policy,
    },
    io,
  );
  return r.exitCode;
}
