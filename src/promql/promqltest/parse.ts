// Parser of promqltest scripts, after prometheus promql/promqltest/test.go (v3.5, plus the
// `expect range vector` and `expect string` forms of later versions): line-oriented blocks
// separated by empty or comment lines, commands `clear`, `load[_with_nhcb] <step>` and
// `eval[_fail|_warn|_info|_ordered] instant at <t> <expr>` / `eval... range from <a> to <b> step
// <s> <expr>` with their bodies. Expressions are parsed here, so a syntax error fails the script.
import { RE2JS } from "re2js";
import { labelsKey } from "../../model/labels/index.ts";
import { parseDuration } from "../../model/duration.ts";
import { parseExpr } from "../parser/index.ts";
import type {
  Command,
  EvalCommand,
  EvalQuery,
  ExpectedSeries,
  LoadCommand,
  LoadSeries,
  Script,
  TextMatch,
  TimeRange,
} from "./script.ts";
import {
  isStartTimestampLine,
  parseSeriesDesc,
  parseStartTimestampDesc,
  SeriesDescError,
} from "./series.ts";

/** ScriptParseError is a malformed script; `line` is the 1-based line it is about. */
export class ScriptParseError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "ScriptParseError";
    this.line = line;
  }
}

const PAT_SPACE = /[\t ]+/;
const PAT_LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const PAT_EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const PAT_EVAL_RANGE =
  /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const PAT_EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const RANGE_VECTOR_PREFIX = "expect range vector";
const PAT_EXPECT_RANGE = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;
const EXPECT_STRING_PREFIX = "expect string";

/**
 * parseScript parses a whole script. It throws a ScriptParseError for the first malformed line,
 * including an eval expression that does not parse.
 */
export function parseScript(input: string): Script {
  const lines = input.split("\n").map((l) => {
    const t = l.trim();
    return t.startsWith("#") ? "" : t;
  });
  const commands: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === "") continue;
    const c = l.split(PAT_SPACE, 1)[0]!.toLowerCase();
    let cmd: Command;
    if (c === "clear") cmd = { kind: "clear", line: i + 1 };
    else if (c.startsWith("load")) [i, cmd] = parseLoad(lines, i);
    else if (c.startsWith("eval")) [i, cmd] = parseEval(lines, i);
    else throw new ScriptParseError(i + 1, `invalid command ${JSON.stringify(l)}`);
    commands.push(cmd);
  }
  return { commands };
}

function duration(s: string | undefined, what: string, line: number, prefix = ""): number {
  try {
    return parseDuration(s ?? "");
  } catch (err) {
    throw new ScriptParseError(
      line,
      `${prefix}invalid ${what} ${JSON.stringify(s ?? "")}: ${(err as Error).message}`,
    );
  }
}

// parseLoad parses the load block starting at lines[i]; it returns the index of its last line.
function parseLoad(lines: string[], i: number): [number, LoadCommand] {
  const header = PAT_LOAD.exec(lines[i]!);
  if (!header) {
    throw new ScriptParseError(i + 1, "invalid load command. (load[_with_nhcb] <step:duration>)");
  }
  const cmd: LoadCommand = {
    kind: "load",
    line: i + 1,
    stepMs: duration(header[2], "step definition", i + 1),
    withNhcb: header[1] === "with_nhcb",
    series: [],
  };
  const byKey = new Map<string, LoadSeries>();
  let pendingSt: { labels: string; offsets: (number | null)[]; line: number } | undefined;
  while (i + 1 < lines.length && lines[i + 1] !== "") {
    i++;
    const def = lines[i]!;
    if (isStartTimestampLine(def)) {
      if (pendingSt) {
        throw new ScriptParseError(pendingSt.line, "@st line without a following series line");
      }
      const st = wrapSeriesError(i, () => parseStartTimestampDesc(def));
      pendingSt = { labels: labelsKey(st.labels), offsets: st.offsetsMs, line: i + 1 };
      continue;
    }
    const desc = wrapSeriesError(i, () => parseSeriesDesc(def));
    const series: LoadSeries = { labels: desc.labels, values: desc.values, line: i + 1 };
    if (pendingSt) {
      if (pendingSt.labels !== labelsKey(desc.labels)) {
        throw new ScriptParseError(pendingSt.line, "@st line and the following series differ");
      }
      if (pendingSt.offsets.length !== desc.values.length) {
        throw new ScriptParseError(
          pendingSt.line,
          `@st line has ${pendingSt.offsets.length} positions, its series ${desc.values.length}`,
        );
      }
      series.startTimestampOffsetsMs = pendingSt.offsets;
      pendingSt = undefined;
    }
    byKey.set(labelsKey(desc.labels), series);
  }
  if (pendingSt) {
    throw new ScriptParseError(pendingSt.line, "@st line without a following series line");
  }
  cmd.series = [...byKey.values()];
  return [i, cmd];
}

function wrapSeriesError<T>(i: number, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SeriesDescError) throw new ScriptParseError(i + 1, err.message);
    throw err;
  }
}

