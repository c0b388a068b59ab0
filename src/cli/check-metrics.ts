// `vigil check metrics [URL|FILE|-]`: lint an exposition with promtool's rules and output
// (`promtool check metrics`, cmd/promtool/main.go CheckMetrics in prometheus v3.5): problems on
// stderr as `<metric> <text>`, exit 3 when there are any, 1 when the input cannot be read or
// parsed (`error while linting: ...`), 0 otherwise; `--extended` prints the cardinality table.
// The team conventions are extra problems unless `--no-conventions`.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { MetricFamily } from "../model/textparse/index.ts";
import { parseMetricFamilies } from "../model/textparse/index.ts";
import { errorMessage } from "../util/errors.ts";
import { DEFAULT_MAX_SERIES, lintFamilies } from "./check-metrics-lint.ts";
import type { Io } from "./main.ts";
import { UsageError } from "./usage.ts";

/** Exit codes of promtool. */
const SUCCESS = 0;
const FAILURE = 1;
const LINT_ERRORS = 3;

/** ACCEPT asks a target for the text format, which is what promtool lints. */
const ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

/** CheckMetricsInput supplies standard input (tests pass a string). */
export type ReadStdin = () => Promise<string | Uint8Array>;

async function readProcessStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** checkMetricsCommand runs `vigil check metrics` and resolves to its exit code. */
export async function checkMetricsCommand(
  args: readonly string[],
  io: Io,
  readStdin: ReadStdin = readProcessStdin,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      "no-conventions": { type: "boolean" },
      "max-series": { type: "string" },
      extended: { type: "boolean" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 1) {
    throw new UsageError(`check metrics: unexpected argument ${JSON.stringify(positionals[1])}`);
  }
  let maxSeries = DEFAULT_MAX_SERIES;
  if (values["max-series"] !== undefined) {
    maxSeries = Number(values["max-series"]);
    if (!Number.isSafeInteger(maxSeries) || maxSeries < 0) {
      throw new UsageError(`invalid --max-series ${JSON.stringify(values["max-series"])}`);
    }
  }
  const source = positionals[0] ?? "-";

  let families: MetricFamily[];
  try {
    const body = await readSource(source, readStdin);
    families = parseMetricFamilies(body, { nameValidation: "legacy" });
  } catch (err) {
    io.err(`error while linting: ${errorMessage(err)}\n`);
    return FAILURE;
  }
  const problems = lintFamilies(families, {
    conventions: values["no-conventions"] !== true,
    maxSeries,
  });
  for (const p of problems) io.err(`${p.metric} ${p.text}\n`);
  if (problems.length > 0) return LINT_ERRORS;
  if (values.extended) io.out(cardinalityTable(families));
  return SUCCESS;
}

async function readSource(source: string, readStdin: ReadStdin): Promise<string | Uint8Array> {
  if (source === "-") return readStdin();
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { headers: { Accept: ACCEPT } });
    if (!res.ok) throw new Error(`GET ${source}: server returned HTTP status ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  return readFile(source);
}

/**
 * cardinalityTable is promtool's `--extended` output (checkMetricsExtended), laid out as Go's
 * tabwriter with minwidth 4, padding 4 does.
 */
function cardinalityTable(families: readonly MetricFamily[]): string {
  const stats = families.map((mf) => ({ name: mf.name, n: promtoolCardinality(mf) }));
  const total = stats.reduce((a, s) => a + s.n, 0);
  stats.sort((a, b) => b.n - a.n);
  const rows = [
    ["Metric", "Cardinality", "Percentage"],
    ...stats.map((s) => [s.name, String(s.n), `${((s.n / total) * 100).toFixed(2)}%`]),
    ["Total", String(total), "100%"],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(4, ...rows.map((r) => r[c]!.length + 4)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("") + "\n").join("");
}

/**
 * promtoolCardinality counts series as promtool's extended check does: a histogram or summary
 * counts its first metric's buckets or quantiles for every metric, without a missing +Inf bucket.
 */
function promtoolCardinality(mf: MetricFamily): number {
  const first = mf.metrics[0];
  if (mf.type === "histogram")
    return mf.metrics.length * (2 + (first?.histogram?.buckets.length ?? 0));
  if (mf.type === "summary")
    return mf.metrics.length * (2 + (first?.summary?.quantiles.length ?? 0));
  return mf.metrics.length;
}
