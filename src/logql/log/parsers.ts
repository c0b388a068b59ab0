// Label-extracting parser stages (Loki pkg/logql/log/parser.go): json, logfmt, regexp,
// pattern, unpack, and json/logfmt with explicit expressions. Parsers never drop a line: a
// parse failure sets `__error__` (and usually `__error_details__`).
import type { RE2JS } from "re2js";
import type { LabelExtraction } from "../syntax/index.ts";
import { JsonError, lookupPath, objectEach, unescapeJson } from "./json.ts";
import type { JsonValue } from "./json.ts";
import { DUPLICATE_SUFFIX, ERR_JSON, ERR_LOGFMT } from "./labels.ts";
import type { LabelsBuilder } from "./labels.ts";
import { LogfmtDecoder } from "./logfmt.ts";
import type { Pattern } from "./pattern.ts";
import { patternMatches } from "./pattern.ts";
import type { SyncStage } from "./stage.ts";

/**
 * sanitizeLabelKey makes a valid label name (parser.go sanitizeLabelKey): characters outside
 * [A-Za-z0-9_] become `_` and a leading digit gets a `_` prefix.
 */
export function sanitizeLabelKey(key: string, isPrefix: boolean): string {
  if (key === "") return key;
  key = key.trim();
  if (key === "") return key;
  let out = "";
  if (isPrefix && key[0]! >= "0" && key[0]! <= "9") out = "_";
  for (const ch of key) {
    out += /^[A-Za-z0-9_]$/.test(ch) ? ch : "_";
  }
  return out;
}

function fixUtf8(s: string): string {
  return s.includes("\ufffd") ? s.replace(/\ufffd/g, " ") : s;
}

function jsonLabelValue(v: JsonValue): string {
  switch (v.type) {
    case "string": {
      const u = unescapeJson(v.raw);
      return u === null ? "" : fixUtf8(u);
    }
    case "number":
      return v.raw;
    case "boolean":
      return v.raw === "true" ? "true" : "false";
    default:
      return "";
  }
}

function addErr(lbs: LabelsBuilder, err: string, details?: string): void {
  lbs.setErr(err);
  if (details !== undefined) lbs.setErrDetails(details);
}

/** jsonParser is `| json`: every scalar, nested keys joined with `_`. */
export const jsonParser: SyncStage = {
  process(_ts, line, lbs) {
    const walk = (doc: string, prefix: string[]): void => {
      objectEach(doc, (key, value) => {
        if (value.type === "object") {
          walk(value.raw, [...prefix, key]);
          return;
        }
        if (value.type !== "string" && value.type !== "number" && value.type !== "boolean") return;
        let name: string;
        if (prefix.length === 0) {
          name = sanitizeLabelKey(key, true);
          if (name === "") return;
          if (lbs.baseHas(name) || lbs.hasMetadata(name)) name += DUPLICATE_SUFFIX;
        } else {
          const parts = [...prefix, key];
          name = joinPrefix(parts);
          if (lbs.baseHas(name) || lbs.hasMetadata(name)) {
            parts[parts.length - 1] = key + DUPLICATE_SUFFIX;
            name = joinPrefix(parts);
          }
        }
        if (lbs.wasExtracted(name)) return;
        lbs.set("parsed", name, jsonLabelValue(value));
      });
    };
    try {
      walk(line, []);
    } catch (err) {
      if (err instanceof JsonError) addErr(lbs, ERR_JSON, err.message);
      else throw err;
    }
    return line;
  },
};

function joinPrefix(parts: readonly string[]): string {
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!.trim();
    if (p === "") continue;
    if (i > 0 && out !== "") out += "_";
    if (out === "" && p[0]! >= "0" && p[0]! <= "9") out += "_";
    for (const ch of p) out += /^[A-Za-z0-9_]$/.test(ch) ? ch : "_";
  }
  return out;
}