function parseTextMatch(kind: string | undefined, text: string | undefined, mode: string) {
  if (kind === undefined) return { kind: "any" } satisfies TextMatch;
  const t = (text ?? "").trim();
  if (kind === "msg") return { kind: "message", text: t } satisfies TextMatch;
  try {
    return { kind: "regex", source: t, re: RE2JS.compile(t) } satisfies TextMatch;
  } catch {
    throw new Error(`invalid regex ${t} for ${mode}`);
  }
}

// parseEval parses the eval block starting at lines[i]; it returns the index of its last line.
function parseEval(lines: string[], i: number): [number, EvalCommand] {
  const headerLine = lines[i]!;
  const inst = PAT_EVAL_INSTANT.exec(headerLine);
  const rng = PAT_EVAL_RANGE.exec(headerLine);
  if (!inst && !rng) {
    throw new ScriptParseError(
      i + 1,
      "invalid evaluation command. Must be either 'eval[_fail|_warn|_info|_ordered] instant " +
        "[at <offset:duration>] <query>' or 'eval[_fail|_warn|_info] range from <from> to <to> " +
        "step <step> <query>'",
    );
  }
  const mod = inst ? inst[1] : rng![1];
  const expr = inst ? inst[3]! : rng![5]!;
  try {
    parseExpr(expr);
  } catch (err) {
    throw new ScriptParseError(i + 1, `${(err as Error).message} in ${JSON.stringify(expr)}`);
  }
  const line = i + 1;
  const prefix = `error in eval ${expr}: `;
  const fail = (msg: string): never => {
    throw new ScriptParseError(line, prefix + msg);
  };

  let query: EvalQuery;
  if (inst) {
    query = { type: "instant", timeMs: duration(inst[2], "timestamp definition", line, prefix) };
  } else {
    query = { type: "range", ...parseRange(rng![2]!, rng![3]!, rng![4]!, line, prefix) };
  }
  const cmd: EvalCommand = {
    kind: "eval",
    line,
    expr,
    query,
    fail: mod === "fail",
    failMatches: [],
    ordered: mod === "ordered",
    anyWarn: mod === "warn",
    anyInfo: mod === "info",
    expectWarn: [],
    expectInfo: [],
    noWarn: false,
    noInfo: false,
    series: [],
  };
  const deprecatedFail = cmd.fail;
  let expectFailCount = 0;
  const byKey = new Map<string, ExpectedSeries>();
  let position = 0;

  while (i + 1 < lines.length && lines[i + 1] !== "") {
    i++;
    const def = lines[i]!;
    if (deprecatedFail && def.startsWith("expected_fail_message")) {
      const text = def.slice("expected_fail_message".length).trim();
      // Upstream ignores an empty message.
      if (text !== "") cmd.failMatches.push({ kind: "message", text });
      break;
    }
    if (deprecatedFail && def.startsWith("expected_fail_regexp")) {
      const source = def.slice("expected_fail_regexp".length).trim();
      try {
        cmd.failMatches.push({ kind: "regex", source, re: RE2JS.compile(source) });
      } catch (err) {
        fail(`invalid regexp '${source}' for expected_fail_regexp: ${(err as Error).message}`);
      }
      break;
    }
    if (def.startsWith(RANGE_VECTOR_PREFIX)) {
      const m = PAT_EXPECT_RANGE.exec(def);
      if (!m) fail(`invalid range vector definition ${JSON.stringify(def)}`);
      if (query.type === "range") fail("expect range vector is only allowed for instant evals");
      cmd.rangeVector = parseRange(m![1]!, m![2]!, m![3]!, line, prefix);
      position++;
      continue;
    }
    if (def.startsWith(EXPECT_STRING_PREFIX)) {
      cmd.expectedString = parseExpectString(def, fail);
      position++;
      continue;
    }
    // A metric named `expect` can still be written as `expect{}`.
    if (def.split(" ")[0] === "expect") {
      const m = PAT_EXPECT.exec(def);
      if (!m) {
        fail("invalid expect statement, must match `expect <type> <match_type>: <string>` format");
      }
      let match: TextMatch;
      try {
        match = parseTextMatch(m![2], m![3], m![1]!);
      } catch (err) {
        return fail((err as Error).message);
      }
      switch (m![1]) {
        case "ordered":
          cmd.ordered = true;
          break;
        case "fail":
          cmd.fail = true;
          expectFailCount++;
          if (match.kind !== "any") cmd.failMatches.push(match);
          break;
        case "warn":
          cmd.expectWarn.push(match);
          break;
        case "no_warn":
          cmd.noWarn = true;
          break;
        case "info":
          cmd.expectInfo.push(match);
          break;
        case "no_info":
          cmd.noInfo = true;
          break;
      }
      if (cmd.expectInfo.length > 0 && cmd.noInfo) {
        fail("invalid expect lines, info and no_info cannot be used together");
      }
      if (cmd.expectWarn.length > 0 && cmd.noWarn) {
        fail("invalid expect lines, warn and no_warn cannot be used together");
      }
      if (expectFailCount > 1) {
        fail("invalid expect lines, multiple expect fail lines are not allowed");
      }
      continue;
    }
    const n = parseGoNumber(def);
    if (n !== undefined) {
      // A bare number is a scalar expectation and ends the body.
      cmd.scalar = n;
      break;
    }
    const desc = wrapSeriesError(i, () => parseSeriesDesc(def));
    if (desc.values.length > 1 && query.type === "instant" && !cmd.rangeVector) {
      fail(
        "expecting multiple values in instant evaluation not allowed. consider using " +
          "'expect range vector' directive to enable a range vector result for an instant query",
      );
    }
    position++;
    byKey.set(labelsKey(desc.labels), {
      labels: desc.labels,
      values: desc.values,
      position,
      line: i + 1,
    });
  }
  cmd.series = [...byKey.values()];
  return [i, cmd];
}

