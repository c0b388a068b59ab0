// The file format of `promtool test rules` (cmd/promtool/unittest.go at v3.5: unitTestFile,
// testGroup, series, alertTestCase, alert, promqlTestCase, sample), decoded the way promtool
// decodes it: gopkg.in/yaml.v2's UnmarshalStrict, YAML 1.1, unknown fields and wrong types
// collected as "yaml: unmarshal errors:" with their lines, durations failing at once. Vigil adds
// LogQL rule tests (docs/rules.md): `log_rule_files`, and per test group `input_streams` and
// `logql_expr_test`; a file without them reads exactly as promtool reads it.
import type { Document, Node, Scalar } from "yaml";
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { parseGoDuration } from "../rules/index.ts";
import { errorMessage } from "../util/errors.ts";

/** SeriesInput is one `input_series` entry: a series and its values in expanding notation. */
export interface SeriesInput {
  readonly series: string;
  readonly values: string;
}

/**
 * LogLineInput is one entry of an input stream's `lines`: `[at, line]`, or
 * `{line, at, every, count}` for `count` copies of the line at `at`, `at + every`, ....
 */
export interface LogLineInput {
  /** atMs is the time of the (first) line, from the test's start. */
  readonly atMs: number;
  readonly text: string;
  /** everyMs is the time between copies; 0 when count is 1. */
  readonly everyMs: number;
  /** count is how many copies to write (1 for the `[at, line]` form). */
  readonly count: number;
  /** srcLine is where the entry is in the test file. */
  readonly srcLine: number;
}

/** StreamInput is one `input_streams` entry: a log stream and its lines. */
export interface StreamInput {
  /** labels is the stream's label set in selector notation, `{app="api", env="prod"}`. */
  readonly labels: string;
  readonly lines: readonly LogLineInput[];
  readonly srcLine: number;
}

/** ExpectedAlert is one `exp_alerts` entry. */
export interface ExpectedAlert {
  readonly expLabels: Readonly<Record<string, string>>;
  readonly expAnnotations: Readonly<Record<string, string>>;
}

/** AlertTestCase is one `alert_rule_test` entry; evalTimeMs is `eval_time`. */
export interface AlertTestCase {
  readonly evalTimeMs: number;
  readonly alertname: string;
  readonly expAlerts: readonly ExpectedAlert[];
  /** line is where the entry starts in the test file (for coverage reports). */
  readonly line: number;
}

/** ExpectedSample is one `exp_samples` entry: labels in series notation, a value or histogram. */
export interface ExpectedSample {
  readonly labels: string;
  readonly value: number;
  /** histogram, when not empty, is a `{{...}}` literal; value is then ignored by promtool. */
  readonly histogram: string;
}

/** PromqlTestCase is one `promql_expr_test` entry. */
export interface PromqlTestCase {
  readonly expr: string;
  readonly evalTimeMs: number;
  readonly expSamples: readonly ExpectedSample[];
}

/** TestGroup is one entry of `tests`; intervalMs 0 means the file's evaluation_interval. */
export interface TestGroup {
  readonly intervalMs: number;
  readonly inputSeries: readonly SeriesInput[];
  /** inputStreams are log streams for LogQL rules (Vigil extension). */
  readonly inputStreams: readonly StreamInput[];
  readonly alertRuleTests: readonly AlertTestCase[];
  readonly promqlExprTests: readonly PromqlTestCase[];
  /** logqlExprTests are LogQL metric queries to check, like promqlExprTests (Vigil extension). */
  readonly logqlExprTests: readonly PromqlTestCase[];
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  /** name is the test group's `name` ("" when unnamed). */
  readonly name: string;
}

/** UnitTestFile is a parsed test file; evaluationIntervalMs 0 means "not set" (1m). */
export interface UnitTestFile {
  readonly ruleFiles: readonly string[];
  /** logRuleFiles are Loki ruler files: groups are LogQL unless they say otherwise (Vigil). */
  readonly logRuleFiles: readonly string[];
  readonly evaluationIntervalMs: number;
  readonly groupEvalOrder: readonly string[];
  readonly tests: readonly TestGroup[];
  readonly fuzzyCompare: boolean;
}

/** TestFileError is a test file that cannot be decoded; message is promtool's text. */
export class TestFileError extends Error {
  override readonly name = "TestFileError";
}

