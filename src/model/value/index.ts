export { STALE_NAN, isStaleNaN } from "./stale.ts";
