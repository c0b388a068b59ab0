// The parsed form of a promqltest script (upstream promql/promqltest/test.go: loadCmd, evalCmd,
// clearCmd). A script is parsed completely before anything runs; see parse.ts.
import type { RE2JS } from "re2js";
import type { Labels } from "../../model/labels/index.ts";
import type { SequenceValue } from "./series.ts";

/** Script is a parsed `.test` file: its commands in order. */
export interface Script {
  commands: Command[];
}

/** Command is one `clear`, `load` or `eval` block. */
export type Command = ClearCommand | LoadCommand | EvalCommand;

/** ClearCommand deletes all stored data. `line` is 1-based, as in every command. */
export interface ClearCommand {
  kind: "clear";
  line: number;
}

/** LoadSeries is one series of a load block; sample i is at i·stepMs. */
export interface LoadSeries {
  labels: Labels;
  values: SequenceValue[];
  /** startTimestampOffsetsMs are the `@st` offsets given for this series, if any. */
  startTimestampOffsetsMs?: (number | null)[];
  line: number;
}

/** LoadCommand is `load <step>` or `load_with_nhcb <step>` with its series. */
export interface LoadCommand {
  kind: "load";
  line: number;
  stepMs: number;
  /** withNhcb is set for load_with_nhcb: classic histograms are also stored as NHCB. */
  withNhcb: boolean;
  /** series holds one entry per label set; a later line for the same labels replaced an earlier one. */
  series: LoadSeries[];
}

/**
 * TextMatch is how an expected error or annotation text is matched: `any` (no msg/regex part),
 * exact equality (`msg:`) or an unanchored RE2 search (`regex:`).
 */
export type TextMatch =
  | { kind: "any" }
  | { kind: "message"; text: string }
  | { kind: "regex"; source: string; re: RE2JS };

/** ExpectedSeries is an expected result series line of an eval. */
export interface ExpectedSeries {
  labels: Labels;
  values: SequenceValue[];
  /** position is the 1-based order among the eval's result lines (for `expect ordered`). */
  position: number;
  line: number;
}

/** TimeRange is an inclusive range of evaluation times, in ms since the epoch. */
export interface TimeRange {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/** EvalQuery is the query an eval runs: instant at a time, or over a range. */
export type EvalQuery = { type: "instant"; timeMs: number } | ({ type: "range" } & TimeRange);

/** EvalCommand is an `eval` block: a query and everything expected of its result. */
export interface EvalCommand {
  kind: "eval";
  line: number;
  expr: string;
  query: EvalQuery;
  /** fail: the query must fail (`eval_fail` or `expect fail`). */
  fail: boolean;
  /**
   * failMatches must all match the error text: from `expect fail msg:/regex:` and the deprecated
   * `expected_fail_message` / `expected_fail_regexp` lines.
   */
  failMatches: TextMatch[];
  /** ordered: results must come in the order of the expected lines (`expect ordered`). */
  ordered: boolean;
  /** anyWarn / anyInfo: at least one warning / info (deprecated `eval_warn` / `eval_info`). */
  anyWarn: boolean;
  anyInfo: boolean;
  expectWarn: TextMatch[];
  expectInfo: TextMatch[];
  noWarn: boolean;
  noInfo: boolean;
  /** rangeVector: `expect range vector from .. to .. step ..` (an instant range-vector result). */
  rangeVector?: TimeRange;
  /** expectedString: `expect string "..."`. */
  expectedString?: string;
  /** scalar: a bare-number line; the result must be a scalar with this value. */
  scalar?: number;
  /** series are the expected result series, one per label set. */
  series: ExpectedSeries[];
}
