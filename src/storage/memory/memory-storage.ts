import type { FloatHistogram } from "../../model/histogram/index.ts";
import type { Labels, Matcher } from "../../model/labels/index.ts";
import { compareLabels, labelsKey } from "../../model/labels/index.ts";
import type {
  Appender,
  Querier,
  SelectHints,
  Series,
  SeriesRef,
  Storage,
  StorageStats,
} from "../interface.ts";
import { isStaleNaN } from "../../model/value/index.ts";
import { StorageClosedError } from "../errors.ts";
import { validateAppend } from "../validate.ts";
import { lowerBound, matchesAll } from "../select.ts";
import { MemoryLogStore } from "./logs.ts";

interface MemSeries {
  readonly labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
  n: number;
  /** Native histogram samples, kept apart from the floats (timestamps disjoint from ts). */
  hts: Float64Array;
  hvs: FloatHistogram[];
}

type Pending =
  | { s: MemSeries; t: number; v: Float64Array; h?: undefined }
  | { s: MemSeries; t: number; v?: undefined; h: FloatHistogram };

/**
 * MemoryStorage keeps everything in process memory. It is for tests and for tools that need a
 * Storage without persistence (for example `vigil test rules`). Samples are kept sorted; a
 * sample at an existing timestamp replaces the old one, float or native histogram.
 */
export class MemoryStorage implements Storage {
  readonly engine = "memory" as const;
  readonly logs = new MemoryLogStore({ isClosed: () => this.closed });
  private readonly byKey = new Map<string, MemSeries>();
  private readonly byRef: MemSeries[] = [];
  private readonly refOf = new Map<MemSeries, SeriesRef>();
  private closed = false;

  appender(): Appender {
    const pending: Pending[] = [];
    let done = false;
    const use = () => {
      if (this.closed) throw new StorageClosedError();
      if (done) throw new Error("appender already committed or rolled back");
    };
    const series = (ref: SeriesRef, labels: Labels, tMs: number): MemSeries => {
      let s = ref > 0 ? this.byRef[ref - 1] : undefined;
      if (!s) {
        validateAppend(labels, tMs);
        s = this.getOrCreate(labels);
      } else if (!Number.isSafeInteger(tMs)) {
        validateAppend(labels, tMs);
      }
      return s;
    };
    return {
      append: (ref, labels, tMs, value) => {
        use();
        const s = series(ref, labels, tMs);
        // A one-element Float64Array keeps NaN payloads intact until commit; an array
        // literal would not (V8 canonicalizes NaN in double arrays).
        const v = new Float64Array(1);
        v[0] = value;
        pending.push({ s, t: tMs, v });
        return this.refOf.get(s)!;
      },
      appendHistogram: (ref, labels, tMs, h) => {
        use();
        const s = series(ref, labels, tMs);
        if (!isStaleNaN(h.sum)) h.validate();
        pending.push({ s, t: tMs, h: h.copy() });
        return this.refOf.get(s)!;
      },
      commit: async () => {
        use();
        done = true;
        for (const p of pending) {
          if (p.h !== undefined) {
            removeSample(p.s, p.t);
            insertHistogram(p.s, p.t, p.h);
          } else {
            removeHistogram(p.s, p.t);
            insertSample(p.s, p.t, p.v);
          }
        }
      },
      rollback: () => {
        done = true;
        pending.length = 0;
      },
    };
  }

