// Decoding of OTLP/HTTP logs requests, protobuf and JSON, into one model. The JSON form follows
// the OTLP specification's JSON Protobuf Encoding: lowerCamelCase keys (snake_case accepted too,
// as the collector's pdata does), trace and span ids as hex, 64-bit integers as strings or
// numbers, enums as numbers or names.
import { errorMessage } from "../../util/errors.ts";
import { PushError } from "../loki/index.ts";
import { ExportLogsServiceRequestType } from "./proto.ts";

/** AnyValue is an OTLP AnyValue; `empty` when no field of the oneof is set. */
export type AnyValue =
  | { readonly type: "empty" }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "int"; readonly value: bigint }
  | { readonly type: "double"; readonly value: number }
  | { readonly type: "array"; readonly value: readonly AnyValue[] }
  | { readonly type: "kvlist"; readonly value: readonly KeyValue[] }
  | { readonly type: "bytes"; readonly value: Uint8Array };

/** KeyValue is an attribute. */
export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

/** OtlpLogRecord is a LogRecord; times in nanoseconds (0 when unset). */
export interface OtlpLogRecord {
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: AnyValue;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly eventName: string;
}

/** OtlpScopeLogs is a ScopeLogs with its InstrumentationScope. */
export interface OtlpScopeLogs {
  readonly scope: {
    readonly name: string;
    readonly version: string;
    readonly attributes: readonly KeyValue[];
    readonly droppedAttributesCount: number;
  };
  readonly logRecords: readonly OtlpLogRecord[];
}

/** OtlpResourceLogs is a ResourceLogs with its Resource. */
export interface OtlpResourceLogs {
  readonly resource: {
    readonly attributes: readonly KeyValue[];
    readonly droppedAttributesCount: number;
  };
  readonly scopeLogs: readonly OtlpScopeLogs[];
}

/** OtlpLogsRequest is an ExportLogsServiceRequest. */
export interface OtlpLogsRequest {
  readonly resourceLogs: readonly OtlpResourceLogs[];
}

const EMPTY: AnyValue = { type: "empty" };
const NO_BYTES = new Uint8Array(0);

// ---- protobuf ----

type Msg = Record<string, unknown>;

const has = (m: Msg, k: string): boolean => Object.prototype.hasOwnProperty.call(m, k);

function long(v: unknown): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === "number") return BigInt(v);
  // protobufjs Long: unsigned for fixed64, signed for int64; toString respects that.
  return BigInt((v as { toString(): string }).toString());
}

function protoAnyValue(m: Msg | null | undefined): AnyValue {
  if (!m) return EMPTY;
  if (has(m, "string_value")) return { type: "string", value: m["string_value"] as string };
  if (has(m, "bool_value")) return { type: "bool", value: m["bool_value"] as boolean };
  if (has(m, "int_value")) return { type: "int", value: BigInt.asIntN(64, long(m["int_value"])) };
  if (has(m, "double_value")) return { type: "double", value: m["double_value"] as number };
  if (has(m, "array_value")) {
    const vs = ((m["array_value"] as Msg)["values"] as Msg[] | undefined) ?? [];
    return { type: "array", value: vs.map(protoAnyValue) };
  }
  if (has(m, "kvlist_value")) {
    return { type: "kvlist", value: protoKeyValues((m["kvlist_value"] as Msg)["values"]) };
  }
  if (has(m, "bytes_value")) return { type: "bytes", value: m["bytes_value"] as Uint8Array };
  return EMPTY;
}

function protoKeyValues(list: unknown): KeyValue[] {
  return ((list as Msg[] | undefined) ?? []).map((kv) => ({
    key: (kv["key"] as string | undefined) ?? "",
    value: protoAnyValue(kv["value"] as Msg | undefined),
  }));
}

