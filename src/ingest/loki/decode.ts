// Decoding of Loki push bodies: protobuf (logproto.PushRequest), JSON as /loki/api/v1/push
// takes it (pkg/loghttp/query.go LogProtoStream.UnmarshalJSON), and the legacy JSON of
// /api/prom/push (logproto.PushRequest's own JSON form). The result keeps each stream's labels
// as text; toPushStreams parses them as Loki's ParseLokiRequest does.
import type { Label } from "../../model/labels/index.ts";
import { EMPTY_LABELS } from "../../model/labels/index.ts";
import { errorMessage } from "../../util/errors.ts";
import { isUtf8 } from "node:buffer";
import type { LogEntry, LogLines } from "../../storage/logs.ts";
import { INT64_MAX, INT64_MIN, LogLinesBuilder, replaceLines } from "../../storage/logs.ts";
import type { PushStream } from "./distributor.ts";
import { PushError, discoverServiceName } from "./distributor.ts";
import { LabelParseError, formatLabelMap, parseStreamLabels } from "./labels.ts";
import { LEN, ProtoWire, UNEXPECTED_END } from "../protowire.ts";

/** RawStream is a decoded stream whose labels are still text. */
export interface RawStream {
  readonly labels: string;
  /** lines: the entries; their metadata as sent (any order, names not yet normalized). */
  readonly lines: LogLines;
  /**
   * wide: the exact times of entries whose nanoseconds do not fit an Int64 (clamped in
   * lines.ts), for messages that print them.
   */
  readonly wide?: ReadonlyMap<number, bigint>;
}

/** RawPushRequest is a decoded push body. */
export interface RawPushRequest {
  readonly streams: RawStream[];
}

/** jsonparser's messages, which Loki's JSON decoding reports. */
const NOT_A_STRING = "Value is not a string";
const NOT_AN_OBJECT = "Value looks like object, but can't find closing '}' symbol";
const NOT_A_NUMBER = "Value is not a number";
const OVERFLOW = "Value is number, but overflowed while parsing";

// google.protobuf.Timestamp's valid range (gogo types.validateTimestamp).
const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300800n;

/** protoFail words a wire error as Go's generated decoder does (io.ErrUnexpectedEOF). */
function protoFail(msg: string): PushError {
  return new PushError(400, msg === UNEXPECTED_END ? "unexpected EOF" : msg);
}

function wrongWireType(field: string, got: number): PushError {
  return new PushError(400, `proto: wrong wireType = ${got} for field ${field}`);
}

/**
 * decodeLokiProto decodes an uncompressed logproto.PushRequest (logproto.ts has its schema)
 * straight from the wire into columns: no message objects, no string per line (lines stay byte
 * ranges of `buf`), no bigint per timestamp. A message without a timestamp gets the zero
 * Timestamp (0001-01-01), which validation then refuses as too old, as in Loki. Lines that are
 * not UTF-8 read with U+FFFD in place of the bad bytes.
 */
export function decodeLokiProto(buf: Uint8Array): RawPushRequest {
  const w = new ProtoWire(buf, 0, buf.length, protoFail);
  const streams: RawStream[] = [];
  while (w.pos < w.end) {
    const tag = w.uint32();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) throw wrongWireType("Streams", tag & 7);
      streams.push(decodeStream(w, w.len()));
    } else {
      w.skip(tag & 7);
    }
  }
  return { streams };
}

/** StreamDecoding is what decodeEntry adds to besides the columns. */
interface StreamDecoding {
  readonly b: LogLinesBuilder;
  /** words: the whole ArrayBuffer of the body, as 32-bit words (isAscii). */
  readonly words: Int32Array;
  /** fixed: lines that were not UTF-8, as read with U+FFFD. */
  fixed: Map<number, Uint8Array> | undefined;
}

