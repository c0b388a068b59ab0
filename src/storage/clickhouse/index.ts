export type { ClickHouseDriver } from "./driver.ts";
export { openChdbDriver, LOCK_FILE } from "./chdb-driver.ts";
export type { HttpDriverOptions } from "./http-driver.ts";
export { openHttpDriver } from "./http-driver.ts";
export type { ClickHouseStorageOptions } from "./store.ts";
export { ClickHouseStorage, openClickHouseStorage } from "./store.ts";
export type { SchemaOptions, Migration } from "./schema.ts";
export { MIGRATIONS, SAMPLES_TABLE, SERIES_TABLE } from "./schema.ts";
