// Go's json.Marshal over the template value model, for Alertmanager's toJson: map keys sorted,
// HTML-significant characters escaped (\u003c, \u003e, \u0026), U+2028/U+2029 escaped, floats
// formatted like encoding/json's floatEncoder, MarshalJSON methods honoured, nil slices and
// maps as null. Reference: encoding/json/encode.go.

import { sortKeys } from "./fmt.ts";
import { formatFloat } from "./strconv.ts";
import {
  findMethod,
  intOf,
  isNil,
  kindOf,
  mapKeys,
  mapLookup,
  structFields,
  typeName,
} from "./value.ts";
import type { GoComplex } from "./value.ts";

const HEX = "0123456789abcdef";

/** jsonQuote encodes s as a JSON string the way encoding/json does with HTML escaping on. */
export function jsonQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) {
      out += "\\u00" + HEX[c >> 4] + HEX[c & 0xf];
    } else if (c === 0x2028 || c === 0x2029) {
      out += "\\u202" + HEX[c & 0xf];
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += "\\ufffd";
    } else out += ch;
  }
  return out + '"';
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) {
    throw new Error(`json: unsupported value: ${formatFloat(f, "g", -1)}`);
  }
  const abs = Math.abs(f);
  let fmt: "f" | "e" = "f";
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = "e";
  let s = formatFloat(f, fmt, -1);
  if (fmt === "e") {
    // Clean up e-09 to e-9, as encoding/json does.
    const n = s.length;
    if (n >= 4 && s[n - 4] === "e" && s[n - 3] === "-" && s[n - 2] === "0") {
      s = s.slice(0, n - 2) + s.slice(n - 1);
    }
  }
  return s;
}

/**
 * marshalJSON encodes v as json.Marshal does. It throws Error("json: unsupported value: NaN")
 * and similar for values encoding/json rejects.
 */
export function marshalJSON(v: unknown): string {
  if (isNil(v)) return "null";
  const custom = findMethod(v, "MarshalJSON");
  if (custom) return String((custom as () => unknown).call(v));
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  switch (kindOf(v)) {
    case "bool":
      return v ? "true" : "false";
    case "int":
      return intOf(v).toString();
    case "float":
      return jsonFloat(v as number);
    case "string":
      return jsonQuote(v as string);
    case "complex":
      throw new Error(`json: unsupported type: complex128 (${(v as GoComplex).re})`);
    case "func":
      throw new Error(`json: unsupported type: ${typeName(v)}`);
    case "slice":
      return "[" + (v as unknown[]).map(marshalJSON).join(",") + "]";
    case "map": {
      const keys = sortKeys(mapKeys(v).map((k) => String(k)));
      return (
        "{" +
        keys
          .map((k) => jsonQuote(k as string) + ":" + marshalJSON(mapLookup(v, k).value))
          .join(",") +
        "}"
      );
    }
    case "struct":
      return (
        "{" +
        structFields(v as object)
          .map(([k, field]) => jsonQuote(k) + ":" + marshalJSON(field))
          .join(",") +
        "}"
      );
    case "invalid":
      return "null";
  }
}
