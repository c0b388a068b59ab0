// Public API of the Pushgateway-compatible push receiver.
export type { FamilyType, FlatSample, PushFamily, PushMetric } from "./family.ts";
export { flattenFamily } from "./family.ts";
export {
  BASE64_SUFFIX,
  GroupingError,
  decodeBase64,
  groupingKey,
  groupingLabels,
} from "./grouping.ts";
export type { PushgatewayHttpOptions } from "./http.ts";
export { TTL_HEADER, registerPushgateway } from "./http.ts";
export type { ParsedPush } from "./parse.ts";
export { PushParseError, parsePushBody } from "./parse.ts";
export type { DtoMetricFamily } from "./proto.ts";
export { METRICS_PROTO, decodeDelimitedFamilies, encodeDelimitedFamilies } from "./proto.ts";
export type { Group, GroupStoreOptions, PushOutcome, PushRequest, StoredFamily } from "./store.ts";
export { GroupStore, NotReadyError, PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from "./store.ts";
