// Prometheus rule files: the YAML format, its decoding and its validation, after prometheus
// model/rulefmt/rulefmt.go (v3.5) and the gopkg.in/yaml.v3 decoding it relies on. Problems are
// reported with file, line and column, and for rules with the group, the rule's 1-based index
// and its name, in the shape of rulefmt.Error: `group "g", rule 2, "HighLatency": <reason>`.
import type { Document, Node, Pair, Scalar } from "yaml";
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { METRIC_NAME } from "../model/labels/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { QueryLanguage, QueryLanguageSpec, RuleKind, RuleQuery } from "./rule.ts";
import { QUERY_LANGUAGES } from "./rule.ts";
import type { TemplateExpander } from "./template.ts";
import { ALERT_TEMPLATE_DEFS } from "./template.ts";

/** Position is a 1-based line and column in a file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** RuleSpec is one validated rule of a rule file. */
export interface RuleSpec {
  readonly kind: RuleKind;
  /** name is the `record` or `alert` value. */
  readonly name: string;
  /** expr is the expression as written. */
  readonly expr: string;
  /** query is the parsed expression. */
  readonly query: RuleQuery;
  /** forMs is the `for` duration (alerting rules; 0 otherwise). */
  readonly forMs: number;
  /** keepFiringForMs is the `keep_firing_for` duration (alerting rules; 0 otherwise). */
  readonly keepFiringForMs: number;
  /** labels and annotations in file order (annotations only for alerting rules). */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** pos is where the rule's mapping starts. */
  readonly pos: Position;
}

/** RuleGroupSpec is one validated group of a rule file. */
export interface RuleGroupSpec {
  readonly name: string;
  /** intervalMs is the group's `interval`, or 0 for the global evaluation interval. */
  readonly intervalMs: number;
  /** queryOffsetMs is the group's `query_offset`, or undefined for the global default. */
  readonly queryOffsetMs: number | undefined;
  /** limit is the most series or alerts a rule may produce; 0 (or less) means no limit. */
  readonly limit: number;
  /** labels are added to every rule of the group (rule labels win). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * queryLanguage is the language of the group's expressions: the group's `query_language`
   * (a Vigil extension), else the file's default (ParseRuleFileOptions.language). Absent means
   * promql.
   */
  readonly queryLanguage?: QueryLanguage;
  readonly rules: readonly RuleSpec[];
  readonly pos: Position;
}

/**
 * RuleFileErrorKind classifies a problem: `yaml` for syntax, types and unknown fields (the
 * file cannot be decoded), `invalid` for a decoded file that breaks a rule (rulefmt Validate),
 * `duplicate` for two rules with the same name and labels (promtool's duplicate-rules lint),
 * `io` for a file that cannot be read or a pattern that cannot be expanded.
 */
export type RuleFileErrorKind = "yaml" | "invalid" | "duplicate" | "io";

/** RuleFileError is one problem with a rule file. */
export interface RuleFileError {
  readonly kind: RuleFileErrorKind;
  readonly file: string;
  /** line and column locate the problem; absent for io errors. */
  readonly line?: number;
  readonly column?: number;
  /** group, ruleIndex (1-based) and ruleName say where, when the problem is inside a group. */
  readonly group?: string;
  readonly ruleIndex?: number;
  readonly ruleName?: string;
  /** reason is what is wrong, without location. */
  readonly reason: string;
  /**
   * message is the one-line form `<file>:<line>:<col>: group "g", rule 1, "name": <reason>`,
   * with the parts that do not apply left out.
   */
  readonly message: string;
}

/** ParseRuleFileOptions tune decoding and validation. */
export interface ParseRuleFileOptions {
  /** ignoreUnknownFields accepts keys the format does not define (promtool's flag of that name). */
  readonly ignoreUnknownFields?: boolean;
  /** templates parse-checks label and annotation templates of alerting rules; skipped if absent. */
  readonly templates?: TemplateExpander;
  /** duplicates: report rules with the same name and labels as errors ("error", the default) or not. */
  readonly duplicates?: "error" | "ignore";
  /**
   * language of the `expr` fields of groups that set no `query_language`; default promql (a
   * Loki ruler file is read with logql).
   */
  readonly language?: QueryLanguage;
  /**
   * queryLanguages replaces QUERY_LANGUAGES for this parse, e.g. to check expressions with
   * experimental PromQL features switched off as promtool does without --enable-feature.
   */
  readonly queryLanguages?: Partial<Record<QueryLanguage, QueryLanguageSpec>>;
}

