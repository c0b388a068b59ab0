// The head: the most recent samples of every series this process wrote, kept in memory after
// their INSERT committed, so that queries over the last minutes (rule evaluations, instant
// queries, dashboards' recent panels) are answered without a ClickHouse round trip — as
// Prometheus answers them from its TSDB head. ClickHouse stays the durable copy: the head is
// filled from commits only, and is trusted only for time ranges it holds completely: from when
// this process opened the storage (nothing written before can have later timestamps), and no
// further back than its duration.
//
// Samples live in fixed-size chunks carved out of large typed-array pages, linked per series
// (as Prometheus' head keeps a series' samples in chunks, here uncompressed): no object per
// series or per chunk, and no array that grows and is copied as a series' samples accumulate.
// With 100k series, per-series arrays cost the garbage collector more than the scraping they
// served (each growth left the old copy behind in the old generation).
import type { Labels, Matcher } from "../../model/labels/index.ts";
import { METRIC_NAME, compareLabels, getLabel } from "../../model/labels/index.ts";
import type { Querier, SelectHints, Series } from "../interface.ts";
import { StorageClosedError } from "../errors.ts";
import { grown } from "../../util/grow.ts";

/** CHUNK: samples per chunk. */
const CHUNK = 32;
/** PAGE_CHUNKS: chunks per page (a page is 256 KiB of timestamps and 256 KiB of values). */
const PAGE_SHIFT = 10;
const PAGE_CHUNKS = 1 << PAGE_SHIFT;
const NONE = -1;

/**
 * Chunks is the chunk store: chunk c holds samples lo[c]..len[c]) of its CHUNK slots in time
 * order, timestamps in a Float64 page and values as raw bits (two 32-bit words each, so that
 * NaN payloads such as stale markers survive) in a Uint32 page; next[c] links a series' chunks
 * oldest first. Free chunks are linked through next[] from `free`.
 */
class Chunks {
  next = new Int32Array(PAGE_CHUNKS);
  lo = new Uint8Array(PAGE_CHUNKS);
  len = new Uint8Array(PAGE_CHUNKS);
  readonly ts: Float64Array[] = [];
  readonly bits: Uint32Array[] = [];
  private free = NONE;
  private cap = 0;

  alloc(): number {
    if (this.free === NONE) this.addPage();
    const c = this.free;
    this.free = this.next[c]!;
    this.next[c] = NONE;
    this.lo[c] = 0;
    this.len[c] = 0;
    return c;
  }

  release(c: number): void {
    this.next[c] = this.free;
    this.free = c;
  }

  private addPage(): void {
    const first = this.cap;
    this.cap += PAGE_CHUNKS;
    if (this.cap > this.next.length) {
      const cap = this.next.length * 2;
      this.next = grown(this.next, cap);
      this.lo = grown(this.lo, cap);
      this.len = grown(this.len, cap);
    }
    this.ts.push(new Float64Array(PAGE_CHUNKS * CHUNK));
    this.bits.push(new Uint32Array(PAGE_CHUNKS * CHUNK * 2));
    for (let c = this.cap - 1; c >= first; c--) this.release(c);
  }

  /** tsAt is the timestamp in slot i of chunk c. */
  tsAt(c: number, i: number): number {
    return this.ts[c >> PAGE_SHIFT]![(c & (PAGE_CHUNKS - 1)) * CHUNK + i]!;
  }

  /** lastTs is chunk c's newest timestamp (c holds at least one sample). */
  lastTs(c: number): number {
    return this.tsAt(c, this.len[c]! - 1);
  }

  set(c: number, i: number, t: number, lo: number, hi: number): void {
    const p = c >> PAGE_SHIFT;
    const o = (c & (PAGE_CHUNKS - 1)) * CHUNK + i;
    this.ts[p]![o] = t;
    const b = this.bits[p]!;
    b[2 * o] = lo;
    b[2 * o + 1] = hi;
  }

  /** move copies n slots of chunk a from slot i to chunk b at slot j (ranges may overlap). */
  move(a: number, i: number, b: number, j: number, n: number): void {
    const ta = this.ts[a >> PAGE_SHIFT]!;
    const ba = this.bits[a >> PAGE_SHIFT]!;
    const oa = (a & (PAGE_CHUNKS - 1)) * CHUNK + i;
    const tb = this.ts[b >> PAGE_SHIFT]!;
    const bb = this.bits[b >> PAGE_SHIFT]!;
    const ob = (b & (PAGE_CHUNKS - 1)) * CHUNK + j;
    if (ta === tb) ta.copyWithin(ob, oa, oa + n);
    else tb.set(ta.subarray(oa, oa + n), ob);
    if (ba === bb) ba.copyWithin(2 * ob, 2 * oa, 2 * (oa + n));
    else bb.set(ba.subarray(2 * oa, 2 * (oa + n)), 2 * ob);
  }

