// Line filters (Loki pkg/logql/log/filter.go): `|=` contains, `!=`, `|~` / `!~` unanchored RE2,
// `|>` / `!>` patterns, `ip()`; the alternatives of `or` are ORed, negative filters are split
// into one term per value by the parser.
import { RE2JS } from "re2js";
import type { LineFilter, LineFilterValue } from "../syntax/index.ts";
import { compileIpPattern, ipFilter } from "./ip.ts";
import { parsePattern, patternTest } from "./pattern.ts";

/** LineMatcher tests one line. */
export type LineMatcher = (line: string) => boolean;

function compileValue(op: LineFilter["op"], v: LineFilterValue): LineMatcher {
  if (v.ip) {
    if (op !== "|=" && op !== "!=") throw new Error("ip: invalid operation");
    const m = compileIpPattern(v.match);
    return (line) => ipFilter(m, line);
  }
  switch (op) {
    case "|=":
    case "!=": {
      const s = v.match;
      if (s === "") return () => true;
      return (line) => line.includes(s);
    }
    case "|~":
    case "!~": {
      let re: RE2JS;
      try {
        re = RE2JS.compile(v.match);
      } catch (err) {
        throw new Error((err as Error).message, { cause: err });
      }
      return (line) => re.test(line);
    }
    case "|>":
    case "!>": {
      const p = parsePattern(v.match, "filter");
      return (line) => patternTest(p, line);
    }
  }
}

/** compileLineFilter turns one filter term into a matcher; it throws on a bad regex/pattern. */
export function compileLineFilter(f: LineFilter): LineMatcher {
  const alts = f.values.map((v) => compileValue(f.op, v));
  const any: LineMatcher = alts.length === 1 ? alts[0]! : (line) => alts.some((m) => m(line));
  const negative = f.op === "!=" || f.op === "!~" || f.op === "!>";
  return negative ? (line) => !any(line) : any;
}
