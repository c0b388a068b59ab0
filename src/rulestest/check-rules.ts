// `vigil check rules`: validates rule files as `promtool check rules` does (cmd/promtool/main.go
// CheckRules, checkRules, checkRuleGroups and checkDuplicates at v3.5) with the same output and
// exit codes: 0 valid, 1 invalid, 3 lint problems with --lint-fatal. With --policy it also
// checks the team policy; violations are lint problems that always exit 3.
import { parseRuleFile } from "../rules/index.ts";
import type { RuleFileError, RuleGroupSpec } from "../rules/index.ts";
import { goTemplateExpander } from "../rules/index.ts";
import { compareGoStrings, compareLabelLists, labelsFromMap } from "./format.ts";
import type { Io } from "./io.ts";
import { checkPolicy } from "./policy.ts";
import type { PromqlFeatures } from "./rulefiles.ts";
import { formatRuleFileErrors, promtoolReadRuleFile, queryLanguages } from "./rulefiles.ts";
import type { Label } from "../model/labels/index.ts";

/** LINT_EXIT_CODE is promtool's lintErrExitCode. */
export const LINT_EXIT_CODE = 3;

/** LINT_OPTIONS are the values --lint accepts (comma separated). */
export const LINT_OPTIONS = ["all", "duplicate-rules", "none"];

/** CheckRulesOptions are the flags of `vigil check rules`. */
export interface CheckRulesOptions {
  /** lint is the --lint value; default "duplicate-rules". */
  readonly lint?: string;
  /** lintFatal makes lint problems exit 3. */
  readonly lintFatal?: boolean;
  readonly ignoreUnknownFields?: boolean;
  readonly features?: PromqlFeatures;
  /** policy checks the team policy too; violations exit 3. */
  readonly policy?: boolean;
}

interface LintSettings {
  readonly duplicateRules: boolean;
}

/** parseLint reads --lint as promtool's newRulesLintConfig, warning about unknown options. */
function parseLint(value: string, io: Io): LintSettings {
  let all = false;
  let duplicates = false;
  for (const item of value.split(",")) {
    switch (item) {
      case "all":
        all = true;
        break;
      case "duplicate-rules":
        duplicates = true;
        break;
      case "none":
        break;
      default:
        io.out(`WARNING: unknown lint option: ${JSON.stringify(item)}\n`);
    }
  }
  return { duplicateRules: all || duplicates };
}

/** A problem found in a file, and whether it is only a lint problem (errLint). */
interface Problem {
  readonly text: string;
  readonly lint: boolean;
  readonly policy?: boolean;
}

/**
 * checkRules checks files (standard input when stdin is given instead) and prints promtool's
 * report. It resolves to the exit code.
 */
export async function checkRules(
  files: readonly string[],
  o: CheckRulesOptions,
  io: Io,
  stdin?: () => Promise<string>,
): Promise<number> {
  const lint = parseLint(o.lint ?? "duplicate-rules", io);
  let failed = false;
  let hasErrors = false;
  let policyFailed = false;
  const inputs: {
    name: string;
    read: () => Promise<{ groups: RuleGroupSpec[]; errors: RuleFileError[] }>;
  }[] =
    files.length > 0
      ? files.map((f) => ({
          name: f,
          read: () =>
            promtoolReadRuleFile(f, {
              ignoreUnknownFields: o.ignoreUnknownFields ?? false,
              features: o.features ?? {},
            }),
        }))
      : [
          {
            name: "",
            read: async () =>
              parseRuleFile(await (stdin ?? readStdin)(), "", {
                ignoreUnknownFields: o.ignoreUnknownFields ?? false,
                templates: goTemplateExpander,
                duplicates: "ignore",
                queryLanguages: queryLanguages(o.features ?? {}),
              }),
          },
        ];
  for (const input of inputs) {
    io.out(`Checking ${input.name === "" ? "standard input" : input.name}\n`);
    const { groups, errors } = await input.read();
    if (errors.length > 0) {
      failed = true;
      hasErrors = true;
      io.err("  FAILED:\n");
      for (const e of formatRuleFileErrors(input.name, errors)) io.err(e + "\n");
      continue;
    }
    const { n, problems } = checkRuleGroups(input.name, groups, lint, o.policy ?? false);
    if (problems.length > 0) {
      io.err("  FAILED:\n");
      for (const p of problems) io.err(p.text + "\n");
      failed = true;
      for (const p of problems) {
        hasErrors ||= !p.lint;
        policyFailed ||= p.policy === true;
      }
    } else {
      io.out(`  SUCCESS: ${n} rules found\n`);
    }
    io.out("\n");
  }
  if (failed && hasErrors) return 1;
  if (policyFailed) return LINT_EXIT_CODE;
  if (failed && o.lintFatal) return LINT_EXIT_CODE;
  return 0;
}

function checkRuleGroups(
  file: string,
  groups: readonly RuleGroupSpec[],
  lint: LintSettings,
  policy: boolean,
): { n: number; problems: Problem[] } {
  const n = groups.reduce((s, g) => s + g.rules.length, 0);
  const problems: Problem[] = [];
  if (lint.duplicateRules) {
    const dups = findDuplicateRules(groups);
    if (dups.length > 0) {
      let msg = `lint error ${dups.length} duplicate rule(s) found.\n`;
      for (const d of dups) {
        msg += `Metric: ${d.metric}\nLabel(s):\n`;
        for (const l of d.labels) msg += `\t${l.name}: ${l.value}\n`;
      }
      msg += "Might cause inconsistency while recording expressions";
      // promtool reports the duplicates alone.
      return { n: 0, problems: [{ text: msg, lint: true }] };
    }
  }
  if (policy) {
    const violations = checkPolicy(file === "" ? "standard input" : file, groups);
    if (violations.length > 0) {
      let msg = `policy error ${violations.length} problem(s) found.`;
      for (const v of violations) msg += `\n${v.message}`;
      problems.push({ text: msg, lint: true, policy: true });
    }
  }
  return { n, problems };
}

/** DuplicateRule is a rule name and label set that more than one rule of a file has. */
export interface DuplicateRule {
  readonly metric: string;
  readonly labels: readonly Label[];
}

/**
 * findDuplicateRules returns each name and label set (group labels overridden by rule labels)
 * shared by several rules, once, sorted (promtool's checkDuplicates).
 */
export function findDuplicateRules(groups: readonly RuleGroupSpec[]): DuplicateRule[] {
  const all: DuplicateRule[] = [];
  for (const g of groups) {
    for (const r of g.rules) {
      all.push({ metric: r.name, labels: labelsFromMap({ ...g.labels, ...r.labels }) });
    }
  }
  const cmp = (a: DuplicateRule, b: DuplicateRule) =>
    compareGoStrings(a.metric, b.metric) || compareLabelLists(a.labels, b.labels);
  all.sort(cmp);
  const out: DuplicateRule[] = [];
  for (let i = 1; i < all.length; i++) {
    if (cmp(all[i - 1]!, all[i]!) !== 0) continue;
    if (out.length === 0 || cmp(all[i - 1]!, out[out.length - 1]!) !== 0) out.push(all[i]!);
  }
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
