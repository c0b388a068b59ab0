export type { StorageSuiteOptions } from "./suite.ts";
export { runStorageSuite } from "./suite.ts";