function decodeStream(w: ProtoWire, end: number): RawStream {
  let labels = "";
  const ab = w.buf.buffer;
  const d: StreamDecoding = {
    b: new LogLinesBuilder(w.buf, countEntries(w, end)),
    words: new Int32Array(ab, 0, ab.byteLength >>> 2),
    fixed: undefined,
  };
  while (w.pos < end) {
    const tag = w.uint32();
    const field = tag >>> 3;
    if (field === 1 || field === 2) {
      if ((tag & 7) !== LEN) throw wrongWireType(field === 1 ? "Labels" : "Entries", tag & 7);
      const e = w.len();
      if (e > end) throw protoFail(UNEXPECTED_END);
      if (field === 1) labels = w.text(e);
      else decodeEntry(w, e, d);
    } else {
      w.skip(tag & 7);
    }
  }
  if (w.pos !== end) throw protoFail(UNEXPECTED_END);
  const lines = d.b.build();
  return { labels, lines: d.fixed ? replaceLines(lines, d.fixed) : lines, wide: d.b.wide };
}

function decodeEntry(w: ProtoWire, end: number, d: StreamDecoding): void {
  // The seconds' 32-bit words as read (hi signed); none: the zero Timestamp.
  let hasTs = false;
  let secHi = 0;
  let secLo = 0;
  let nanos = 0;
  let lineStart = 0;
  let lineEnd = 0;
  let md: Label[] | undefined;
  while (w.pos < end) {
    const tag = w.uint32();
    const field = tag >>> 3;
    if (field >= 1 && field <= 3) {
      if ((tag & 7) !== LEN) {
        throw wrongWireType(["Timestamp", "Line", "StructuredMetadata"][field - 1]!, tag & 7);
      }
      const e = w.len();
      if (e > end) throw protoFail(UNEXPECTED_END);
      if (field === 2) {
        lineStart = w.pos;
        lineEnd = w.pos = e;
        continue;
      }
      if (field === 3) {
        (md ??= []).push(decodePair(w, e));
        continue;
      }
      hasTs = true;
      secHi = 0;
      secLo = 0;
      nanos = 0;
      while (w.pos < e) {
        const t = w.uint32();
        if (t === 8 || t === 16) {
          w.varint64();
          if (t === 16) nanos = w.lo | 0;
          else {
            secHi = w.hi;
            secLo = w.lo;
          }
        } else {
          w.skip(t & 7);
        }
      }
      if (w.pos !== e) throw protoFail(UNEXPECTED_END);
    } else {
      w.skip(tag & 7);
    }
  }
  if (w.pos !== end) throw protoFail(UNEXPECTED_END);
  // Seconds in [0, 2^32) (1970 to 2106) are valid and kept as one number, read without a
  // bigint or a boxed double; others are checked exactly.
  let seconds = secLo;
  if (!hasTs || secHi !== 0 || nanos < 0 || nanos >= 1e9) {
    const secs = hasTs ? (BigInt(secHi) << 32n) | BigInt(secLo) : MIN_SECONDS;
    if (secs < MIN_SECONDS) {
      throw new PushError(400, `timestamp: seconds:${secs} nanos:${nanos} before 0001-01-01`);
    }
    if (secs >= MAX_SECONDS) {
      throw new PushError(400, `timestamp: seconds:${secs} nanos:${nanos} after 10000-01-01`);
    }
    if (nanos < 0 || nanos >= 1e9) {
      throw new PushError(
        400,
        `timestamp: seconds:${secs} nanos:${nanos}: nanos not in range [0, 1e9)`,
      );
    }
    seconds = Number(secs);
  }
  const i = d.b.count;
  // Lines are mostly ASCII: only others need the UTF-8 check.
  const buf = w.buf;
  if (!isAscii(buf, d.words, lineStart, lineEnd) && !isUtf8(buf.subarray(lineStart, lineEnd))) {
    const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString(
      "utf8",
      lineStart,
      lineEnd,
    );
    (d.fixed ??= new Map()).set(i, Buffer.from(text, "utf8"));
  }
  d.b.addRange(seconds, nanos, lineStart, lineEnd, md ?? EMPTY_LABELS);
}

/**
 * countEntries counts the entries of the stream message that ends at `end` (without reading
 * them), so that its columns are made once, at their size. Malformed input stops the count;
 * decoding then reports it.
 */
