// The LogQL engine: log queries (streams) and metric queries over log data, read only through
// storage/logs.ts LogQuerier. Semantics follow Loki's pkg/logql (engine.go, evaluator.go,
// range_vector.go): a range `[R]` evaluated at T covers (T-R, T], `offset d` shifts it to
// (T-d-R, T-d]; x/0 and x%0 are NaN; series carrying `__error__` fail a metric query.
import type { Label, Labels, Matcher } from "../../model/labels/index.ts";
import { compileLabelRegex, expandMatch } from "../../model/regex/index.ts";
import type { LineFilter as StorageLineFilter, LogQuerier, LogRow } from "../../storage/logs.ts";
import { buildLabelFilters, buildPipeline, reorderStages } from "../log/index.ts";
import type { LabelsBuilder, Pipeline, SyncStage } from "../log/index.ts";
import {
  BytesError,
  GoDurationError,
  assertNever,
  parseBytes,
  parseExpr,
  parseGoDuration,
  parseGoFloat,
  parseFloatError,
} from "../syntax/index.ts";
import type {
  BinaryExpr,
  Expr,
  LogRange,
  LogSelector,
  RangeAggregation,
  SampleExpr,
  Stage,
  VectorAggregation,
} from "../syntax/index.ts";
import { PipelineError, QueryError } from "./types.ts";
import type {
  QueryParams,
  QueryResult,
  SampleResult,
  SeriesResult,
  StreamResult,
  LogEntryResult,
} from "./types.ts";

type Rec = Record<string, string>;

interface Sample {
  labels: Rec;
  value: number;
}

type Vec = Sample[];

const ERROR_LABEL = "__error__";
const PRESERVE_ERROR_LABEL = "__preserve_error__";

/** EngineOptions configures an Engine. */
export interface EngineOptions {
  /** querier is where log data comes from. */
  readonly querier: LogQuerier;
  /** maxEntriesLimit caps the limit of log queries (0: no cap). */
  readonly maxEntriesLimit?: number;
}

function sortedLabels(r: Rec): Labels {
  return Object.keys(r)
    .sort()
    .map((name): Label => ({ name, value: r[name]! }));
}

function keyOf(r: Rec): string {
  let s = "";
  for (const k of Object.keys(r).sort()) s += k + "\xff" + r[k] + "\xfe";
  return s;
}

function formatRec(r: Rec): string {
  return `{${Object.keys(r)
    .sort()
    .map((k) => `${k}=${JSON.stringify(r[k])}`)
    .join(", ")}}`;
}

/** pushableFilters returns the leading line filters storage can run (|=, !=, |~, !~). */
export function pushableFilters(stages: readonly Stage[]): StorageLineFilter[] {
  const out: StorageLineFilter[] = [];
  const first = reorderStages(stages)[0];
  if (!first || first.type !== "lineFilter") return out;
  for (const f of first.filters) {
    if (f.op === "|>" || f.op === "!>") continue;
    if (f.values.some((v) => v.ip)) continue;
    out.push({ op: f.op, values: f.values.map((v) => v.match) });
  }
  return out;
}

function recFromLabels(ls: Labels): Rec {
  const r: Rec = {};
  for (const l of ls) r[l.name] = l.value;
  return r;
}

/** Engine evaluates LogQL queries against a LogQuerier. */
export class Engine {
  private readonly querier: LogQuerier;
  private readonly maxEntriesLimit: number;

  constructor(opts: EngineOptions) {
    this.querier = opts.querier;
    this.maxEntriesLimit = opts.maxEntriesLimit ?? 0;
  }

  /** instantQuery evaluates a metric query at timeNs. */
  instantQuery(query: string | Expr, timeNs: bigint, signal?: AbortSignal): Promise<QueryResult> {
    return this.exec(query, {
      startNs: timeNs,
      endNs: timeNs,
      stepNs: 0n,
      instant: true,
      ...(signal ? { signal } : {}),
    });
  }

  /** rangeQuery evaluates a query over [startNs, endNs] with stepNs resolution. */
  rangeQuery(
    query: string | Expr,
    startNs: bigint,
    endNs: bigint,
    stepNs: bigint,
    opts: Partial<Pick<QueryParams, "direction" | "limit" | "signal">> = {},
  ): Promise<QueryResult> {
    return this.exec(query, { startNs, endNs, stepNs, ...opts });
  }