/** ParsedRuleFile is the result of parsing one file: its groups when errors is empty. */
export interface ParsedRuleFile {
  readonly file: string;
  readonly groups: RuleGroupSpec[];
  readonly errors: RuleFileError[];
}

interface Where {
  group?: string;
  ruleIndex?: number;
  ruleName?: string;
}

/** ruleFileError builds a RuleFileError and its message. */
export function ruleFileError(
  kind: RuleFileErrorKind,
  file: string,
  pos: Position | undefined,
  where: Where,
  reason: string,
): RuleFileError {
  let msg = file;
  if (pos) msg += `:${pos.line}:${pos.column}`;
  msg += ": ";
  if (where.ruleIndex !== undefined) {
    msg += `group ${goQuote(where.group ?? "")}, rule ${where.ruleIndex}, ${goQuote(where.ruleName ?? "")}: `;
  }
  msg += reason;
  return {
    kind,
    file,
    ...(pos && { line: pos.line, column: pos.column }),
    ...(where.group !== undefined && { group: where.group }),
    ...(where.ruleIndex !== undefined && { ruleIndex: where.ruleIndex }),
    ...(where.ruleName !== undefined && { ruleName: where.ruleName }),
    reason,
    message: msg,
  };
}

/** goQuote quotes like Go's %q for the ASCII-printable strings names usually are. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

const GROUPS_FIELDS = new Set(["groups"]);
const GROUP_FIELDS = new Set([
  "name",
  "interval",
  "query_offset",
  "limit",
  "rules",
  "labels",
  "query_language",
]);
const RULE_FIELDS = new Set([
  "record",
  "alert",
  "expr",
  "for",
  "keep_firing_for",
  "labels",
  "annotations",
]);

/** A rule as decoded, before validation, with the nodes errors point at. */
interface RawRule {
  record: string;
  alert: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: [string, string, Position][];
  annotations: [string, string, Position][];
  recordPos: Position | undefined;
  alertPos: Position | undefined;
  exprPos: Position | undefined;
  labelsPos: Position | undefined;
  annotationsPos: Position | undefined;
  pos: Position;
}

interface RawGroup {
  name: string;
  intervalMs: number;
  queryOffsetMs: number | undefined;
  limit: number;
  labels: [string, string, Position][];
  /** queryLanguage is the group's `query_language` as written, if set. */
  queryLanguage: string | undefined;
  queryLanguagePos: Position | undefined;
  rules: RawRule[];
  pos: Position;
}

/**
 * parseRuleFile decodes and validates the text of a rule file (rulefmt.Parse). Decoding
 * problems (YAML syntax, wrong types, unknown fields, bad durations) stop validation, as in
 * Prometheus; otherwise every validation problem is reported. An empty file has no groups.
 */
export function parseRuleFile(
  text: string,
  file: string,
  opts: ParseRuleFileOptions = {},
): ParsedRuleFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: true, uniqueKeys: true });
  const posOf = (offset: number): Position => {
    const { line, col } = lc.linePos(offset);
    return { line, column: col };
  };
  const errors: RuleFileError[] = [];
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      errors.push(
        ruleFileError("yaml", file, posOf(e.pos[0]), {}, `yaml: ${firstLine(e.message)}`),
      );
    }
    return { file, groups: [], errors };
  }
  const dec = new Decoder(doc, file, posOf, opts.ignoreUnknownFields ?? false, errors);
  const raw = dec.decode();
  if (errors.length > 0) return { file, groups: [], errors };
  const groups = validate(raw, file, opts, errors);
  if (errors.length === 0 && (opts.duplicates ?? "error") === "error") {
    checkDuplicates(raw, file, errors);
  }
  return { file, groups: errors.length > 0 ? [] : groups, errors };
}

