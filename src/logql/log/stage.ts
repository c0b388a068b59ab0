// The stage contract of the log pipeline (Loki pkg/logql/log/pipeline.go Stage).
import type { LabelsBuilder } from "./labels.ts";

/**
 * Stage processes one line: it returns the (possibly rewritten) line to keep it, or null to
 * drop it, and may change the labels through `lbs`. Template stages are asynchronous because
 * the template executor is.
 */
export interface Stage {
  process(tsNs: bigint, line: string, lbs: LabelsBuilder): string | null | Promise<string | null>;
}

/** SyncStage is a stage that never awaits. */
export interface SyncStage extends Stage {
  process(tsNs: bigint, line: string, lbs: LabelsBuilder): string | null;
}
