// ConfigError and the wording of configuration problems.
import type { z } from "zod";

/**
 * ConfigIssue is one problem found in a configuration file. line and column are 1-based;
 * keyPath is the dotted path of the offending key ("storage.retention"), or "" when the problem
 * is not under any key (such as a top level that is not a mapping).
 */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  keyPath: string;
  /** What is wrong, without the location: `invalid duration "6O d"`. */
  reason: string;
  /** The one-line form `<file>:<line>:<col>: <key.path>: <reason>`. */
  message: string;
}

/**
 * ConfigError is thrown for a configuration file that cannot be used. Its message, file, line,
 * column, keyPath and reason are those of the first problem in the file; issues holds every
 * problem found, in file order.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly keyPath: string;
  readonly reason: string;
  readonly issues: readonly ConfigIssue[];

  /** The ConfigError constructor takes the problems found, at least one, in file order. */
  constructor(issues: readonly [ConfigIssue, ...ConfigIssue[]]) {
    const [first] = issues;
    super(first.message);
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.keyPath = first.keyPath;
    this.reason = first.reason;
    this.issues = issues;
  }
}

/**
 * configIssue builds a ConfigIssue, formatting its one-line message. The key path is left out
 * of the message when it is empty.
 */
export function configIssue(
  file: string,
  line: number,
  column: number,
  keyPath: string,
  reason: string,
): ConfigIssue {
  const where = keyPath === "" ? "" : `${keyPath}: `;
  return {
    file,
    line,
    column,
    keyPath,
    reason,
    message: `${file}:${line}:${column}: ${where}${reason}`,
  };
}

/**
 * describeValue names a parsed YAML value for an error message, in YAML's vocabulary:
 * `string "abc"`, `number 1.5`, `a mapping`, `a sequence`, `null`.
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "a sequence";
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value)}`;
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof value} ${String(value)}`;
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

/** Names of zod's expected types in YAML's vocabulary. */
const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  object: "a mapping",
  array: "a sequence",
};

/**
 * issueReason words a zod issue for a person editing YAML. unrecognized_keys issues are split
 * per key by the caller and do not come here.
 */
export function issueReason(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      const got = describeValue(issue.input);
      const hint =
        issue.expected === "string" && /^(number|boolean) /.test(got)
          ? "; quote it to make it a string"
          : "";
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${got}${hint}`;
    }
    case "invalid_value":
      return `invalid value ${describeInput(issue.input)} (want one of ${issue.values.map(String).join(", ")})`;
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      return `must be ${issue.inclusive ? "at least" : "greater than"} ${issue.minimum}, got ${describeInput(issue.input)}`;
    case "too_big":
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}, got ${describeInput(issue.input)}`;
    default:
      return issue.message;
  }
}

/** describeInput shows a scalar as YAML would print it, quoting strings. */
function describeInput(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
