// Public API of heartbeats: checks that external jobs beat (a dead man's switch in the manner
// of healthchecks.io), their alerts, state, metrics and HTTP endpoints, and Vigil's own ping.
export type { BeatKind, CheckRecord, CheckStatus, HeartbeatState, LastMessage } from "./check.ts";
export { BEAT_KINDS, CompiledCheck } from "./check.ts";
export type {
  HeartbeatCheckConfig,
  HeartbeatPingConfig,
  HeartbeatSchedule,
  HeartbeatsConfig,
} from "./config.ts";
export {
  DEFAULT_GRACE_MS,
  HEARTBEAT_NAME_RE,
  RESERVED_LABELS,
  emptyHeartbeatsConfig,
  heartbeatsSchema,
  heartbeatsToDoc,
} from "./config.ts";
export type { HeartbeatApiDeps, HeartbeatJson } from "./http.ts";
export { heartbeatJson, registerHeartbeatApi } from "./http.ts";
export type { HeartbeatServiceOptions, HeartbeatView } from "./service.ts";
export {
  FAILED_ALERT,
  HEARTBEAT_LABEL,
  HeartbeatService,
  MAX_MESSAGE_BYTES,
  MISSING_ALERT,
} from "./service.ts";
export { STATE_FILE } from "./store.ts";
