export type { Label, Labels } from "./labels.ts";
export {
  METRIC_NAME,
  EMPTY_LABELS,
  labelsFromRecord,
  labelsFromPairs,
  labelsToRecord,
  getLabel,
  metricName,
  labelsEqual,
  compareLabels,
  labelsKey,
  fingerprint,
  formatLabels,
  isValidLabelName,
  isValidMetricName,
} from "./labels.ts";
export { LabelInterner, detachString } from "./intern.ts";
export type { MatchType } from "./matcher.ts";
export { Matcher } from "./matcher.ts";