/** firstLine is the first line of a YAML parser message, without its position suffix. */
function firstLine(s: string): string {
  return s
    .split("\n")[0]!
    .trim()
    .replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Decoder turns the YAML tree into raw groups and rules the way yaml.v3 decodes into rulefmt's
 * structs: scalars become strings by their source text, null leaves a field at its zero value,
 * and a value of the wrong kind is a `cannot unmarshal` error.
 */
class Decoder {
  constructor(
    private readonly doc: Document,
    private readonly file: string,
    private readonly posOf: (offset: number) => Position,
    private readonly ignoreUnknown: boolean,
    private readonly errors: RuleFileError[],
  ) {}

  private where: Where = {};

  private fail(node: Node | null | undefined, reason: string): void {
    this.errors.push(ruleFileError("yaml", this.file, this.pos(node), this.where, reason));
  }

  pos(node: Node | null | undefined): Position | undefined {
    const r = node?.range;
    return r ? this.posOf(r[0]) : undefined;
  }

  private resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null | undefined) ?? null;
  }

  private isNull(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.value === null);
  }

  decode(): RawGroup[] {
    const top = this.resolve(this.doc.contents);
    if (this.isNull(top)) return [];
    if (!isMap(top)) {
      this.fail(top, `cannot unmarshal ${tagOf(top)}${shownValue(top)} into rulefmt.RuleGroups`);
      return [];
    }
    let groups: RawGroup[] = [];
    for (const pair of top.items) {
      const key = this.key(pair);
      if (key === "groups") groups = this.groups(this.resolve(pair.value));
      else this.unknown(pair, key, GROUPS_FIELDS, "rulefmt.RuleGroups");
    }
    return groups;
  }

  private key(pair: Pair): string {
    const k = this.resolve(pair.key);
    return isScalar(k) ? String(k.value) : "";
  }

  private unknown(pair: Pair, key: string, known: Set<string>, type: string): void {
    if (known.has(key) || this.ignoreUnknown) return;
    this.fail(pair.key as Node, `field ${key} not found in type ${type}`);
  }

  private groups(node: Node | null): RawGroup[] {
    if (this.isNull(node)) return [];
    if (!isSeq(node)) {
      this.fail(
        node,
        `cannot unmarshal ${tagOf(node)}${shownValue(node)} into []rulefmt.RuleGroup`,
      );
      return [];
    }
    return node.items.map((item) => this.group(this.resolve(item)));
  }

  private group(node: Node | null): RawGroup {
    const g: RawGroup = {
      name: "",
      intervalMs: 0,
      queryOffsetMs: undefined,
      limit: 0,
      labels: [],
      queryLanguage: undefined,
      queryLanguagePos: undefined,
      rules: [],
      pos: this.pos(node) ?? { line: 0, column: 0 },
    };
    if (this.isNull(node)) return g;
    if (!isMap(node)) {
      this.fail(node, `cannot unmarshal ${tagOf(node)}${shownValue(node)} into rulefmt.RuleGroup`);
      return g;
    }
    // The group's name gives context to errors in its rules, wherever it appears.
    for (const pair of node.items) {
      if (this.key(pair) === "name") g.name = this.string(this.resolve(pair.value));
    }
    for (const pair of node.items) {
      const key = this.key(pair);
      const v = this.resolve(pair.value);
      switch (key) {
        case "name":
          break;
        case "interval":
          g.intervalMs = this.duration(v);
          break;
        case "query_offset":
          if (!this.isNull(v)) g.queryOffsetMs = this.duration(v);
          break;
        case "limit":
          g.limit = this.int(v);
          break;
        case "labels":
          g.labels = this.stringMap(v);
          break;
        case "query_language":
          if (!this.isNull(v)) {
            g.queryLanguage = this.string(v);
            g.queryLanguagePos = this.pos(v);
          }
          break;
        case "rules":
          g.rules = this.rules(v, g.name);
          break;
        default:
          this.unknown(pair, key, GROUP_FIELDS, "rulefmt.RuleGroup");
      }
    }
    return g;
  }

  private rules(node: Node | null, group: string): RawRule[] {
    if (this.isNull(node)) return [];
    if (!isSeq(node)) {
      this.fail(node, `cannot unmarshal ${tagOf(node)}${shownValue(node)} into []rulefmt.Rule`);
      return [];
    }
    return node.items.map((item, i) => this.rule(this.resolve(item), group, i + 1));
  }

  private rule(node: Node | null, group: string, index: number): RawRule {
    const r: RawRule = {
      record: "",
      alert: "",
      expr: "",
      forMs: 0,
      keepFiringForMs: 0,
      labels: [],
      annotations: [],
      recordPos: undefined,
      alertPos: undefined,
      exprPos: undefined,
      labelsPos: undefined,
      annotationsPos: undefined,
      pos: this.pos(node) ?? { line: 0, column: 0 },
    };
    if (this.isNull(node)) return r;
    if (!isMap(node)) {
      this.fail(node, `cannot unmarshal ${tagOf(node)}${shownValue(node)} into rulefmt.Rule`);
      return r;
    }
    let name = "";
    for (const pair of node.items) {
      const key = this.key(pair);
      if (key === "alert" || (key === "record" && name === "")) {
        const v = this.resolve(pair.value);
        if (isScalar(v) && v.value !== null) name = scalarText(v);
      }
    }
    const outer = this.where;
    this.where = { group, ruleIndex: index, ruleName: name };
    try {
      for (const pair of node.items) {
        const key = this.key(pair);
        const v = this.resolve(pair.value);
        switch (key) {
          case "record":
            r.record = this.string(v);
            r.recordPos = this.pos(v);
            break;
          case "alert":
            r.alert = this.string(v);
            r.alertPos = this.pos(v);
            break;
          case "expr":
            r.expr = this.string(v);
            r.exprPos = this.pos(v);
            break;
          case "for":
            r.forMs = this.duration(v);
            break;
          case "keep_firing_for":
            r.keepFiringForMs = this.duration(v);
            break;
          case "labels":
            r.labels = this.stringMap(v);
            r.labelsPos = this.pos(pair.key as Node);
            break;
          case "annotations":
            r.annotations = this.stringMap(v);
            r.annotationsPos = this.pos(pair.key as Node);
            break;
          default:
            this.unknown(pair, key, RULE_FIELDS, "rulefmt.Rule");
        }
      }
    } finally {
      this.where = outer;
    }
    return r;
  }

  private string(node: Node | null): string {
    if (this.isNull(node)) return "";
    if (!isScalar(node)) {
      this.fail(node, `cannot unmarshal ${tagOf(node)}${shownValue(node)} into string`);
      return "";
    }
    return scalarText(node);
  }

  private int(node: Node | null): number {
    if (this.isNull(node)) return 0;
    if (isScalar(node) && typeof node.value === "number" && Number.isSafeInteger(node.value)) {
      return node.value;
    }
    this.fail(node, `cannot unmarshal ${tagOf(node)}${shownValue(node)} into int`);
    return 0;
  }

  private duration(node: Node | null): number {
    if (this.isNull(node)) return 0;
    const text = this.string(node);
    if (!isScalar(node)) return 0;
    try {
      return parseGoDuration(text);
    } catch (err) {
      this.fail(node, errorMessage(err));
      return 0;
    }
  }

  private stringMap(node: Node | null): [string, string, Position][] {
    if (this.isNull(node)) return [];
    if (!isMap(node)) {
      this.fail(node, `cannot unmarshal ${tagOf(node)}${shownValue(node)} into map[string]string`);
      return [];
    }
    const out: [string, string, Position][] = [];
    for (const pair of node.items) {
      const k = this.resolve(pair.key);
      const v = this.resolve(pair.value);
      const key = this.string(k);
      const value = this.string(v);
      out.push([key, value, this.pos(k) ?? { line: 0, column: 0 }]);
    }
    return out;
  }
}

