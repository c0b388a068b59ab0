// The file format of `vigil test alerts` (docs/alert-tests.md): rule files, a routing
// configuration, and test cases that give input series (promtool's notation) and the
// notifications expected to reach receivers, with their times and rendered text.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Document } from "yaml";
import { LineCounter, isNode, parseDocument } from "yaml";
import { z } from "zod";
import { parseDuration } from "../model/duration.ts";
import { errorMessage } from "../util/errors.ts";

/** ExpectedNotification is one entry of a test's `notifications`. */
export interface ExpectedNotification {
  /** atMs: when the receiver gets it, relative to the start of the test. */
  readonly atMs: number;
  readonly receiver: string;
  /** integration: "slack" or "slack[1]"; undefined matches any integration of the receiver. */
  readonly integration?: string;
  readonly status?: "firing" | "resolved";
  /** alerts: each entry's labels must be a subset of one alert's; same number of alerts. */
  readonly alerts?: readonly Readonly<Record<string, string>>[];
  readonly title?: string;
  readonly text?: string;
  /** line of the entry in the test file, for messages. */
  readonly line: number;
}

/** SeriesInput is one input series in promtool's notation. */
export interface SeriesInput {
  readonly series: string;
  readonly values: string;
}

/** AlertTest is one entry of `tests`. */
export interface AlertTest {
  readonly name: string;
  readonly intervalMs: number;
  readonly inputSeries: readonly SeriesInput[];
  readonly externalLabels: Readonly<Record<string, string>>;
  /** durationMs: how long to simulate; undefined: until the last expected notification or sample. */
  readonly durationMs?: number;
  readonly notifications: readonly ExpectedNotification[];
}

/** AlertTestFile is a parsed test file; paths are absolute. */
export interface AlertTestFile {
  readonly file: string;
  readonly ruleFiles: readonly string[];
  /** routingConfig: an alertmanager.yml or a vigil.yml (its `alertmanager:` section). */
  readonly routingConfig?: string;
  readonly evaluationIntervalMs: number;
  /** startMs: the wall-clock time of the start of every test (Unix ms); default 0. */
  readonly startMs: number;
  readonly externalURL: string;
  readonly tests: readonly AlertTest[];
}

/** AlertTestFileError is a problem with a test file, with file:line where known. */
export class AlertTestFileError extends Error {
  override readonly name = "AlertTestFileError";
}

const duration = z.string().transform((s, ctx): number => {
  try {
    return parseDuration(s);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: errorMessage(err) });
    return z.NEVER;
  }
});

const stringMap = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()]).transform(String),
);

const notificationSchema = z.strictObject({
  at: duration,
  receiver: z.string().min(1),
  integration: z
    .string()
    .regex(/^[a-z0-9]+(\[\d+\])?$/, "expected an integration such as slack or slack[1]")
    .optional(),
  status: z.enum(["firing", "resolved"]).optional(),
  alerts: z.array(stringMap).optional(),
  title: z.string().optional(),
  text: z.string().optional(),
});

const testSchema = z.strictObject({
  name: z.string().default(""),
  interval: duration.optional(),
  input_series: z
    .array(
      z.strictObject({
        series: z.string().min(1),
        values: z.union([z.string(), z.number()]).transform(String),
      }),
    )
    .default([]),
  external_labels: stringMap.default({}),
  duration: duration.optional(),
  notifications: z.array(notificationSchema).default([]),
});

const fileSchema = z.strictObject({
  rule_files: z.array(z.string()).default([]),
  routing_config: z.string().optional(),
  evaluation_interval: duration.optional(),
  start_time: z
    .string()
    .refine(
      (s) => !Number.isNaN(Date.parse(s)),
      "expected an RFC 3339 time such as 2026-01-05T09:00:00Z",
    )
    .optional(),
  external_url: z.string().default("http://vigil.test"),
  tests: z.array(testSchema).min(1, "at least one test is required"),
});

/** parseAlertTestFile reads and validates a test file. */
export async function parseAlertTestFile(file: string): Promise<AlertTestFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new AlertTestFileError(`${file}: ${errorMessage(err)}`);
  }
  return parseAlertTestText(text, resolve(file));
}

/** parseAlertTestText parses the text of a test file named `file` (absolute). */
export function parseAlertTestText(text: string, file: string): AlertTestFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0].line;
    throw new AlertTestFileError(`${file}${line ? `:${line}` : ""}: ${e.message.split("\n")[0]}`);
  }
  const parsed = fileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    const line = lineOf(doc, lc, issue.path as (string | number)[]);
    const where = path.length > 0 ? ` ${path.join(".")}` : "";
    throw new AlertTestFileError(`${file}${line ? `:${line}` : ""}:${where}: ${issue.message}`);
  }
  const f = parsed.data;
  const dir = dirname(file);
  const evaluationIntervalMs = f.evaluation_interval ?? 60_000;
  if (evaluationIntervalMs <= 0)
    throw new AlertTestFileError(`${file}: evaluation_interval must be greater than 0`);
  return {
    file,
    ruleFiles: f.rule_files.map((r) => resolve(dir, r)),
    ...(f.routing_config !== undefined && { routingConfig: resolve(dir, f.routing_config) }),
    evaluationIntervalMs,
    startMs: f.start_time !== undefined ? Date.parse(f.start_time) : 0,
    externalURL: f.external_url.replace(/\/+$/, ""),
    tests: f.tests.map((t, i) => {
      const intervalMs = t.interval ?? evaluationIntervalMs;
      if (intervalMs <= 0)
        throw new AlertTestFileError(`${file}: tests.${i}.interval must be greater than 0`);
      return {
        name: t.name,
        intervalMs,
        inputSeries: t.input_series,
        externalLabels: t.external_labels,
        ...(t.duration !== undefined && { durationMs: t.duration }),
        notifications: t.notifications.map((n, j) => ({
          atMs: n.at,
          receiver: n.receiver,
          ...(n.integration !== undefined && { integration: n.integration }),
          ...(n.status !== undefined && { status: n.status }),
          ...(n.alerts !== undefined && { alerts: n.alerts }),
          ...(n.title !== undefined && { title: n.title }),
          ...(n.text !== undefined && { text: n.text }),
          line: lineOf(doc, lc, ["tests", i, "notifications", j]) ?? 0,
        })),
      };
    }),
  };
}

/** lineOf finds the line of the node at `path`, or of its nearest ancestor that exists. */
function lineOf(doc: Document, lc: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}
