// Translating ClickHouse HTTP `param_<name>` values into what chDB's `queryBindAsync` expects.
//
// Over HTTP a parameter value is text that the server parses as the placeholder's type in the
// "Escaped" (TSV) format. chDB's binder takes a JS string and TSV-escapes it (backslash, NUL,
// \b \f \n \r \t) before handing it to the same engine code. So for a value `v` we must find a
// string `s` whose escaping parses to what `v` parses to:
//
// - scalar types (String, numbers, dates, ...): the engine unescapes the whole value, so
//   `s = unescape(v)` is exact;
// - composite types (Array, Tuple, Map, Nested): the engine reads the value as a literal whose
//   strings are single-quoted and unescaped only inside the quotes. Inside quotes we unescape
//   each sequence to its character (chDB re-escapes the ones that need it), except `\'`, which
//   has no escapable preimage and becomes the equivalent SQL-style doubled quote `''`.
//
// `\N` alone is NULL and maps to `null`, which chDB sends as `\N` again.

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "0": "\0",
};

/**
 * Decodes the escape sequence starting at `v[i]` (a backslash) as ClickHouse's escaped-string
 * reader does, returning the decoded text and the number of characters consumed.
 */
function decodeEscape(v: string, i: number): [string, number] {
  const next = v[i + 1];
  if (next === undefined) return ["\\", 1];
  if (next === "x" || next === "X") {
    const hex = v.slice(i + 2, i + 4);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) return [String.fromCharCode(parseInt(hex, 16)), 4];
  }
  return [SIMPLE_ESCAPES[next] ?? next, 2];
}

/** Unescapes a value in ClickHouse's Escaped (TSV) text format. */
export function unescapeEscaped(v: string): string {
  let out = "";
  for (let i = 0; i < v.length;) {
    if (v[i] === "\\") {
      const [text, used] = decodeEscape(v, i);
      out += text;
      i += used;
    } else {
      out += v[i];
      i += 1;
    }
  }
  return out;
}

/** Rewrites a composite literal so that chDB's TSV escaping of it yields an equivalent literal. */
function compositeForChdb(v: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < v.length;) {
    const ch = v[i];
    if (inString && ch === "\\") {
      const next = v[i + 1];
      if (next === "'") {
        out += "''";
        i += 2;
      } else {
        const [text, used] = decodeEscape(v, i);
        out += text === "'" ? "''" : text;
        i += used;
      }
      continue;
    }
    if (ch === "'") inString = !inString;
    out += ch;
    i += 1;
  }
  return out;
}

const COMPOSITE_TYPE = /^(?:(?:Nullable|LowCardinality)\s*\(\s*)*(?:Array|Tuple|Map|Nested)\s*\(/i;

/**
 * Converts the HTTP parameter text `raw` for a placeholder of type `type` (undefined when the
 * statement does not mention the parameter) into a value for chDB's `queryBindAsync`.
 */
export function toChdbParamValue(raw: string, type: string | undefined): string | null {
  if (raw === "\\N") return null;
  if (type !== undefined && COMPOSITE_TYPE.test(type.trim())) return compositeForChdb(raw);
  return unescapeEscaped(raw);
}
