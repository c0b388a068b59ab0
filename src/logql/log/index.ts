// Public API of the log pipeline: build stages from a parsed pipeline and run lines through
// them.
export type { LabelCategory, LabelsResult } from "./labels.ts";
export {
  DUPLICATE_SUFFIX,
  ERROR_DETAILS_LABEL,
  ERROR_LABEL,
  ERR_JSON,
  ERR_LABEL_FILTER,
  ERR_LOGFMT,
  ERR_SAMPLE_CONVERSION,
  ERR_TEMPLATE_FORMAT,
  LabelsBuilder,
} from "./labels.ts";
export type { Pipeline, ProcessedLine, StreamPipeline } from "./pipeline.ts";
export { buildLabelFilters, buildPipeline, labelFilterStage, reorderStages } from "./pipeline.ts";
export type { Stage, SyncStage } from "./stage.ts";
export { compileLineFilter } from "./line-filter.ts";
export type { LineMatcher } from "./line-filter.ts";
