// Test support shared by interop tests and benchmarks (never imported by production code).
export type { PeerProcess } from "./peers.ts";
export { alertmanagerReady, freePort, peerPath, peersBin, startPeer, waitFor } from "./peers.ts";
