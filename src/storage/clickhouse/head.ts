// The head: the most recent samples of every series this process wrote, kept in memory after
// their INSERT committed, so that queries over the last minutes (rule evaluations, instant
// queries, dashboards' recent panels) are answered without a ClickHouse round trip — as
// Prometheus answers them from its TSDB head. ClickHouse stays the durable copy: the head is
// filled from commits only, and is trusted only for time ranges it holds completely: from when
// this process opened the storage (nothing written before can have later timestamps), and no
// further back than its duration.
import type { Labels, Matcher } from "../../model/labels/index.ts";
import { METRIC_NAME, compareLabels, getLabel } from "../../model/labels/index.ts";
import type { Querier, SelectHints, Series } from "../interface.ts";
import { StorageClosedError } from "../errors.ts";

/**
 * HeadSeries holds one series' samples in time order: ts[start..n), values as raw bits (two
 * 32-bit words each, so that NaN payloads such as stale markers survive). Plain number arrays
 * (V8 keeps them as unboxed doubles) rather than typed arrays: with 100k series, two typed
 * arrays each cost the garbage collector more than the scraping they serve.
 */
class HeadSeries {
  ts: number[] = [];
  bits: number[] = [];
  start = 0;

  get n(): number {
    return this.ts.length;
  }

  /** add puts a sample in time order; a sample at an existing timestamp replaces it. */
  add(t: number, lo: number, hi: number): void {
    const n = this.ts.length;
    if (n > this.start && t <= this.ts[n - 1]!) {
      this.insert(t, lo, hi);
      return;
    }
    this.ts.push(t);
    this.bits.push(lo, hi);
  }

  private insert(t: number, lo: number, hi: number): void {
    const i = this.lowerBound(t);
    if (i < this.ts.length && this.ts[i] === t) {
      this.bits[2 * i] = lo;
      this.bits[2 * i + 1] = hi;
      return;
    }
    this.ts.splice(i, 0, t);
    this.bits.splice(2 * i, 0, lo, hi);
  }

  /** lowerBound is the first index in [start, n) with ts >= t. */
  lowerBound(t: number): number {
    let lo = this.start;
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** truncate drops samples before t; the arrays shed them once they are half the arrays. */
  truncate(t: number): void {
    this.start = this.lowerBound(t);
    if (this.start === this.ts.length) {
      this.start = 0;
      this.ts = [];
      this.bits = [];
    } else if (this.start * 2 >= this.ts.length) {
      this.ts.splice(0, this.start);
      this.bits.splice(0, 2 * this.start);
      this.start = 0;
    }
  }
}

/** MIN_HEAD_MS: the head never keeps less than this (rules need their range plus lookback). */
export const MIN_HEAD_MS = 15 * 60_000;

/** HeadOptions configure the head. */
export interface HeadOptions {
  /** durationMs: how far back from now the head keeps samples. */
  readonly durationMs: number;
  /**
   * maxSamples bounds the head's memory (about 24 bytes a sample): past it, the head keeps a shorter
   * span than durationMs, never less than MIN_HEAD_MS. 0 or absent: no bound.
   */
  readonly maxSamples?: number;
  /** openedMs: when the storage was opened; the head is complete from then on. */
  readonly openedMs: number;
  /** labelsOf returns the labels of a series ref (1-based). */
  readonly labelsOf: (ref: number) => Labels;
  readonly now?: () => number;
}

/** Head holds recent samples by series ref; see the file comment. */
export class Head {
  private readonly series: (HeadSeries | undefined)[] = [];
  private readonly byName = new Map<string, number[]>();
  private readonly now: () => number;
  private truncatedBeforeMs = -Infinity;
  /** spanMs is the span kept: durationMs, or less while the head is over maxSamples. */
  private spanMs: number;
  /** loadedFromMs: the head was filled from ClickHouse from this time on (see loaded). */
  private loadedFromMs: number | undefined;
  /** held: samples held at the last truncate; added: samples appended since. */
  private held = 0;
  private added = 0;

  constructor(private readonly o: HeadOptions) {
    this.now = o.now ?? Date.now;
    this.spanMs = o.durationMs;
  }

  /** keptMs is how far back the head currently keeps samples. */
  get keptMs(): number {
    return this.spanMs;
  }

  /**
   * completeFromMs is the earliest time from which the head holds every committed sample:
   * the later of the open time and the truncation point.
   */
  completeFromMs(): number {
    const from = this.loadedFromMs ?? this.o.openedMs;
    return Math.max(from, this.truncatedBeforeMs, this.now() - this.spanMs);
  }

  /**
   * loaded records that every sample ClickHouse held from fromMs on when the load began has
   * been appended; commits during the load were appended as they came. The head is then
   * complete from fromMs, not only from the open time.
   */
  loaded(fromMs: number): void {
    this.loadedFromMs = Math.min(fromMs, this.o.openedMs);
  }

