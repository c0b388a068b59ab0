// Runs metric.yaml: each scenario loads streams into a fixture LogQuerier and evaluates
// instant and range metric queries with the engine; results are compared with the scenario's
// float tolerance (NaN equals NaN, infinities must match exactly).
import { Engine } from "../engine/index.ts";
import type { QueryResult } from "../engine/index.ts";
import { FixtureQuerier } from "./fixture-store.ts";
import type { FixtureStream } from "./fixture-store.ts";
import type { CaseResult } from "./report.ts";
import type { LogQuerier } from "../../storage/logs.ts";

type Num = number | string;

/** MetricFile is the root of metric.yaml. */
export interface MetricFile {
  readonly epoch_unix_ns: string;
  readonly float_tolerance?: { readonly absolute: number; readonly relative: number };
  readonly scenarios: readonly MetricScenario[];
}

/** MetricScenario is one data set with its evaluations. */
export interface MetricScenario {
  readonly id: string;
  readonly streams: readonly {
    readonly labels: Record<string, unknown>;
    readonly entries: readonly (readonly [Num, string, Record<string, unknown>?])[];
  }[];
  readonly evals: readonly MetricEval[];
}

/** MetricEval is one query of a scenario. */
export interface MetricEval {
  readonly query: string;
  readonly time_ns?: Num;
  readonly start_ns?: Num;
  readonly end_ns?: Num;
  readonly step_ns?: Num;
  readonly source_line?: number;
  readonly expected: {
    readonly type: "vector" | "matrix" | "scalar" | "empty" | "error";
    readonly series?: readonly {
      readonly labels?: Record<string, unknown>;
      readonly value?: Num;
      readonly values?: readonly (readonly [Num, Num])[];
    }[];
    readonly value?: Num;
    readonly ordered?: boolean;
    readonly message_contains?: string;
    readonly message_regex?: string;
  };
}

function num(v: Num): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "+Inf" || v === "Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  return Number(v);
}

function strRec(r: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r ?? {})) out[k] = String(v);
  return out;
}

function labelKey(r: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k]]),
  );
}

/** floatEqual compares with the file's tolerance. */
export function floatEqual(a: number, b: number, abs = 1e-9, rel = 1e-9): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const d = Math.abs(a - b);
  return d <= abs || d <= rel * Math.max(Math.abs(a), Math.abs(b));
}

function describe(r: QueryResult, epoch: bigint): string {
  const lbl = (ls: readonly { name: string; value: string }[]): string =>
    `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(",")}}`;
  switch (r.type) {
    case "scalar":
      return `scalar ${r.value}`;
    case "vector":
      return `vector [${r.samples.map((s) => `${lbl(s.labels)} ${s.value}`).join("; ")}]`;
    case "matrix":
      return `matrix [${r.series
        .map(
          (s) =>
            `${lbl(s.labels)} ${s.points.map((p) => `${p.tsNs - epoch}:${p.value}`).join(" ")}`,
        )
        .join("; ")}]`;
    case "streams":
      return `streams (${r.streams.length})`;
  }
}

