// Public API of the config module: loading and validating vigil.yml.
export { splitHostPort } from "./address.ts";
export type { HostPort } from "./address.ts";
export { ConfigError } from "./errors.ts";
export type { ConfigIssue } from "./errors.ts";
export { defaultConfig, loadConfigFile, parseConfig } from "./load.ts";
export { configToYaml } from "./to-yaml.ts";
export type {
  AlertingConfig,
  AlertmanagerConfig,
  AlertmanagerStaticConfig,
  RulesConfig,
} from "./rules.ts";
export { LOG_LEVELS, STORAGE_ENGINES } from "./types.ts";
export type {
  ClickHouseConfig,
  GlobalConfig,
  LogLevel,
  PushgatewayConfig,
  QueryConfig,
  RemoteWriteReceiverConfig,
  ScrapeConfig,
  ServerConfig,
  StorageConfig,
  StorageEngine,
  VigilConfig,
} from "./types.ts";
