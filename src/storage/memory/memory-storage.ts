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
import { StorageClosedError } from "../errors.ts";
import { validateAppend } from "../validate.ts";
import { lowerBound, matchesAll } from "../select.ts";

interface MemSeries {
  readonly labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
  n: number;
}

/**
 * MemoryStorage keeps everything in process memory. It is for tests and for tools that need a
 * Storage without persistence (for example `vigil test rules`). Samples are kept sorted; a
 * sample at an existing timestamp replaces the old one.
 */
export class MemoryStorage implements Storage {
  readonly engine = "memory" as const;
  private readonly byKey = new Map<string, MemSeries>();
  private readonly byRef: MemSeries[] = [];
  private readonly refOf = new Map<MemSeries, SeriesRef>();
  private closed = false;

  appender(): Appender {
    const pending: { s: MemSeries; t: number; v: Float64Array }[] = [];
    let done = false;
    const use = () => {
      if (this.closed) throw new StorageClosedError();
      if (done) throw new Error("appender already committed or rolled back");
    };
    return {
      append: (ref, labels, tMs, value) => {
        use();
        let s = ref > 0 ? this.byRef[ref - 1] : undefined;
        if (!s) {
          validateAppend(labels, tMs);
          s = this.getOrCreate(labels);
        } else if (!Number.isSafeInteger(tMs)) {
          validateAppend(labels, tMs);
        }
        // A one-element Float64Array keeps NaN payloads intact until commit; an array
        // literal would not (V8 canonicalizes NaN in double arrays).
        const v = new Float64Array(1);
        v[0] = value;
        pending.push({ s, t: tMs, v });
        return this.refOf.get(s)!;
      },
      commit: async () => {
        use();
        done = true;
        for (const p of pending) insertSample(p.s, p.t, p.v);
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
        if (hi <= lo) continue;
        out.push(
          hints?.seriesOnly
            ? { labels: s.labels, timestamps: new Float64Array(0), values: new Float64Array(0) }
            : { labels: s.labels, timestamps: s.ts.slice(lo, hi), values: s.vs.slice(lo, hi) },
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
    for (const s of this.byRef) {
      if (s.n === 0) continue;
      numSeries++;
      numSamples += s.n;
      if (minTimeMs === null || s.ts[0]! < minTimeMs) minTimeMs = s.ts[0]!;
      if (maxTimeMs === null || s.ts[s.n - 1]! > maxTimeMs) maxTimeMs = s.ts[s.n - 1]!;
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
      s = { labels, ts: new Float64Array(16), vs: new Float64Array(16), n: 0 };
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
