// OTLP log records to Loki streams, as Loki's OTLP ingestion maps them
// (pkg/loghttp/push/otlp.go otlpToLokiPushRequest, pkg/loghttp/push/otlplabels/labels.go):
//
//   - Resource attributes named by the index rules (by default service.name, service.namespace,
//     k8s.*.name, ...) become stream labels, with names made legacy Prometheus label names
//     (service.name → service_name); the others become structured metadata of every entry.
//   - A stream without service.name gets service_name from the first discover_service_name
//     label present, else `unknown_service`.
//   - The body becomes the line (AnyValue.AsString: strings as is, maps and arrays as JSON).
//   - Log attributes, then severity_number, severity_text, trace_id and span_id (hex), flags,
//     dropped_attributes_count, event_name and observed_timestamp become structured metadata,
//     followed by the resource's and the scope's (scope_name, scope_version).
//   - The entry time is time_unix_nano, else observed_time_unix_nano, else now.
import type { Label } from "../../model/labels/index.ts";
import type { PushStream } from "../loki/index.ts";
import { LogLinesBuilder } from "../../storage/logs.ts";
import { PushError, SERVICE_NAME, SERVICE_UNKNOWN, normalizeMetadataName } from "../loki/index.ts";
import type { OtlpLogsConfig } from "./config.ts";
import { actionFor } from "./config.ts";
import type { AnyValue, KeyValue, OtlpLogRecord, OtlpLogsRequest } from "./decode.ts";

/** formatDouble prints a double as pcommon's float64AsString (ES6 number formatting). */
function formatDouble(d: number): string {
  return String(d);
}

function toRaw(v: AnyValue): unknown {
  switch (v.type) {
    case "empty":
      return null;
    case "string":
    case "bool":
      return v.value;
    case "int":
      return v.value;
    case "double":
      return v.value;
    case "bytes":
      return Buffer.from(v.value).toString("base64");
    case "array":
      return v.value.map(toRaw);
    case "kvlist": {
      const o: Record<string, unknown> = {};
      for (const kv of v.value) o[kv.key] = toRaw(kv.value);
      return o;
    }
  }
}

/** toJson encodes a raw value as Go's encoding/json does for AsRaw(): map keys sorted. */
function toJson(raw: unknown): string {
  if (raw === null || raw === undefined) return "null";
  if (typeof raw === "bigint") return raw.toString();
  if (typeof raw === "number") return Number.isFinite(raw) ? String(raw) : "null";
  if (typeof raw === "string" || typeof raw === "boolean") return JSON.stringify(raw);
  if (Array.isArray(raw)) return "[" + raw.map(toJson).join(",") + "]";
  const o = raw as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + toJson(o[k])).join(",") + "}";
}

/** asString renders an AnyValue as pcommon.Value.AsString does. */
export function asString(v: AnyValue): string {
  switch (v.type) {
    case "empty":
      return "";
    case "string":
      return v.value;
    case "bool":
      return v.value ? "true" : "false";
    case "int":
      return v.value.toString();
    case "double":
      return formatDouble(v.value);
    case "bytes":
      return Buffer.from(v.value).toString("base64");
    case "array":
    case "kvlist":
      return toJson(toRaw(v));
  }
}

function buildName(name: string): string {
  try {
    return normalizeMetadataName(name);
  } catch (err) {
    throw new PushError(400, `symbolizer lookup: ${(err as Error).message}`);
  }
}