  /** exec evaluates a query; it throws ParseError, PipelineBuildError, QueryError, PipelineError. */
  async exec(query: string | Expr, p: QueryParams): Promise<QueryResult> {
    const expr = typeof query === "string" ? parseExpr(query) : query;
    if (expr.type === "LogSelector") {
      if (p.instant) {
        throw new QueryError(
          "log queries are not supported as an instant query type, please change your query to a range query type",
        );
      }
      return this.evalLogs(expr, p);
    }
    const steps = stepTimes(p);
    if (expr.type === "Literal") {
      if (p.instant) return { type: "scalar", tsNs: p.startNs, value: expr.value };
      return {
        type: "matrix",
        series: [{ labels: [], points: steps.map((t) => ({ tsNs: t, value: expr.value })) }],
      };
    }
    if (!p.instant && hasApproxTopk(expr)) {
      throw new QueryError("approx_topk is only supported on instant queries");
    }
    const ctx = new EvalContext(this.querier, steps, p.signal);
    const vecs = await ctx.eval(expr);
    const ordered = isSortQuery(expr);
    if (p.instant) {
      const v = vecs[0] ?? [];
      let samples: SampleResult[] = v.map((s) => ({
        labels: sortedLabels(s.labels),
        tsNs: steps[0]!,
        value: s.value,
      }));
      if (!ordered) samples = samples.sort((a, b) => cmpLabels(a.labels, b.labels));
      return { type: "vector", samples };
    }
    const series = new Map<string, { labels: Rec; points: { tsNs: bigint; value: number }[] }>();
    vecs.forEach((v, i) => {
      for (const s of v) {
        const k = keyOf(s.labels);
        let e = series.get(k);
        if (!e) series.set(k, (e = { labels: s.labels, points: [] }));
        e.points.push({ tsNs: steps[i]!, value: s.value });
      }
    });
    const out: SeriesResult[] = [...series.values()]
      .map((s) => ({ labels: sortedLabels(s.labels), points: s.points }))
      .sort((a, b) => cmpLabels(a.labels, b.labels));
    return { type: "matrix", series: out };
  }

  private async evalLogs(sel: LogSelector, p: QueryParams): Promise<QueryResult> {
    const pipeline = buildPipeline(sel.stages);
    const direction = p.direction ?? "backward";
    let limit = p.limit ?? 0;
    if (this.maxEntriesLimit > 0 && (limit === 0 || limit > this.maxEntriesLimit)) {
      limit = this.maxEntriesLimit;
    }
    const streams = new Map<
      string,
      { labels: Rec; streamLabels: Labels; entries: LogEntryResult[] }
    >();
    const perStream = new Map<Labels, ReturnType<Pipeline["forStream"]>>();
    let kept = 0;
    const rows = this.querier.select({
      matchers: sel.matchers,
      startNs: p.startNs,
      endNs: p.endNs,
      lineFilters: pushableFilters(sel.stages),
      order: direction,
      ...(pipeline.noop && limit > 0 ? { limit } : {}),
      ...(p.signal ? { signal: p.signal } : {}),
    });
    outer: for await (const batch of rows) {
      for (const row of batch) {
        let sp = perStream.get(row.stream);
        if (!sp) perStream.set(row.stream, (sp = pipeline.forStream(recFromLabels(row.stream))));
        const r = await sp.process(row.tsNs, row.line, recFromLabels(row.metadata));
        if (r === null) continue;
        const k = keyOf(r.labels.all);
        let s = streams.get(k);
        if (!s) {
          s = { labels: { ...r.labels.all }, streamLabels: row.stream, entries: [] };
          streams.set(k, s);
        }
        s.entries.push({
          tsNs: row.tsNs,
          line: r.line,
          structuredMetadata: sortedLabels(r.labels.metadata),
          parsed: sortedLabels(r.labels.parsed),
        });
        kept++;
        if (limit > 0 && kept >= limit) break outer;
      }
    }
    const out: StreamResult[] = [...streams.values()].map((s) => ({
      labels: sortedLabels(s.labels),
      streamLabels: s.streamLabels,
      entries: s.entries,
    }));
    return { type: "streams", streams: out };
  }
}

function cmpLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

/** isSortQuery reports whether e sorts its result somewhere (Loki's Sortable). */
function isSortQuery(e: SampleExpr): boolean {
  switch (e.type) {
    case "VectorAggregation":
      return e.op === "sort" || e.op === "sort_desc" || isSortQuery(e.expr);
    case "BinaryExpr":
      return isSortQuery(e.lhs) || isSortQuery(e.rhs);
    case "LabelReplace":
      return isSortQuery(e.expr);
    default:
      return false;
  }
}

function hasApproxTopk(e: SampleExpr): boolean {
  switch (e.type) {
    case "VectorAggregation":
      return e.op === "approx_topk" || hasApproxTopk(e.expr);
    case "BinaryExpr":
      return hasApproxTopk(e.lhs) || hasApproxTopk(e.rhs);
    case "LabelReplace":
      return hasApproxTopk(e.expr);
    default:
      return false;
  }
}

function stepTimes(p: QueryParams): bigint[] {
  if (p.instant || p.stepNs <= 0n) return [p.endNs];
  const out: bigint[] = [];
  for (let t = p.startNs; t <= p.endNs; t += p.stepNs) out.push(t);
  return out;
}

interface Point {
  ts: bigint;
  value: number;
}

interface SeriesPoints {
  labels: Rec;
  points: Point[];
}

class EvalContext {
  constructor(
    private readonly querier: LogQuerier,
    private readonly steps: readonly bigint[],
    private readonly signal: AbortSignal | undefined,
  ) {}

  async eval(e: SampleExpr): Promise<Vec[]> {
    switch (e.type) {
      case "RangeAggregation":
        return this.evalRange(e);
      case "VectorAggregation":
        return (await this.eval(e.expr)).map((v) => vectorAggregate(e, v));
      case "BinaryExpr":
        return this.evalBinary(e);
      case "Literal":
        return this.steps.map(() => [{ labels: {}, value: e.value }]);
      case "Vector":
        return this.steps.map(() => [{ labels: {}, value: e.value }]);
      case "LabelReplace": {
        const re = compileLabelRegex(e.regex);
        const vecs = await this.eval(e.expr);
        if (re === null) return vecs;
        return vecs.map((v) =>
          v.map((s) => {
            const src = s.labels[e.src] ?? "";
            const m = re.matcher(src);
            if (!m.find()) return s;
            const res = expandMatch(m, e.replacement);
            const labels = { ...s.labels };
            delete labels[e.dst];
            if (res !== "") labels[e.dst] = res;
            return { labels, value: s.value };
          }),
        );
      }
      default:
        return assertNever(e);
    }
  }

  private async evalBinary(e: BinaryExpr): Promise<Vec[]> {
    if (e.lhs.type === "Literal" || e.rhs.type === "Literal") {
      const litLeft = e.lhs.type === "Literal";
      const lit = (litLeft ? e.lhs : e.rhs) as { value: number };
      const other = await this.eval(litLeft ? e.rhs : e.lhs);
      const comparison = isComparison(e.op);
      return other.map((v) => {
        const out: Vec = [];
        for (const s of v) {
          const [l, r] = litLeft ? [lit.value, s.value] : [s.value, lit.value];
          const res = mergeBinOp(e.op, l, r, !e.returnBool, comparison);
          if (res === null) continue;
          // A filtering comparison keeps the vector's own value.
          out.push({ labels: s.labels, value: comparison && !e.returnBool ? s.value : res });
        }
        return out;
      });
    }
    const [lv, rv] = await Promise.all([this.eval(e.lhs), this.eval(e.rhs)]);
    return lv.map((l, i) => vectorBinop(e, l, rv[i] ?? []));
  }

