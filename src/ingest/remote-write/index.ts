// Public API of the remote write 1.0 receiver.
export type { DecodedWriteRequest } from "./decode.ts";
export { WriteRequestError, decodeWriteRequest } from "./decode.ts";
export type { PromLabel, PromSample, PromTimeSeries, PromWriteRequest } from "./prompb.ts";
export { PROMPB_PROTO, WriteRequestType, encodeWriteRequest } from "./prompb.ts";
export type { RemoteWriteOptions } from "./receiver.ts";
export {
  DEFAULT_MAX_DECODED_BYTES,
  PROTO_CONTENT_TYPE,
  registerRemoteWriteReceiver,
} from "./receiver.ts";
export { snappyDecodedLength } from "../snappy.ts";