  querier(mintMs: number, maxtMs: number): Querier {
    const select = async (matchers: readonly Matcher[], hints?: SelectHints) => {
      this.checkOpen();
      const out: Series[] = [];
      for (const s of this.byRef) {
        if (!matchesAll(s.labels, matchers)) continue;
        const lo = lowerBound(s.ts, mintMs, 0, s.n);
        const hi = lowerBound(s.ts, maxtMs + 1, lo, s.n);
        const hn = s.hvs.length;
        const hlo = hn === 0 ? 0 : lowerBound(s.hts, mintMs, 0, hn);
        const hhi = hn === 0 ? 0 : lowerBound(s.hts, maxtMs + 1, hlo, hn);
        if (hi <= lo && hhi <= hlo) continue;
        if (hints?.seriesOnly) {
          out.push({
            labels: s.labels,
            timestamps: new Float64Array(0),
            values: new Float64Array(0),
          });
          continue;
        }
        const sel: Series = {
          labels: s.labels,
          timestamps: s.ts.slice(lo, hi),
          values: s.vs.slice(lo, hi),
        };
        out.push(
          hhi > hlo
            ? {
                ...sel,
                histograms: { timestamps: s.hts.slice(hlo, hhi), values: s.hvs.slice(hlo, hhi) },
              }
            : sel,
        );
      }
      out.sort((a, b) => compareLabels(a.labels, b.labels));
      return hints?.limit ? out.slice(0, hints.limit) : out;
    };
    return {
      mintMs,
      maxtMs,
      select,
      async labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
        const names = new Set<string>();
        for (const s of await select(matchers ?? [], { seriesOnly: true })) {
          for (const l of s.labels) names.add(l.name);
        }
        return [...names].sort();
      },
      async labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
        const values = new Set<string>();
        for (const s of await select(matchers ?? [], { seriesOnly: true })) {
          for (const l of s.labels) if (l.name === name) values.add(l.value);
        }
        return [...values].sort();
      },
    };
  }

  async stats(): Promise<StorageStats> {
    let numSeries = 0;
    let numSamples = 0;
    let minTimeMs: number | null = null;
    let maxTimeMs: number | null = null;
    const see = (t: number) => {
      if (minTimeMs === null || t < minTimeMs) minTimeMs = t;
      if (maxTimeMs === null || t > maxTimeMs) maxTimeMs = t;
    };
    for (const s of this.byRef) {
      const hn = s.hvs.length;
      if (s.n === 0 && hn === 0) continue;
      numSeries++;
      numSamples += s.n + hn;
      if (s.n > 0) {
        see(s.ts[0]!);
        see(s.ts[s.n - 1]!);
      }
      if (hn > 0) {
        see(s.hts[0]!);
        see(s.hts[hn - 1]!);
      }
    }
    return { numSeries, numSamples, minTimeMs, maxTimeMs, bytesOnDisk: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageClosedError();
  }

  private getOrCreate(labels: Labels): MemSeries {
    const key = labelsKey(labels);
    let s = this.byKey.get(key);
    if (!s) {
      s = {
        labels,
        ts: new Float64Array(16),
        vs: new Float64Array(16),
        n: 0,
        hts: new Float64Array(0),
        hvs: [],
      };
      this.byKey.set(key, s);
      this.byRef.push(s);
      this.refOf.set(s, this.byRef.length);
    }
    return s;
  }
}

function insertSample(s: MemSeries, t: number, v: Float64Array): void {
  const i = lowerBound(s.ts, t, 0, s.n);
  if (i < s.n && s.ts[i] === t) {
    s.vs.set(v, i);
    return;
  }
  if (s.n === s.ts.length) {
    const ts = new Float64Array(s.ts.length * 2);
    const vs = new Float64Array(s.vs.length * 2);
    ts.set(s.ts);
    vs.set(s.vs);
    s.ts = ts;
    s.vs = vs;
  }
  s.ts.copyWithin(i + 1, i, s.n);
  s.vs.copyWithin(i + 1, i, s.n);
  s.ts[i] = t;
  s.vs.set(v, i);
  s.n++;
}

function removeSample(s: MemSeries, t: number): void {
  const i = lowerBound(s.ts, t, 0, s.n);
  if (i >= s.n || s.ts[i] !== t) return;
  s.ts.copyWithin(i, i + 1, s.n);
  s.vs.copyWithin(i, i + 1, s.n);
  s.n--;
}

function insertHistogram(s: MemSeries, t: number, h: FloatHistogram): void {
  const n = s.hvs.length;
  const i = lowerBound(s.hts, t, 0, n);
  if (i < n && s.hts[i] === t) {
    s.hvs[i] = h;
    return;
  }
  if (n === s.hts.length) {
    const ts = new Float64Array(Math.max(16, n * 2));
    ts.set(s.hts);
    s.hts = ts;
  }
  s.hts.copyWithin(i + 1, i, n);
  s.hts[i] = t;
  s.hvs.splice(i, 0, h);
}

function removeHistogram(s: MemSeries, t: number): void {
  const n = s.hvs.length;
  if (n === 0) return;
  const i = lowerBound(s.hts, t, 0, n);
  if (i >= n || s.hts[i] !== t) return;
  s.hts.copyWithin(i, i + 1, n);
  s.hvs.splice(i, 1);
}
