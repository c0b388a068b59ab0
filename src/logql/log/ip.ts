// `ip("...")` matching (Loki pkg/logql/log/ip.go): a single address, a CIDR prefix or a
// `from-to` range, found anywhere in a line or a label value. Addresses are parsed as Go's
// net/netip does (strict IPv4 dotted quads, IPv6 with `::` and embedded IPv4).

/** IpAddr is an address as a 128-bit integer; IPv4 and IPv6 never compare equal. */
interface IpAddr {
  readonly v4: boolean;
  readonly n: bigint;
}

/** IpMatcher is the compiled pattern of ip(). */
export type IpMatcher =
  | { readonly kind: "addr"; readonly addr: IpAddr }
  | { readonly kind: "range"; readonly from: IpAddr; readonly to: IpAddr };

/** parseIPv4 parses a dotted quad as netip.ParseAddr does, or returns null. */
function parseIPv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    if (p.length > 1 && p[0] === "0") return null;
    const v = Number(p);
    if (v > 255) return null;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseIPv6(s: string): bigint | null {
  if (s.includes("%")) return null;
  let ellipsis = -1;
  const groups: number[] = [];
  let rest = s;
  if (rest.startsWith("::")) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest === "") return 0n;
  }
  while (rest !== "") {
    const m = /^[0-9a-fA-F]{1,4}/.exec(rest);
    if (!m) return null;
    if (rest[m[0].length] === "." || (groups.length < 7 && /^[0-9]+\./.test(rest))) {
      if (groups.length > 6) return null;
      const v4 = parseIPv4(rest);
      if (v4 === null) return null;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      break;
    }
    groups.push(parseInt(m[0], 16));
    rest = rest.slice(m[0].length);
    if (rest === "") break;
    if (rest.startsWith("::")) {
      if (ellipsis >= 0) return null;
      ellipsis = groups.length;
      rest = rest.slice(2);
      continue;
    }
    if (rest[0] !== ":") return null;
    rest = rest.slice(1);
    if (rest === "") return null;
  }
  if (ellipsis < 0 && groups.length !== 8) return null;
  if (ellipsis >= 0) {
    if (groups.length > 7) return null;
    const fill = new Array<number>(8 - groups.length).fill(0);
    groups.splice(ellipsis, 0, ...fill);
  }
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

/** parseAddr parses an IPv4 or IPv6 address, or returns null. */
export function parseAddr(s: string): IpAddr | null {
  if (s.includes(":")) {
    const n = parseIPv6(s);
    return n === null ? null : { v4: false, n };
  }
  const n = parseIPv4(s);
  return n === null ? null : { v4: true, n };
}

function parsePrefix(s: string): IpMatcher | null {
  const i = s.lastIndexOf("/");
  if (i < 0) return null;
  const addr = parseAddr(s.slice(0, i));
  const bitsStr = s.slice(i + 1);
  if (addr === null || !/^\d+$/.test(bitsStr) || (bitsStr.length > 1 && bitsStr[0] === "0"))
    return null;
  const bits = Number(bitsStr);
  const width = addr.v4 ? 32 : 128;
  if (bits > width) return null;
  const hostBits = BigInt(width - bits);
  const mask = (1n << hostBits) - 1n;
  const from = addr.n & ~mask;
  return { kind: "range", from: { v4: addr.v4, n: from }, to: { v4: addr.v4, n: from | mask } };
}

function parseRange(s: string): IpMatcher | null {
  const i = s.indexOf("-");
  if (i < 0) return null;
  const from = parseAddr(s.slice(0, i));
  const to = parseAddr(s.slice(i + 1));
  if (from === null || to === null || from.v4 !== to.v4 || to.n < from.n) return null;
  return { kind: "range", from, to };
}

/** compileIpPattern compiles ip()'s argument; it throws Loki's error on a bad pattern. */
export function compileIpPattern(pattern: string): IpMatcher {
  const a = parseAddr(pattern);
  if (a !== null) return { kind: "addr", addr: a };
  const m = parsePrefix(pattern) ?? parseRange(pattern);
  if (m !== null) return m;
  throw new Error(`ip: invalid pattern: ${JSON.stringify(pattern)}`);
}

function contains(m: IpMatcher, ip: IpAddr): boolean {
  if (m.kind === "addr") return m.addr.v4 === ip.v4 && m.addr.n === ip.n;
  return m.from.v4 === ip.v4 && ip.n >= m.from.n && ip.n <= m.to.n;
}

const V4_CHARS = "0123456789.";
const V6_CHARS = "0123456789abcdefABCDEF:.";

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}
function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/** ipFilter reports whether any address in line matches (ip.go ipFilter.filter). */
export function ipFilter(m: IpMatcher, line: string): boolean {
  const n = line.length;
  if (n === 0) return false;
  const span = (start: number, charset: string): number => {
    let i = start;
    while (i < n && charset.includes(line[i]!)) i++;
    return i - start;
  };
  const tryAt = (start: number, charset: string): [boolean, number] => {
    const len = span(start, charset);
    const ip = parseAddr(line.slice(start, start + len));
    if (ip !== null && contains(m, ip)) return [true, 0];
    return [false, len];
  };
  for (let i = 0; i < n; i++) {
    const at = (k: number): string | undefined => line[i + k];
    if (i + 3 < n && isDigit(at(0)) && (at(1) === "." || at(2) === "." || at(3) === ".")) {
      const [ok, len] = tryAt(i, V4_CHARS);
      if (ok) return true;
      i += len;
      continue;
    }
    const h1 = at(0) === ":" && at(1) === ":" && isHex(at(2));
    const h2 = isHex(at(0)) && at(1) === ":";
    const h3 = isHex(at(0)) && isHex(at(1)) && at(2) === ":";
    const h4 = isHex(at(0)) && isHex(at(1)) && isHex(at(2)) && at(3) === ":";
    const h5 = isHex(at(0)) && isHex(at(1)) && isHex(at(2)) && isHex(at(3)) && at(4) === ":";
    if (h1 || h2 || h3 || h4 || h5) {
      const [ok, len] = tryAt(i, V6_CHARS);
      if (ok) return true;
      i += len;
    }
  }
  return false;
}