  private async evalRange(e: RangeAggregation): Promise<Vec[]> {
    const r = e.range;
    const series = await this.loadSeries(e);
    const out: Vec[] = [];
    const absentLabels = e.op === "absent_over_time" ? absentLabelsOf(r.selector.matchers) : null;
    for (const t of this.steps) {
      const end = t - r.offsetNs;
      const start = end - r.rangeNs;
      const vec: Vec = [];
      for (const s of series) {
        const lo = upperBound(s.points, start);
        const hi = upperBound(s.points, end);
        if (hi <= lo) continue;
        const win = s.points.slice(lo, hi);
        if (ERROR_LABEL in s.labels && s.labels[PRESERVE_ERROR_LABEL] !== "true") {
          throw new PipelineError(s.labels[ERROR_LABEL]!, formatRec(s.labels));
        }
        if (absentLabels) {
          vec.push({ labels: s.labels, value: 1 });
          continue;
        }
        vec.push({ labels: s.labels, value: rangeFn(e, win, end) });
      }
      if (absentLabels) out.push(vec.length > 0 ? [] : [{ labels: absentLabels, value: 1 }]);
      else out.push(vec);
    }
    return out;
  }

  /** loadSeries reads the entries of a range aggregation and turns them into samples. */
  private async loadSeries(e: RangeAggregation): Promise<SeriesPoints[]> {
    const r: LogRange = e.range;
    const first = this.steps[0]!;
    const last = this.steps[this.steps.length - 1]!;
    const startNs = first - r.offsetNs - r.rangeNs + 1n;
    const endNs = last - r.offsetNs + 1n;
    const pipeline = buildPipeline(r.selector.stages);
    const extract = makeExtractor(e);
    const bySeries = new Map<string, SeriesPoints>();
    const perStream = new Map<Labels, ReturnType<Pipeline["forStream"]>>();
    const rows: AsyncIterable<readonly LogRow[]> = this.querier.select({
      matchers: r.selector.matchers,
      startNs,
      endNs,
      lineFilters: pushableFilters(r.selector.stages),
      order: "stream",
      ...(this.signal ? { signal: this.signal } : {}),
    });
    for await (const batch of rows) {
      for (const row of batch) {
        let sp = perStream.get(row.stream);
        if (!sp) perStream.set(row.stream, (sp = pipeline.forStream(recFromLabels(row.stream))));
        const res = await sp.process(row.tsNs, row.line, recFromLabels(row.metadata));
        if (res === null) continue;
        const sample = extract(row.tsNs, res.line, sp.builder, res.labels.all);
        if (sample === null) continue;
        const k = keyOf(sample.labels);
        let s = bySeries.get(k);
        if (!s) bySeries.set(k, (s = { labels: sample.labels, points: [] }));
        s.points.push({ ts: row.tsNs, value: sample.value });
      }
    }
    const out = [...bySeries.values()];
    for (const s of out) s.points.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    return out;
  }
}

type Extractor = (
  tsNs: bigint,
  line: string,
  lbs: LabelsBuilder,
  all: Readonly<Rec>,
) => Sample | null;

/** makeExtractor returns the sample extractor of a range aggregation (log/metrics_extraction.go). */
function makeExtractor(e: RangeAggregation): Extractor {
  const u = e.range.unwrap;
  if (!u) {
    const bytes = e.op === "bytes_over_time" || e.op === "bytes_rate";
    return (_ts, line, _lbs, all) => ({
      labels: { ...all },
      value: bytes ? Buffer.byteLength(line, "utf8") : 1,
    });
  }
  const post: SyncStage[] = buildLabelFilters(u.postFilters);
  const grouping = e.grouping;
  const without = grouping === undefined || grouping.without;
  const groups = new Set(grouping?.labels ?? []);
  if (without) groups.add(u.label);
  const convert = (v: string): number => {
    switch (u.conversion) {
      case "": {
        const f = parseGoFloat(v);
        if (f === null) throw new ConversionError(parseFloatError(v));
        return f;
      }
      case "bytes":
        try {
          return parseBytes(v);
        } catch (err) {
          if (err instanceof BytesError) throw new ConversionError(err.message);
          throw err;
        }
      case "duration":
      case "duration_seconds":
        try {
          return Number(parseGoDuration(v)) / 1e9;
        } catch (err) {
          if (err instanceof GoDurationError) throw new ConversionError(err.message);
          throw err;
        }
    }
  };
  return (ts, line, lbs) => {
    const v = lbs.get(u.label);
    if (v === undefined || v === "") return null;
    let value = 0;
    try {
      value = convert(v);
    } catch (err) {
      if (!(err instanceof ConversionError)) throw err;
      lbs.setErr("SampleExtractionErr");
      lbs.setErrDetails(err.message);
    }
    for (const f of post) if (f.process(ts, line, lbs) === null) return null;
    const all = lbs.map();
    if (lbs.hasErr()) return { labels: all, value };
    const labels: Rec = {};
    if (without) {
      for (const [k, val] of Object.entries(all)) if (!groups.has(k)) labels[k] = val;
    } else {
      for (const g of groups) {
        const val = all[g];
        if (val !== undefined) labels[g] = val;
      }
    }
    return { labels, value };
  };
}