// A decoding schema: what Go type each field decodes into, named as yaml.v2's messages name it.
type Schema =
  | { kind: "string" }
  | { kind: "duration" }
  | { kind: "float" }
  | { kind: "bool" }
  | { kind: "logLine" }
  | { kind: "map"; goType: string }
  | { kind: "list"; goType: string; item: Schema }
  | { kind: "struct"; goType: string; fields: Record<string, Schema> };

const STRING: Schema = { kind: "string" };
const DURATION: Schema = { kind: "duration" };
const STRING_MAP: Schema = { kind: "map", goType: "map[string]string" };

const SAMPLE: Schema = {
  kind: "struct",
  goType: "main.sample",
  fields: { labels: STRING, value: { kind: "float" }, histogram: STRING },
};
const EXPR_TEST_FIELDS: Record<string, Schema> = {
  expr: STRING,
  eval_time: DURATION,
  exp_samples: { kind: "list", goType: "[]main.sample", item: SAMPLE },
};
const PROMQL_TEST: Schema = {
  kind: "struct",
  goType: "main.promqlTestCase",
  fields: EXPR_TEST_FIELDS,
};
const LOGQL_TEST: Schema = {
  kind: "struct",
  goType: "main.logqlTestCase",
  fields: EXPR_TEST_FIELDS,
};
const ALERT: Schema = {
  kind: "struct",
  goType: "main.alert",
  fields: { exp_labels: STRING_MAP, exp_annotations: STRING_MAP },
};
const ALERT_TEST: Schema = {
  kind: "struct",
  goType: "main.alertTestCase",
  fields: {
    eval_time: DURATION,
    alertname: STRING,
    exp_alerts: { kind: "list", goType: "[]main.alert", item: ALERT },
  },
};
const LOG_LINE_MAP: Schema = {
  kind: "struct",
  goType: "main.logLine",
  fields: { line: STRING, at: DURATION, every: DURATION, count: { kind: "float" } },
};
const STREAM: Schema = {
  kind: "struct",
  goType: "main.stream",
  fields: {
    labels: STRING,
    lines: { kind: "list", goType: "[]main.logLine", item: { kind: "logLine" } },
  },
};
const SERIES: Schema = {
  kind: "struct",
  goType: "main.series",
  fields: { series: STRING, values: STRING },
};
const TEST_GROUP: Schema = {
  kind: "struct",
  goType: "main.testGroup",
  fields: {
    interval: DURATION,
    input_series: { kind: "list", goType: "[]main.series", item: SERIES },
    input_streams: { kind: "list", goType: "[]main.stream", item: STREAM },
    logql_expr_test: { kind: "list", goType: "[]main.logqlTestCase", item: LOGQL_TEST },
    alert_rule_test: { kind: "list", goType: "[]main.alertTestCase", item: ALERT_TEST },
    promql_expr_test: { kind: "list", goType: "[]main.promqlTestCase", item: PROMQL_TEST },
    external_labels: STRING_MAP,
    external_url: STRING,
    name: STRING,
  },
};
const UNIT_TEST_FILE: Schema = {
  kind: "struct",
  goType: "main.unitTestFile",
  fields: {
    rule_files: { kind: "list", goType: "[]string", item: STRING },
    log_rule_files: { kind: "list", goType: "[]string", item: STRING },
    evaluation_interval: DURATION,
    group_eval_order: { kind: "list", goType: "[]string", item: STRING },
    tests: { kind: "list", goType: "[]main.testGroup", item: TEST_GROUP },
    fuzzy_compare: { kind: "bool" },
  },
};

/** A decoded value: plain data shaped by the schema, plus the line of structs. */
type Decoded = string | number | boolean | Decoded[] | DecodedStruct | Record<string, string>;
interface DecodedStruct {
  readonly __line: number;
  readonly [field: string]: Decoded | undefined;
}

/** Abort stops decoding at the first error that is not a type error (yaml.v2's fail). */
class Abort extends Error {}

/**
 * parseTestFile decodes the text of a test file. It throws a TestFileError with promtool's
 * message when the file is not valid YAML, has unknown fields or values of the wrong type, or
 * has a malformed duration.
 */
export function parseTestFile(text: string): UnitTestFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    keepSourceTokens: true,
    version: "1.1",
    uniqueKeys: false,
    merge: true,
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lc.linePos(e.pos[0]).line;
    const msg = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new TestFileError(`yaml: line ${line}: ${msg}`);
  }
  const dec = new V2Decoder(doc, (offset) => lc.linePos(offset).line);
  let raw: Decoded | undefined;
  try {
    raw = dec.decode(doc.contents as Node | null, UNIT_TEST_FILE);
  } catch (err) {
    if (err instanceof Abort) throw new TestFileError(err.message);
    throw err;
  }
  if (dec.errors.length > 0) {
    throw new TestFileError(`yaml: unmarshal errors:\n  ${dec.errors.join("\n  ")}`);
  }
  return toUnitTestFile((raw ?? { __line: 1 }) as DecodedStruct);
}

