// Public API of the notification pipeline: the Notifier contract that integrations implement,
// the integration registry, the pipeline stages (inhibit, time intervals, silences, dedup,
// retry, log) and their metrics.
export type {
  Notifier,
  NotifierDeps,
  NotifierFactories,
  NotifierFactory,
  NotifyAlert,
  NotifyContext,
} from "./notifier.ts";
export { NotifyError, shouldRetryStatus } from "./notifier.ts";
export { DEFAULT_TEMPLATES, NOTIFIERS, createNotifier } from "./registry.ts";
export type { NotifyMetrics } from "./metrics.ts";
export { notifyMetrics } from "./metrics.ts";
export type {
  Clock,
  FlushContext,
  Integration,
  IntegrationStatus,
  Muter,
  PipelineDeps,
  Stage,
} from "./pipeline.ts";
export {
  DedupStage,
  FanoutStage,
  GroupMarker,
  MultiStage,
  MuteStage,
  RetryStage,
  RoutingStage,
  SetNotifiesStage,
  TimeActiveStage,
  TimeMuteStage,
  backoffDelays,
  buildPipeline,
} from "./pipeline.ts";
