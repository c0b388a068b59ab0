// Reading rule files the way promtool does (rulefmt.ParseFile at v3.5): PromQL features as its
// --enable-feature flag sets them, duplicates left to the lint, and errors worded as promtool
// prints them (`<file>: <line>:<col>: group "g", rule 1, "name": <reason>`).
import { parseExpr } from "../promql/parser/index.ts";
import type {
  QueryLanguage,
  QueryLanguageSpec,
  RuleFileError,
  RuleGroupSpec,
} from "../rules/index.ts";
import { goTemplateExpander, parseLogqlRuleQuery, readRuleFile } from "../rules/index.ts";
import { exprToString } from "../promql/parser/index.ts";

/** PromqlFeatures are promtool's --enable-feature switches that change PromQL. */
export interface PromqlFeatures {
  /** promql-experimental-functions: limitk, sort_by_label, ... */
  readonly experimentalFunctions?: boolean;
  /** promql-delayed-name-removal. */
  readonly delayedNameRemoval?: boolean;
}

/** FEATURE_NAMES are the feature names promtool accepts for check rules and test rules. */
export const FEATURE_NAMES = ["promql-experimental-functions", "promql-delayed-name-removal"];

/**
 * parseFeatures reads --enable-feature values (comma separated, repeatable). Unknown names are
 * returned apart; promtool logs them and goes on.
 */
export function parseFeatures(values: readonly string[]): {
  features: PromqlFeatures;
  unknown: string[];
} {
  let experimentalFunctions = false;
  let delayedNameRemoval = false;
  const unknown: string[] = [];
  for (const v of values) {
    for (const name of v.split(",")) {
      const f = name.trim();
      if (f === "promql-experimental-functions") experimentalFunctions = true;
      else if (f === "promql-delayed-name-removal") delayedNameRemoval = true;
      else if (f !== "") unknown.push(f);
    }
  }
  return { features: { experimentalFunctions, delayedNameRemoval }, unknown };
}

/**
 * parserOptions are the PromQL parser settings promtool runs with: experimental functions only
 * when enabled, and no duration expressions (promtool has no flag for them).
 */
export function parserOptions(f: PromqlFeatures): {
  enableExperimentalFunctions: boolean;
  enableDurationExpressions: boolean;
} {
  return {
    enableExperimentalFunctions: f.experimentalFunctions ?? false,
    enableDurationExpressions: false,
  };
}

/**
 * queryLanguages returns the rule languages with promtool's PromQL parser settings, and LogQL
 * (Vigil's extension: groups with `query_language: logql`, and Loki ruler files).
 */
export function queryLanguages(
  f: PromqlFeatures,
): Partial<Record<QueryLanguage, QueryLanguageSpec>> {
  const opts = parserOptions(f);
  return {
    promql: {
      parse: (text) => ({ language: "promql", text: exprToString(parseExpr(text, opts)) }),
    },
    logql: { parse: parseLogqlRuleQuery },
  };
}

/** ReadRuleFilesOptions say how strictly to read rule files. */
export interface ReadRuleFilesOptions {
  readonly ignoreUnknownFields?: boolean;
  readonly features?: PromqlFeatures;
  /** language of groups that set no query_language: logql for Loki ruler files; default promql. */
  readonly language?: QueryLanguage;
}

/** promtoolReadRuleFile reads and validates one rule file as promtool's rulefmt.ParseFile. */
export async function promtoolReadRuleFile(
  file: string,
  o: ReadRuleFilesOptions = {},
): Promise<{ groups: RuleGroupSpec[]; errors: RuleFileError[] }> {
  return readRuleFile(file, {
    ignoreUnknownFields: o.ignoreUnknownFields ?? false,
    templates: goTemplateExpander,
    duplicates: "ignore",
    queryLanguages: queryLanguages(o.features ?? {}),
    ...(o.language && { language: o.language }),
  });
}

// Reasons that come from a yaml.v3 custom unmarshaler (model.Duration) rather than a type
// mismatch: they abort decoding, and upstream's two decoding passes both report them.
const DURATION_REASON =
  /^(not a valid duration string|unknown unit|empty duration string|duration out of range)/;

