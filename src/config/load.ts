// Loading vigil.yml: YAML parsing with positions, schema validation, and errors that point at
// the offending line.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Document } from "yaml";
import { isMap, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import type { ConfigIssue } from "./errors.ts";
import { ConfigError, configIssue, describeValue, issueReason } from "./errors.ts";
import { formatKeyPath, keyPathAt, offsetOf, unresolvedAliasOffset } from "./locate.ts";
import { configSchema } from "./schema.ts";
import type { VigilConfig } from "./types.ts";

/**
 * defaultConfig returns the configuration used when there is no config file: every setting at
 * its default, with data_dir resolved against the current working directory.
 */
export function defaultConfig(): VigilConfig {
  return configSchema(process.cwd()).parse({});
}

/**
 * loadConfigFile reads and parses a vigil.yml; see parseConfig. It throws a ConfigError for bad
 * contents and an Error (with the fs error as cause) when the file cannot be read.
 */
export async function loadConfigFile(file: string): Promise<VigilConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot read config file ${JSON.stringify(file)}: ${why}`, { cause: err });
  }
  return parseConfig(text, file);
}

/**
 * parseConfig parses and validates the text of a vigil.yml. file names the file in error
 * messages and anchors relative paths (data_dir, password_file) at its directory; it is also
 * returned as VigilConfig.file. An empty file, or one holding only comments, yields the
 * defaults. password_file is read here, synchronously.
 *
 * Problems throw a ConfigError whose message is `<file>:<line>:<col>: <key.path>: <reason>`,
 * pointing at the YAML syntax error, the unknown key, the bad value, or, for a missing key, the
 * mapping that should hold it.
 */
export function parseConfig(text: string, file: string): VigilConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number, path: readonly PropertyKey[], reason: string): ConfigIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return configIssue(file, line, col, formatKeyPath(path), reason);
  };

  if (doc.errors.length > 0) {
    throw configError(
      doc.errors.map((e) => {
        const offset = e.pos[0];
        return at(offset, keyPathAt(doc, offset, e.code === "DUPLICATE_KEY"), e.message);
      }),
    );
  }

  let input: unknown = {};
  if (doc.contents !== null) {
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (err) {
      // toJS throws for an alias without an anchor before it, and for documents that abuse
      // aliases (a "billion laughs" attack).
      const offset = unresolvedAliasOffset(doc) ?? 0;
      const reason = err instanceof Error ? err.message : String(err);
      throw configError([at(offset, keyPathAt(doc, offset), reason)]);
    }
    if (value !== null && !isMap(doc.contents)) {
      const reason = `expected a mapping at the top level, got ${describeValue(value)}`;
      throw configError([configIssue(file, 1, 1, "", reason)]);
    }
    if (value !== null) input = withoutNulls(value);
  }

  const result = configSchema(dirname(resolve(file))).safeParse(input, { reportInput: true });
  if (!result.success) {
    throw configError(result.error.issues.flatMap((iss) => locateIssue(doc, iss, at)));
  }
  return { ...result.data, file };
}

/** At positions an issue: source offset, key path, reason. */
type At = (offset: number, path: readonly PropertyKey[], reason: string) => ConfigIssue;

/** locateIssue turns a zod issue into positioned issues, one per key for unknown keys. */
function locateIssue(doc: Document, issue: z.core.$ZodIssue, at: At): ConfigIssue[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => {
      const path = [...issue.path, k];
      return at(offsetOf(doc, path, true), path, `unknown key ${JSON.stringify(k)}`);
    });
  }
  return [at(offsetOf(doc, issue.path), issue.path, issueReason(issue))];
}

/** configError sorts issues into file order and wraps them in a ConfigError. */
function configError(issues: ConfigIssue[]): ConfigError {
  const sorted = issues.toSorted((a, b) => a.line - b.line || a.column - b.column);
  const [first, ...rest] = sorted;
  if (!first) throw new Error("configError: no issues");
  return new ConfigError([first, ...rest]);
}

/**
 * withoutNulls drops null-valued keys, recursively, so that `key:` with nothing after it (or
 * with all of its children commented out) means "use the default", as in Prometheus.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  // fromEntries defines own properties, so even a "__proto__" key stays an ordinary key.
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}
