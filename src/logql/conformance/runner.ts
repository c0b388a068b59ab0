// The LogQL conformance runner behind `npm run conformance -- logql [DIR]`: it runs
// parse.yaml, pipeline.yaml and metric.yaml from DIR (see ../shared/conformance/README.md),
// prints a count per file and a final `N passed, M failed` line.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { runMetricScenario } from "./metric.ts";
import type { MetricFile } from "./metric.ts";
import { runParseCase } from "./parse.ts";
import type { ParseCase } from "./parse.ts";
import { runPipelineCase } from "./pipeline.ts";
import type { PipelineCase } from "./pipeline.ts";
import { tally } from "./report.ts";
import type { CaseResult, FileReport } from "./report.ts";

/** CONFORMANCE_FILES are the vector files, in the order they run. */
export const CONFORMANCE_FILES = ["parse.yaml", "pipeline.yaml", "metric.yaml"] as const;

/** Output is where the runner writes. */
export interface Output {
  out(s: string): void;
}

/** RunnerOptions tunes runConformance. */
export interface RunnerOptions {
  /** verbose prints every failure with its reason. */
  readonly verbose?: boolean;
}

/** runFile runs one vector file and returns its report. */
export async function runFile(dir: string, file: string): Promise<FileReport> {
  const path = join(dir, file);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    return { file, results: [], error: `cannot read ${path}: ${(err as Error).message}` };
  }
  const results: CaseResult[] = [];
  switch (file) {
    case "parse.yaml":
      (doc as ParseCase[]).forEach((c, i) => results.push(runParseCase(c, i)));
      break;
    case "pipeline.yaml":
      for (const c of doc as PipelineCase[]) results.push(await runPipelineCase(c));
      break;
    case "metric.yaml": {
      const m = doc as MetricFile;
      for (const sc of m.scenarios) results.push(...(await runMetricScenario(m, sc)));
      break;
    }
    default:
      return { file, results, error: `unknown vector file ${file}` };
  }
  return { file, results };
}

/**
 * runConformance runs the vector files found in dir and resolves to the exit code: 0 when all
 * passed (or nothing was found), 1 otherwise.
 */
export async function runConformance(
  dir: string,
  io: Output,
  opts: RunnerOptions = {},
): Promise<number> {
  const files = CONFORMANCE_FILES.filter((f) => existsSync(join(dir, f)));
  if (files.length === 0) {
    io.out(`LogQL conformance vectors not found in ${dir}; nothing to run.\n`);
    return 0;
  }
  io.out(`LogQL conformance: ${files.length} files in ${dir}\n`);
  const reports: FileReport[] = [];
  const width = Math.max(...files.map((f) => f.length));
  for (const f of files) {
    const started = performance.now();
    const report = await runFile(dir, f);
    reports.push(report);
    const t = tally([report]);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    io.out(
      `${f.padEnd(width)}  ${String(t.passed).padStart(5)} passed  ${String(t.failed).padStart(5)} failed  ${secs}s\n`,
    );
    if (report.error !== undefined) io.out(`  ${report.error}\n`);
    if (opts.verbose) {
      for (const r of report.results) if (!r.passed) io.out(`  ${r.id}: ${r.reason ?? "failed"}\n`);
    }
  }
  const total = tally(reports);
  const errors = reports.filter((r) => r.error !== undefined).length;
  io.out(`${total.passed} passed, ${total.failed} failed\n`);
  return total.failed > 0 || errors > 0 ? 1 : 0;
}