function toUnitTestFile(f: DecodedStruct): UnitTestFile {
  const list = (v: Decoded | undefined): Decoded[] => (Array.isArray(v) ? v : []);
  const str = (v: Decoded | undefined): string => (typeof v === "string" ? v : "");
  const num = (v: Decoded | undefined): number => (typeof v === "number" ? v : 0);
  const map = (v: Decoded | undefined): Record<string, string> =>
    v !== undefined && typeof v === "object" && !Array.isArray(v) && !("__line" in v)
      ? (v as Record<string, string>)
      : {};
  const exprTests = (v: Decoded | undefined): PromqlTestCase[] =>
    list(v).map((p) => {
      const pt = p as DecodedStruct;
      return {
        expr: str(pt["expr"]),
        evalTimeMs: num(pt["eval_time"]),
        expSamples: list(pt["exp_samples"]).map((s) => ({
          labels: str((s as DecodedStruct)["labels"]),
          value: num((s as DecodedStruct)["value"]),
          histogram: str((s as DecodedStruct)["histogram"]),
        })),
      };
    });
  return {
    ruleFiles: list(f["rule_files"]).map(str),
    logRuleFiles: list(f["log_rule_files"]).map(str),
    evaluationIntervalMs: num(f["evaluation_interval"]),
    groupEvalOrder: list(f["group_eval_order"]).map(str),
    fuzzyCompare: f["fuzzy_compare"] === true,
    tests: list(f["tests"]).map((d): TestGroup => {
      const g = d as DecodedStruct;
      return {
        intervalMs: num(g["interval"]),
        inputSeries: list(g["input_series"]).map((s) => ({
          series: str((s as DecodedStruct)["series"]),
          values: str((s as DecodedStruct)["values"]),
        })),
        alertRuleTests: list(g["alert_rule_test"]).map((a) => {
          const at = a as DecodedStruct;
          return {
            evalTimeMs: num(at["eval_time"]),
            alertname: str(at["alertname"]),
            line: at.__line,
            expAlerts: list(at["exp_alerts"]).map((e) => ({
              expLabels: map((e as DecodedStruct)["exp_labels"]),
              expAnnotations: map((e as DecodedStruct)["exp_annotations"]),
            })),
          };
        }),
        promqlExprTests: exprTests(g["promql_expr_test"]),
        inputStreams: list(g["input_streams"]).map((d) => {
          const st = d as DecodedStruct;
          return {
            labels: str(st["labels"]),
            srcLine: st.__line,
            lines: list(st["lines"]).map((l) => {
              const ll = l as DecodedStruct;
              return {
                atMs: num(ll["at"]),
                text: str(ll["line"]),
                everyMs: num(ll["every"]),
                count: ll["count"] === undefined ? 1 : num(ll["count"]),
                srcLine: ll.__line,
              };
            }),
          };
        }),
        logqlExprTests: exprTests(g["logql_expr_test"]),
        externalLabels: map(g["external_labels"]),
        externalURL: str(g["external_url"]),
        name: str(g["name"]),
      };
    }),
  };
}

/** V2Decoder decodes a YAML tree into a schema as yaml.v2's UnmarshalStrict would. */
class V2Decoder {
  readonly errors: string[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lineOf: (offset: number) => number,
  ) {}