class ConversionError extends Error {}

function upperBound(points: readonly Point[], t: bigint): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.ts <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function absentLabelsOf(ms: readonly Matcher[]): Rec {
  const m: Rec = {};
  const empty: string[] = [];
  for (const x of ms) {
    if (x.name === "__name__") continue;
    if (x.type === "=" && !(x.name in m)) m[x.name] = x.value;
    else empty.push(x.name);
  }
  for (const n of empty) delete m[n];
  for (const k of Object.keys(m)) if (m[k] === "") delete m[k];
  return m;
}

/** rangeFn computes a range aggregation over one window (range_vector.go). */
function rangeFn(e: RangeAggregation, pts: readonly Point[], endNs: bigint): number {
  const rangeSec = Number(e.range.rangeNs) / 1e9;
  switch (e.op) {
    case "count_over_time":
      return pts.length;
    case "rate":
      if (!e.range.unwrap) return pts.length / rangeSec;
      return sum(pts) / rangeSec;
    case "bytes_over_time":
    case "sum_over_time":
      return sum(pts);
    case "bytes_rate":
      return sum(pts) / rangeSec;
    case "rate_counter":
      return extrapolatedRate(pts, e.range.rangeNs, endNs);
    case "avg_over_time": {
      let mean = 0;
      let count = 0;
      for (const p of pts) {
        count++;
        if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
          if (!Number.isFinite(p.value) && !Number.isNaN(p.value) && mean > 0 === p.value > 0)
            continue;
          if (Number.isFinite(p.value)) continue;
        }
        mean += p.value / count - mean / count;
      }
      return mean;
    }
    case "max_over_time": {
      let m = pts[0]!.value;
      for (const p of pts) if (p.value > m || Number.isNaN(m)) m = p.value;
      return m;
    }
    case "min_over_time": {
      let m = pts[0]!.value;
      for (const p of pts) if (p.value < m || Number.isNaN(m)) m = p.value;
      return m;
    }
    case "stdvar_over_time":
    case "stddev_over_time": {
      let aux = 0;
      let count = 0;
      let mean = 0;
      for (const p of pts) {
        count++;
        const delta = p.value - mean;
        mean += delta / count;
        aux += delta * (p.value - mean);
      }
      return e.op === "stdvar_over_time" ? aux / count : Math.sqrt(aux / count);
    }
    case "quantile_over_time":
      return quantile(
        e.param ?? NaN,
        pts.map((p) => p.value),
      );
    case "first_over_time":
      return pts.length === 0 ? NaN : pts[0]!.value;
    case "last_over_time":
      return pts.length === 0 ? NaN : pts[pts.length - 1]!.value;
    case "absent_over_time":
      return 1;
    default:
      return assertNever(e.op);
  }
}

function sum(pts: readonly Point[]): number {
  let s = 0;
  for (const p of pts) s += p.value;
  return s;
}

/** quantile is range_vector.go Quantile. */
function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

/** extrapolatedRate is range_vector.go extrapolatedRate for counters (rate_counter). */
function extrapolatedRate(samples: readonly Point[], rangeNs: bigint, rangeEnd: bigint): number {
  if (samples.length < 2) return 0;
  const rangeStart = rangeEnd - rangeNs;
  const firstS = samples[0]!;
  const lastS = samples[samples.length - 1]!;
  let result = lastS.value - firstS.value;
  let lastValue = 0;
  for (const s of samples) {
    if (s.value < lastValue) result += lastValue;
    lastValue = s.value;
  }
  let durationToStart = Number(firstS.ts - rangeStart) / 1e9;
  let durationToEnd = Number(rangeEnd - lastS.ts) / 1e9;
  const sampledInterval = Number(lastS.ts - firstS.ts) / 1e9;
  const avg = sampledInterval / (samples.length - 1);
  const threshold = avg * 1.1;
  if (durationToStart >= threshold) durationToStart = avg / 2;
  let durationToZero = durationToStart;
  if (result > 0 && firstS.value >= 0) durationToZero = sampledInterval * (firstS.value / result);
  if (durationToZero < durationToStart) durationToStart = durationToZero;
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  const extrapolateTo = sampledInterval + durationToStart + durationToEnd;
  result = result * (extrapolateTo / sampledInterval);
  return result / (Number(rangeNs) / 1e9);
}

