// A decoder for prometheus.WriteRequest (prompb, remote write 1.0) that walks the protobuf wire
// format directly into columns. Generic decoders (protobufjs included) build one object per
// sample; a 1M-sample request then costs a million allocations, and every value would pass
// through an object field. Here sample values go from the wire into a Float64Array through
// DataView.getFloat64, which keeps NaN payloads (the staleness marker) bit for bit.
//
// Field numbers follow prompb/types.proto and prompb/remote.proto (see prompb.ts).
import type { Label, Labels } from "../../model/labels/index.ts";
import { METRIC_NAME } from "../../model/labels/index.ts";
import { I64, LEN, ProtoWire, VARINT } from "../protowire.ts";

/**
 * DecodedWriteRequest holds the float samples of a WriteRequest column-wise: the samples of
 * series i are at indices [offsets[i], offsets[i+1]) of timestamps and values. Labels are
 * validated (see decodeWriteRequest); empty label values are dropped, as Prometheus treats an
 * empty value as an absent label.
 */
export interface DecodedWriteRequest {
  readonly labels: readonly Labels[];
  readonly offsets: Uint32Array;
  /** timestamps in milliseconds (safe integers). */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly numSamples: number;
  /** numHistograms counts native histogram samples, which are not decoded. */
  readonly numHistograms: number;
  /** numExemplars counts exemplars, which are not decoded. */
  readonly numExemplars: number;
  /** numMetadata counts metadata entries, which are not decoded. */
  readonly numMetadata: number;
}

/** WriteRequestError is a request that cannot be decoded or is invalid; the receiver answers 400. */
export class WriteRequestError extends Error {
  override readonly name = "WriteRequestError";
}

function wrongWireType(field: string, got: number): WriteRequestError {
  return new WriteRequestError(`proto: wrong wireType = ${got} for field ${field}`);
}

/** Columns grows the sample columns as samples arrive. */
class Columns {
  ts: Float64Array;
  vs: Float64Array;
  n = 0;

  constructor(capacity: number) {
    this.ts = new Float64Array(Math.max(capacity, 16));
    this.vs = new Float64Array(Math.max(capacity, 16));
  }

  push(t: number, v: number): void {
    if (this.n === this.ts.length) this.grow();
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
  }

  grow(): void {
    const ts = new Float64Array(this.n * 2);
    ts.set(this.ts);
    this.ts = ts;
    const vs = new Float64Array(this.n * 2);
    vs.set(this.vs);
    this.vs = vs;
  }
}

/**
 * decodeWriteRequest decodes an uncompressed prometheus.WriteRequest. It throws a
 * WriteRequestError for malformed protobuf and for series whose labels are invalid: a missing or
 * empty `__name__`, an empty label name, label names that are not strictly ascending (unsorted or
 * repeated), or names and values that are not UTF-8. Exemplars, native histograms and metadata
 * are counted and skipped.
 */
export function decodeWriteRequest(buf: Uint8Array): DecodedWriteRequest {
  const w = new ProtoWire(buf, 0, buf.length, (msg) => new WriteRequestError(msg));
  const labels: Labels[] = [];
  const offsets: number[] = [0];
  // A sample takes at least 11 bytes on the wire when its value is set; start from a guess and
  // grow when zero values make them smaller.
  const cols = new Columns(buf.length >> 4);
  let numHistograms = 0;
  let numExemplars = 0;
  let numMetadata = 0;

  while (w.pos < w.end) {
    const tag = w.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== LEN) throw wrongWireType("WriteRequest.timeseries", wt);
      const end = w.len();
      const counts = decodeTimeSeries(w, end, labels, cols);
      numHistograms += counts.histograms;
      numExemplars += counts.exemplars;
      offsets.push(cols.n);
    } else if (field === 3) {
      if (wt !== LEN) throw wrongWireType("WriteRequest.metadata", wt);
      w.pos = w.len();
      numMetadata++;
    } else {
      w.skip(wt);
    }
  }
  return {
    labels,
    offsets: Uint32Array.from(offsets),
    timestamps: cols.ts.subarray(0, cols.n),
    values: cols.vs.subarray(0, cols.n),
    numSamples: cols.n,
    numHistograms,
    numExemplars,
    numMetadata,
  };
}