/** unpackParser is `| unpack`: a JSON object of strings, `_entry` replacing the line. */
export const unpackParser: SyncStage = {
  process(_ts, line, lbs) {
    if (line === "") return line;
    if (line[0] !== "{") {
      addErr(lbs, ERR_JSON, "expecting json object(6), but it is not");
      return line;
    }
    const pairs: [string, string][] = [];
    let entry = line;
    let packed = false;
    try {
      objectEach(line, (key, value) => {
        if (value.type !== "string") return;
        if (key === "_entry") {
          const u = unescapeJson(value.raw);
          if (u === null) throw new JsonError("Encountered an invalid escape sequence in a string");
          entry = u;
          packed = true;
          return;
        }
        let name = key;
        if (lbs.baseHas(name) || lbs.hasMetadata(name)) name += DUPLICATE_SUFFIX;
        if (lbs.wasExtracted(name)) return;
        pairs.push([sanitizeLabelKey(name, true), jsonLabelValue(value)]);
      });
    } catch (err) {
      if (err instanceof JsonError) {
        addErr(lbs, ERR_JSON, err.message);
        return line;
      }
      throw err;
    }
    if (packed) for (const [k, v] of pairs) lbs.set("parsed", k, v);
    return entry;
  },
};

/** logfmtParser is `| logfmt [--strict] [--keep-empty]`. */
export function logfmtParser(strict: boolean, keepEmpty: boolean): SyncStage {
  return {
    process(_ts, line, lbs) {
      const dec = new LogfmtDecoder(line);
      while (!dec.eol()) {
        if (!dec.scanKeyval()) {
          if (strict) break;
          continue;
        }
        let key = sanitizeLabelKey(dec.key(), true);
        if (key === "") continue;
        if (lbs.baseHas(key) || lbs.hasMetadata(key)) key += DUPLICATE_SUFFIX;
        if (lbs.wasExtracted(key)) continue;
        const val = fixUtf8(dec.value());
        if (!keepEmpty && val === "") continue;
        lbs.set("parsed", key, val);
      }
      if (strict && dec.err() !== null) addErr(lbs, ERR_LOGFMT, dec.err()!);
      return line;
    },
  };
}

/** regexpParser is `| regexp "..."`: named groups become labels. */
export function regexpParser(re: RE2JS): SyncStage {
  const named = re.namedGroups() as Record<string, number>;
  const byIndex = new Map<number, string>();
  for (const [name, idx] of Object.entries(named)) byIndex.set(idx, name);
  return {
    process(_ts, line, lbs) {
      const m = re.matcher(line);
      if (!m.find()) return line;
      for (let i = 1; i <= re.groupCount(); i++) {
        const name = byIndex.get(i);
        if (name === undefined) continue;
        let key = sanitizeLabelKey(name, true);
        if (key === "") continue;
        if (lbs.baseHas(key) || lbs.hasMetadata(key)) key += DUPLICATE_SUFFIX;
        if (lbs.wasExtracted(key)) continue;
        lbs.set("parsed", key, m.group(i) ?? "");
      }
      return line;
    },
  };
}

/** patternParser is `| pattern "..."`. */
export function patternParser(p: Pattern): SyncStage {
  return {
    process(_ts, line, lbs) {
      const matches = patternMatches(p, line);
      for (let i = 0; i < matches.length; i++) {
        let name = p.names[i]!;
        if (lbs.baseHas(name) || lbs.hasMetadata(name)) name += DUPLICATE_SUFFIX;
        if (lbs.wasExtracted(name)) continue;
        lbs.set("parsed", name, matches[i]!);
      }
      return line;
    },
  };
}