// Rule problems upstream reports without a YAML node (no line:column).
const NODELESS_REASON =
  /^(invalid label name|invalid label value|invalid annotation name|label "|annotation ")/;

/** NODE_TYPES are the types upstream's second, position-keeping decoding pass decodes into. */
const NODE_TYPES: Record<string, string> = {
  RuleGroups: "ruleGroups",
  RuleGroup: "RuleGroupNode",
  Rule: "RuleNode",
};

/**
 * formatRuleFileErrors renders the problems of one rule file as the error lines promtool prints
 * (rulefmt.Parse's errors wrapped by ParseFile), upstream's quirks included: decoding errors
 * come twice (strict and lenient pass), group errors carry position 0:0.
 */
export function formatRuleFileErrors(file: string, errors: readonly RuleFileError[]): string[] {
  // Standard input has no file name to prefix (rulefmt.Parse rather than ParseFile).
  const pre = file === "" ? "" : `${file}: `;
  const out: string[] = [];
  const io = errors.filter((e) => e.kind === "io");
  for (const e of io) out.push(`${pre}${goIoMessage(e.reason, file)}`);
  const yaml = errors.filter((e) => e.kind === "yaml");
  if (yaml.length > 0) {
    const syntax = yaml.find((e) => e.reason.startsWith("yaml: "));
    if (syntax) {
      const msg = `${pre}yaml: line ${syntax.line ?? 0}: ${syntax.reason.slice(6)}`;
      return [...out, msg, msg];
    }
    const dur = yaml.find((e) => DURATION_REASON.test(e.reason));
    if (dur) return [...out, `${pre}${dur.reason}`, `${pre}${dur.reason}`];
    const lines = (es: readonly RuleFileError[]) =>
      `${pre}yaml: unmarshal errors:\n` +
      es.map((e) => `  line ${e.line ?? 0}: ${e.reason}`).join("\n");
    out.push(lines(yaml));
    // The lenient pass decodes into node types: unknown fields pass, and record, alert and expr
    // are yaml.Nodes that take any value.
    const typeErrors = yaml.filter(
      (e) =>
        !e.reason.startsWith("field ") &&
        !(e.ruleIndex !== undefined && /into string$/.test(e.reason)),
    );
    if (typeErrors.length > 0) {
      out.push(
        lines(typeErrors).replace(
          / into (\[\])?rulefmt\.(RuleGroups|RuleGroup|Rule)$/gm,
          (_, slice: string | undefined, t: string) =>
            ` into ${slice ?? ""}rulefmt.${NODE_TYPES[t] ?? t}`,
        ),
      );
    }
    return out;
  }
  for (const e of errors) {
    if (e.kind !== "invalid" && e.kind !== "duplicate") continue;
    if (e.ruleIndex === undefined) {
      // Group problems: upstream positions them at the group's (never filled) node.
      const pos = /^(Groupname|groupname)/.test(e.reason) ? "0:0: " : "";
      out.push(`${pre}${pos}${e.reason}`);
      continue;
    }
    const where = `group ${goQuoteString(e.group ?? "")}, rule ${e.ruleIndex}, ${goQuoteString(e.ruleName ?? "")}: `;
    let pos = "";
    if (e.reason === "one of 'record' or 'alert' must be set") pos = "0:0: 0:0: ";
    else if (!NODELESS_REASON.test(e.reason) && e.line !== undefined)
      pos = `${e.line}:${e.column ?? 0}: `;
    out.push(`${pre}${pos}${where}${e.reason}`);
  }
  return out;
}

function goQuoteString(s: string): string {
  return JSON.stringify(s);
}

/** goIoMessage turns a Node file error into Go's wording: `open x: no such file or directory`. */
function goIoMessage(reason: string, file: string): string {
  const m = /^(E[A-Z]+): ([^,]+), (\w+) '.*'$/.exec(reason);
  if (!m) return reason;
  return `${m[3]} ${file}: ${m[2]}`;
}