/** scalarText is a scalar's value as yaml.v3 decodes it into a string: plain scalars verbatim. */
function scalarText(node: Scalar): string {
  if (typeof node.value === "string") return node.value;
  if (node.value === null) return "";
  const src = (node as Scalar & { srcToken?: { source?: string } }).srcToken?.source;
  return src ?? String(node.value);
}

/** shownValue is how yaml.v3's type errors show a scalar: `` `value` ``, shortened past 10. */
function shownValue(node: Node | null): string {
  if (!isScalar(node)) return "";
  const text = scalarText(node);
  return text.length > 10 ? ` \`${text.slice(0, 7)}...\`` : ` \`${text}\``;
}

/** tagOf names a node's kind as yaml.v3's messages do: !!map, !!seq, !!str, !!int, .... */
function tagOf(node: Node | null): string {
  if (node === null) return "!!null";
  if (isMap(node)) return "!!map";
  if (isSeq(node)) return "!!seq";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "!!null";
    if (typeof v === "boolean") return "!!bool";
    if (typeof v === "number")
      return /^[-+]?(0x|0o)?[0-9]+$/i.test(scalarText(node)) ? "!!int" : "!!float";
    return "!!str";
  }
  return "!!str";
}

const DURATION_UNITS: Record<string, [pos: number, ms: number]> = {
  ms: [1, 1],
  s: [2, 1000],
  m: [3, 60_000],
  h: [4, 3_600_000],
  d: [5, 86_400_000],
  w: [6, 604_800_000],
  y: [7, 31_536_000_000],
};