function isComparison(op: string): boolean {
  return op === "==" || op === "!=" || op === ">" || op === ">=" || op === "<" || op === "<=";
}

/**
 * mergeBinOp is ast.go MergeBinOp for two values: null when a filtering comparison fails.
 * For filtering comparisons the caller keeps the vector side's value.
 */
function mergeBinOp(
  op: string,
  l: number,
  r: number,
  filter: boolean,
  comparison: boolean,
): number | null {
  switch (op) {
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
      return r === 0 ? NaN : l / r;
    case "%":
      return r === 0 ? NaN : l % r;
    case "^":
      return Math.pow(l, r);
  }
  let ok: boolean;
  switch (op) {
    case "==":
      ok = l === r;
      break;
    case "!=":
      ok = l !== r;
      break;
    case ">":
      ok = l > r;
      break;
    case ">=":
      ok = l >= r;
      break;
    case "<":
      ok = l < r;
      break;
    case "<=":
      ok = l <= r;
      break;
    default:
      throw new QueryError(`should never happen: unexpected operation: (${op})`);
  }
  void comparison;
  if (!ok && filter) return null;
  return ok ? 1 : 0;
}

function signature(labels: Rec, on: boolean, names: readonly string[] | null): string {
  if (on) {
    const r: Rec = {};
    for (const n of names ?? []) if (n in labels) r[n] = labels[n]!;
    return keyOf(r);
  }
  if (names === null || names.length === 0) return keyOf(labels);
  const r: Rec = { ...labels };
  for (const n of names) delete r[n];
  return keyOf(r);
}

function resultMetric(lhs: Rec, rhs: Rec, e: BinaryExpr): Rec {
  const m = e.matching;
  let out: Rec = { ...lhs };
  if (m.card === "one-to-one") {
    if (m.on) {
      const keep = new Set(m.matchingLabels ?? []);
      out = {};
      for (const [k, v] of Object.entries(lhs)) if (keep.has(k)) out[k] = v;
    } else {
      for (const n of m.matchingLabels ?? []) delete out[n];
    }
  }
  for (const n of m.include ?? []) {
    const v = rhs[n];
    if (v !== undefined && v !== "") out[n] = v;
    else delete out[n];
  }
  return out;
}

