// Service discovery settings of a scrape config, with the defaults of prometheus discovery/*
// (v3.5). Paths are absolute; durations are milliseconds.
import type { HttpClientConfig } from "../util/http-client/index.ts";

/** StaticConfig is one entry of static_configs: fixed targets and their common labels. */
export interface StaticConfig {
  /** host:port of each target [targets]. */
  targets: string[];
  /** Labels of every target in the entry [labels]. */
  labels: Record<string, string>;
}

/** FileSdConfig reads target groups from JSON or YAML files [file_sd_configs]. */
export interface FileSdConfig {
  /** Files to read; the last path element may hold `*` [files]. */
  files: string[];
  /** How often the files are re-read besides change notifications [refresh_interval]; default 5m. */
  refreshIntervalMs: number;
}

/** HttpSdConfig fetches target groups as JSON from a URL [http_sd_configs]. */
export interface HttpSdConfig {
  /** http:// or https:// URL to fetch [url]. */
  url: string;
  /** How often to fetch, and the timeout of a fetch [refresh_interval]; default 1m. */
  refreshIntervalMs: number;
  /** Authentication and TLS for the fetch. */
  httpClient: HttpClientConfig;
}

/** DNS_RECORD_TYPES lists the accepted dns_sd_configs types. */
export const DNS_RECORD_TYPES = ["SRV", "A", "AAAA", "MX", "NS"] as const;

/** DnsRecordType is a record type dns_sd_configs can query. */
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** DnsSdConfig finds targets through DNS look-ups [dns_sd_configs]. */
export interface DnsSdConfig {
  /** Names to query [names]. */
  names: string[];
  /** Record type [type]; default SRV. */
  type: DnsRecordType;
  /** Port of the targets for all types but SRV, which carries its own [port]. */
  port: number;
  /** How often to query [refresh_interval]; default 30s. */
  refreshIntervalMs: number;
}

/** DiscoveryConfigs are all the ways one scrape job finds its targets. */
export interface DiscoveryConfigs {
  staticConfigs: StaticConfig[];
  fileSdConfigs: FileSdConfig[];
  httpSdConfigs: HttpSdConfig[];
  dnsSdConfigs: DnsSdConfig[];
}
