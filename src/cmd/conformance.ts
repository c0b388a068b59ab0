// The conformance runner: `npm run conformance -- <suite> [DIR] [flags]`. It runs upstream
// acceptance scripts against Vigil's own implementations and prints a tally per file. Suites:
// promql (Prometheus's promqltest `*.test` scripts), rules (promtool's `test rules` and `check
// rules` verdicts, expected.tsv); logql is a placeholder.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { EngineOptions } from "../promql/engine/api.ts";
import type { FileReport, PromQLEngine, RunOptions } from "../promql/promqltest/index.ts";
import { SCRIPT_ENGINE_OPTIONS, runScriptText, tally } from "../promql/promqltest/index.ts";
import { runConformance as runRulesConformance } from "../rulestest/index.ts";
import { runConformance as runLogqlConformance } from "../logql/conformance/index.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const USAGE = `usage: npm run conformance -- <suite> [DIR] [flags]

suites:
  promql   Prometheus's PromQL acceptance scripts (*.test); DIR defaults to
           ../shared/conformance/promql relative to the repository root
  rules    promtool's \`test rules\` and \`check rules\` verdicts: every row of DIR/expected.tsv
           (files in DIR/promtool-testdata); DIR defaults to ../shared/conformance/rules
  logql    LogQL vectors: DIR/parse.yaml, pipeline.yaml and metric.yaml; DIR defaults to
           ../shared/conformance/logql

flags (promql):
  --verbose             print every failed eval with its line and reason
  --run SUBSTRING       only run files whose name contains SUBSTRING (repeatable)
  --no-extra-checks     skip the step-invariance and range-mode re-runs of instant evals
  --no-step-invariance  skip only the step-invariance re-runs
  --no-range-mode       skip only the range-mode re-runs

flags (rules):
  --verbose             print Vigil's output for every row, not only for failed ones

flags (logql):
  --verbose             print every failed vector with its reason
`;

/** Io is where the command writes; tests pass buffers. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
}

const stdio: Io = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
};

/** EngineLoader makes the engine under test, or explains why there is none. */
export type EngineLoader = () => Promise<PromQLEngine | string>;

/**
 * loadEngine imports src/promql/engine/index.ts at run time, so that this command compiles and
 * runs (reporting the engine as missing) before the engine module exists.
 */
export const loadEngine: EngineLoader = async () => {
  const spec = new URL("../promql/engine/index.ts", import.meta.url).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec)) as Record<string, unknown>;
  } catch (err) {
    return `cannot load the PromQL engine (src/promql/engine/index.ts): ${(err as Error).message}`;
  }
  const Engine = mod["Engine"];
  if (typeof Engine !== "function") return "src/promql/engine/index.ts does not export Engine";
  return new (Engine as new (opts: EngineOptions) => PromQLEngine)(SCRIPT_ENGINE_OPTIONS);
};

/**
 * main runs the command and resolves to the exit code: 0 when every float/classic eval passed
 * (or there was nothing to run), 1 when some failed, 2 on usage errors and unimplemented suites.
 */
export async function main(
  argv: readonly string[],
  io: Io = stdio,
  engineLoader: EngineLoader = loadEngine,
): Promise<number> {
  const [suite, ...rest] = argv;
  switch (suite) {
    case "promql":
      return runPromql(rest, io, engineLoader);
    case "rules":
      return runRules(rest, io);
    case "logql":
      return runLogql(rest, io);
    case "-h":
    case "--help":
      io.out(USAGE);
      return 0;
    default:
      io.err(suite === undefined ? USAGE : `unknown suite ${JSON.stringify(suite)}\n\n${USAGE}`);
      return 2;
  }
}

async function runRules(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { verbose: { type: "boolean", short: "v", default: false } },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    io.err(`too many arguments\n\n${USAGE}`);
    return 2;
  }
  const dir = resolve(positionals[0] ?? join(REPO_ROOT, "../shared/conformance/rules"));
  if (!existsSync(join(dir, "expected.tsv"))) {
    io.out(
      `rules conformance data not found: ${dir}/expected.tsv does not exist; nothing to run.\n`,
    );
    return 0;
  }
  return runRulesConformance(dir, io, { verbose: values.verbose });
}

async function runLogql(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { verbose: { type: "boolean", short: "v", default: false } },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    io.err(`too many arguments\n\n${USAGE}`);
    return 2;
  }
  const dir = resolve(positionals[0] ?? join(REPO_ROOT, "../shared/conformance/logql"));
  return runLogqlConformance(dir, io, { verbose: values.verbose });
}

async function runPromql(
  argv: readonly string[],
  io: Io,
  engineLoader: EngineLoader,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        verbose: { type: "boolean", short: "v", default: false },
        run: { type: "string", multiple: true },
        "no-extra-checks": { type: "boolean", default: false },
        "no-step-invariance": { type: "boolean", default: false },
        "no-range-mode": { type: "boolean", default: false },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    io.err(`too many arguments\n\n${USAGE}`);
    return 2;
  }
  const dir = resolve(positionals[0] ?? join(REPO_ROOT, "../shared/conformance/promql"));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    io.out(`PromQL conformance scripts not found: ${dir} does not exist; nothing to run.\n`);
    return 0;
  }
  const filters = values.run ?? [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".test"))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .sort();
  if (files.length === 0) {
    io.out(`no *.test files to run in ${dir}\n`);
    return 0;
  }

  const engine = await engineLoader();
  if (typeof engine === "string") {
    io.err(`conformance promql: ${engine}\n`);
    return 2;
  }
  const extra = !values["no-extra-checks"];
  const options: RunOptions = {
    stepInvariance: extra && !values["no-step-invariance"],
    rangeMode: extra && !values["no-range-mode"],
  };

  io.out(`PromQL conformance: ${files.length} scripts in ${relative(process.cwd(), dir) || "."}\n`);
  const reports: FileReport[] = [];
  const width = Math.max(...files.map((f) => f.length));
  for (const f of files) {
    const started = performance.now();
    const report = await runScriptText(f, readFileSync(join(dir, f), "utf8"), engine, options);
    reports.push(report);
    const t = tally([report]);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    io.out(
      `${f.padEnd(width)}  ${pad(t.passed)} passed  ${pad(t.failed)} failed  ` +
        `native ${pad(t.nativePassed)} passed ${pad(t.nativeFailed)} failed  ` +
        `${pad(t.skipped)} skipped  ${secs}s\n`,
    );
    if (report.skipped !== undefined) io.out(`  skipped: ${report.skipped}\n`);
    if (report.error !== undefined) io.out(`  ${report.error}\n`);
    if (values.verbose) {
      for (const e of report.evals) {
        if (e.status !== "failed") continue;
        io.out(`  line ${e.line}${e.native ? " [native]" : ""}: ${e.expr}\n      ${e.reason}\n`);
      }
    }
  }
  await (engine as { close?: () => unknown }).close?.();

  const total = tally(reports);
  io.out(`native histograms: ${total.nativePassed} passed, ${total.nativeFailed} failed\n`);
  if (total.skipped > 0) io.out(`${total.skipped} skipped\n`);
  io.out(`${total.passed} passed, ${total.failed} failed\n`);
  return total.failed > 0 ? 1 : 0;
}

function pad(n: number): string {
  return String(n).padStart(4);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2));
  // Exit once stdout has drained, even if the engine left timers or handles behind.
  process.stdout.write("", () => process.exit(code));
}