/** vectorBinop is evaluator.go vectorBinop / vectorAnd / vectorOr / vectorUnless. */
function vectorBinop(e: BinaryExpr, lhsIn: Vec, rhsIn: Vec): Vec {
  const m = e.matching;
  const sig = (s: Sample): string => signature(s.labels, m.on, m.matchingLabels);
  if (e.op === "and" || e.op === "or" || e.op === "unless") {
    const rs = new Set(rhsIn.map(sig));
    if (e.op === "and") {
      if (lhsIn.length === 0 || rhsIn.length === 0) return [];
      return lhsIn.filter((s) => rs.has(sig(s)));
    }
    if (e.op === "unless") {
      if (lhsIn.length === 0 || rhsIn.length === 0) return lhsIn;
      return lhsIn.filter((s) => !rs.has(sig(s)));
    }
    if (lhsIn.length === 0) return rhsIn;
    if (rhsIn.length === 0) return lhsIn;
    const ls = new Set(lhsIn.map(sig));
    return [...lhsIn, ...rhsIn.filter((s) => !ls.has(sig(s)))];
  }
  let lhs = lhsIn;
  let rhs = rhsIn;
  const oneToMany = m.card === "one-to-many";
  if (oneToMany) [lhs, rhs] = [rhs, lhs];
  const right = new Map<string, Sample>();
  for (const s of rhs) {
    const k = sig(s);
    if (right.has(k)) {
      throw new QueryError(
        `found duplicate series on the ${oneToMany ? "left" : "right"} hand-side;many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    right.set(k, s);
  }
  const matched = new Map<string, Set<string>>();
  const out: Vec = [];
  const comparison = isComparison(e.op);
  for (const s of lhs) {
    const k = sig(s);
    const r = right.get(k);
    if (!r) continue;
    let ls = s;
    let rs = r;
    const metric = resultMetric(ls.labels, rs.labels, e);
    if (m.card === "one-to-one") {
      if (matched.has(k)) {
        throw new QueryError(
          "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
        );
      }
      matched.set(k, new Set());
    } else {
      const ins = keyOf(metric);
      let set = matched.get(k);
      if (!set) matched.set(k, (set = new Set()));
      else if (set.has(ins)) {
        throw new QueryError(
          "multiple matches for labels: grouping labels must ensure unique matches",
        );
      }
      set.add(ins);
    }
    if (oneToMany) [ls, rs] = [rs, ls];
    const res = mergeBinOp(e.op, ls.value, rs.value, !e.returnBool, comparison);
    if (res === null) continue;
    out.push({ labels: metric, value: comparison && !e.returnBool ? ls.value : res });
  }
  return out;
}

/** vectorAggregate is evaluator.go VectorAggEvaluator for one step. */
function vectorAggregate(e: VectorAggregation, vec: Vec): Vec {
  const g = e.grouping ?? { without: false, labels: [] };
  const names = new Set(g.labels);
  const groups = new Map<string, { labels: Rec; samples: Sample[] }>();
  for (const s of vec) {
    let labels: Rec;
    if (g.without) {
      labels = {};
      for (const [k, v] of Object.entries(s.labels)) {
        if (!names.has(k) && k !== "__name__") labels[k] = v;
      }
    } else {
      labels = {};
      for (const n of [...names].sort()) if (n in s.labels) labels[n] = s.labels[n]!;
    }
    const k = keyOf(labels);
    let grp = groups.get(k);
    if (!grp) groups.set(k, (grp = { labels, samples: [] }));
    grp.samples.push(s);
  }
  const out: Vec = [];
  for (const { labels, samples } of groups.values()) {
    switch (e.op) {
      case "sum": {
        let v = 0;
        for (const s of samples) v += s.value;
        out.push({ labels, value: v });
        break;
      }
      case "avg": {
        let mean = samples[0]!.value;
        let count = 1;
        for (const s of samples.slice(1)) {
          count++;
          if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
            if (!Number.isFinite(s.value) && !Number.isNaN(s.value) && mean > 0 === s.value > 0)
              continue;
            if (Number.isFinite(s.value)) continue;
          }
          mean += (s.value - mean) / count;
        }
        out.push({ labels, value: mean });
        break;
      }
      case "count":
        out.push({ labels, value: samples.length });
        break;
      case "max":
      case "min": {
        let v = samples[0]!.value;
        for (const s of samples.slice(1)) {
          if (e.op === "max" ? v < s.value || Number.isNaN(v) : v > s.value || Number.isNaN(v))
            v = s.value;
        }
        out.push({ labels, value: v });
        break;
      }
      case "stddev":
      case "stdvar": {
        let mean = 0;
        let aux = 0;
        let count = 0;
        for (const s of samples) {
          count++;
          const delta = s.value - mean;
          mean += delta / count;
          aux += delta * (s.value - mean);
        }
        const variance = aux / count;
        out.push({ labels, value: e.op === "stddev" ? Math.sqrt(variance) : variance });
        break;
      }
      case "topk":
      case "approx_topk":
      case "sort_desc": {
        const sorted = [...samples].sort((a, b) => desc(a.value, b.value));
        const k = e.op === "sort_desc" ? sorted.length : e.param;
        for (const s of sorted.slice(0, k)) out.push(s);
        break;
      }
      case "bottomk":
      case "sort": {
        const sorted = [...samples].sort((a, b) => asc(a.value, b.value));
        const k = e.op === "sort" ? sorted.length : e.param;
        for (const s of sorted.slice(0, k)) out.push(s);
        break;
      }
      default:
        return assertNever(e.op);
    }
  }
  return out;
}

/** asc orders values from the smallest, NaN last. */
function asc(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** desc orders values from the largest, NaN last. */
function desc(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a > b ? -1 : a < b ? 1 : 0;
}
