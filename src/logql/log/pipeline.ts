// The log pipeline (Loki pkg/logql/log/pipeline.go): a list of stages built from the AST's
// pipeline, run once per line over a LabelsBuilder seeded with the stream labels and the
// entry's structured metadata.
import {
  PipelineBuildError,
  assertNever,
  labelFilterToString,
  stageToString,
  validateRegexpParser,
} from "../syntax/index.ts";
import type { LabelFilter, LineFilter, NamedMatcher, Stage as StageExpr } from "../syntax/index.ts";
import { labelsFormatter, lineFormatter } from "./format.ts";
import { compileLabelFilter } from "./label-filter.ts";
import { ERROR_DETAILS_LABEL, ERROR_LABEL, LabelsBuilder } from "./labels.ts";
import type { LabelsResult } from "./labels.ts";
import { compileLineFilter } from "./line-filter.ts";
import type { LineMatcher } from "./line-filter.ts";
import {
  jsonExpressionParser,
  jsonParser,
  logfmtExpressionParser,
  logfmtParser,
  patternParser,
  regexpParser,
  unpackParser,
} from "./parsers.ts";
import { parsePattern } from "./pattern.ts";
import type { Stage, SyncStage } from "./stage.ts";

/** ProcessedLine is a line that went through a pipeline and was kept. */
export interface ProcessedLine {
  readonly line: string;
  readonly labels: LabelsResult;
}

/**
 * Pipeline runs the stages of one query. `forStream` binds it to a stream's labels; the result
 * processes that stream's entries one at a time (not concurrently: it reuses its builder).
 */
export interface Pipeline {
  /** noop is true when the pipeline has no stages (lines and labels pass unchanged). */
  readonly noop: boolean;
  forStream(streamLabels: Readonly<Record<string, string>>): StreamPipeline;
}

/** StreamPipeline processes entries of one stream. */
export interface StreamPipeline {
  /** process returns the kept line and its labels, or null when the line is filtered out. */
  process(
    tsNs: bigint,
    line: string,
    metadata?: Readonly<Record<string, string>>,
  ): Promise<ProcessedLine | null>;
  /** builder exposes the labels of the last processed line (for sample extraction). */
  readonly builder: LabelsBuilder;
}

function lineFilterStage(filters: readonly LineFilter[]): SyncStage {
  const ms: LineMatcher[] = filters.map(compileLineFilter);
  return {
    process(_ts, line) {
      for (const m of ms) if (!m(line)) return null;
      return line;
    },
  };
}

/** labelFilterStage wraps a compiled label filter as a stage. */
export function labelFilterStage(f: LabelFilter): SyncStage {
  const pred = compileLabelFilter(f);
  return { process: (_ts, line, lbs) => (pred(lbs) ? line : null) };
}

// ANSI escape sequences (fmt.go ansiPattern); built from a string to keep control characters
// out of a regex literal.
const ANSI = new RegExp(
  "[\u001B\u009B][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\u0007)|" +
    "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))",
  "g",
);

const decolorizer: SyncStage = { process: (_ts, line) => line.replace(ANSI, "") };

function dropStage(labels: readonly NamedMatcher[]): SyncStage {
  return {
    process(_ts, line, lbs) {
      for (const l of labels) {
        if (l.matcher) {
          const m = l.matcher;
          if (m.name === ERROR_LABEL) {
            if (m.matches(lbs.getErr())) lbs.setErr("");
          } else if (m.name === ERROR_DETAILS_LABEL) {
            if (m.matches(lbs.getErrDetails())) lbs.setErrDetails("");
          } else if (m.matches(lbs.get(m.name) ?? "")) {
            lbs.delete(m.name);
          }
          continue;
        }
        if (l.name === ERROR_LABEL) lbs.setErr("");
        else if (l.name === ERROR_DETAILS_LABEL) lbs.setErrDetails("");
        else if (lbs.get(l.name) !== undefined) lbs.delete(l.name);
      }
      return line;
    },
  };
}

function keepStage(labels: readonly NamedMatcher[]): SyncStage {
  return {
    process(_ts, line, lbs) {
      if (labels.length === 0) return line;
      const current = lbs.map();
      for (const [name, value] of Object.entries(current)) {
        if (name === ERROR_LABEL || name === ERROR_DETAILS_LABEL || name === "__preserve_error__")
          continue;
        const keep = labels.some((k) =>
          k.matcher ? k.matcher.name === name && k.matcher.matches(value) : k.name === name,
        );
        if (!keep) lbs.delete(name);
      }
      return line;
    },
  };
}

