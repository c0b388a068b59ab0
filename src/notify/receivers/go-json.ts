// JSON encoding as Go's encoding/json Encoder writes Alertmanager's request bodies, so that
// payloads are byte for byte those of Alertmanager: struct fields in declaration order, map
// keys sorted, <, > and & escaped as \u003c, \u003e, \u0026, floats formatted as Go does, and
// a trailing newline after the value (json.Encoder.Encode).
//
// The value model: a plain object is a Go struct (fields in insertion order, undefined fields
// omitted, which is how builders express `omitempty`); a Map is a Go map (keys sorted); arrays
// are slices; bigints are ints; numbers are float64; objects with a MarshalJSON method (the
// template package's Data and Alert) encode themselves.
import { marshalJSON } from "../../template/index.ts";

/** encodeGoJSON returns the JSON text of v without a trailing newline. */
export function encodeGoJSON(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (typeof v !== "object") return marshalJSON(v);
  if (Array.isArray(v)) return "[" + v.map(encodeGoJSON).join(",") + "]";
  if (v instanceof Map) {
    const keys = [...v.keys()].map(String).sort(compareUtf8);
    return (
      "{" +
      keys.map((k) => marshalJSON(k) + ":" + encodeGoJSON(v.get(k) as unknown)).join(",") +
      "}"
    );
  }
  if (typeof (v as { MarshalJSON?: unknown }).MarshalJSON === "function") return marshalJSON(v);
  const fields: string[] = [];
  for (const [k, field] of Object.entries(v)) {
    if (field === undefined) continue;
    fields.push(marshalJSON(k) + ":" + encodeGoJSON(field));
  }
  return "{" + fields.join(",") + "}";
}

/** encodeGoJSONLine is json.NewEncoder(w).Encode(v): the JSON text and a newline. */
export function encodeGoJSONLine(v: unknown): string {
  return encodeGoJSON(v) + "\n";
}

/** goMap builds a Go map (sorted keys on encoding) from a record. */
export function goMap(record: Readonly<Record<string, unknown>>): Map<string, unknown> {
  return new Map(Object.entries(record));
}

/** compareUtf8 orders strings by their UTF-8 bytes, as Go sorts map keys. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
