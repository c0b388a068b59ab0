// Label filter stages (Loki pkg/logql/log/label_filter.go and ip.go IPLabelFilter): string
// matchers, numeric, duration and bytes comparisons, ip(), combined with and/or. A value that
// does not convert sets `__error__=LabelFilterErr` and keeps the line.
import { RE2JS } from "re2js";
import type { CompareOp, LabelFilter } from "../syntax/index.ts";
import {
  BytesError,
  GoDurationError,
  parseBytes,
  parseFloatError,
  parseGoDuration,
  parseGoFloat,
} from "../syntax/index.ts";
import { compileIpPattern, ipFilter } from "./ip.ts";
import { ERR_LABEL_FILTER, ERROR_LABEL } from "./labels.ts";
import type { LabelsBuilder } from "./labels.ts";

/** LabelPredicate decides whether a line's labels pass a filter. */
export type LabelPredicate = (lbs: LabelsBuilder) => boolean;

function compare<T extends number | bigint>(op: CompareOp, a: T, b: T): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

function setFilterErr(lbs: LabelsBuilder, details: string): void {
  if (!lbs.hasErr()) {
    lbs.setErr(ERR_LABEL_FILTER);
    lbs.setErrDetails(details);
  }
}

/** compileLabelFilter compiles a label filter; it throws on an invalid ip() pattern. */
export function compileLabelFilter(f: LabelFilter): LabelPredicate {
  switch (f.kind) {
    case "and": {
      const l = compileLabelFilter(f.left);
      const r = compileLabelFilter(f.right);
      return (lbs) => {
        const a = l(lbs);
        const b = r(lbs);
        return a && b;
      };
    }
    case "or": {
      const l = compileLabelFilter(f.left);
      const r = compileLabelFilter(f.right);
      return (lbs) => l(lbs) || r(lbs);
    }
    case "string": {
      const m = f.matcher;
      const value = (lbs: LabelsBuilder): string =>
        m.name === ERROR_LABEL ? lbs.getErr() : (lbs.get(m.name) ?? "");
      if (m.type === "=~" || m.type === "!~") {
        // Loki compiles label regexes with Perl flags, anchored, without (?s).
        const re = RE2JS.compile(`^(?:${m.value})$`);
        const neg = m.type === "!~";
        return (lbs) => re.matches(value(lbs)) !== neg;
      }
      const neg = m.type === "!=";
      return (lbs) => (value(lbs) === m.value) !== neg;
    }
    case "ip": {
      const matcher = compileIpPattern(f.pattern);
      return (lbs) => {
        if (lbs.hasErr()) return true;
        const v = lbs.get(f.name);
        if (v === undefined) return false;
        const hit = ipFilter(matcher, v);
        return f.op === "=" ? hit : !hit;
      };
    }
    case "number":
      return (lbs) => {
        const v = lbs.get(f.name);
        if (v === undefined) return false;
        const n = parseGoFloat(v);
        if (n === null) {
          setFilterErr(lbs, parseFloatError(v));
          return true;
        }
        return compare(f.op, n, f.value);
      };
    case "duration":
      return (lbs) => {
        const v = lbs.get(f.name);
        if (v === undefined) return false;
        let d: bigint;
        try {
          d = parseGoDuration(v);
        } catch (err) {
          if (!(err instanceof GoDurationError)) throw err;
          setFilterErr(lbs, err.message);
          return true;
        }
        return compare(f.op, d, f.valueNs);
      };
    case "bytes":
      return (lbs) => {
        const v = lbs.get(f.name);
        if (v === undefined) return false;
        let b: number;
        try {
          b = parseBytes(v);
        } catch (err) {
          if (!(err instanceof BytesError)) throw err;
          setFilterErr(lbs, err.message);
          return true;
        }
        return compare(f.op, b, f.value);
      };
  }
}