function countEntries(w: ProtoWire, end: number): number {
  const at = w.pos;
  let n = 0;
  try {
    while (w.pos < end) {
      const tag = w.uint32();
      if (tag === 18) {
        w.pos = w.len();
        n++;
      } else {
        w.skip(tag & 7);
      }
    }
  } catch {
    // decodeStream meets the same bytes and says what is wrong.
  }
  w.pos = at;
  return n;
}

/**
 * isAscii says whether buf[from, to) holds only ASCII, reading the aligned middle as 32-bit
 * words of `words` (the view of buf's whole ArrayBuffer): a quarter of the loads of a byte loop.
 */
function isAscii(buf: Uint8Array, words: Int32Array, from: number, to: number): boolean {
  const base = buf.byteOffset;
  // The first and last whole words inside [from, to), as indexes into words.
  const first = (base + from + 3) >>> 2;
  const last = (base + to) >>> 2;
  let bits = 0;
  if (first >= last) {
    for (let k = from; k < to; k++) bits |= buf[k]!;
    return bits < 0x80;
  }
  for (let k = from; k < (first << 2) - base; k++) bits |= buf[k]!;
  for (let k = (last << 2) - base; k < to; k++) bits |= buf[k]!;
  for (let k = first; k < last; k++) bits |= words[k]!;
  return (bits & 0x80808080) === 0;
}

function decodePair(w: ProtoWire, end: number): Label {
  let name = "";
  let value = "";
  while (w.pos < end) {
    const tag = w.uint32();
    if (tag === 10) name = w.text(w.len());
    else if (tag === 18) value = w.text(w.len());
    else w.skip(tag & 7);
  }
  if (w.pos !== end) throw protoFail(UNEXPECTED_END);
  return { name, value };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PushError(400, `invalid JSON: ${errorMessage(err)}`);
  }
}

/** jsonString reads a JSON value as jsonparser.ParseString would read a label value. */
function labelValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new PushError(400, NOT_A_STRING);
}

/**
 * decodeLokiJson decodes a /loki/api/v1/push JSON body:
 * `{"streams":[{"stream":{"app":"api"},"values":[["<ns>","line",{"k":"v"}]]}]}`.
 */
export function decodeLokiJson(text: string): RawPushRequest {
  const doc = parseJson(text);
  if (!isObject(doc))
    throw new PushError(400, "ReadObjectCB: expect { or n, but found a non-object");
  const streams: RawStream[] = [];
  const list = doc["streams"];
  if (list === undefined || list === null) return { streams };
  if (!Array.isArray(list)) throw new PushError(400, "streams: expected an array");
  for (const s of list) {
    if (!isObject(s)) throw new PushError(400, "streams: expected an object per stream");
    const pairs: Label[] = [];
    const st = s["stream"];
    if (st !== undefined && st !== null) {
      if (!isObject(st)) throw new PushError(400, NOT_AN_OBJECT);
      for (const [name, value] of Object.entries(st))
        pairs.push({ name, value: labelValue(value) });
    }
    const b = new LogLinesBuilder();
    const values = s["values"];
    if (values !== undefined && values !== null) {
      if (!Array.isArray(values)) throw new PushError(400, "values: expected an array");
      for (const v of values) {
        if (v === null) continue;
        const e = jsonEntry(v);
        b.add(e.tsNs, e.line, e.metadata);
      }
    }
    streams.push({ labels: formatLabelMap(pairs), lines: b.build(), wide: b.wide });
  }
  return { streams };
}

function jsonEntry(v: unknown): LogEntry {
  if (!Array.isArray(v)) throw new PushError(400, "Value is not an array");
  const [ts, line, md] = v as unknown[];
  if (typeof ts !== "string" || (v.length > 1 && typeof line !== "string")) {
    throw new PushError(400, NOT_A_STRING);
  }
  if (!/^-?[0-9]+$/.test(ts)) throw new PushError(400, NOT_A_NUMBER);
  const tsNs = BigInt(ts);
  if (tsNs < INT64_MIN || tsNs > INT64_MAX) throw new PushError(400, OVERFLOW);
  const metadata: Label[] = [];
  if (v.length > 2) {
    if (!isObject(md)) throw new PushError(400, NOT_AN_OBJECT);
    for (const [name, value] of Object.entries(md)) {
      if (typeof value !== "string") throw new PushError(400, NOT_A_STRING);
      metadata.push({ name, value });
    }
  }
  return { tsNs, line: typeof line === "string" ? line : "", metadata };
}

