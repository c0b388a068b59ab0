// Runs pipeline.yaml: one line of a stream through a LogQL pipeline; the kept flag, the output
// line and the complete output label set must match.
import { buildPipeline } from "../log/index.ts";
import { parseLogSelector } from "../syntax/index.ts";
import type { CaseResult } from "./report.ts";

/** PipelineCase is one entry of pipeline.yaml. */
export interface PipelineCase {
  readonly id: string;
  readonly source?: string;
  readonly stream_labels?: Record<string, string> | null;
  readonly structured_metadata?: Record<string, string> | null;
  readonly ts_ns?: string;
  readonly line: string;
  readonly pipeline: string;
  readonly expected: {
    readonly keep: boolean;
    readonly line?: string | null;
    readonly labels?: Record<string, string> | null;
  };
}

function stringRecord(r: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r ?? {})) out[k] = String(v);
  return out;
}

function sortedJson(r: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** runPipelineCase runs one pipeline vector. */
export async function runPipelineCase(c: PipelineCase): Promise<CaseResult> {
  const id = c.id;
  const stream = stringRecord(c.stream_labels);
  let result;
  try {
    // The selector only carries the pipeline; its matcher is irrelevant.
    const sel = parseLogSelector(`{__vigil_conformance__="x"} ${c.pipeline}`, false);
    const p = buildPipeline(sel.stages).forStream(stream);
    const md = c.structured_metadata ? stringRecord(c.structured_metadata) : undefined;
    result = await p.process(BigInt(c.ts_ns ?? "0"), c.line, md);
  } catch (err) {
    return { id, passed: false, reason: `${c.pipeline}: ${(err as Error).message}` };
  }
  const exp = c.expected;
  if (!exp.keep) {
    if (result === null) return { id, passed: true };
    return {
      id,
      passed: false,
      reason: `${c.pipeline}: expected the line dropped, kept ${JSON.stringify(result.line)} ${sortedJson(result.labels.all)}`,
    };
  }
  if (result === null)
    return { id, passed: false, reason: `${c.pipeline}: line dropped, expected kept` };
  const wantLabels = sortedJson(stringRecord(exp.labels));
  const gotLabels = sortedJson({ ...result.labels.all });
  const problems: string[] = [];
  if (exp.line !== undefined && exp.line !== null && exp.line !== result.line) {
    problems.push(`line ${JSON.stringify(result.line)}, want ${JSON.stringify(exp.line)}`);
  }
  if (wantLabels !== gotLabels) problems.push(`labels ${gotLabels}, want ${wantLabels}`);
  if (problems.length === 0) return { id, passed: true };
  return { id, passed: false, reason: `${c.pipeline}: ${problems.join("; ")}` };
}
