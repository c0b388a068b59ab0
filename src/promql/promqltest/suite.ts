// Whole-file runs of promqltest scripts and their tallies, for the conformance CLI and tests.
import { basename } from "node:path";
import { parseScript } from "./parse.ts";
import type { EvalResult, PromQLEngine, RunOptions } from "./runner.ts";
import { runScript } from "./runner.ts";
import type { Script } from "./script.ts";

/** FileReport is the outcome of one script file. */
export interface FileReport {
  file: string;
  evals: EvalResult[];
  /** error is set when the script did not parse; it then counts as one failure. */
  error?: string;
  /** skipped is set when the whole file was skipped, with the reason. */
  skipped?: string;
}

/** Tally counts verdicts; native-histogram evals are counted apart. */
export interface Tally {
  passed: number;
  failed: number;
  nativePassed: number;
  nativeFailed: number;
  skipped: number;
}

// Files the runner cannot meaningfully run, with the reason.
const SKIPPED_FILES: Readonly<Record<string, string>> = {
  "start_timestamps.test": "per-sample start timestamps (@st) are not supported",
};

/**
 * runScriptText parses and runs one script. native_histograms.test counts entirely as native;
 * files in SKIPPED_FILES are parsed only to report their evals as skipped.
 */
export async function runScriptText(
  file: string,
  text: string,
  engine: PromQLEngine,
  options: RunOptions = {},
): Promise<FileReport> {
  const name = basename(file);
  let script: Script;
  try {
    script = parseScript(text);
  } catch (err) {
    const skip = SKIPPED_FILES[name];
    if (skip !== undefined) return { file, evals: [], skipped: skip };
    return { file, evals: [], error: `parse error: ${(err as Error).message}` };
  }
  const skip = SKIPPED_FILES[name];
  if (skip !== undefined) {
    const evals: EvalResult[] = [];
    for (const c of script.commands) {
      if (c.kind === "eval") {
        evals.push({ line: c.line, expr: c.expr, status: "skipped", native: false, reason: skip });
      }
    }
    return { file, evals, skipped: skip };
  }
  const nativeHistograms = options.nativeHistograms ?? name === "native_histograms.test";
  return { file, evals: await runScript(script, engine, { ...options, nativeHistograms }) };
}

/** tally counts the verdicts of reports; a file that did not parse counts as one failure. */
export function tally(reports: readonly FileReport[]): Tally {
  const t: Tally = { passed: 0, failed: 0, nativePassed: 0, nativeFailed: 0, skipped: 0 };
  for (const r of reports) {
    if (r.error !== undefined) t.failed++;
    for (const e of r.evals) {
      const passed = e.status === "passed";
      if (e.status === "skipped") t.skipped++;
      else if (e.native && passed) t.nativePassed++;
      else if (e.native) t.nativeFailed++;
      else if (passed) t.passed++;
      else t.failed++;
    }
  }
  return t;
}