function compare(
  r: QueryResult,
  exp: MetricEval["expected"],
  epoch: bigint,
  tol: { absolute: number; relative: number },
): string | null {
  const eq = (a: number, b: number): boolean => floatEqual(a, b, tol.absolute, tol.relative);
  const empty =
    (r.type === "vector" && r.samples.length === 0) ||
    (r.type === "matrix" && r.series.length === 0);
  switch (exp.type) {
    case "empty":
      return empty ? null : `expected empty, got ${describe(r, epoch)}`;
    case "scalar":
      if (r.type !== "scalar") return `expected scalar, got ${describe(r, epoch)}`;
      return eq(r.value, num(exp.value ?? NaN)) ? null : `scalar ${r.value}, want ${exp.value}`;
    case "vector": {
      if (r.type !== "vector") return `expected vector, got ${describe(r, epoch)}`;
      const want = (exp.series ?? []).map((s) => ({
        key: labelKey(strRec(s.labels)),
        value: num(s.value ?? NaN),
      }));
      const got = r.samples.map((s) => ({
        key: labelKey(Object.fromEntries(s.labels.map((l) => [l.name, l.value]))),
        value: s.value,
      }));
      if (want.length !== got.length) return `got ${describe(r, epoch)}`;
      if (exp.ordered) {
        for (let i = 0; i < want.length; i++) {
          if (want[i]!.key !== got[i]!.key || !eq(got[i]!.value, want[i]!.value))
            return `order/value mismatch: got ${describe(r, epoch)}`;
        }
        return null;
      }
      const byKey = new Map(got.map((g) => [g.key, g.value]));
      for (const w of want) {
        const g = byKey.get(w.key);
        if (g === undefined || !eq(g, w.value)) return `got ${describe(r, epoch)}`;
      }
      return null;
    }
    case "matrix": {
      if (r.type !== "matrix") return `expected matrix, got ${describe(r, epoch)}`;
      const want = exp.series ?? [];
      if (want.length !== r.series.length) return `got ${describe(r, epoch)}`;
      const byKey = new Map(
        r.series.map((s) => [
          labelKey(Object.fromEntries(s.labels.map((l) => [l.name, l.value]))),
          s,
        ]),
      );
      for (const w of want) {
        const g = byKey.get(labelKey(strRec(w.labels)));
        const vals = w.values ?? [];
        if (!g || g.points.length !== vals.length) return `got ${describe(r, epoch)}`;
        for (let i = 0; i < vals.length; i++) {
          const [t, v] = vals[i]!;
          if (g.points[i]!.tsNs - epoch !== BigInt(t) || !eq(g.points[i]!.value, num(v)))
            return `got ${describe(r, epoch)}`;
        }
      }
      return null;
    }
    case "error":
      return `expected an error, got ${describe(r, epoch)}`;
  }
}

/** QuerierFactory builds the LogQuerier a scenario runs on (default: FixtureQuerier). */
export type QuerierFactory = (streams: readonly FixtureStream[]) => Promise<LogQuerier>;

const fixtureFactory: QuerierFactory = (streams) => Promise.resolve(new FixtureQuerier(streams));

/** runMetricScenario evaluates every query of a scenario. */
export async function runMetricScenario(
  file: MetricFile,
  sc: MetricScenario,
  newQuerier: QuerierFactory = fixtureFactory,
): Promise<CaseResult[]> {
  const epoch = BigInt(file.epoch_unix_ns);
  const tol = file.float_tolerance ?? { absolute: 1e-9, relative: 1e-9 };
  const streams: FixtureStream[] = sc.streams.map((s) => ({
    labels: strRec(s.labels),
    entries: s.entries.map((e) => ({
      tsNs: epoch + BigInt(e[0]),
      line: String(e[1]),
      ...(e[2] ? { metadata: strRec(e[2]) } : {}),
    })),
  }));
  const engine = new Engine({ querier: await newQuerier(streams) });
  const out: CaseResult[] = [];
  for (const ev of sc.evals) {
    const id = `${sc.id}:${ev.source_line ?? "?"}`;
    const exp = ev.expected;
    let res: QueryResult;
    try {
      if (ev.time_ns !== undefined) {
        res = await engine.instantQuery(ev.query, epoch + BigInt(ev.time_ns));
      } else {
        res = await engine.rangeQuery(
          ev.query,
          epoch + BigInt(ev.start_ns ?? 0),
          epoch + BigInt(ev.end_ns ?? 0),
          BigInt(ev.step_ns ?? 0),
        );
      }
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (exp.type !== "error") {
        out.push({ id, passed: false, reason: `${ev.query}: unexpected error: ${msg}` });
        continue;
      }
      if (exp.message_contains !== undefined && !msg.includes(exp.message_contains)) {
        out.push({
          id,
          passed: false,
          reason: `${ev.query}: error ${JSON.stringify(msg)} lacks ${JSON.stringify(exp.message_contains)}`,
        });
        continue;
      }
      if (exp.message_regex !== undefined && !new RegExp(exp.message_regex).test(msg)) {
        out.push({
          id,
          passed: false,
          reason: `${ev.query}: error ${JSON.stringify(msg)} does not match /${exp.message_regex}/`,
        });
        continue;
      }
      out.push({ id, passed: true });
      continue;
    }
    const problem = compare(res, exp, epoch, tol);
    out.push(
      problem === null
        ? { id, passed: true }
        : { id, passed: false, reason: `${ev.query}: ${problem}` },
    );
  }
  return out;
}
