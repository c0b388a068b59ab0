// DNS-based service discovery (prometheus discovery/dns/dns.go): SRV, A, AAAA, MX and NS
// look-ups through node:dns/promises.
import { Resolver } from "node:dns/promises";
import { isIPv6 } from "node:net";
import type { Logger } from "../../util/logging/index.ts";
import { errorMessage } from "../../util/errors.ts";
import type { Discoverer, UpdateFn } from "../discoverer.ts";
import { runRefresh } from "../discoverer.ts";
import type { DnsSdConfig } from "../config.ts";
import type { LabelSet, TargetGroup } from "../targetgroup.ts";
import { ADDRESS_LABEL, META_LABEL_PREFIX } from "../targetgroup.ts";

export const DNS_NAME_LABEL = `${META_LABEL_PREFIX}dns_name`;
export const DNS_SRV_RECORD_TARGET_LABEL = `${META_LABEL_PREFIX}dns_srv_record_target`;
export const DNS_SRV_RECORD_PORT_LABEL = `${META_LABEL_PREFIX}dns_srv_record_port`;
export const DNS_MX_RECORD_TARGET_LABEL = `${META_LABEL_PREFIX}dns_mx_record_target`;
export const DNS_NS_RECORD_TARGET_LABEL = `${META_LABEL_PREFIX}dns_ns_record_target`;

/** DnsResolver is the part of node:dns/promises' Resolver that DNS discovery uses. */
export interface DnsResolver {
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  resolveSrv(name: string): Promise<{ name: string; port: number }[]>;
  resolveMx(name: string): Promise<{ exchange: string }[]>;
  resolveNs(name: string): Promise<string[]>;
}

/** joinHostPort is Go's net.JoinHostPort. */
function joinHostPort(host: string, port: number): string {
  return `${isIPv6(host) || host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** rooted adds the final dot of a fully qualified name, as Go's resolver returns names. */
function rooted(name: string): string {
  return name.endsWith(".") ? name : `${name}.`;
}

/**
 * DnsDiscoverer queries each name every refresh interval and sends one group per name (the
 * name is its source). Targets carry `__meta_dns_name` and, for SRV, MX and NS records, the
 * record's target (with its final dot) and SRV port, as Prometheus sets them; the other
 * record labels are empty. A failed look-up is logged and keeps that name's previous group.
 * Names are queried as given: unlike Prometheus, resolv.conf search domains are not applied.
 */
export class DnsDiscoverer implements Discoverer {
  constructor(
    private readonly cfg: DnsSdConfig,
    private readonly logger: Logger,
    private readonly resolver: DnsResolver = new Resolver(),
  ) {}

  run(signal: AbortSignal, update: UpdateFn): Promise<void> {
    return runRefresh(
      signal,
      update,
      this.cfg.refreshIntervalMs,
      () => this.refresh(),
      this.logger,
      "dns",
    );
  }

  async refresh(): Promise<TargetGroup[]> {
    const results = await Promise.all(
      this.cfg.names.map(async (name) => {
        try {
          return await this.lookup(name);
        } catch (err) {
          // The name exists but has no records of the type: an empty group, as in Prometheus.
          if ((err as { code?: unknown }).code === "ENODATA") {
            return { source: name, targets: [], labels: {} };
          }
          this.logger.error({ name, err: errorMessage(err) }, "error refreshing DNS targets");
          return undefined;
        }
      }),
    );
    return results.filter((g): g is TargetGroup => g !== undefined);
  }

  private async lookup(name: string): Promise<TargetGroup> {
    const r = this.resolver;
    const port = this.cfg.port;
    const target = (addr: string, extra: Record<string, string> = {}): LabelSet => ({
      [ADDRESS_LABEL]: addr,
      [DNS_NAME_LABEL]: name,
      [DNS_SRV_RECORD_TARGET_LABEL]: "",
      [DNS_SRV_RECORD_PORT_LABEL]: "",
      [DNS_MX_RECORD_TARGET_LABEL]: "",
      [DNS_NS_RECORD_TARGET_LABEL]: "",
      ...extra,
    });
    let targets: LabelSet[];
    switch (this.cfg.type) {
      case "SRV":
        targets = (await r.resolveSrv(name)).map((s) =>
          target(joinHostPort(s.name.replace(/\.+$/, ""), s.port), {
            [DNS_SRV_RECORD_TARGET_LABEL]: rooted(s.name),
            [DNS_SRV_RECORD_PORT_LABEL]: String(s.port),
          }),
        );
        break;
      case "A":
        targets = (await r.resolve4(name)).map((a) => target(joinHostPort(a, port)));
        break;
      case "AAAA":
        targets = (await r.resolve6(name)).map((a) => target(joinHostPort(a, port)));
        break;
      case "MX":
        targets = (await r.resolveMx(name)).map((m) =>
          target(joinHostPort(m.exchange.replace(/\.+$/, ""), port), {
            [DNS_MX_RECORD_TARGET_LABEL]: rooted(m.exchange),
          }),
        );
        break;
      case "NS":
        targets = (await r.resolveNs(name)).map((ns) =>
          target(joinHostPort(ns.replace(/\.+$/, ""), port), {
            [DNS_NS_RECORD_TARGET_LABEL]: rooted(ns),
          }),
        );
        break;
    }
    return { source: name, targets, labels: {} };
  }
}