const MAX_DURATION_MS = 9_223_372_036_854;

/**
 * parseGoDuration parses a duration as prometheus/common model.ParseDuration does, with its
 * error messages: `not a valid duration string: "5"`, `unknown unit "x" in duration "5x"`,
 * `empty duration string`, `duration out of range`. Units run from largest to smallest.
 */
export function parseGoDuration(s: string): number {
  if (s === "0") return 0;
  if (s === "") throw new Error("empty duration string");
  const invalid = () => new Error(`not a valid duration string: ${goQuote(s)}`);
  let rest = s;
  let total = 0;
  let lastPos = 8;
  while (rest !== "") {
    const num = /^[0-9]+/.exec(rest);
    if (!num) throw invalid();
    rest = rest.slice(num[0].length);
    const unitMatch = /^[^0-9]+/.exec(rest);
    if (!unitMatch) throw invalid();
    const unit = unitMatch[0];
    rest = rest.slice(unit.length);
    const u = DURATION_UNITS[unit];
    if (!u) throw new Error(`unknown unit ${goQuote(unit)} in duration ${goQuote(s)}`);
    if (u[0] >= lastPos) throw invalid();
    lastPos = u[0];
    const v = Number(num[0]);
    if (v * u[1] > MAX_DURATION_MS) throw new Error("duration out of range");
    total += v * u[1];
    if (total > MAX_DURATION_MS) throw new Error("duration out of range");
  }
  return total;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** isWellFormed reports whether s encodes to valid UTF-8 (it has no lone surrogates). */
function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** isValidLabelName is model.LabelName.IsValid under UTF-8 validation: non-empty valid UTF-8. */
function isValidLabelName(s: string): boolean {
  return s.length > 0 && isWellFormed(s);
}

/**
 * validate checks decoded groups as RuleGroups.Validate and Rule.Validate do, in their order,
 * and returns the groups with parsed queries.
 */
function validate(
  raw: RawGroup[],
  file: string,
  opts: ParseRuleFileOptions,
  errors: RuleFileError[],
): RuleGroupSpec[] {
  const languages = opts.queryLanguages ?? QUERY_LANGUAGES;
  const seen = new Set<string>();
  const out: RuleGroupSpec[] = [];
  for (const g of raw) {
    const gw: Where = { group: g.name };
    const err = (pos: Position | undefined, reason: string, where: Where = gw) =>
      errors.push(ruleFileError("invalid", file, pos, where, reason));
    if (g.name === "") err(g.pos, "Groupname must not be empty");
    if (seen.has(g.name)) err(g.pos, `groupname: ${goQuote(g.name)} is repeated in the same file`);
    seen.add(g.name);
    for (const [k, v, pos] of g.labels) {
      if (!isValidLabelName(k) || k === METRIC_NAME) err(pos, `invalid label name: ${k}`);
      if (!isWellFormed(v)) err(pos, `invalid label value: ${v}`);
    }
    let language: QueryLanguage = opts.language ?? "promql";
    let badLanguage = false;
    if (g.queryLanguage !== undefined) {
      if (isQueryLanguage(g.queryLanguage)) language = g.queryLanguage;
      else {
        badLanguage = true;
        err(
          g.queryLanguagePos,
          `group ${goQuote(g.name)}: invalid query_language ${goQuote(g.queryLanguage)}: must be promql or logql`,
        );
      }
    }
    const lang = languages[language];
    const rules: RuleSpec[] = [];
    g.rules.forEach((r, i) => {
      const where: Where = {
        group: g.name,
        ruleIndex: i + 1,
        ruleName: r.alert !== "" ? r.alert : r.record,
      };
      const rerr = (pos: Position | undefined, reason: string) => err(pos, reason, where);
      if (r.record !== "" && r.alert !== "") {
        rerr(r.recordPos, "only one of 'record' and 'alert' must be set");
      }
      if (r.record === "" && r.alert === "") {
        rerr(r.recordPos ?? r.alertPos ?? r.pos, "one of 'record' or 'alert' must be set");
      }
      let query: RuleQuery | undefined;
      if (r.expr === "") {
        rerr(r.exprPos ?? r.pos, "field 'expr' must be set in rule");
      } else if (badLanguage) {
        // The group's query_language is reported once; its expressions cannot be checked.
      } else if (!lang) {
        rerr(r.exprPos, `rules in ${language} are not supported`);
      } else {
        try {
          query = lang.parse(r.expr);
        } catch (e) {
          rerr(r.exprPos, `could not parse expression: ${errorMessage(e)}`);
        }
      }
      if (r.record !== "") {
        if (r.annotations.length > 0) {
          rerr(r.recordPos, "invalid field 'annotations' in recording rule");
        }
        if (r.forMs !== 0) rerr(r.recordPos, "invalid field 'for' in recording rule");
        if (r.keepFiringForMs !== 0) {
          rerr(r.recordPos, "invalid field 'keep_firing_for' in recording rule");
        }
        if (!isWellFormed(r.record)) rerr(r.recordPos, `invalid recording rule name: ${r.record}`);
        if (r.record.includes("{") || r.record.includes("}")) {
          rerr(
            r.recordPos,
            `braces present in the recording rule name; should it be in expr?: ${r.record}`,
          );
        }
      }
      for (const [k, v, pos] of r.labels) {
        if (!isValidLabelName(k) || k === METRIC_NAME) rerr(pos, `invalid label name: ${k}`);
        if (!isWellFormed(v)) rerr(pos, `invalid label value: ${v}`);
      }
      for (const [k, , pos] of r.annotations) {
        if (!isValidLabelName(k)) rerr(pos, `invalid annotation name: ${k}`);
      }
      if (r.alert !== "" && opts.templates) {
        const name = `__alert_${r.alert}`;
        for (const [k, v, pos] of r.labels) {
          const e = opts.templates.check(ALERT_TEMPLATE_DEFS + v, name);
          if (e !== undefined) rerr(pos, `label ${goQuote(k)}: ${e}`);
        }
        for (const [k, v, pos] of r.annotations) {
          const e = opts.templates.check(ALERT_TEMPLATE_DEFS + v, name);
          if (e !== undefined) rerr(pos, `annotation ${goQuote(k)}: ${e}`);
        }
      }
      if (query) {
        rules.push({
          kind: r.alert !== "" ? "alerting" : "recording",
          name: r.alert !== "" ? r.alert : r.record,
          expr: r.expr,
          query,
          forMs: r.forMs,
          keepFiringForMs: r.keepFiringForMs,
          labels: Object.fromEntries(r.labels.map(([k, v]) => [k, v])),
          annotations: Object.fromEntries(r.annotations.map(([k, v]) => [k, v])),
          pos: r.pos,
        });
      }
    });
    out.push({
      name: g.name,
      intervalMs: g.intervalMs,
      queryOffsetMs: g.queryOffsetMs,
      limit: g.limit,
      labels: Object.fromEntries(g.labels.map(([k, v]) => [k, v])),
      ...(language !== "promql" && { queryLanguage: language }),
      rules,
      pos: g.pos,
    });
  }
  return out;
}

/** isQueryLanguage reports whether s names a language rules may be written in. */
function isQueryLanguage(s: string): s is QueryLanguage {
  return s === "promql" || s === "logql";
}

/**
 * checkDuplicates reports rules of a file that share their name and labels (group labels
 * included) with an earlier rule of the file, as promtool's checkDuplicates finds them.
 */
function checkDuplicates(raw: RawGroup[], file: string, errors: RuleFileError[]): void {
  const first = new Map<string, { group: string; index: number }>();
  for (const g of raw) {
    g.rules.forEach((r, i) => {
      const name = r.alert !== "" ? r.alert : r.record;
      const labels = new Map<string, string>();
      for (const [k, v] of g.labels) labels.set(k, v);
      for (const [k, v] of r.labels) labels.set(k, v);
      const sorted = [...labels].filter(([, v]) => v !== "").sort(([a], [b]) => (a < b ? -1 : 1));
      const key = JSON.stringify([name, sorted]);
      const prev = first.get(key);
      if (!prev) {
        first.set(key, { group: g.name, index: i + 1 });
        return;
      }
      errors.push(
        ruleFileError(
          "duplicate",
          file,
          r.alertPos ?? r.recordPos ?? r.pos,
          { group: g.name, ruleIndex: i + 1, ruleName: name },
          `duplicate rule: same name and labels as rule ${prev.index} of group ${goQuote(prev.group)}`,
        ),
      );
    });
  }
}
