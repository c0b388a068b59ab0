// Public API of the rule engine: rule files, groups, evaluation, alerts and their delivery.
export type {
  Alert,
  AlertSnapshot,
  AlertState,
  AlertTransition,
  AlertingRuleOptions,
  NotifyFunc,
} from "./alerting-rule.ts";
export {
  ALERTS_FOR_STATE_METRIC,
  ALERTS_METRIC,
  ALERT_NAME_LABEL,
  ALERT_STATE_LABEL,
  AlertingRule,
  RESOLVED_RETENTION_MS,
  alertStateRank,
  alertStates,
  alertTransitions,
  needsSending,
} from "./alerting-rule.ts";
export type { Clock } from "./clock.ts";
export { ManualClock, systemClock } from "./clock.ts";
export type { Appendable, GroupDeps, GroupOptions } from "./group.ts";
export { Group, groupKey } from "./group.ts";
export { evalTimestamp, groupHash, labelsHash, xxhash64 } from "./hash.ts";
export type {
  AlertHistoryEntry,
  AlertHistoryOptions,
  AlertHistoryQuery,
  AlertHistoryState,
} from "./history.ts";
export {
  ALERT_HISTORY_METRIC,
  AlertHistory,
  historyLabels,
  historyState,
  queryAlertHistory,
} from "./history.ts";
export type { LoadedGroup, LoadedRules, RuleSourceOptions } from "./loader.ts";
export {
  COMMON_DIR,
  RULE_TEST_FILE,
  RuleLoadError,
  expandRuleFiles,
  loadRules,
  loadRulesOrThrow,
  overlayGroup,
  readRuleFile,
} from "./loader.ts";
export type { RuleManagerOptions, RuleSettings } from "./manager.ts";
export {
  DEFAULT_EVALUATION_INTERVAL_MS,
  DEFAULT_FOR_GRACE_PERIOD_MS,
  DEFAULT_OUTAGE_TOLERANCE_MS,
  DEFAULT_RESEND_DELAY_MS,
  RuleManager,
  externalLabelsFrom,
  sortedLabels,
} from "./manager.ts";
export type { AlertmanagerNotifierOptions, AlertmanagerSetConfig } from "./notifier.ts";
export {
  AlertmanagerNotifier,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_QUEUE_CAPACITY,
  alertmanagerUrls,
  encodePostableAlerts,
} from "./notifier.ts";
export { logqlQueryFunc, parseLogqlRuleQuery } from "./logql.ts";
export { RecordingRule } from "./recording-rule.ts";
export type {
  EvalContext,
  QueryFunc,
  QueryFuncs,
  QueryLanguage,
  QueryLanguageSpec,
  Rule,
  RuleHealth,
  RuleKind,
  RuleQuery,
  RuleSample,
} from "./rule.ts";
export { QUERY_LANGUAGES, engineQueryFunc } from "./rule.ts";
export type {
  ParseRuleFileOptions,
  ParsedRuleFile,
  Position,
  RuleFileError,
  RuleFileErrorKind,
  RuleGroupSpec,
  RuleSpec,
} from "./rulefmt.ts";
export { parseGoDuration, parseRuleFile, ruleFileError } from "./rulefmt.ts";
export type { AlertSenderOptions, AlertSink, NotifierAlert } from "./sink.ts";
export {
  MemorySink,
  alertSender,
  goQueryEscape,
  relabelAlerts,
  tableLinkForExpression,
  toNotifierAlert,
} from "./sink.ts";
export type { AlertTemplateData, TemplateContext, TemplateExpander } from "./template.ts";
export { ALERT_TEMPLATE_DEFS, goTemplateExpander } from "./template.ts";
export {
  WATCHDOG_ALERT,
  WATCHDOG_FILE,
  WATCHDOG_GROUP,
  watchdogGroup,
  withWatchdog,
} from "./watchdog.ts";
