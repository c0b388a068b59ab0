// Validation of HOST:PORT listen addresses.
import { isIPv6 } from "node:net";

/** A DNS name or an IPv4 address: dot-separated labels of letters, digits, "-" and "_". */
const HOST_RE =
  /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/;

/**
 * HostPort is a listen address split into its parts; an IPv6 host is given without brackets.
 */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * splitHostPort parses a listen address of the form HOST:PORT, where HOST is a host name, an
 * IPv4 address or a bracketed IPv6 address ("[::1]:9700") and PORT is 0..65535. It throws an
 * Error whose message starts with `invalid listen address "<addr>"` and says what is wrong.
 * Unlike Go's net.SplitHostPort the host may not be empty: Vigil should not listen on every
 * interface unless asked to by name ("0.0.0.0" or "[::]").
 */
export function splitHostPort(addr: string): HostPort {
  const fail = (why: string): Error =>
    new Error(`invalid listen address ${JSON.stringify(addr)}: ${why}`);

  const colon = addr.lastIndexOf(":");
  if (colon < 0) throw fail("missing port (want HOST:PORT)");
  let host = addr.slice(0, colon);
  const portText = addr.slice(colon + 1);

  if (host.startsWith("[")) {
    if (!host.endsWith("]") || !isIPv6(host.slice(1, -1))) throw fail("invalid IPv6 address");
    host = host.slice(1, -1);
  } else if (host === "") {
    throw fail("missing host");
  } else if (host.includes(":")) {
    throw fail("IPv6 addresses must be in brackets, e.g. [::1]:9700");
  } else if (!HOST_RE.test(host)) {
    throw fail("invalid host");
  }

  if (!/^[0-9]+$/.test(portText)) throw fail("invalid port");
  const port = Number(portText);
  if (port > 65535) throw fail("port out of range 0..65535");
  return { host, port };
}
