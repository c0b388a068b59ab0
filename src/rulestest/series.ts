// The input series of a test group and the expected labels of promql_expr_test samples, parsed
// with the promqltest series notation (`0+10x5`, `_`, `stale`, `{{...}}`) and reported with the
// positions promtool reports: promtool builds a promqltest `load` script, one series per line
// after the `load <interval>` line, and its parse errors say `<line>:<column>: parse error: ...`.
import type { FloatHistogram } from "../model/histogram/index.ts";
import type { Label, Labels } from "../model/labels/index.ts";
import { labelsKey } from "../model/labels/index.ts";
import { lex, parseMetricSelector } from "../promql/parser/index.ts";
import type { SequenceValue } from "../promql/promqltest/index.ts";
import { parseSeriesDesc } from "../promql/promqltest/index.ts";
import { errorMessage } from "../util/errors.ts";
import { compareGoStrings } from "./format.ts";
import type { SeriesInput } from "./testfile.ts";

/** LoadSample is one sample to load: a float (STALE_NAN for `stale`) or a histogram. */
export type LoadSample =
  | { readonly t: number; readonly kind: "float"; readonly v: number }
  | { readonly t: number; readonly kind: "stale" }
  | { readonly t: number; readonly kind: "histogram"; readonly h: FloatHistogram };

/** LoadSeries is one input series with its samples in time order. */
export interface LoadSeries {
  readonly labels: Labels;
  readonly samples: readonly LoadSample[];
}

/**
 * parseInputSeries parses a test group's input_series with samples every intervalMs from 0.
 * A series given twice keeps its last values (promqltest's loadCmd.set). It throws with
 * promtool's `<line>:<col>: parse error: <reason>` where line 2 is the first series.
 */
export function parseInputSeries(inputs: readonly SeriesInput[], intervalMs: number): LoadSeries[] {
  const byKey = new Map<string, LoadSeries>();
  inputs.forEach((inp, i) => {
    // promqltest trims each line of the script; the series line is "<series> <values>".
    const line = `${inp.series} ${inp.values}`.trim();
    let values: SequenceValue[];
    let labels: Labels;
    try {
      const d = parseSeriesDesc(line);
      values = d.values;
      labels = d.labels;
    } catch (err) {
      throw new Error(seriesError(line, i + 2, errorMessage(err)), { cause: err });
    }
    const samples: LoadSample[] = [];
    values.forEach((v, j) => {
      const t = j * intervalMs;
      if (v.kind === "float") samples.push({ t, kind: "float", v: v.value });
      else if (v.kind === "stale") samples.push({ t, kind: "stale" });
      else if (v.kind === "histogram") samples.push({ t, kind: "histogram", h: v.histogram });
    });
    byKey.set(labelsKey(labels), { labels, samples });
  });
  return [...byKey.values()];
}

/**
 * seriesError words a malformed series line as the Go parser would, as far as we can tell where
 * it failed: a bad selector gets the PromQL parser's own message and position, a bad value the
 * position of the first item that does not parse.
 */
function seriesError(line: string, lineNo: number, fallback: string): string {
  // A selector error: let the selector parser find it, on the whole line as Go's lexer does.
  const sel = /^[^\s{]*(\{)?/.exec(line)!;
  if (sel[1] !== undefined || /^[^a-zA-Z_:]/.test(line)) {
    try {
      parseMetricSelector(line);
    } catch (err) {
      const m = /^(\d+):(\d+): (parse error: .*)$/s.exec(errorMessage(err));
      if (m) return `${lineNo}:${m[2]}: ${m[3]}`;
    }
  }
  // A value error: find the first item that does not parse on its own.
  const re = /\S+/g;
  let first = true;
  let selectorText = "";
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (first) {
      // The selector may contain spaces inside braces; skip to its end.
      const close = line.indexOf("}");
      const end = close >= 0 && m[0].includes("{") ? close + 1 : m.index + m[0].length;
      selectorText = line.slice(0, end);
      re.lastIndex = end;
      first = false;
      continue;
    }
    if (m[0].startsWith("{{")) {
      const close = line.indexOf("}}", m.index);
      if (close >= 0) re.lastIndex = close + 2;
      const item = line.slice(m.index, close >= 0 ? close + 2 : line.length);
      if (!itemParses(selectorText, item)) {
        return `${lineNo}:${m.index + 1}: parse error: ${fallback}`;
      }
      continue;
    }
    if (!itemParses(selectorText, m[0])) {
      // The series lexer reads identifiers as words and refuses other characters one by one.
      const bad = /[^\w.+-]/.exec(m[0]);
      if (/^[a-zA-Z_]/.test(m[0]) || !bad) {
        return `${lineNo}:${m.index + 1}: parse error: unexpected ${JSON.stringify(m[0])}`;
      }
      return `${lineNo}:${m.index + bad.index + 1}: parse error: unexpected character in series sequence: '${bad[0]}'`;
    }
  }
  return `${lineNo}:1: parse error: ${fallback}`;
}

function itemParses(selector: string, item: string): boolean {
  try {
    parseSeriesDesc(`${selector} ${item}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * parseExpectedLabels parses the `labels` of an expected sample as prometheus
 * parser.ParseMetric: a metric name and/or a label set with `=` matchers only; empty text is no
 * labels. Empty label values are kept, as upstream does. It throws with the parser's message.
 */
export function parseExpectedLabels(text: string): Labels {
  if (text.trim() === "") return [];
  const matchers = parseMetricSelector(text);
  const bad = matchers.find((m) => m.type !== "=");
  if (bad) {
    const tok = lex(text).find(
      (t) => t.type === "EQL_REGEX" || t.type === "NEQ_REGEX" || t.type === "NEQ",
    );
    const col = tok ? tok.pos + 1 : 1;
    throw new Error(
      `1:${col}: parse error: unexpected <op:${bad.type}> in label set, expected "="`,
    );
  }
  const byName = new Map<string, string>();
  for (const m of matchers) byName.set(m.name, m.value);
  const out: Label[] = [...byName].map(([name, value]) => ({ name, value }));
  return out.sort((a, b) => compareGoStrings(a.name, b.name));
}
