// Decoding of YAML text into a Go `any` the way gopkg.in/yaml.v2 does (resolve.go), for
// Alertmanager's template.DeepCopyWithTemplate: after a string of a PagerDuty `details` value
// or a webhook `payload` has been rendered, Alertmanager parses the result as YAML, and when it
// is not a plain string it sends the parsed structure instead. So "3" is sent as the number 3,
// `{{ .Alerts.Firing | toJson }}` as a JSON array, "yes" as true and "a: b" as an object.
//
// The result uses go-json.ts's value model: Map for mappings (entries with keys that are not
// strings dropped, as DeepCopyWithTemplate drops them), arrays, bigint for ints, number for
// floats, booleans, null and strings.
import { isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Node as YamlNode } from "yaml";

const BOOL_TRUE = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "true",
  "True",
  "TRUE",
  "on",
  "On",
  "ON",
]);
const BOOL_FALSE = new Set([
  "n",
  "N",
  "no",
  "No",
  "NO",
  "false",
  "False",
  "FALSE",
  "off",
  "Off",
  "OFF",
]);
const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TAG = "tag:yaml.org,2002:";

/**
 * decodeYamlV2 parses text as yaml.v2's Unmarshal into an `any` would. It returns
 * `{ ok: false }` when the text is not valid YAML (the caller then keeps the text).
 */
export function decodeYamlV2(text: string): { ok: true; value: unknown } | { ok: false } {
  const doc = parseDocument(text, {
    schema: "failsafe",
    uniqueKeys: false,
    version: "1.1",
    prettyErrors: false,
  });
  if (doc.errors.length > 0) return { ok: false };
  try {
    return { ok: true, value: convert(doc, doc.contents, 0) };
  } catch {
    return { ok: false };
  }
}

function convert(doc: Document, node: unknown, depth: number): unknown {
  if (depth > 1000) throw new Error("YAML nested too deeply");
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return convert(doc, node.resolve(doc), depth + 1);
  if (isScalar(node)) {
    const raw = String(node.value ?? "");
    const tag = node.tag;
    if (tag === `${TAG}str` || tag === `${TAG}binary`) return raw;
    if (tag === undefined && node.type !== "PLAIN") return raw;
    return resolvePlain(raw);
  }
  if (isSeq(node)) return node.items.map((item) => convert(doc, item, depth + 1));
  if (isMap(node)) {
    const out = new Map<string, unknown>();
    for (const pair of node.items) {
      const key = convert(doc, pair.key as YamlNode | null, depth + 1);
      // DeepCopyWithTemplate drops the entries whose keys are not strings.
      if (typeof key !== "string") continue;
      out.set(key, convert(doc, pair.value as YamlNode | null, depth + 1));
    }
    return out;
  }
  return null;
}

/** resolvePlain resolves an unquoted scalar as yaml.v2's resolve() does. */
export function resolvePlain(s: string): unknown {
  if (BOOL_TRUE.has(s)) return true;
  if (BOOL_FALSE.has(s)) return false;
  if (NULLS.has(s)) return null;
  if (s === ".nan" || s === ".NaN" || s === ".NAN") return Number.NaN;
  if ([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].includes(s)) {
    return Number.POSITIVE_INFINITY;
  }
  if (s === "-.inf" || s === "-.Inf" || s === "-.INF") return Number.NEGATIVE_INFINITY;
  const c = s[0];
  if (c === ".") {
    const f = parseGoFloat(s);
    return f === undefined ? s : f;
  }
  if (c === "+" || c === "-" || (c >= "0" && c <= "9")) {
    const plain = s.replaceAll("_", "");
    const i = parseGoInt(plain);
    if (i !== undefined) return i;
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== undefined) return f;
    }
    if (plain.startsWith("0b") || plain.startsWith("-0b")) {
      const neg = plain.startsWith("-");
      const digits = plain.slice(neg ? 3 : 2);
      if (/^[01]+$/.test(digits)) {
        const v = BigInt("0b" + digits) * (neg ? -1n : 1n);
        if (v >= -(2n ** 63n) && v < 2n ** 63n) return v;
      }
    }
  }
  return s;
}

/**
 * parseGoInt is strconv.ParseInt(s, 0, 64) falling back to ParseUint(s, 0, 64): an optional
 * sign, then 0x/0o/0b prefixes or a leading 0 for octal.
 */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const neg = m[1] === "-";
  const body = m[2];
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt("0o" + body.slice(2));
  else if (/^0[xXbB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body.startsWith("0")) v = BigInt("0o" + body.slice(1));
  else v = BigInt(body);
  if (neg) v = -v;
  if (v >= -(2n ** 63n) && v < 2n ** 63n) return v;
  if (!neg && m[1] === "" && v < 2n ** 64n) return v;
  return undefined;
}

/** parseGoFloat is strconv.ParseFloat for decimal and exponent forms; undefined if invalid. */
function parseGoFloat(s: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}
