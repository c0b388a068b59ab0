// The input log streams of a test group (Vigil's extension of promtool's test files for LogQL
// rules, docs/rules.md): a stream's labels in series notation, and its lines at times from the
// test's start, one at a time (`[at, line]`) or repeated (`{line, at, every, count}`).
import type { Labels } from "../model/labels/index.ts";
import { METRIC_NAME, labelsFromPairs, labelsKey } from "../model/labels/index.ts";
import type { LogEntry } from "../storage/logs.ts";
import { errorMessage } from "../util/errors.ts";
import { goQuote } from "./format.ts";
import { parseExpectedLabels } from "./series.ts";
import type { StreamInput } from "./testfile.ts";

/** MAX_LINES bounds the lines one test group may generate, against a mistyped count. */
export const MAX_LINES = 1_000_000;

const NS_PER_MS = 1_000_000n;

/** LoadStream is one input stream with its entries, ready for a LogAppender. */
export interface LoadStream {
  readonly labels: Labels;
  readonly entries: readonly LogEntry[];
}

/**
 * parseInputStreams turns a test group's input_streams into streams to load. A stream given
 * twice gets the lines of both entries. It throws `input_streams: line <n>: <reason>` for labels
 * that are not a non-empty label set, and for repeated lines without a positive integer count
 * or, for more than one copy, a positive interval.
 */
export function parseInputStreams(inputs: readonly StreamInput[]): LoadStream[] {
  const byKey = new Map<string, { labels: Labels; entries: LogEntry[] }>();
  let total = 0;
  for (const inp of inputs) {
    const fail = (line: number, reason: string) =>
      new Error(`input_streams: line ${line}: ${reason}`);
    let labels: Labels;
    try {
      labels = parseExpectedLabels(inp.labels);
    } catch (err) {
      throw fail(inp.srcLine, `labels ${goQuote(inp.labels)}: ${errorMessage(err)}`);
    }
    if (labels.some((l) => l.name === METRIC_NAME)) {
      throw fail(inp.srcLine, `labels ${goQuote(inp.labels)}: a log stream has no metric name`);
    }
    labels = labelsFromPairs(labels.filter((l) => l.value !== ""));
    if (labels.length === 0) {
      throw fail(inp.srcLine, `labels ${goQuote(inp.labels)}: a log stream needs a label`);
    }
    const key = labelsKey(labels);
    let stream = byKey.get(key);
    if (!stream) byKey.set(key, (stream = { labels, entries: [] }));
    for (const l of inp.lines) {
      if (!Number.isSafeInteger(l.count) || l.count < 1) {
        throw fail(l.srcLine, `count must be a positive integer, got ${l.count}`);
      }
      if (l.count > 1 && l.everyMs <= 0) {
        throw fail(l.srcLine, "every must be set to repeat a line");
      }
      total += l.count;
      if (total > MAX_LINES) throw fail(l.srcLine, `more than ${MAX_LINES} lines in a test group`);
      for (let i = 0; i < l.count; i++) {
        const tMs = l.atMs + i * l.everyMs;
        stream.entries.push({ tsNs: BigInt(tMs) * NS_PER_MS, line: l.text, metadata: [] });
      }
    }
  }
  return [...byKey.values()];
}