function parseRange(
  from: string,
  to: string,
  step: string,
  line: number,
  prefix: string,
): TimeRange {
  const startMs = duration(from, "start timestamp definition", line, prefix);
  const endMs = duration(to, "end timestamp definition", line, prefix);
  if (endMs < startMs) {
    throw new ScriptParseError(
      line,
      `${prefix}invalid test definition, end timestamp (${to}) is before start timestamp (${from})`,
    );
  }
  const stepMs = duration(step, "step definition", line, prefix);
  return { startMs, endMs, stepMs };
}

// parseExpectString reads `expect string "<text>"` (or a backquoted text), unquoting as Go's
// strconv.Unquote does.
function parseExpectString(def: string, fail: (msg: string) => never): string {
  const str = def === EXPECT_STRING_PREFIX ? "" : def.slice(EXPECT_STRING_PREFIX.length + 1);
  if (str === "") {
    fail("expected string literal not valid - a quoted string literal is required");
  }
  const v = goUnquote(str);
  if (v === undefined) {
    fail("expected string literal not valid - check that the string is correctly quoted");
  }
  return v!;
}

/**
 * goUnquote interprets s as a Go double-quoted or backquoted string literal, returning undefined
 * when it is not one. It covers the escapes of Go's strconv.Unquote except for octal and \x bytes
 * that do not form valid UTF-8 on their own.
 */
export function goUnquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s[0];
  if (q === "`") {
    if (!s.endsWith("`") || s.slice(1, -1).includes("`")) return undefined;
    return s.slice(1, -1).replaceAll("\r", "");
  }
  if (q !== '"' || !s.endsWith('"')) return undefined;
  const body = s.slice(1, -1);
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const SIMPLE: Record<string, number> = {
    a: 7,
    b: 8,
    f: 12,
    n: 10,
    r: 13,
    t: 9,
    v: 11,
    "\\": 92,
    '"': 34,
  };
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c === '"' || c === "\n") return undefined;
    if (c !== "\\") {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...enc.encode(ch));
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    if (e in SIMPLE) {
      bytes.push(SIMPLE[e]!);
      i += 2;
      continue;
    }
    const hexLen = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (hexLen > 0) {
      const h = body.slice(i + 2, i + 2 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(h)) return undefined;
      const v = parseInt(h, 16);
      if (e === "x") bytes.push(v);
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
        bytes.push(...enc.encode(String.fromCodePoint(v)));
      }
      i += 2 + hexLen;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const o = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) return undefined;
      bytes.push(parseInt(o, 8));
      i += 4;
      continue;
    }
    return undefined;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const GO_INT =
  /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?[0-7])*|[1-9](?:_?\d)*)$/;
const GO_DEC_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * parseGoNumber reads s as the upstream runner's parseNumber does: first as a Go integer literal
 * (strconv.ParseInt(s, 0, 64): sign, 0x/0o/0b prefixes, leading-0 octal, `_` separators), then as
 * a Go float (strconv.ParseFloat: decimal, hexadecimal with p exponent, inf/infinity, nan). It
 * returns undefined when s is neither.
 */
export function parseGoNumber(s: string): number | undefined {
  if (GO_INT.test(s)) {
    const neg = s.startsWith("-");
    let body = s.replace(/^[+-]/, "").replaceAll("_", "");
    if (/^0[0-7]/.test(body)) body = "0o" + body.slice(1);
    const big = (neg ? -1n : 1n) * BigInt(body);
    if (big >= INT64_MIN && big <= INT64_MAX) return Number(big);
  }
  if (GO_DEC_FLOAT.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  const hex = GO_HEX_FLOAT.exec(s);
  if (hex && (hex[2] !== "" || hex[3] !== "")) {
    const mant = parseInt(hex[2]! + hex[3]! || "0", 16);
    const v = mant * 2 ** (Number(hex[4]) - 4 * hex[3]!.length);
    if (!Number.isFinite(v)) return undefined;
    return hex[1] === "-" ? -v : v;
  }
  switch (s.toLowerCase()) {
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Infinity;
    case "-inf":
    case "-infinity":
      return -Infinity;
    case "nan":
      return NaN;
    default:
      return undefined;
  }
}