  /** lowerBound is the first slot in [lo, len) of chunk c with a timestamp >= t. */
  lowerBound(c: number, t: number): number {
    const ts = this.ts[c >> PAGE_SHIFT]!;
    const base = (c & (PAGE_CHUNKS - 1)) * CHUNK;
    let lo = this.lo[c]!;
    let hi = this.len[c]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[base + mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** MIN_HEAD_MS: the head never keeps less than this (rules need their range plus lookback). */
export const MIN_HEAD_MS = 15 * 60_000;

/** HeadOptions configure the head. */
export interface HeadOptions {
  /** durationMs: how far back from now the head keeps samples. */
  readonly durationMs: number;
  /**
   * maxSamples bounds the head's memory (about 16 bytes a sample): past it, the head keeps a
   * shorter span than durationMs, never less than MIN_HEAD_MS. 0 or absent: no bound.
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
  private readonly chunks = new Chunks();
  /** first/last: a series' oldest and newest chunk (NONE: no samples), by ref − 1. */
  private first = new Int32Array(1024).fill(NONE);
  private last = new Int32Array(1024).fill(NONE);
  /** known: the series is listed in byName. */
  private known = new Uint8Array(1024);
  private readonly byName = new Map<string, number[]>();
  private readonly now: () => number;
  private truncatedBeforeMs = -Infinity;
  /** spanMs is the span kept: durationMs, or less while the head is over maxSamples. */
  private spanMs: number;
  /** loadedFromMs: the head was filled from ClickHouse from this time on (see loaded). */
  private loadedFromMs: number | undefined;
  /** samples held. */
  private total = 0;

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
    const ch = this.chunks;
    for (let k = 0; k < n; k++) {
      const t = ts[k]!;
      if (t < oldest) continue;
      const ref = refs[k]!;
      if (ref <= 0) continue;
      const sid = ref - 1;
      if (sid >= this.known.length) this.growSeries(sid);
      if (this.known[sid] === 0) this.register(ref);
      const lo = bits[2 * k]!;
      const hi = bits[2 * k + 1]!;
      const c = this.last[sid]!;
      if (c === NONE) {
        const nc = ch.alloc();
        this.first[sid] = nc;
        this.last[sid] = nc;
        ch.set(nc, 0, t, lo, hi);
        ch.len[nc] = 1;
        this.total++;
      } else if (t > ch.lastTs(c)) {
        let len = ch.len[c]!;
        let d = c;
        if (len === CHUNK) {
          d = ch.alloc();
          ch.next[c] = d;
          this.last[sid] = d;
          len = 0;
        }
        ch.set(d, len, t, lo, hi);
        ch.len[d] = len + 1;
        this.total++;
      } else {
        this.insert(sid, t, lo, hi);
      }
    }
    // Heavy ingest (remote_write at a million samples a second) would overshoot the budget
    // long before the periodic truncation: truncate as soon as it is a quarter over.
    const max = this.o.maxSamples ?? 0;
    if (max > 0 && this.total > max * 1.25) this.truncate();
  }

  private growSeries(sid: number): void {
    const cap = Math.max(sid + 1, this.known.length * 2);
    this.first = grown(this.first, cap, NONE);
    this.last = grown(this.last, cap, NONE);
    this.known = grown(this.known, cap);
  }

  private register(ref: number): void {
    this.known[ref - 1] = 1;
    const name = getLabel(this.o.labelsOf(ref), METRIC_NAME);
    const list = this.byName.get(name);
    if (list) list.push(ref);
    else this.byName.set(name, [ref]);
  }

  /**
   * insert puts a sample that is not newer than the series' newest in time order (a sample at
   * an existing timestamp replaces it); a full chunk is split in two to make room.
   */
  private insert(sid: number, t: number, lo: number, hi: number): void {
    const ch = this.chunks;
    // The first chunk whose newest sample is at or after t (the last chunk's is).
    let c = this.first[sid]!;
    while (ch.lastTs(c) < t) c = ch.next[c]!;
    const i = ch.lowerBound(c, t);
    const len = ch.len[c]!;
    if (i < len && ch.tsAt(c, i) === t) {
      ch.set(c, i, t, lo, hi);
      return;
    }
    this.total++;
    const start = ch.lo[c]!;
    if (i === start && start > 0) {
      // Before every live sample of the chunk, into a slot truncation freed.
      ch.lo[c] = start - 1;
      ch.set(c, start - 1, t, lo, hi);
      return;
    }
    if (len < CHUNK) {
      ch.move(c, i, c, i + 1, len - i);
      ch.set(c, i, t, lo, hi);
      ch.len[c] = len + 1;
      return;
    }
    // Split: the upper half moves to a new chunk after c.
    const d = ch.alloc();
    const half = start + ((len - start) >> 1);
    ch.move(c, half, d, 0, len - half);
    ch.len[d] = len - half;
    ch.len[c] = half;
    ch.next[d] = ch.next[c]!;
    ch.next[c] = d;
    if (this.last[sid] === c) this.last[sid] = d;
    const [e, j] = i <= half ? [c, i] : [d, i - half];
    const n = ch.len[e]!;
    ch.move(e, j, e, j + 1, n - j);
    ch.set(e, j, t, lo, hi);
    ch.len[e] = n + 1;
  }

  /** truncate drops samples older than the head's span and returns what is left (as stats). */
  truncate(): { series: number; samples: number } {
    const max = this.o.maxSamples ?? 0;
    if (max > 0) {
      // Shrink the span in proportion when over the budget (with some room to grow into);
      // widen it again, up to durationMs, when well under.
      const samples = this.total;
      if (samples > max) {
        this.spanMs = Math.max(MIN_HEAD_MS, Math.floor((this.spanMs * max * 0.9) / samples));
      } else if (samples < max / 2 && this.spanMs < this.o.durationMs) {
        this.spanMs = Math.min(this.o.durationMs, this.spanMs * 1.5);
      }
    }
    const cut = this.now() - this.spanMs;
    // Never earlier than before: what an earlier truncation dropped is gone.
    this.truncatedBeforeMs = Math.max(this.truncatedBeforeMs, cut);
    const ch = this.chunks;
    for (let sid = 0; sid < this.first.length; sid++) {
      let c = this.first[sid]!;
      if (c === NONE) continue;
      while (c !== NONE && ch.lastTs(c) < cut) {
        this.total -= ch.len[c]! - ch.lo[c]!;
        const n = ch.next[c]!;
        ch.release(c);
        c = n;
      }
      this.first[sid] = c;
      if (c === NONE) {
        this.last[sid] = NONE;
        continue;
      }
      const i = ch.lowerBound(c, cut);
      this.total -= i - ch.lo[c]!;
      ch.lo[c] = i;
    }
    return this.stats();
  }

  /** stats counts series with samples and samples held, for metrics. */
  stats(): { series: number; samples: number } {
    let series = 0;
    for (let sid = 0; sid < this.first.length; sid++) if (this.first[sid] !== NONE) series++;
    return { series, samples: this.total };
  }

  /** candidates returns the refs that may match (by metric name when the matchers fix it). */
  private candidates(matchers: readonly Matcher[]): Iterable<number> {
    const name = matchers.find((m) => m.name === METRIC_NAME && m.type === "=");
    if (name) return this.byName.get(name.value) ?? [];
    const all: number[] = [];
    for (const list of this.byName.values()) all.push(...list);
    return all;
  }

  /** count is the number of samples of series ref in [mint, maxt]. */
  count(ref: number, mintMs: number, maxtMs: number): number {
    const ch = this.chunks;
    let n = 0;
    for (let c = this.first[ref - 1]!; c !== NONE; c = ch.next[c]!) {
      if (ch.lastTs(c) < mintMs) continue;
      const from = ch.lowerBound(c, mintMs);
      const to = ch.lowerBound(c, maxtMs + 1);
      n += to - from;
      if (to < ch.len[c]!) break;
    }
    return n;
  }

  /** copy writes series ref's samples in [mint, maxt] (count of them) to new arrays. */
  copy(
    ref: number,
    mintMs: number,
    maxtMs: number,
    count: number,
  ): [timestamps: Float64Array, values: Float64Array] {
    const ch = this.chunks;
    const timestamps = new Float64Array(count);
    const values = new Float64Array(count);
    const words = new Uint32Array(values.buffer);
    let k = 0;
    for (let c = this.first[ref - 1]!; c !== NONE && k < count; c = ch.next[c]!) {
      if (ch.lastTs(c) < mintMs) continue;
      const from = ch.lowerBound(c, mintMs);
      const to = Math.min(ch.lowerBound(c, maxtMs + 1), from + count - k);
      const p = c >> PAGE_SHIFT;
      const o = (c & (PAGE_CHUNKS - 1)) * CHUNK;
      timestamps.set(ch.ts[p]!.subarray(o + from, o + to), k);
      words.set(ch.bits[p]!.subarray(2 * (o + from), 2 * (o + to)), 2 * k);
      k += to - from;
    }
    return [timestamps, values];
  }

  /** matching yields series that match and have samples in [mint, maxt], with their count. */
  *matching(
    matchers: readonly Matcher[],
    mintMs: number,
    maxtMs: number,
  ): Generator<{ labels: Labels; ref: number; count: number }> {
    for (const ref of this.candidates(matchers)) {
      if (this.first[ref - 1] === NONE) continue;
      const labels = this.o.labelsOf(ref);
      if (!matchers.every((m) => m.matches(getLabel(labels, m.name)))) continue;
      const count = this.count(ref, mintMs, maxtMs);
      if (count === 0) continue;
      yield { labels, ref, count };
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
    for (const { labels, ref, count } of this.head.matching(matchers, this.mintMs, this.maxtMs)) {
      if (hints?.seriesOnly) {
        out.push({ labels, timestamps: new Float64Array(0), values: new Float64Array(0) });
        continue;
      }
      const [timestamps, values] = this.head.copy(ref, this.mintMs, this.maxtMs, count);
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