/** decodeOtlpProto decodes an uncompressed protobuf ExportLogsServiceRequest. */
export function decodeOtlpProto(buf: Uint8Array): OtlpLogsRequest {
  let msg: Msg;
  try {
    msg = ExportLogsServiceRequestType.decode(buf) as unknown as Msg;
  } catch (err) {
    const m = errorMessage(err);
    const text =
      err instanceof RangeError || m.startsWith("index out of range") ? "unexpected EOF" : m;
    throw new PushError(400, `proto: ${text}`);
  }
  return {
    resourceLogs: ((msg["resource_logs"] as Msg[] | undefined) ?? []).map((rl) => {
      const res = (rl["resource"] as Msg | undefined) ?? {};
      return {
        resource: {
          attributes: protoKeyValues(res["attributes"]),
          droppedAttributesCount: (res["dropped_attributes_count"] as number | undefined) ?? 0,
        },
        scopeLogs: ((rl["scope_logs"] as Msg[] | undefined) ?? []).map((sl) => {
          const sc = (sl["scope"] as Msg | undefined) ?? {};
          return {
            scope: {
              name: (sc["name"] as string | undefined) ?? "",
              version: (sc["version"] as string | undefined) ?? "",
              attributes: protoKeyValues(sc["attributes"]),
              droppedAttributesCount: (sc["dropped_attributes_count"] as number | undefined) ?? 0,
            },
            logRecords: ((sl["log_records"] as Msg[] | undefined) ?? []).map(
              (lr): OtlpLogRecord => ({
                timeUnixNano: long(lr["time_unix_nano"]),
                observedTimeUnixNano: long(lr["observed_time_unix_nano"]),
                severityNumber: (lr["severity_number"] as number | undefined) ?? 0,
                severityText: (lr["severity_text"] as string | undefined) ?? "",
                body: protoAnyValue(lr["body"] as Msg | undefined),
                attributes: protoKeyValues(lr["attributes"]),
                droppedAttributesCount: (lr["dropped_attributes_count"] as number | undefined) ?? 0,
                flags: (lr["flags"] as number | undefined) ?? 0,
                traceId: (lr["trace_id"] as Uint8Array | undefined) ?? NO_BYTES,
                spanId: (lr["span_id"] as Uint8Array | undefined) ?? NO_BYTES,
                eventName: (lr["event_name"] as string | undefined) ?? "",
              }),
            ),
          };
        }),
      };
    }),
  };
}

// ---- JSON ----

class JsonError extends Error {}

function isObj(v: unknown): v is Msg {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** field reads a key given in camelCase or snake_case. */
function field(m: Msg, camel: string): unknown {
  if (m[camel] !== undefined) return m[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
  return m[snake];
}

function list(m: Msg, camel: string, what: string): unknown[] {
  const v = field(m, camel);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new JsonError(`${what}: expected an array`);
  return v;
}

function obj(v: unknown, what: string): Msg {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new JsonError(`${what}: expected an object`);
  return v;
}

function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new JsonError(`${what}: expected a string`);
  return v;
}

function uint(v: unknown, what: string, bits: 32 | 64): bigint {
  if (v === undefined || v === null) return 0n;
  let n: bigint;
  if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === "string" && /^-?[0-9]+$/.test(v)) n = BigInt(v);
  else throw new JsonError(`${what}: expected an integer, got ${JSON.stringify(v)}`);
  const max = bits === 32 ? 0xffffffffn : 2n ** 64n - 1n;
  if (n < 0n || n > max) throw new JsonError(`${what}: ${n} out of range`);
  return n;
}

function int64(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?[0-9]+$/.test(v)) {
    const n = BigInt(v);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
  }
  throw new JsonError(`${what}: expected an int64, got ${JSON.stringify(v)}`);
}

function hexId(v: unknown, bytes: number, what: string): Uint8Array {
  const s = str(v, what);
  if (s === "") return NO_BYTES;
  if (s.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(s)) {
    throw new JsonError(`${what}: invalid length for ID`);
  }
  return Uint8Array.from(Buffer.from(s, "hex"));
}

/** SEVERITY_NAMES maps SeverityNumber enum names to numbers. */
const SEVERITY_NAMES: Record<string, number> = (() => {
  const out: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
  const levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
  levels.forEach((l, i) => {
    out[`SEVERITY_NUMBER_${l}`] = i * 4 + 1;
    for (let k = 2; k <= 4; k++) out[`SEVERITY_NUMBER_${l}${k}`] = i * 4 + k;
  });
  return out;
})();

function severity(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && v in SEVERITY_NAMES) return SEVERITY_NAMES[v]!;
  throw new JsonError(`severityNumber: invalid value ${JSON.stringify(v)}`);
}