function decodeTimeSeries(
  w: ProtoWire,
  end: number,
  out: Labels[],
  cols: Columns,
): { histograms: number; exemplars: number } {
  const pairs: Label[] = [];
  let histograms = 0;
  let exemplars = 0;
  while (w.pos < end) {
    const tag = w.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    switch (field) {
      case 1: {
        if (wt !== LEN) throw wrongWireType("TimeSeries.labels", wt);
        pairs.push(decodeLabel(w, w.len()));
        break;
      }
      case 2: {
        if (wt !== LEN) throw wrongWireType("TimeSeries.samples", wt);
        decodeSample(w, w.len(), cols);
        break;
      }
      case 3:
        if (wt !== LEN) throw wrongWireType("TimeSeries.exemplars", wt);
        w.pos = w.len();
        exemplars++;
        break;
      case 4:
        if (wt !== LEN) throw wrongWireType("TimeSeries.histograms", wt);
        w.pos = w.len();
        histograms++;
        break;
      default:
        w.skip(wt);
    }
  }
  if (w.pos !== end) throw new WriteRequestError("proto: unexpected end of input");
  out.push(checkLabels(pairs));
  return { histograms, exemplars };
}

function decodeLabel(w: ProtoWire, end: number): Label {
  let name = "";
  let value = "";
  while (w.pos < end) {
    const tag = w.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 || field === 2) {
      if (wt !== LEN) throw wrongWireType(field === 1 ? "Label.name" : "Label.value", wt);
      const s = w.string(w.len(), "invalid UTF-8 in a label name or value");
      if (field === 1) name = s;
      else value = s;
    } else {
      w.skip(wt);
    }
  }
  if (w.pos !== end) throw new WriteRequestError("proto: unexpected end of input");
  return { name, value };
}

function decodeSample(w: ProtoWire, end: number, cols: Columns): void {
  // Fast path for the layout Prometheus writes, value (field 1) then a non-negative timestamp
  // (field 2) of at most 7 varint bytes, decoded with locals only so that no number is boxed.
  const b = w.buf;
  const p = w.pos;
  if (end - p >= 11 && end - p <= 17 && b[p] === 0x09 && b[p + 9] === 0x10) {
    let t = 0;
    let mul = 1;
    let i = p + 10;
    for (; i < end && i < p + 17; i++) {
      const c = b[i]!;
      t += (c & 0x7f) * mul;
      mul *= 128;
      if (c < 0x80) break;
    }
    if (i === end - 1) {
      if (cols.n === cols.ts.length) cols.grow();
      cols.ts[cols.n] = t;
      cols.vs[cols.n] = w.view.getFloat64(p + 1, true);
      cols.n++;
      w.pos = end;
      return;
    }
  }
  let t = 0;
  let v = 0;
  while (w.pos < end) {
    const tag = w.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== I64) throw wrongWireType("Sample.value", wt);
      v = w.double();
    } else if (field === 2) {
      if (wt !== VARINT) throw wrongWireType("Sample.timestamp", wt);
      t = w.int64("timestamp out of range: it does not fit in 53 bits");
    } else {
      w.skip(wt);
    }
  }
  if (w.pos !== end) throw new WriteRequestError("proto: unexpected end of input");
  cols.push(t, v);
}

/**
 * checkLabels validates one series' labels as the remote write 1.0 specification requires
 * ("label names MUST be sorted", no repeated names, `__name__` present) and drops empty values.
 */
function checkLabels(pairs: Label[]): Labels {
  let hasName = false;
  let empty = 0;
  for (let i = 0; i < pairs.length; i++) {
    const l = pairs[i]!;
    if (l.name === "") throw invalidSeries(pairs, "empty label name");
    if (i > 0) {
      const prev = pairs[i - 1]!.name;
      if (prev === l.name)
        throw invalidSeries(pairs, `duplicate label name ${JSON.stringify(l.name)}`);
      if (prev > l.name) {
        throw invalidSeries(
          pairs,
          `label names not sorted: ${JSON.stringify(l.name)} after ${JSON.stringify(prev)}`,
        );
      }
    }
    if (l.name === METRIC_NAME && l.value !== "") hasName = true;
    if (l.value === "") empty++;
  }
  if (!hasName) throw invalidSeries(pairs, "missing metric name (__name__ label)");
  return empty === 0 ? pairs : pairs.filter((l) => l.value !== "");
}

function invalidSeries(pairs: readonly Label[], why: string): WriteRequestError {
  const shown = pairs.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ");
  return new WriteRequestError(`invalid series {${shown}}: ${why}`);
}