  /** append adds committed samples (refs are 1-based series refs). */
  append(refs: ArrayLike<number>, ts: ArrayLike<number>, vs: Float64Array, n: number): void {
    const bits = new Uint32Array(vs.buffer, vs.byteOffset, n * 2);
    const oldest = this.now() - this.spanMs;
    for (let k = 0; k < n; k++) {
      const t = ts[k]!;
      if (t < oldest) continue;
      const ref = refs[k]!;
      if (ref <= 0) continue;
      let s = this.series[ref - 1];
      if (s === undefined) {
        s = new HeadSeries();
        this.series[ref - 1] = s;
        const name = getLabel(this.o.labelsOf(ref), METRIC_NAME);
        const list = this.byName.get(name);
        if (list) list.push(ref);
        else this.byName.set(name, [ref]);
      }
      s.add(t, bits[2 * k]!, bits[2 * k + 1]!);
      this.added++;
    }
    // Heavy ingest (remote_write at a million samples a second) would overshoot the budget
    // long before the periodic truncation: truncate as soon as it is a quarter over.
    const max = this.o.maxSamples ?? 0;
    if (max > 0 && this.held + this.added > max * 1.25) this.truncate();
  }

  /** truncate drops samples older than the head's span and returns what is left (as stats). */
  truncate(): { series: number; samples: number } {
    const max = this.o.maxSamples ?? 0;
    if (max > 0) {
      // Shrink the span in proportion when over the budget (with some room to grow into);
      // widen it again, up to durationMs, when well under.
      const { samples } = this.stats();
      if (samples > max) {
        this.spanMs = Math.max(MIN_HEAD_MS, Math.floor((this.spanMs * max * 0.9) / samples));
      } else if (samples < max / 2 && this.spanMs < this.o.durationMs) {
        this.spanMs = Math.min(this.o.durationMs, this.spanMs * 1.5);
      }
    }
    const cut = this.now() - this.spanMs;
    // Never earlier than before: what an earlier truncation dropped is gone.
    this.truncatedBeforeMs = Math.max(this.truncatedBeforeMs, cut);
    let series = 0;
    let samples = 0;
    for (const s of this.series) {
      if (!s) continue;
      s.truncate(cut);
      if (s.n > s.start) {
        series++;
        samples += s.n - s.start;
      }
    }
    this.held = samples;
    this.added = 0;
    return { series, samples };
  }

  /** stats counts series with samples and samples held, for metrics. */
  stats(): { series: number; samples: number } {
    let series = 0;
    let samples = 0;
    for (const s of this.series) {
      if (!s || s.n === s.start) continue;
      series++;
      samples += s.n - s.start;
    }
    return { series, samples };
  }

  /** candidates returns the refs that may match (by metric name when the matchers fix it). */
  private candidates(matchers: readonly Matcher[]): Iterable<number> {
    const name = matchers.find((m) => m.name === METRIC_NAME && m.type === "=");
    if (name) return this.byName.get(name.value) ?? [];
    const all: number[] = [];
    for (const list of this.byName.values()) all.push(...list);
    return all;
  }

  /** matching yields series that match and have samples in [mint, maxt], with their range. */
  *matching(
    matchers: readonly Matcher[],
    mintMs: number,
    maxtMs: number,
  ): Generator<{ labels: Labels; s: HeadSeries; from: number; to: number }> {
    for (const ref of this.candidates(matchers)) {
      const s = this.series[ref - 1];
      if (!s || s.n === s.start) continue;
      const labels = this.o.labelsOf(ref);
      if (!matchers.every((m) => m.matches(getLabel(labels, m.name)))) continue;
      const from = s.lowerBound(mintMs);
      const to = s.lowerBound(maxtMs + 1);
      if (from >= to) continue;
      yield { labels, s, from, to };
    }
  }
}

/** HeadQuerier answers a time range the head holds completely. */
export class HeadQuerier implements Querier {
  constructor(
    private readonly head: Head,
    private readonly checkOpen: () => void,
    readonly mintMs: number,
    readonly maxtMs: number,
  ) {}

  select(matchers: readonly Matcher[], hints?: SelectHints): Promise<Series[]> {
    try {
      this.checkOpen();
      if (hints?.signal?.aborted) throw hints.signal.reason;
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new StorageClosedError());
    }
    const out: Series[] = [];
    for (const { labels, s, from, to } of this.head.matching(matchers, this.mintMs, this.maxtMs)) {
      if (hints?.seriesOnly) {
        out.push({ labels, timestamps: new Float64Array(0), values: new Float64Array(0) });
        continue;
      }
      const timestamps = new Float64Array(to - from);
      const values = new Float64Array(to - from);
      const words = new Uint32Array(values.buffer);
      for (let i = from; i < to; i++) {
        timestamps[i - from] = s.ts[i]!;
        words[2 * (i - from)] = s.bits[2 * i]!;
        words[2 * (i - from) + 1] = s.bits[2 * i + 1]!;
      }
      out.push({ labels, timestamps, values });
    }
    out.sort((a, b) => compareLabels(a.labels, b.labels));
    return Promise.resolve(hints?.limit ? out.slice(0, hints.limit) : out);
  }

  labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
    this.checkOpen();
    const names = new Set<string>();
    for (const { labels } of this.head.matching(matchers ?? [], this.mintMs, this.maxtMs)) {
      for (const l of labels) names.add(l.name);
    }
    return Promise.resolve([...names].sort(byBytes));
  }

  labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
    this.checkOpen();
    const values = new Set<string>();
    for (const { labels } of this.head.matching(matchers ?? [], this.mintMs, this.maxtMs)) {
      const v = getLabel(labels, name);
      if (v !== "") values.add(v);
    }
    return Promise.resolve([...values].sort(byBytes));
  }
}

/** byBytes orders strings by their UTF-8 bytes, as ClickHouse and Go do. */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
