// ResultBuilder collects samples while a parser runs; ExpositionResult is the ParseResult it
// finishes into. Samples are columnar: values and timestamps in Float64Arrays, label positions as
// offsets into the body, labels built only when asked for.

import type { Label, Labels } from "../labels/index.ts";
import { METRIC_NAME } from "../labels/index.ts";
import type { Source } from "./source.ts";
import {
  TYPE_HISTOGRAM,
  TYPE_SUMMARY,
  TYPE_UNKNOWN,
  bytesEqual,
  hashText,
  sliceText,
  unescapeLabelText,
} from "./source.ts";
import { seriesOffsets } from "./prom-parser.ts";
import { formatOpenMetricsFloat, goQuote, parseGoFloat } from "./strconv.ts";
import type {
  Exemplar,
  ExpositionEntry,
  ExpositionFormat,
  MetadataEntry,
  MetricType,
  ParseResult,
  SampleEntry,
} from "./types.ts";
import { ExpositionError } from "./types.ts";

const HAS_TS = 1;
const HAS_CT = 2;
/** EXPECTED: the series text is ParseOptions.expect's; no offsets were recorded. */
const EXPECTED = 4;

interface MutableMetadata {
  kind: "metadata";
  metricFamily: string;
  type: MetricType;
  help: string;
  unit: string;
  sampleIndex: number;
}

/**
 * ResultBuilder accumulates one parse. Parsers add samples either as offsets into the source
 * (addSample: the metric name's start and end, then start/end of each label name and value,
 * quotes already stripped, escapes still in place) or with labels they built themselves
 * (addBuiltSample).
 */
export class ResultBuilder {
  count = 0;
  private cap: number;
  private vals: Float64Array;
  private ts: Float64Array;
  private flags: Uint8Array;
  private types: Uint8Array;
  private seriesStart: Int32Array;
  private seriesEnd: Int32Array;
  private offStart: Int32Array;
  private offs: Int32Array;
  private offCount = 0;
  private created: Float64Array | undefined;
  private exemplars: Map<number, Exemplar> | undefined;
  private built: Map<number, BuiltSeries> | undefined;
  private readonly meta: MutableMetadata[] = [];

  constructor(readonly src: Source) {
    // Sample lines are rarely shorter than 48 bytes; starting near the final size avoids most
    // regrowth.
    const cap = Math.max(64, Math.ceil(src.bytes.length / 48));
    this.cap = cap;
    this.vals = new Float64Array(cap);
    this.ts = new Float64Array(cap);
    this.flags = new Uint8Array(cap);
    this.types = new Uint8Array(cap);
    this.seriesStart = new Int32Array(cap);
    this.seriesEnd = new Int32Array(cap);
    this.offStart = new Int32Array(cap);
    this.offs = new Int32Array(cap * 8);
  }

  private grow(): void {
    const cap = this.cap * 2;
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    this.vals = f64(this.vals);
    this.ts = f64(this.ts);
    if (this.created) this.created = f64(this.created);
    this.flags = u8(this.flags);
    this.types = u8(this.types);
    this.seriesStart = i32(this.seriesStart);
    this.seriesEnd = i32(this.seriesEnd);
    this.offStart = i32(this.offStart);
    this.cap = cap;
  }

  /**
   * addSample records a sample whose series text is text[seriesStart:seriesEnd] and whose name
   * and labels are at offs[0..offN) (see the class comment). typeCode is the metric type in
   * effect, which decides `le`/`quantile` respelling. With `expected` the series text is the
   * one ParseOptions.expect named and offN is 0: the offsets are found again if labels are asked
   * for. It returns the sample's index.
   */
  addSample(
    seriesStart: number,
    seriesEnd: number,
    offs: readonly number[],
    offN: number,
    typeCode: number,
    value: number,
    timestampMs: number | undefined,
    expected = false,
  ): number {
    const i = this.count;
    if (i === this.cap) this.grow();
    this.vals[i] = value;
    const f = expected ? EXPECTED : 0;
    if (timestampMs === undefined) this.flags[i] = f;
    else {
      this.flags[i] = f | HAS_TS;
      this.ts[i] = timestampMs;
    }
    this.types[i] = typeCode;
    this.seriesStart[i] = seriesStart;
    this.seriesEnd[i] = seriesEnd;
    this.offStart[i] = this.offCount;
    if (this.offCount + offN > this.offs.length) {
      const b = new Int32Array(Math.max(this.offs.length * 2, this.offCount + offN));
      b.set(this.offs);
      this.offs = b;
    }
    for (let k = 0; k < offN; k++) this.offs[this.offCount++] = offs[k]!;
    this.count = i + 1;
    return i;
  }

  /** addBuiltSample records a sample whose series text and labels the parser built itself. */
  addBuiltSample(
    series: string,
    labels: Labels,
    value: number,
    timestampMs: number | undefined,
  ): number {
    const i = this.addSample(0, 0, [], 0, TYPE_UNKNOWN, value, timestampMs);
    (this.built ??= new Map()).set(i, { series, labels, bytes: undefined });
    return i;
  }