function buildStage(e: StageExpr): Stage | null {
  switch (e.type) {
    case "lineFilter":
      return lineFilterStage(e.filters);
    case "logfmt":
      return logfmtParser(e.strict, e.keepEmpty);
    case "logfmtExpr":
      if (e.exprs.length === 0) throw new Error("no logfmt expression provided");
      return logfmtExpressionParser(e.exprs, e.strict);
    case "json":
      return jsonParser;
    case "jsonExpr":
      return jsonExpressionParser(e.exprs);
    case "regexp":
      return regexpParser(
        validateRegexpParser(e.pattern, (m) => {
          throw new Error(m);
        }),
      );
    case "pattern":
      return patternParser(parsePattern(e.pattern, "parser"));
    case "unpack":
      return unpackParser;
    case "labelFilter":
      return labelFilterStage(e.filter);
    case "lineFormat":
      return lineFormatter(e.template);
    case "labelFormat":
      return labelsFormatter(e.formats);
    case "decolorize":
      return decolorizer;
    case "drop":
      return dropStage(e.labels);
    case "keep":
      return keepStage(e.labels);
    default:
      return assertNever(e);
  }
}

/**
 * reorderStages moves line filters ahead of the stages before them, up to the previous label
 * filter, line_format or unpack (ast.go MultiStageExpr.reorderStages): Loki runs the cheap
 * filters first, and this order is observable with stages that rewrite the line.
 */
export function reorderStages(stages: readonly StageExpr[]): StageExpr[] {
  const result: StageExpr[] = [];
  let lineFilters: LineFilter[] = [];
  let others: StageExpr[] = [];
  const flush = (): void => {
    if (lineFilters.length > 0) result.push({ type: "lineFilter", filters: lineFilters });
    result.push(...others);
    lineFilters = [];
    others = [];
  };
  for (const s of stages) {
    switch (s.type) {
      case "labelFilter":
        flush();
        result.push(s);
        break;
      case "lineFilter":
        lineFilters.push(...s.filters);
        break;
      case "lineFormat":
        others.push(s);
        flush();
        break;
      case "unpack":
        others.push(s);
        flush();
        break;
      default:
        others.push(s);
    }
  }
  flush();
  return result;
}

/**
 * buildPipeline compiles pipeline stages. It throws a PipelineBuildError (Loki's
 * "stage '...' : ..." error) for a bad regex, pattern, ip() or template.
 */
export function buildPipeline(exprs: readonly StageExpr[]): Pipeline {
  const stages: Stage[] = [];
  for (const e of reorderStages(exprs)) {
    let s: Stage | null;
    try {
      s = buildStage(e);
    } catch (err) {
      throw new PipelineBuildError(stageToString(e), (err as Error).message);
    }
    if (s !== null) stages.push(s);
  }
  return makePipeline(stages);
}

/** buildLabelFilters compiles unwrap post-filters (label filters after `| unwrap`). */
export function buildLabelFilters(filters: readonly LabelFilter[]): SyncStage[] {
  return filters.map((f) => {
    try {
      return labelFilterStage(f);
    } catch (err) {
      throw new PipelineBuildError(`| ${labelFilterToString(f)}`, (err as Error).message);
    }
  });
}

function makePipeline(stages: readonly Stage[]): Pipeline {
  return {
    noop: stages.length === 0,
    forStream(streamLabels) {
      const builder = new LabelsBuilder(new Map(Object.entries(streamLabels)));
      return {
        builder,
        async process(tsNs, line, metadata) {
          builder.reset();
          if (metadata) {
            for (const [k, v] of Object.entries(metadata)) {
              if (k === ERROR_LABEL) builder.setErr(v);
              else if (k === ERROR_DETAILS_LABEL) builder.setErrDetails(v);
              else builder.set("metadata", builder.baseHas(k) ? `${k}_extracted` : k, v);
            }
          }
          let cur: string | null = line;
          for (const s of stages) {
            const r = s.process(tsNs, cur, builder);
            cur = r instanceof Promise ? await r : r;
            if (cur === null) return null;
          }
          return { line: cur, labels: builder.result() };
        },
      };
    },
  };
}