/**
 * decodeLegacyJson decodes the JSON of /api/prom/push:
 * `{"streams":[{"labels":"{app=\"api\"}","entries":[{"ts":"<RFC3339>","line":"..."}]}]}`.
 */
export function decodeLegacyJson(text: string): RawPushRequest {
  const doc = parseJson(text);
  if (!isObject(doc))
    throw new PushError(400, "ReadObjectCB: expect { or n, but found a non-object");
  const streams: RawStream[] = [];
  const list = doc["streams"];
  if (list === undefined || list === null) return { streams };
  if (!Array.isArray(list)) throw new PushError(400, "streams: expected an array");
  for (const s of list) {
    if (!isObject(s)) throw new PushError(400, "streams: expected an object per stream");
    const labels = s["labels"] ?? "";
    if (typeof labels !== "string") throw new PushError(400, "labels: expected a string");
    const b = new LogLinesBuilder();
    for (const e of (s["entries"] as unknown[] | null | undefined) ?? []) {
      if (!isObject(e)) throw new PushError(400, "entries: expected an object per entry");
      const ts = e["ts"];
      if (typeof ts !== "string") throw new PushError(400, "ts: expected an RFC 3339 time string");
      const line = e["line"] ?? "";
      if (typeof line !== "string") throw new PushError(400, "line: expected a string");
      b.add(parseRFC3339Nano(ts), line, legacyMetadata(e["structuredMetadata"]));
    }
    streams.push({ labels, lines: b.build(), wide: b.wide });
  }
  return { streams };
}

function legacyMetadata(v: unknown): Label[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    return v.map((p) => {
      if (!isObject(p)) throw new PushError(400, "structuredMetadata: expected name/value pairs");
      return {
        name: String(p["name"] ?? p["Name"] ?? ""),
        value: String(p["value"] ?? p["Value"] ?? ""),
      };
    });
  }
  if (isObject(v))
    return Object.entries(v).map(([name, value]) => ({ name, value: labelValue(value) }));
  throw new PushError(400, "structuredMetadata: expected name/value pairs");
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** parseRFC3339Nano reads an RFC 3339 time with up to nanosecond precision. */
export function parseRFC3339Nano(s: string): bigint {
  const m = RFC3339.exec(s);
  const bad = (): never => {
    throw new PushError(
      400,
      `parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`,
    );
  };
  if (!m) return bad();
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Number.isNaN(ms)) return bad();
  let ns = BigInt(ms) * 1_000_000n + BigInt((m[7] ?? "").padEnd(9, "0") || "0");
  const tz = m[8]!;
  if (tz !== "Z" && tz !== "z") {
    const sign = tz[0] === "-" ? -1n : 1n;
    const mins = BigInt(+tz.slice(1, 3) * 60 + +tz.slice(4, 6));
    ns -= sign * mins * 60_000_000_000n;
  }
  return ns;
}

/**
 * toPushStreams parses each stream's label text (a request with any unparsable label text is
 * refused whole with 400, as ParseLokiRequest does) and adds `service_name`.
 */
export function toPushStreams(req: RawPushRequest, discoverFrom: readonly string[]): PushStream[] {
  return req.streams.map((s) => {
    let labels: Label[];
    try {
      labels = parseStreamLabels(s.labels);
    } catch (err) {
      if (err instanceof LabelParseError) {
        throw new PushError(400, `couldn't parse labels: ${err.message}`);
      }
      throw err;
    }
    return { labels: discoverServiceName(labels, discoverFrom), lines: s.lines, wide: s.wide };
  });
}