function jsonAnyValue(v: unknown, what: string): AnyValue {
  if (v === undefined || v === null) return EMPTY;
  const m = obj(v, what);
  const sv = field(m, "stringValue");
  if (sv !== undefined) return { type: "string", value: str(sv, what) };
  const bv = field(m, "boolValue");
  if (bv !== undefined) {
    if (typeof bv !== "boolean") throw new JsonError(`${what}: boolValue must be a boolean`);
    return { type: "bool", value: bv };
  }
  const iv = field(m, "intValue");
  if (iv !== undefined) return { type: "int", value: int64(iv, what) };
  const dv = field(m, "doubleValue");
  if (dv !== undefined) {
    if (typeof dv === "number") return { type: "double", value: dv };
    if (dv === "NaN" || dv === "Infinity" || dv === "-Infinity") {
      return { type: "double", value: Number(dv) };
    }
    throw new JsonError(`${what}: doubleValue must be a number`);
  }
  const av = field(m, "arrayValue");
  if (av !== undefined) {
    return {
      type: "array",
      value: list(obj(av, what), "values", what).map((x) => jsonAnyValue(x, what)),
    };
  }
  const kv = field(m, "kvlistValue");
  if (kv !== undefined) return { type: "kvlist", value: jsonKeyValues(obj(kv, what), "values") };
  const by = field(m, "bytesValue");
  if (by !== undefined) {
    const s = str(by, what);
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) throw new JsonError(`${what}: invalid base64`);
    return { type: "bytes", value: Uint8Array.from(Buffer.from(s, "base64")) };
  }
  return EMPTY;
}

function jsonKeyValues(m: Msg, camel: string): KeyValue[] {
  return list(m, camel, camel).map((x) => {
    const kv = obj(x, "attribute");
    return { key: str(kv["key"], "key"), value: jsonAnyValue(kv["value"], "value") };
  });
}

/** decodeOtlpJson decodes an ExportLogsServiceRequest in OTLP's JSON encoding. */
export function decodeOtlpJson(text: string): OtlpLogsRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PushError(400, `invalid JSON: ${errorMessage(err)}`);
  }
  try {
    const top = obj(doc, "request");
    return {
      resourceLogs: list(top, "resourceLogs", "resourceLogs").map((x) => {
        const rl = obj(x, "resourceLogs");
        const res = obj(field(rl, "resource"), "resource");
        return {
          resource: {
            attributes: jsonKeyValues(res, "attributes"),
            droppedAttributesCount: Number(
              uint(field(res, "droppedAttributesCount"), "droppedAttributesCount", 32),
            ),
          },
          scopeLogs: list(rl, "scopeLogs", "scopeLogs").map((y) => {
            const sl = obj(y, "scopeLogs");
            const sc = obj(field(sl, "scope"), "scope");
            return {
              scope: {
                name: str(sc["name"], "scope.name"),
                version: str(sc["version"], "scope.version"),
                attributes: jsonKeyValues(sc, "attributes"),
                droppedAttributesCount: Number(
                  uint(field(sc, "droppedAttributesCount"), "droppedAttributesCount", 32),
                ),
              },
              logRecords: list(sl, "logRecords", "logRecords").map((z): OtlpLogRecord => {
                const lr = obj(z, "logRecords");
                return {
                  timeUnixNano: uint(field(lr, "timeUnixNano"), "timeUnixNano", 64),
                  observedTimeUnixNano: uint(
                    field(lr, "observedTimeUnixNano"),
                    "observedTimeUnixNano",
                    64,
                  ),
                  severityNumber: severity(field(lr, "severityNumber")),
                  severityText: str(field(lr, "severityText"), "severityText"),
                  body: jsonAnyValue(lr["body"], "body"),
                  attributes: jsonKeyValues(lr, "attributes"),
                  droppedAttributesCount: Number(
                    uint(field(lr, "droppedAttributesCount"), "droppedAttributesCount", 32),
                  ),
                  flags: Number(uint(lr["flags"], "flags", 32)),
                  traceId: hexId(field(lr, "traceId"), 16, "traceId"),
                  spanId: hexId(field(lr, "spanId"), 8, "spanId"),
                  eventName: str(field(lr, "eventName"), "eventName"),
                };
              }),
            };
          }),
        };
      }),
    };
  } catch (err) {
    if (err instanceof JsonError) throw new PushError(400, `invalid OTLP JSON: ${err.message}`);
    throw err;
  }
}