  /** setTimestamp sets sample i's timestamp. */
  setTimestamp(i: number, timestampMs: number): void {
    this.flags[i]! |= HAS_TS;
    this.ts[i] = timestampMs;
  }

  /** setExemplar attaches an exemplar to sample i. */
  setExemplar(i: number, e: Exemplar): void {
    (this.exemplars ??= new Map()).set(i, e);
  }

  /** setCreated sets sample i's created timestamp. */
  setCreated(i: number, ms: number): void {
    this.created ??= new Float64Array(this.cap);
    this.flags[i]! |= HAS_CT;
    this.created[i] = ms;
  }

  /** sampleOffsets returns the offsets recorded for sample i: offs[start..end). */
  sampleOffsets(i: number): { offs: Int32Array; start: number; end: number } {
    const start = this.offStart[i]!;
    const end = i + 1 < this.count ? this.offStart[i + 1]! : this.offCount;
    return { offs: this.offs, start, end };
  }

  /** sampleType returns the metric type code recorded for sample i. */
  sampleType(i: number): number {
    return this.types[i]!;
  }

  /** sampleValue returns sample i's value. */
  sampleValue(i: number): number {
    return this.vals[i]!;
  }

  /** seriesRange returns the series text range of sample i. */
  seriesRange(i: number): [number, number] {
    return [this.seriesStart[i]!, this.seriesEnd[i]!];
  }

  /**
   * metadataFor returns the metadata record a TYPE/HELP/UNIT line for `family` updates: the
   * latest record when it is for the same family and no sample came since, else a new one.
   */
  metadataFor(family: string): MutableMetadata {
    const last = this.meta[this.meta.length - 1];
    if (last !== undefined && last.metricFamily === family && last.sampleIndex === this.count) {
      return last;
    }
    const m: MutableMetadata = {
      kind: "metadata",
      metricFamily: family,
      type: "unknown",
      help: "",
      unit: "",
      sampleIndex: this.count,
    };
    this.meta.push(m);
    return m;
  }

  /** finish freezes the builder into a ParseResult. */
  finish(format: ExpositionFormat, warnings: readonly string[]): ParseResult {
    return new ExpositionResult(this, format, warnings);
  }

  /** @internal Column access for ExpositionResult. */
  columns(): Columns {
    return {
      n: this.count,
      vals: this.vals,
      ts: this.ts,
      flags: this.flags,
      types: this.types,
      seriesStart: this.seriesStart,
      seriesEnd: this.seriesEnd,
      offStart: this.offStart,
      offs: this.offs,
      offCount: this.offCount,
      created: this.created,
      exemplars: this.exemplars,
      built: this.built,
      meta: this.meta,
    };
  }
}

/** BuiltSeries is a sample's series made by the parser; bytes are its text's UTF-8. */
interface BuiltSeries {
  readonly series: string;
  readonly labels: Labels;
  bytes: Buffer | undefined;
}

interface Columns {
  n: number;
  vals: Float64Array;
  ts: Float64Array;
  flags: Uint8Array;
  types: Uint8Array;
  seriesStart: Int32Array;
  seriesEnd: Int32Array;
  offStart: Int32Array;
  offs: Int32Array;
  offCount: number;
  created: Float64Array | undefined;
  exemplars: Map<number, Exemplar> | undefined;
  built: Map<number, BuiltSeries> | undefined;
  meta: readonly MetadataEntry[];
}

class ExpositionResult implements ParseResult {
  readonly length: number;
  readonly values: Float64Array;
  readonly metadata: readonly MetadataEntry[];
  private readonly c: Columns;

  constructor(
    private readonly b: ResultBuilder,
    readonly format: ExpositionFormat,
    readonly warnings: readonly string[],
  ) {
    this.c = b.columns();
    this.length = this.c.n;
    this.values = this.c.vals.subarray(0, this.c.n);
    this.metadata = this.c.meta;
  }