/** attributeToLabels flattens one attribute: maps expand to prefix_key pairs (AttributeToLabels). */
function attributeToLabels(key: string, v: AnyValue, prefix: string, out: Label[]): void {
  const name = buildName(prefix === "" ? key : `${prefix}_${key}`);
  if (v.type === "kvlist") {
    for (const kv of v.value) attributeToLabels(kv.key, kv.value, name, out);
    return;
  }
  out.push({ name, value: asString(v) });
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

const isEmptyId = (b: Uint8Array): boolean => b.every((x) => x === 0);

/** labelsKey identifies a label set (names sorted and unique). */
function keyOf(ls: readonly Label[]): string {
  return ls.map((l) => `${l.name}\u0000${l.value}`).join("\u0001");
}

function sortedLabels(m: Map<string, string>): Label[] {
  const out: Label[] = [];
  for (const [name, value] of m) if (value !== "") out.push({ name, value });
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** OtlpMappingOptions are the parts of the configuration the mapping uses. */
export interface OtlpMappingOptions {
  readonly config: OtlpLogsConfig;
  /** discoverServiceName: labels that name the service when service.name is absent. */
  readonly discoverServiceName: readonly string[];
  /** nowNs: the time of records with neither timestamp. */
  readonly nowNs: bigint;
}

/**
 * otlpToStreams maps an OTLP logs request to Loki streams. Stream labels drop empty values, as
 * Loki's label parsing does. It throws a 400 PushError for attribute names that cannot become
 * label names (empty, or underscores only).
 */
export function otlpToStreams(req: OtlpLogsRequest, o: OtlpMappingOptions): PushStream[] {
  const cfg = o.config;
  const streams = new Map<string, { labels: Label[]; b: LogLinesBuilder }>();
  const streamFor = (labels: Label[]): LogLinesBuilder => {
    const k = keyOf(labels);
    let s = streams.get(k);
    if (!s) {
      s = { labels, b: new LogLinesBuilder() };
      streams.set(k, s);
    }
    return s.b;
  };

  for (const rl of req.resourceLogs) {
    const index = new Map<string, string>();
    const resourceMd: Label[] = [];
    const hasServiceName = rl.resource.attributes.some(
      (kv) => kv.key === "service.name" && asString(kv.value) !== "",
    );
    for (const kv of rl.resource.attributes) {
      const action = actionFor(cfg.resourceAttributes, kv.key);
      if (action === "drop") continue;
      const ls: Label[] = [];
      attributeToLabels(kv.key, kv.value, "", ls);
      if (action === "index_label") for (const l of ls) index.set(l.name, l.value);
      else resourceMd.push(...ls);
    }
    if (!hasServiceName && o.discoverServiceName.length > 0) {
      let found = false;
      for (const name of o.discoverServiceName) {
        const v = index.get(name);
        if (v !== undefined && v !== "") {
          index.set(SERVICE_NAME, v);
          found = true;
          break;
        }
      }
      if (!found) index.set(SERVICE_NAME, SERVICE_UNKNOWN);
    }
    const resourceLabels = sortedLabels(index);

    for (const sl of rl.scopeLogs) {
      const scopeMd: Label[] = [];
      for (const kv of sl.scope.attributes) {
        if (actionFor(cfg.scopeAttributes, kv.key) !== "structured_metadata") continue;
        attributeToLabels(kv.key, kv.value, "", scopeMd);
      }
      if (sl.scope.name !== "") scopeMd.push({ name: "scope_name", value: sl.scope.name });
      if (sl.scope.version !== "") scopeMd.push({ name: "scope_version", value: sl.scope.version });
      if (sl.scope.droppedAttributesCount !== 0) {
        scopeMd.push({
          name: "scope_dropped_attributes_count",
          value: String(sl.scope.droppedAttributesCount),
        });
      }
      for (const lr of sl.logRecords) {
        const { indexLabels, metadata } = recordMetadata(lr, cfg);
        let labels = resourceLabels;
        if (indexLabels.size > 0) {
          const combined = new Map(index);
          for (const [k, v] of indexLabels) combined.set(k, v);
          labels = sortedLabels(combined);
        }
        metadata.push(...resourceMd, ...scopeMd);
        streamFor(labels).add(entryTime(lr, o.nowNs), asString(lr.body), metadata);
      }
    }
  }
  return [...streams.values()].map((s) => ({ labels: s.labels, lines: s.b.build() }));
}

function entryTime(lr: OtlpLogRecord, nowNs: bigint): bigint {
  if (lr.timeUnixNano !== 0n) return BigInt.asIntN(64, lr.timeUnixNano);
  if (lr.observedTimeUnixNano !== 0n) return BigInt.asIntN(64, lr.observedTimeUnixNano);
  return nowNs;
}

/** recordMetadata is LogAttrsToLabels: a record's index labels and structured metadata. */
function recordMetadata(
  lr: OtlpLogRecord,
  cfg: OtlpLogsConfig,
): { indexLabels: Map<string, string>; metadata: Label[] } {
  const indexLabels = new Map<string, string>();
  const metadata: Label[] = [];
  for (const kv of lr.attributes as KeyValue[]) {
    const action = actionFor(cfg.logAttributes, kv.key);
    if (action === "drop") continue;
    // The record's own event_name field wins over an attribute of that name.
    if (kv.key === "event_name" && lr.eventName !== "") continue;
    const ls: Label[] = [];
    attributeToLabels(kv.key, kv.value, "", ls);
    if (action === "structured_metadata") metadata.push(...ls);
    else for (const l of ls) indexLabels.set(l.name, l.value);
  }
  if (lr.timeUnixNano !== 0n && lr.observedTimeUnixNano !== 0n) {
    metadata.push({
      name: "observed_timestamp",
      value: BigInt.asIntN(64, lr.observedTimeUnixNano).toString(),
    });
  }
  if (lr.severityNumber !== 0) {
    metadata.push({ name: "severity_number", value: String(lr.severityNumber) });
  }
  if (lr.severityText !== "") {
    if (cfg.severityTextAsLabel) indexLabels.set("severity_text", lr.severityText);
    metadata.push({ name: "severity_text", value: lr.severityText });
  }
  if (lr.droppedAttributesCount !== 0) {
    metadata.push({ name: "dropped_attributes_count", value: String(lr.droppedAttributesCount) });
  }
  if (lr.flags !== 0) metadata.push({ name: "flags", value: String(lr.flags) });
  if (lr.traceId.length > 0 && !isEmptyId(lr.traceId)) {
    metadata.push({ name: "trace_id", value: hex(lr.traceId) });
  }
  if (lr.spanId.length > 0 && !isEmptyId(lr.spanId)) {
    metadata.push({ name: "span_id", value: hex(lr.spanId) });
  }
  if (lr.eventName !== "") metadata.push({ name: "event_name", value: lr.eventName });
  return { indexLabels, metadata };
}
