// Public API of service discovery: target groups, the discoverers (static, file, HTTP, DNS)
// and the manager that runs them per scrape job.
export type { LabelSet, TargetGroup } from "./targetgroup.ts";
export { ADDRESS_LABEL, META_LABEL_PREFIX, parseTargetGroups } from "./targetgroup.ts";
export type {
  DiscoveryConfigs,
  DnsRecordType,
  DnsSdConfig,
  FileSdConfig,
  HttpSdConfig,
  StaticConfig,
} from "./config.ts";
export { DNS_RECORD_TYPES } from "./config.ts";
export type { Discoverer, UpdateFn } from "./discoverer.ts";
export { StaticDiscoverer } from "./static/static.ts";
export { FILEPATH_LABEL, FileDiscoverer, readTargetFile } from "./file/file.ts";
export { glob, globToRegExp } from "./file/glob.ts";
export { HttpDiscoverer, URL_LABEL } from "./http/http.ts";
export type { DnsResolver } from "./dns/dns.ts";
export {
  DNS_MX_RECORD_TARGET_LABEL,
  DNS_NAME_LABEL,
  DNS_NS_RECORD_TARGET_LABEL,
  DNS_SRV_RECORD_PORT_LABEL,
  DNS_SRV_RECORD_TARGET_LABEL,
  DnsDiscoverer,
} from "./dns/dns.ts";
export type { DiscoveryManagerOptions } from "./manager.ts";
export { DEFAULT_UPDATE_INTERVAL_MS, DiscoveryManager } from "./manager.ts";