/** parseJsonExpression parses a `| json a="expr"` path (pkg/logql/log/jsonexpr). */
export function parseJsonExpression(expr: string): (string | number)[] {
  const out: (string | number)[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`cannot parse expression [${expr}]: ${msg}`);
  };
  const ws = (): void => {
    while (i < expr.length && /\s/.test(expr[i]!)) i++;
  };
  const field = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i));
    if (!m) return fail(`syntax error: unexpected char ${expr[i] ?? "EOF"}`);
    i += m[0].length;
    return m[0];
  };
  const bracket = (): string | number => {
    i++; // [
    ws();
    let v: string | number;
    if (expr[i] === '"') {
      i++;
      let s = "";
      while (i < expr.length && expr[i] !== '"' && expr[i] !== "]") s += expr[i++];
      if (expr[i] === '"') i++;
      v = s;
    } else {
      const m = /^[0-9]+/.exec(expr.slice(i));
      if (!m) return fail("syntax error: unexpected token");
      i += m[0].length;
      if (expr[i] === ".") return fail("cannot use float as array index");
      v = Number(m[0]);
    }
    ws();
    if (expr[i] !== "]") return fail("syntax error: expecting ]");
    i++;
    return v;
  };
  ws();
  if (expr[i] === "[") out.push(bracket());
  else out.push(field());
  for (;;) {
    ws();
    if (i >= expr.length) break;
    if (expr[i] === "[") out.push(bracket());
    else if (expr[i] === ".") {
      i++;
      ws();
      out.push(field());
    } else fail(`syntax error: unexpected char ${expr[i]}`);
  }
  return out;
}

/** jsonExpressionParser is `| json a="b.c[0]", ...`. */
export function jsonExpressionParser(exprs: readonly LabelExtraction[]): SyncStage {
  const paths = exprs.map((e) => ({ id: e.name, path: parseJsonExpression(e.expression) }));
  return {
    process(_ts, line, lbs) {
      if (line === "") return line;
      if (!(line[0] === '"' || line[0] === "{" || line[0] === "[")) {
        lbs.setErr(ERR_JSON);
        return line;
      }
      for (const { id, path } of paths) {
        const v = lookupPath(line, path);
        let key = id;
        if (lbs.baseHas(key) || lbs.hasMetadata(key)) key += DUPLICATE_SUFFIX;
        if (v === undefined) {
          if (lbs.get(id) === undefined) lbs.set("parsed", id, "");
          continue;
        }
        let value: string;
        if (v.type === "null") value = "";
        else if (v.type === "object") value = v.raw;
        else value = fixUtf8(unescapeJson(v.raw) ?? "");
        lbs.set("parsed", key, value);
      }
      return line;
    },
  };
}

/** parseLogfmtExpression parses a `| logfmt a="key"` expression: a key name. */
export function parseLogfmtExpression(expr: string): string {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(expr);
  if (!m) {
    const bad = expr.trim()[0] ?? "";
    throw new Error(`cannot parse expression [${expr}]: unexpected char ${bad}`);
  }
  return m[1]!;
}

/** logfmtExpressionParser is `| logfmt a="key", ...`. */
export function logfmtExpressionParser(
  exprs: readonly LabelExtraction[],
  strict: boolean,
): SyncStage {
  const keys = new Map<string, string>();
  for (const e of exprs) keys.set(e.name, parseLogfmtExpression(e.expression));
  return {
    process(_ts, line, lbs) {
      for (const id of keys.keys()) {
        if (!lbs.baseHas(id) && !lbs.hasMetadata(id)) lbs.set("parsed", id, "");
      }
      const dec = new LogfmtDecoder(line);
      while (!dec.eol()) {
        if (!dec.scanKeyval()) {
          if (strict) break;
          continue;
        }
        let key = sanitizeLabelKey(dec.key(), true);
        if (key === "") continue;
        const always = keys.has(key);
        if (!always && ![...keys.values()].includes(key)) continue;
        if (!always && lbs.wasExtracted(key)) continue;
        let val = dec.value();
        if (val.includes("\ufffd")) val = "";
        for (const [id, orig] of keys) {
          if (key === orig) {
            key = id;
            break;
          }
        }
        if (keys.has(key)) {
          if (lbs.baseHas(key) || lbs.hasMetadata(key)) key += DUPLICATE_SUFFIX;
          lbs.set("parsed", key, val);
        }
      }
      if (strict && dec.err() !== null) addErr(lbs, ERR_LOGFMT, dec.err()!);
      return line;
    },
  };
}