  private resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null | undefined) ?? null;
  }

  private line(node: Node | null): number {
    const r = node?.range;
    return r ? this.lineOf(r[0]) : 1;
  }

  private isNull(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.value === null && !isNaNScalar(node));
  }

  private terror(node: Node, goType: string): void {
    const tag = tagOf(node);
    let value = "";
    if (isScalar(node)) {
      const text = scalarText(node);
      value = text.length > 10 ? ` \`${text.slice(0, 7)}...\`` : ` \`${text}\``;
    }
    this.errors.push(`line ${this.line(node)}: cannot unmarshal ${tag}${value} into ${goType}`);
  }

  decode(nodeIn: unknown, schema: Schema): Decoded | undefined {
    const node = this.resolve(nodeIn);
    if (this.isNull(node)) return undefined;
    const n = node!;
    switch (schema.kind) {
      case "string":
        if (!isScalar(n)) return (this.terror(n, "string"), undefined);
        return scalarText(n);
      case "duration": {
        if (!isScalar(n)) return (this.terror(n, "string"), undefined);
        try {
          return parseGoDuration(scalarText(n));
        } catch (err) {
          throw new Abort(errorMessage(err));
        }
      }
      case "float":
        if (isScalar(n) && typeof n.value === "number") return n.value;
        if (isNaNScalar(n)) return NaN;
        return (this.terror(n, "float64"), undefined);
      case "bool":
        if (isScalar(n) && typeof n.value === "boolean") return n.value;
        return (this.terror(n, "bool"), undefined);
      case "logLine": {
        // `[at, line]` or `{line, at, every, count}`.
        if (isMap(n)) return this.decode(n, LOG_LINE_MAP);
        if (!isSeq(n) || n.items.length !== 2) {
          this.errors.push(
            `line ${this.line(n)}: a log line is [at, line] or {line: ..., at: ..., every: ..., count: ...}`,
          );
          return undefined;
        }
        const at = this.decode(n.items[0], DURATION);
        const line = this.decode(n.items[1], STRING);
        return { __line: this.line(n), at: at ?? 0, line: line ?? "" } as DecodedStruct;
      }
      case "map": {
        if (!isMap(n)) return (this.terror(n, schema.goType), undefined);
        const out: Record<string, string> = {};
        const seen = new Set<string>();
        for (const pair of n.items) {
          const k = this.resolve(pair.key);
          const key = k && isScalar(k) ? scalarText(k) : "";
          if (k && !isScalar(k)) {
            this.terror(k, "string");
            continue;
          }
          if (seen.has(key)) {
            this.errors.push(`line ${this.line(k)}: key ${JSON.stringify(key)} already set in map`);
            continue;
          }
          seen.add(key);
          const v = this.decode(pair.value, STRING);
          out[key] = typeof v === "string" ? v : "";
        }
        return out;
      }
      case "list": {
        if (!isSeq(n)) return (this.terror(n, schema.goType), undefined);
        const out: Decoded[] = [];
        for (const item of n.items) {
          const v = this.decode(item, schema.item);
          // A null item is the zero value of the element type.
          out.push(v ?? zeroOf(schema.item, this.line(this.resolve(item))));
        }
        return out;
      }
      case "struct": {
        if (!isMap(n)) return (this.terror(n, schema.goType), undefined);
        const out: Record<string, Decoded | number> = { __line: this.line(n) };
        const seen = new Set<string>();
        for (const pair of n.items) {
          const k = this.resolve(pair.key);
          const key = k && isScalar(k) ? scalarText(k) : "";
          const field = schema.fields[key];
          if (!field) {
            this.errors.push(
              `line ${this.line(k)}: field ${key} not found in type ${schema.goType}`,
            );
            continue;
          }
          if (seen.has(key)) {
            this.errors.push(
              `line ${this.line(k)}: field ${key} already set in type ${schema.goType}`,
            );
            continue;
          }
          seen.add(key);
          const v = this.decode(pair.value, field);
          if (v !== undefined) out[key] = v;
        }
        return out as unknown as DecodedStruct;
      }
    }
  }
}

function zeroOf(schema: Schema, line: number): Decoded {
  switch (schema.kind) {
    case "string":
      return "";
    case "duration":
    case "float":
      return 0;
    case "bool":
      return false;
    case "logLine":
      return { __line: line };
    case "map":
      return {};
    case "list":
      return [];
    case "struct":
      return { __line: line };
  }
}

function isNaNScalar(node: Node | null): boolean {
  return isScalar(node) && typeof node.value === "number" && Number.isNaN(node.value);
}

/** scalarText is a scalar as yaml.v2 decodes it into a string: its text as written. */
function scalarText(node: Scalar): string {
  if (typeof node.value === "string") return node.value;
  const src = (node as Scalar & { srcToken?: { source?: string } }).srcToken?.source;
  if (src !== undefined && node.type === "PLAIN") return src;
  return node.value === null ? "" : String(node.value);
}

/** tagOf names a node's kind as yaml.v2 does: !!map, !!seq, !!str, !!int, !!float, !!bool. */
function tagOf(node: Node): string {
  if (isMap(node)) return "!!map";
  if (isSeq(node)) return "!!seq";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "!!null";
    if (typeof v === "boolean") return "!!bool";
    if (typeof v === "number") {
      return Number.isInteger(v) && !/[.eE]|inf|nan/i.test(scalarText(node)) ? "!!int" : "!!float";
    }
  }
  return "!!str";
}
