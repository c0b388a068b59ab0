// `vigil query`: run a PromQL query against a running Vigil through its Prometheus HTTP API,
// like `promtool query instant|range`.
import { parseArgs } from "node:util";
import { formatLabels, labelsFromRecord } from "../model/labels/index.ts";
import { parseDuration, parseTime } from "../web/api/v1/index.ts";
import { errorMessage } from "../util/errors.ts";
import type { Io } from "./main.ts";
import { UsageError } from "./usage.ts";

/** DEFAULT_URL is where `vigil start` listens by default. */
export const DEFAULT_URL = "http://127.0.0.1:9700";

const FORMATS = new Set(["table", "json"]);

type Point = [number, string];

/** ApiResponse is the envelope of a Prometheus API answer (the parts `vigil query` reads). */
interface ApiResponse {
  status: "success" | "error";
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
  data?: {
    resultType: "vector" | "matrix" | "scalar" | "string";
    result: unknown;
  };
}

/**
 * queryCommand runs `vigil query EXPR [--time T | --start S --end E --step D] [--url U]
 * [--format table|json]` and resolves to the exit code. With any of --start, --end or --step it
 * runs a range query; like promtool, --end defaults to now, --start to five minutes before
 * --end and --step to a 250th of the range (at least 1s). API errors throw (exit 1).
 */
export async function queryCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      time: { type: "string" },
      start: { type: "string" },
      end: { type: "string" },
      step: { type: "string" },
      url: { type: "string" },
      format: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.out(QUERY_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("query: missing EXPR");
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  }
  const expr = positionals[0]!;
  const format = values.format ?? "table";
  if (!FORMATS.has(format)) {
    throw new UsageError(`invalid --format ${JSON.stringify(format)} (want table or json)`);
  }
  const base = checkUrl(values.url ?? DEFAULT_URL);
  const isRange =
    values.start !== undefined || values.end !== undefined || values.step !== undefined;
  if (isRange && values.time !== undefined) {
    throw new UsageError("--time cannot be combined with --start, --end or --step");
  }

  const form = new URLSearchParams({ query: expr });
  let path: string;
  if (isRange) {
    const endMs = values.end === undefined ? Date.now() : checkTime("--end", values.end);
    const startMs =
      values.start === undefined ? endMs - 5 * 60_000 : checkTime("--start", values.start);
    let step = values.step;
    if (step === undefined) {
      step = String(Math.max(Math.floor((endMs - startMs) / 1000 / 250), 1));
    } else {
      try {
        parseDuration(step);
      } catch (err) {
        throw new UsageError(`--step: ${errorMessage(err)}`);
      }
    }
    form.set("start", values.start ?? String(startMs / 1000));
    form.set("end", values.end ?? String(endMs / 1000));
    form.set("step", step);
    path = "/api/v1/query_range";
  } else {
    if (values.time !== undefined) {
      checkTime("--time", values.time);
      form.set("time", values.time);
    }
    path = "/api/v1/query";
  }

  const url = new URL(path, base).toString();
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body: form });
  } catch (err) {
    const cause = (err as Error).cause;
    throw new Error(`cannot query ${base}: ${errorMessage(cause ?? err)}`, { cause: err });
  }
  const body = await res.text();
  let parsed: ApiResponse;
  try {
    parsed = JSON.parse(body) as ApiResponse;
  } catch {
    throw new Error(
      `unexpected answer from ${url}: HTTP ${res.status}: ${body.trim().slice(0, 200)}`,
    );
  }
  if (parsed.status !== "success" || !parsed.data) {
    throw new Error(`${parsed.errorType ?? "error"}: ${parsed.error ?? `HTTP ${res.status}`}`);
  }
  for (const w of parsed.warnings ?? []) io.err(`warning: ${w}\n`);
  for (const i of parsed.infos ?? []) io.err(`info: ${i}\n`);
  if (format === "json") {
    io.out(body.endsWith("\n") ? body : body + "\n");
  } else {
    io.out(formatTable(parsed.data));
  }
  return 0;
}

function checkUrl(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // Reported below.
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new UsageError(`invalid --url ${JSON.stringify(text)} (want http:// or https://)`);
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

function checkTime(flag: string, value: string): number {
  try {
    return parseTime(value);
  } catch (err) {
    throw new UsageError(`${flag}: ${errorMessage(err)}`);
  }
}

function seriesName(metric: Record<string, string>): string {
  return formatLabels(labelsFromRecord(metric));
}

/**
 * formatTable renders a query result with one line per series: the series (`name{a="b"}`) padded
 * to a column, then its value, or for a range query its `value @timestamp` points.
 */
export function formatTable(data: NonNullable<ApiResponse["data"]>): string {
  switch (data.resultType) {
    case "vector": {
      const rows = (data.result as { metric: Record<string, string>; value: Point }[]).map(
        (s) => [seriesName(s.metric), s.value[1]] as const,
      );
      return columns(rows);
    }
    case "matrix": {
      const rows = (data.result as { metric: Record<string, string>; values: Point[] }[]).map(
        (s) => [seriesName(s.metric), s.values.map(([t, v]) => `${v} @${t}`).join(", ")] as const,
      );
      return columns(rows);
    }
    case "scalar":
    case "string":
      return `${(data.result as Point)[1]}\n`;
  }
}

function columns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join("");
}

/** QUERY_USAGE is the text of `vigil query --help`. */
export const QUERY_USAGE = `usage: vigil query EXPR [flags]

Run a PromQL query against a running Vigil (its /api/v1/query or /api/v1/query_range).

Flags:
  --time T        evaluation time of an instant query, RFC 3339 or Unix seconds (default: now)
  --start T       start of a range query (default: --end minus 5m)
  --end T         end of a range query (default: now)
  --step D        step of a range query, a duration or seconds (default: range/250, at least 1s)
  --url URL       Vigil's address (default: ${DEFAULT_URL})
  --format F      table or json (the API's raw answer) (default: table)
  -h, --help      Show this help.

Exit codes: 0 success, 1 query or connection error, 2 usage error.
`;
