// Public API of the LogQL conformance runner (parse, pipeline and metric vectors).
export { CONFORMANCE_FILES, runConformance, runFile } from "./runner.ts";
export type { Output, RunnerOptions } from "./runner.ts";
export type { CaseResult, FileReport } from "./report.ts";
export { tally } from "./report.ts";
export { FixtureQuerier } from "./fixture-store.ts";
export type { FixtureEntry, FixtureStream } from "./fixture-store.ts";
export { checkQuery } from "./parse.ts";