  private check(i: number): void {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`sample index ${i} out of range`);
  }

  series(i: number): string {
    this.check(i);
    const built = this.c.built?.get(i);
    if (built !== undefined) return built.series;
    return sliceText(this.b.src, this.c.seriesStart[i]!, this.c.seriesEnd[i]!);
  }

  /** builtBytes returns the text bytes of sample i when the parser built its series. */
  private builtBytes(i: number): Buffer | undefined {
    if (this.c.built === undefined) return undefined;
    this.check(i);
    const built = this.c.built.get(i);
    if (built === undefined) return undefined;
    return (built.bytes ??= Buffer.from(built.series, "utf8"));
  }

  seriesKey(i: number): string {
    this.check(i);
    const built = this.builtBytes(i);
    if (built !== undefined) return built.toString("latin1");
    return (this.b.src.bytes as Buffer).toString(
      "latin1",
      this.c.seriesStart[i]!,
      this.c.seriesEnd[i]!,
    );
  }

  seriesLength(i: number): number {
    const built = this.builtBytes(i);
    if (built !== undefined) return built.length;
    return this.c.seriesEnd[i]! - this.c.seriesStart[i]!;
  }

  seriesHash(i: number): number {
    const built = this.builtBytes(i);
    if (built !== undefined) return hashText(built, 0, built.length);
    return hashText(this.b.src.bytes, this.c.seriesStart[i]!, this.c.seriesEnd[i]!);
  }

  seriesIs(i: number, b: Uint8Array, off: number): boolean {
    const built = this.builtBytes(i);
    if (built !== undefined) return bytesEqual(built, 0, built.length, b, off);
    return bytesEqual(this.b.src.bytes, this.c.seriesStart[i]!, this.c.seriesEnd[i]!, b, off);
  }

  copySeries(i: number, b: Uint8Array, off: number): void {
    const built = this.builtBytes(i);
    if (built !== undefined) b.set(built, off);
    else b.set(this.b.src.bytes.subarray(this.c.seriesStart[i]!, this.c.seriesEnd[i]!), off);
  }

  seriesExpected(i: number): boolean {
    return (this.c.flags[i]! & EXPECTED) !== 0;
  }

  labels(i: number): Labels {
    this.check(i);
    const built = this.c.built?.get(i);
    if (built !== undefined) return built.labels;
    const src = this.b.src;
    let offs: ArrayLike<number> = this.c.offs;
    let start = this.c.offStart[i]!;
    let end = i + 1 < this.length ? this.c.offStart[i + 1]! : this.c.offCount;
    if (this.seriesExpected(i)) {
      offs = seriesOffsets(src, this.c.seriesStart[i]!);
      start = 0;
      end = offs.length;
    }
    const type = this.c.types[i]!;
    const out: Label[] = [
      {
        name: METRIC_NAME,
        value: unescapeLabelText(sliceText(src, offs[start]!, offs[start + 1]!)),
      },
    ];
    for (let k = start + 2; k < end; k += 4) {
      const name = unescapeLabelText(sliceText(src, offs[k]!, offs[k + 1]!));
      let value = unescapeLabelText(sliceText(src, offs[k + 2]!, offs[k + 3]!));
      if (
        (type === TYPE_HISTOGRAM && name === "le") ||
        (type === TYPE_SUMMARY && name === "quantile")
      ) {
        value = normalizeFloat(value);
      }
      out.push({ name, value });
    }
    return finishLabels(out);
  }

  timestampMs(i: number): number | undefined {
    this.check(i);
    return (this.c.flags[i]! & HAS_TS) !== 0 ? this.c.ts[i] : undefined;
  }

  exemplar(i: number): Exemplar | undefined {
    this.check(i);
    return this.c.exemplars?.get(i);
  }

  createdTimestampMs(i: number): number | undefined {
    this.check(i);
    return (this.c.flags[i]! & HAS_CT) !== 0 ? this.c.created![i] : undefined;
  }

  *entries(): IterableIterator<ExpositionEntry> {
    const md = this.metadata;
    let m = 0;
    for (let i = 0; i < this.length; i++) {
      while (m < md.length && md[m]!.sampleIndex <= i) yield md[m++]!;
      yield this.sampleEntry(i);
    }
    while (m < md.length) yield md[m++]!;
  }

  private sampleEntry(i: number): SampleEntry {
    const e: {
      -readonly [K in keyof SampleEntry]: SampleEntry[K];
    } = {
      kind: "sample",
      series: this.series(i),
      labels: this.labels(i),
      value: this.values[i]!,
    };
    const ts = this.timestampMs(i);
    if (ts !== undefined) e.timestampMs = ts;
    const ex = this.exemplar(i);
    if (ex !== undefined) e.exemplar = ex;
    const ct = this.createdTimestampMs(i);
    if (ct !== undefined) e.createdTimestampMs = ct;
    return e;
  }
}

// normalizeFloat respells an `le` or `quantile` value canonically when it parses as a float
// (normalizeFloatsInLabelValues in model/textparse/openmetricsparse.go).
function normalizeFloat(v: string): string {
  try {
    return formatOpenMetricsFloat(parseGoFloat(v));
  } catch {
    return v;
  }
}

/**
 * finishLabels sorts label pairs by name, drops empty values and rejects repeated names, turning
 * the pairs a parser collected into Labels.
 */
export function finishLabels(pairs: Label[]): Labels {
  // Insertion sort: label sets are short, and this avoids the comparator overhead of sort().
  for (let k = 1; k < pairs.length; k++) {
    const p = pairs[k]!;
    let j = k - 1;
    while (j >= 0 && pairs[j]!.name > p.name) {
      pairs[j + 1] = pairs[j]!;
      j--;
    }
    pairs[j + 1] = p;
  }
  let w = 0;
  for (let k = 0; k < pairs.length; k++) {
    const p = pairs[k]!;
    if (k > 0 && p.name === pairs[k - 1]!.name) {
      throw new ExpositionError(`label name ${goQuote(p.name)} is not unique`);
    }
    if (p.value !== "") pairs[w++] = p;
  }
  pairs.length = w;
  return pairs;
}
