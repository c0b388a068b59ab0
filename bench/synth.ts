// Deterministic synthetic node_exporter-like data for the storage benchmark.
//
// Every host exposes what a default node_exporter (plus Prometheus' own scrape series) exposes,
// with value behaviour modelled on where the numbers come from: /proc/stat CPU ticks at
// USER_HZ=100 (counters of centiseconds), /proc/meminfo in kB (gauges moving by 4 kB pages),
// block counts of 4 KiB, network and disk counters with noisy increments, rarely-moving error
// counters, load averages with two decimals, timex and collector durations as full-precision
// floats, and the many constants (sizes, limits, info metrics). Nothing is rounded or smoothed to
// please a compressor. Timestamps are the scrape start: a fixed per-host offset inside the 15 s
// interval plus 0..jitter ms of scheduling noise.

import type { Labels } from "../src/model/labels/index.ts";
import { labelsFromRecord } from "../src/model/labels/index.ts";

export const STEP_MS = 15_000;

/** Rng is a seeded sfc32 generator with a cached Box-Muller normal. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = NaN;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }
  /** next returns a uniform float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  /** range returns a uniform float in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** int returns a uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo + 1) * this.next());
  }
  /** gauss returns a standard normal variate. */
  gauss(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Kind is how one series' value evolves from scrape to scrape. */
const enum Kind {
  /** value = a. */
  Const,
  /** integer counter x; with probability c it grows by round(a·diurnal·lognormal(b)); value = x/d. */
  Counter,
  /** float counter x (full precision); with probability c it grows by a·lognormal(b). */
  FloatCounter,
  /** integer gauge x; with probability c, x += round(b·N + 0.05·(mean − x)); value = x·d. */
  Walk,
  /** ewma y of max(0, a + b·N) with weight c; value = y rounded to 2 decimals. */
  Ewma,
  /** full-precision noise: with probability c, value = a·lognormal(b); else unchanged. */
  Noise,
  /** wall-clock seconds of the scrape with ns digits; with probability c (else unchanged). */
  Time,
  /** discrete uniform: with probability c, value = d·round(uniform(a, b)); else unchanged. */
  Choice,
}

/** SeriesDef is one series' identity and value model before compilation. */
interface SeriesDef {
  readonly labels: Record<string, string>;
  readonly kind: Kind;
  readonly counter: boolean;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly x0: number;
  readonly diurnal: boolean;
}

/** Dataset holds every sample of the synthetic set in memory, step-major. */
export interface Dataset {
  readonly numSeries: number;
  readonly numHosts: number;
  readonly steps: number;
  readonly labels: Labels[];
  readonly metricNames: string[];
  /** isCounter[s]: the series is a counter (for the OpenMetrics TYPE line). */
  readonly isCounter: Uint8Array;
  /** host[s]: index of the host the series belongs to. */
  readonly host: Int32Array;
  /** hostStart[h]..hostStart[h+1]: the series of host h. */
  readonly hostStart: Int32Array;
  /** ts[k * numHosts + h]: scrape timestamp (ms) of host h at step k. */
  readonly ts: Float64Array;
  /** vals[k * numSeries + s]: value of series s at step k. */
  readonly vals: Float64Array;
}

export interface SynthOptions {
  readonly series: number;
  readonly steps: number;
  /** endMs: the last scrape happens at or before this instant. */
  readonly endMs: number;
  readonly jitterMs: number;
  readonly seed: number;
}

const DAY_S = 86_400;
const TICKS_PER_STEP = 100 * (STEP_MS / 1000); // USER_HZ ticks per CPU per scrape interval

/** hostSeries returns the series of one node_exporter target, in exposition order. */
function hostSeries(h: number, rng: Rng, bootS: number, nowS: number): SeriesDef[] {
  const instance = `host-${h}:9100`;
  const out: SeriesDef[] = [];
  const uptimeSteps = (nowS - bootS) / (STEP_MS / 1000);
  const add = (
    name: string,
    extra: Record<string, string>,
    kind: Kind,
    p: Partial<Omit<SeriesDef, "labels" | "kind">> = {},
  ): void => {
    const counter = p.counter ?? (kind === Kind.Counter || kind === Kind.FloatCounter);
    let x0 = p.x0 ?? (kind === Kind.Walk ? (p.a ?? 0) : 0);
    if (p.x0 === undefined && kind === Kind.Counter) {
      // A counter has been counting since boot at roughly its current rate.
      x0 = Math.round((p.a ?? 0) * (p.c ?? 1) * uptimeSteps * rng.range(0.7, 1.3));
    }
    out.push({
      labels: { __name__: name, instance, job: "node", ...extra },
      kind,
      counter,
      a: p.a ?? 0,
      b: p.b ?? 0,
      c: p.c ?? 1,
      d: p.d ?? 1,
      x0,
      diurnal: p.diurnal ?? false,
    });
  };
  const konst = (name: string, extra: Record<string, string>, v: number, counter = false) =>
    add(name, extra, Kind.Const, { a: v, counter });
  // A counter of integer events: rate per scrape, relative noise, activity probability, divisor.
  const counter = (
    name: string,
    extra: Record<string, string>,
    rate: number,
    noise: number,
    p = 1,
    div = 1,
    diurnal = true,
  ) => add(name, extra, Kind.Counter, { a: rate, b: noise, c: p, d: div, diurnal });
  // A gauge in integer units of `unit` bytes around `mean` units.
  const walk = (
    name: string,
    extra: Record<string, string>,
    mean: number,
    sigma: number,
    p: number,
    unit = 1,
  ) =>
    add(name, extra, Kind.Walk, {
      a: Math.round(mean),
      b: sigma,
      c: p,
      d: unit,
      x0: Math.round(mean * rng.range(0.95, 1.05)),
    });

  const cpus = [4, 8, 8, 16, 2, 8, 4, 12][h % 8]!;
  const util = rng.range(0.03, 0.45);
  const memKb = [8, 16, 16, 32, 64][h % 5]! * 1024 * 1024;

  // --- cpu (node_cpu_seconds_total, guest, cpufreq, schedstat, softnet) -----------------------
  for (let c = 0; c < cpus; c++) {
    const cpu = String(c);
    const f = rng.range(0.6, 1.4) * util;
    const user = TICKS_PER_STEP * f * 0.65;
    const system = TICKS_PER_STEP * f * 0.22;
    const iowait = TICKS_PER_STEP * rng.range(0.001, 0.02);
    const softirq = TICKS_PER_STEP * f * 0.03;
    const steal = TICKS_PER_STEP * rng.range(0, 0.01);
    const idle = TICKS_PER_STEP - user - system - iowait - softirq - steal;
    const cs = (mode: string, rate: number, noise: number, p = 1, diurnal = true) =>
      counter("node_cpu_seconds_total", { cpu, mode }, rate, noise, p, 100, diurnal);
    cs("idle", idle, 0.02, 1, false);
    cs("iowait", iowait, 0.6, 0.8);
    cs("irq", 0.5, 0.8, 0.3);
    cs("nice", 2, 0.8, 0.05);
    cs("softirq", softirq, 0.5);
    cs("steal", steal, 0.8, 0.5);
    cs("system", system, 0.3);
    cs("user", user, 0.3);
    konst("node_cpu_guest_seconds_total", { cpu, mode: "guest" }, 0, true);
    konst("node_cpu_guest_seconds_total", { cpu, mode: "guest_nice" }, 0, true);
    add("node_cpu_scaling_frequency_hertz", { cpu }, Kind.Choice, {
      a: 800_000,
      b: 3_400_000,
      c: 0.9,
      d: 1000,
    });
    konst("node_cpu_scaling_frequency_max_hertz", { cpu }, 3_400_000_000);
    konst("node_cpu_scaling_frequency_min_hertz", { cpu }, 800_000_000);
    // schedstat reports nanoseconds.
    counter("node_schedstat_running_seconds_total", { cpu }, 15e9 * f, 0.3, 1, 1e9);
    counter("node_schedstat_waiting_seconds_total", { cpu }, 15e9 * f * 0.05, 0.8, 1, 1e9);
    counter("node_schedstat_timeslices_total", { cpu }, 15 * 800 * (f + 0.05), 0.3);
    counter("node_softnet_processed_total", { cpu }, 15 * 300 * (f + 0.05), 0.4);
    counter("node_softnet_dropped_total", { cpu }, 1, 0.5, 0.001);
    counter("node_softnet_times_squeezed_total", { cpu }, 1, 0.5, 0.02);
  }
  // hwmon: package and per-core temperatures (whole degrees from coretemp), limits.
  for (let i = 0; i <= cpus / 2; i++) {
    const sensor = `temp${i + 1}`;
    const chip = "platform_coretemp_0";
    walk("node_hwmon_temp_celsius", { chip, sensor }, 40 + 30 * util, 1.2, 0.5);
    konst("node_hwmon_temp_crit_celsius", { chip, sensor }, 100);
    konst("node_hwmon_temp_max_celsius", { chip, sensor }, 84);
  }

  // --- load, processes, misc stat -------------------------------------------------------------
  add("node_load1", {}, Kind.Ewma, { a: cpus * util, b: cpus * util * 0.8, c: 0.22 });
  add("node_load5", {}, Kind.Ewma, { a: cpus * util, b: cpus * util * 0.8, c: 0.049 });
  add("node_load15", {}, Kind.Ewma, { a: cpus * util, b: cpus * util * 0.8, c: 0.0165 });
  konst("node_boot_time_seconds", {}, bootS);
  add("node_time_seconds", {}, Kind.Time, { c: 1 });
  counter("node_context_switches_total", {}, 15 * 3000 * cpus * (util + 0.1), 0.25);
  counter("node_intr_total", {}, 15 * 2000 * cpus * (util + 0.1), 0.25);
  counter("node_forks_total", {}, 15 * 8, 0.6);
  walk("node_procs_running", {}, 1 + cpus * util, 1.5, 0.8);
  walk("node_procs_blocked", {}, 0, 0.4, 0.1);
  konst("node_entropy_available_bits", {}, 256);
  konst("node_entropy_pool_size_bits", {}, 256);
  walk("node_filefd_allocated", {}, 3000 + 2000 * util, 20, 0.9);
  konst("node_filefd_maximum", {}, 2 ** 63); // 9223372036854775807 as a float64
  walk("node_nf_conntrack_entries", {}, 400 + 3000 * util, 25, 0.95);
  konst("node_nf_conntrack_entries_limit", {}, 262144);
  konst(
    "node_uname_info",
    {
      domainname: "(none)",
      machine: "x86_64",
      nodename: `host-${h}`,
      release: "6.1.0-28-amd64",
      sysname: "Linux",
      version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)",
    },
    1,
  );
  konst("node_os_info", { id: "debian", name: "Debian GNU/Linux", version_id: "12" }, 1);
  konst("node_exporter_build_info", { goversion: "go1.22.8", version: "1.8.2" }, 1);
  for (const res of ["cpu", "io", "memory"]) {
    counter(`node_pressure_${res}_waiting_seconds_total`, {}, 15e6 * util * 0.02, 0.8, 0.9, 1e6);
    if (res !== "cpu")
      counter(`node_pressure_${res}_stalled_seconds_total`, {}, 15e6 * util * 0.005, 1, 0.5, 1e6);
  }

  // --- memory (/proc/meminfo in kB, exported in bytes) ----------------------------------------
  const kb = (name: string, mean: number, sigma: number, p: number) =>
    walk(`node_memory_${name}_bytes`, {}, mean / 4, sigma, p, 4096);
  const kbConst = (name: string, v: number) =>
    konst(`node_memory_${name}_bytes`, {}, Math.round(v) * 1024);
  const used = memKb * (0.25 + util);
  kbConst("MemTotal", memKb);
  kb("MemFree", memKb * 0.15, 300, 0.98);
  kb("MemAvailable", memKb - used, 300, 0.98);
  kb("Buffers", memKb * 0.01, 5, 0.5);
  kb("Cached", memKb * 0.4, 150, 0.95);
  kb("SwapCached", 0, 0, 0);
  kb("Active", used * 0.6, 120, 0.95);
  kb("Inactive", memKb * 0.3, 120, 0.95);
  kb("Active_anon", used * 0.4, 80, 0.9);
  kb("Inactive_anon", memKb * 0.02, 20, 0.5);
  kb("Active_file", used * 0.2, 80, 0.9);
  kb("Inactive_file", memKb * 0.28, 80, 0.9);
  kbConst("Unevictable", 0);
  kbConst("Mlocked", 0);
  kbConst("SwapTotal", 0);
  kbConst("SwapFree", 0);
  kb("Dirty", 2000, 100, 0.95);
  kb("Writeback", 0, 1, 0.05);
  kb("AnonPages", used * 0.4, 80, 0.9);
  kb("Mapped", memKb * 0.03, 10, 0.6);
  kb("Shmem", memKb * 0.005, 2, 0.3);
  kb("KReclaimable", memKb * 0.03, 10, 0.7);
  kb("Slab", memKb * 0.05, 12, 0.8);
  kb("SReclaimable", memKb * 0.03, 10, 0.7);
  kb("SUnreclaim", memKb * 0.02, 5, 0.7);
  kb("KernelStack", 12000, 2, 0.5);
  kb("PageTables", memKb * 0.003, 4, 0.7);
  kbConst("NFS_Unstable", 0);
  kbConst("Bounce", 0);
  kbConst("WritebackTmp", 0);
  kbConst("CommitLimit", memKb / 2);
  kb("Committed_AS", used * 1.5, 200, 0.9);
  kbConst("VmallocTotal", 34359738367);
  kb("VmallocUsed", 40000, 5, 0.3);
  kbConst("VmallocChunk", 0);
  kbConst("Percpu", 1000 * cpus);
  kbConst("HardwareCorrupted", 0);
  walk("node_memory_AnonHugePages_bytes", {}, (used * 0.05) / 2048, 1, 0.05, 2097152);
  kbConst("ShmemHugePages", 0);
  kbConst("ShmemPmdMapped", 0);
  kbConst("FileHugePages", 0);
  kbConst("FilePmdMapped", 0);
  konst("node_memory_HugePages_Total", {}, 0);
  konst("node_memory_HugePages_Free", {}, 0);
  konst("node_memory_HugePages_Rsvd", {}, 0);
  konst("node_memory_HugePages_Surp", {}, 0);
  kbConst("Hugepagesize", 2048);
  kbConst("Hugetlb", 0);
  kbConst("DirectMap4k", 300000 + h * 4);
  kbConst("DirectMap2M", memKb * 0.6);
  kbConst("DirectMap1G", memKb * 0.4);

  // --- vmstat, sockstat, netstat --------------------------------------------------------------
  counter("node_vmstat_pgpgin", {}, 15 * 50, 1.2, 0.6);
  counter("node_vmstat_pgpgout", {}, 15 * 400 * (util + 0.1), 0.5);
  counter("node_vmstat_pswpin", {}, 0, 0, 0);
  counter("node_vmstat_pswpout", {}, 0, 0, 0);
  counter("node_vmstat_pgfault", {}, 15 * 20000 * (util + 0.05), 0.4);
  counter("node_vmstat_pgmajfault", {}, 2, 1, 0.1);
  counter("node_vmstat_oom_kill", {}, 1, 0, 0.0001);
  const sock = (name: string, mean: number, sigma: number, p: number) =>
    walk(`node_sockstat_${name}`, {}, mean, sigma, p);
  sock("sockets_used", 600 + 1500 * util, 8, 0.9);
  sock("TCP_inuse", 50 + 400 * util, 4, 0.9);
  sock("TCP_orphan", 0, 0.5, 0.1);
  sock("TCP_tw", 100 + 800 * util, 15, 0.95);
  sock("TCP_alloc", 80 + 500 * util, 5, 0.9);
  sock("TCP_mem", 20 + 200 * util, 6, 0.9);
  walk("node_sockstat_TCP_mem_bytes", {}, 20 + 200 * util, 6, 0.9, 4096);
  sock("UDP_inuse", 8, 0.5, 0.05);
  sock("UDP_mem", 4, 1, 0.3);
  walk("node_sockstat_UDP_mem_bytes", {}, 4, 1, 0.3, 4096);
  sock("UDPLITE_inuse", 0, 0, 0);
  sock("RAW_inuse", 0, 0, 0);
  sock("FRAG_inuse", 0, 0, 0);
  sock("FRAG_memory", 0, 0, 0);
  sock("TCP6_inuse", 10 + 50 * util, 1, 0.5);
  sock("UDP6_inuse", 3, 0, 0);
  const net = (name: string, rate: number, noise: number, p = 1) =>
    counter(`node_netstat_${name}`, {}, rate, noise, p);
  const conns = 15 * 20 * (util + 0.05);
  net("Tcp_ActiveOpens", conns, 0.4);
  net("Tcp_PassiveOpens", conns * 0.8, 0.4);
  walk("node_netstat_Tcp_CurrEstab", {}, 40 + 300 * util, 3, 0.9);
  net("Tcp_InErrs", 1, 0.5, 0.01);
  net("Tcp_InSegs", conns * 60, 0.3);
  net("Tcp_OutSegs", conns * 70, 0.3);
  net("Tcp_RetransSegs", conns * 0.05, 1, 0.4);
  net("Tcp_OutRsts", conns * 0.1, 0.8, 0.6);
  net("Udp_InDatagrams", 15 * 5, 0.5);
  net("Udp_OutDatagrams", 15 * 5, 0.5);
  net("Udp_InErrors", 1, 0, 0);
  net("Udp_NoPorts", 1, 0.5, 0.05);
  net("Udp_RcvbufErrors", 1, 0, 0);
  net("Udp_SndbufErrors", 1, 0, 0);
  net("Udp6_InDatagrams", 2, 0.8, 0.3);
  net("Udp6_OutDatagrams", 2, 0.8, 0.3);
  net("Udp6_InErrors", 1, 0, 0);
  net("Udp6_NoPorts", 1, 0, 0);
  net("Udp6_RcvbufErrors", 1, 0, 0);
  net("Udp6_SndbufErrors", 1, 0, 0);
  net("UdpLite_InErrors", 1, 0, 0);
  net("UdpLite6_InErrors", 1, 0, 0);
  net("TcpExt_ListenDrops", 1, 0, 0.001);
  net("TcpExt_ListenOverflows", 1, 0, 0.001);
  net("TcpExt_SyncookiesFailed", 1, 0, 0);
  net("TcpExt_SyncookiesRecv", 1, 0, 0);
  net("TcpExt_SyncookiesSent", 1, 0, 0);
  net("TcpExt_TCPSynRetrans", 1.5, 0.8, 0.2);
  net("TcpExt_TCPTimeouts", 2, 0.8, 0.3);
  net("TcpExt_TCPOFOQueue", 3, 1, 0.3);
  net("Icmp_InMsgs", 1, 0.5, 0.2);
  net("Icmp_OutMsgs", 1, 0.5, 0.2);
  net("Icmp_InErrors", 1, 0, 0);
  net("Icmp6_InMsgs", 2, 0.5, 0.3);
  net("Icmp6_OutMsgs", 2, 0.5, 0.3);
  net("Icmp6_InErrors", 1, 0, 0);
  konst("node_netstat_Ip_Forwarding", {}, 1);
  net("IpExt_InOctets", conns * 60 * 900, 0.4);
  net("IpExt_OutOctets", conns * 70 * 1100, 0.4);
  net("Ip6_InOctets", 15 * 200, 0.8, 0.5);
  net("Ip6_OutOctets", 15 * 200, 0.8, 0.5);

  // --- network devices ------------------------------------------------------------------------
  const devs: [string, number][] = [
    ["eth0", 15 * 200_000 * (util + 0.05) * rng.range(0.3, 3)],
    ["eth1", 15 * 20_000 * rng.range(0.1, 2)],
    ["lo", 15 * 30_000 * (util + 0.05)],
    ["docker0", 15 * 5_000 * rng.range(0.1, 2)],
  ];
  for (const [device, bytesRate] of devs) {
    const d = { device };
    const pkt = rng.range(400, 1300);
    counter("node_network_receive_bytes_total", d, bytesRate, 0.5);
    counter("node_network_receive_packets_total", d, bytesRate / pkt, 0.5);
    counter("node_network_receive_errs_total", d, 1, 0, device === "lo" ? 0 : 0.001);
    counter("node_network_receive_drop_total", d, 2, 0.8, device === "lo" ? 0 : 0.05);
    counter("node_network_receive_fifo_total", d, 0, 0, 0);
    counter("node_network_receive_frame_total", d, 0, 0, 0);
    counter("node_network_receive_compressed_total", d, 0, 0, 0);
    counter("node_network_receive_multicast_total", d, 3, 0.5, device === "lo" ? 0 : 0.4);
    counter("node_network_transmit_bytes_total", d, bytesRate * rng.range(0.3, 1.5), 0.5);
    counter("node_network_transmit_packets_total", d, (bytesRate / pkt) * 0.9, 0.5);
    counter("node_network_transmit_errs_total", d, 0, 0, 0);
    counter("node_network_transmit_drop_total", d, 1, 0.5, 0.002);
    counter("node_network_transmit_fifo_total", d, 0, 0, 0);
    counter("node_network_transmit_colls_total", d, 0, 0, 0);
    counter("node_network_transmit_carrier_total", d, 0, 0, 0);
    counter("node_network_transmit_compressed_total", d, 0, 0, 0);
    konst("node_network_up", d, device === "docker0" ? 0 : 1);
    konst("node_network_carrier", d, 1);
    konst("node_network_mtu_bytes", d, device === "lo" ? 65536 : 1500);
    konst("node_network_speed_bytes", d, device === "lo" ? -1 : 125000000);
    konst("node_network_transmit_queue_length", d, device === "lo" ? 1000 : 1000);
    konst("node_network_flags", d, device === "lo" ? 9 : 4099);
    konst("node_network_carrier_changes_total", d, device === "lo" ? 0 : 2, true);
    konst(
      "node_network_info",
      {
        address: device === "lo" ? "00:00:00:00:00:00" : `52:54:00:${h % 256}:00:0${devs.length}`,
        broadcast: "ff:ff:ff:ff:ff:ff",
        duplex: device === "eth0" ? "full" : "",
        ifalias: "",
        operstate: device === "docker0" ? "down" : "up",
        device,
      },
      1,
    );
  }

  // --- block devices (sectors of 512 bytes, times in ms) --------------------------------------
  const disks: [string, number][] = [
    ["sda", rng.range(0.3, 3)],
    ["sdb", rng.range(0.05, 1)],
    ["dm-0", rng.range(0.3, 3)],
  ];
  for (const [device, w] of disks) {
    const d = { device };
    const wops = 15 * 30 * w * (util + 0.1);
    const rops = 15 * 2 * w;
    counter("node_disk_reads_completed_total", d, rops, 1, 0.5);
    counter("node_disk_reads_merged_total", d, rops * 0.2, 1, 0.2);
    counter("node_disk_read_bytes_total", d, rops * 16 * 512, 1, 0.5);
    counter("node_disk_read_time_seconds_total", d, rops * 0.4, 1, 0.5, 1000);
    counter("node_disk_writes_completed_total", d, wops, 0.5);
    counter("node_disk_writes_merged_total", d, wops * 0.6, 0.6);
    counter("node_disk_written_bytes_total", d, wops * 24 * 512, 0.6);
    counter("node_disk_write_time_seconds_total", d, wops * 0.8, 0.6, 1, 1000);
    counter("node_disk_io_time_seconds_total", d, wops * 0.5, 0.5, 1, 1000);
    counter("node_disk_io_time_weighted_seconds_total", d, wops * 1.1, 0.6, 1, 1000);
    walk("node_disk_io_now", d, 0, 0.6, 0.15);
    counter("node_disk_discards_completed_total", d, 5, 0.5, 0.002);
    counter("node_disk_discards_merged_total", d, 0, 0, 0);
    counter("node_disk_discarded_sectors_total", d, 50000, 0.5, 0.002);
    counter("node_disk_discard_time_seconds_total", d, 30, 0.5, 0.002, 1000);
    counter("node_disk_flush_requests_total", d, 15 * 2 * w, 0.5, 0.9);
    counter("node_disk_flush_requests_time_seconds_total", d, 15 * w, 0.8, 0.9, 1000);
  }

  // --- filesystems (statfs: 4 KiB blocks, inode counts) ---------------------------------------
  const fss: [string, string, string, number, number][] = [
    ["/dev/mapper/vg-root", "ext4", "/", 100e9, 0.95],
    ["/dev/sda1", "ext4", "/boot", 1e9, 0.001],
    ["tmpfs", "tmpfs", "/run", memKb * 102.4, 0.6],
    ["/dev/sdb1", "xfs", "/var/lib/docker", 500e9, 0.9],
  ];
  for (const [device, fstype, mountpoint, size, activity] of fss) {
    const l = { device, fstype, mountpoint };
    const blocks = Math.round(size / 4096);
    const free = Math.round(blocks * rng.range(0.2, 0.8));
    const reserved = fstype === "ext4" ? Math.round(blocks * 0.05) : 0;
    walk("node_filesystem_free_bytes", l, free, 40, activity, 4096);
    walk("node_filesystem_avail_bytes", l, free - reserved, 40, activity, 4096);
    konst("node_filesystem_size_bytes", l, blocks * 4096);
    const files = Math.round(size / 16384);
    konst("node_filesystem_files", l, files);
    walk("node_filesystem_files_free", l, files * 0.9, 3, activity * 0.5);
    konst("node_filesystem_readonly", l, 0);
    konst("node_filesystem_device_error", l, 0);
  }

  // --- timex ----------------------------------------------------------------------------------
  add("node_timex_offset_seconds", {}, Kind.Noise, { a: 2e-5, b: 1, c: 1 });
  add("node_timex_frequency_adjustment_ratio", {}, Kind.Noise, { a: 1.0000123, b: 1e-7, c: 1 });
  add("node_timex_estimated_error_seconds", {}, Kind.Walk, { a: 500, b: 40, c: 0.8, d: 1e-6 });
  add("node_timex_maxerror_seconds", {}, Kind.Walk, { a: 300000, b: 4000, c: 1, d: 1e-6 });
  konst("node_timex_sync_status", {}, 1);
  konst("node_timex_status", {}, 8193);
  konst("node_timex_tai_offset_seconds", {}, 0);
  konst("node_timex_loop_time_constant", {}, 7);
  konst("node_timex_tick_seconds", {}, 0.01);
  for (const pps of ["calibration", "error", "jitter", "stability_exceeded"])
    konst(`node_timex_pps_${pps}_total`, {}, 0, true);
  for (const pps of ["frequency_hertz", "jitter_seconds", "shift_seconds", "stability_hertz"])
    konst(`node_timex_pps_${pps}`, {}, 0);

  // --- per-collector scrape stats -------------------------------------------------------------
  // prettier-ignore
  const collectors = [
    "arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi",
    "edac", "entropy", "fibrechannel", "filefd", "filesystem", "hwmon", "infiniband", "ipvs",
    "loadavg", "mdadm", "meminfo", "netclass", "netdev", "netstat", "nfs", "nfsd", "nvme", "os",
    "powersupplyclass", "pressure", "rapl", "schedstat", "selinux", "sockstat", "softnet",
    "stat", "tapestats", "textfile", "thermal_zone", "time", "timex", "udp_queues", "uname",
    "vmstat", "watchdog", "xfs", "zfs",
  ];
  for (const collector of collectors) {
    const base = rng.range(2e-5, 5e-3);
    add("node_scrape_collector_duration_seconds", { collector }, Kind.Noise, {
      a: base,
      b: 0.35,
      c: 1,
    });
    konst("node_scrape_collector_success", { collector }, 1);
  }
  konst("node_textfile_scrape_error", {}, 0);

  // --- the exporter's own Go runtime and process metrics --------------------------------------
  const gc = 0.3; // probability that a GC ran since the last scrape
  for (const quantile of ["0", "0.25", "0.5", "0.75", "1"]) {
    const q = Number(quantile);
    add("go_gc_duration_seconds", { quantile }, Kind.Noise, {
      a: 3e-5 * (1 + 3 * q),
      b: 0.4,
      c: gc,
    });
  }
  add("go_gc_duration_seconds_sum", {}, Kind.FloatCounter, { a: 5e-5, b: 0.5, c: gc, x0: 3.2 });
  counter("go_gc_duration_seconds_count", {}, 1, 0, gc, 1, false);
  walk("go_goroutines", {}, 9, 1, 0.5);
  konst("go_info", { version: "go1.22.8" }, 1);
  const heap = 4e6;
  add("go_memstats_alloc_bytes", {}, Kind.Walk, { a: heap, b: 6e5, c: 1, x0: heap });
  counter("go_memstats_alloc_bytes_total", {}, 2.5e6, 0.2, 1, 1, false);
  konst("go_memstats_buck_hash_sys_bytes", {}, 1456789);
  counter("go_memstats_frees_total", {}, 25000, 0.2, 1, 1, false);
  walk("go_memstats_gc_sys_bytes", {}, 3.4e6, 2000, 0.05);
  add("go_memstats_heap_alloc_bytes", {}, Kind.Walk, { a: heap, b: 6e5, c: 1, x0: heap });
  walk("go_memstats_heap_idle_bytes", {}, 4e6 / 8192, 30, 0.4, 8192);
  walk("go_memstats_heap_inuse_bytes", {}, 6e6 / 8192, 30, 0.4, 8192);
  walk("go_memstats_heap_objects", {}, 30000, 3000, 1);
  walk("go_memstats_heap_released_bytes", {}, 3e6 / 8192, 30, 0.4, 8192);
  walk("go_memstats_heap_sys_bytes", {}, 1.2e7 / 8192, 1, 0.02, 8192);
  add("go_memstats_last_gc_time_seconds", {}, Kind.Time, { c: gc });
  counter("go_memstats_lookups_total", {}, 0, 0, 0);
  counter("go_memstats_mallocs_total", {}, 26000, 0.2, 1, 1, false);
  walk("go_memstats_mcache_inuse_bytes", {}, 9600 / 16, 0, 0, 16);
  konst("go_memstats_mcache_sys_bytes", {}, 15600);
  walk("go_memstats_mspan_inuse_bytes", {}, 1.5e5 / 80, 10, 0.5, 80);
  walk("go_memstats_mspan_sys_bytes", {}, 2.1e5 / 16320, 0.3, 0.02, 16320);
  walk("go_memstats_next_gc_bytes", {}, 8e6, 1e5, gc);
  walk("go_memstats_other_sys_bytes", {}, 1.2e6, 2000, 0.3);
  walk("go_memstats_stack_inuse_bytes", {}, 1.1e6 / 32768, 1, 0.3, 32768);
  walk("go_memstats_stack_sys_bytes", {}, 1.1e6 / 32768, 1, 0.1, 32768);
  walk("go_memstats_sys_bytes", {}, 2.4e7 / 4096, 2, 0.05, 4096);
  walk("go_threads", {}, cpus + 3, 0.3, 0.01);
  counter("process_cpu_seconds_total", {}, 1.5 + cpus * 0.2, 0.5, 1, 100, false);
  konst("process_max_fds", {}, 1048576);
  walk("process_open_fds", {}, 10, 0.7, 0.3);
  walk("process_resident_memory_bytes", {}, 2.2e7 / 4096, 60, 0.9, 4096);
  konst("process_start_time_seconds", {}, Math.round((bootS + 40) * 100) / 100);
  walk("process_virtual_memory_bytes", {}, 1.3e9 / 4096, 200, 0.1, 4096);
  konst("process_virtual_memory_max_bytes", {}, 2 ** 64);
  konst("promhttp_metric_handler_errors_total", { cause: "encoding" }, 0, true);
  konst("promhttp_metric_handler_errors_total", { cause: "gathering" }, 0, true);
  konst("promhttp_metric_handler_requests_in_flight", {}, 1);
  counter("promhttp_metric_handler_requests_total", { code: "200" }, 1, 0, 1, 1, false);
  counter("promhttp_metric_handler_requests_total", { code: "500" }, 0, 0, 0);
  counter("promhttp_metric_handler_requests_total", { code: "503" }, 0, 0, 0);

  // --- series Prometheus adds per scrape ------------------------------------------------------
  const n = out.length + 5;
  konst("up", {}, 1);
  add("scrape_duration_seconds", {}, Kind.Noise, { a: 0.03 + 0.002 * cpus, b: 0.25, c: 1 });
  konst("scrape_samples_scraped", {}, n - 5);
  konst("scrape_samples_post_metric_relabeling", {}, n - 5);
  konst("scrape_series_added", {}, 0);
  return out;
}

/**
 * generate builds the dataset: hosts are added until `series` series exist (the last host may
 * be cut short), then every series is stepped through `steps` scrapes.
 */
export function generate(o: SynthOptions): Dataset {
  const rng = new Rng(o.seed);
  const endStep = Math.floor(o.endMs / STEP_MS) * STEP_MS - STEP_MS;
  const startMs = endStep - (o.steps - 1) * STEP_MS;
  const nowS = startMs / 1000;
  const defs: SeriesDef[] = [];
  const hostStart: number[] = [];
  for (let h = 0; defs.length < o.series; h++) {
    hostStart.push(defs.length);
    const bootS = Math.round(nowS - rng.range(3, 90) * DAY_S);
    for (const d of hostSeries(h, rng, bootS, nowS)) {
      if (defs.length < o.series) defs.push(d);
    }
  }
  const H = hostStart.length;
  hostStart.push(defs.length);
  const N = defs.length;
  const S = o.steps;

  const host = new Int32Array(N);
  for (let h = 0; h < H; h++) host.fill(h, hostStart[h]!, hostStart[h + 1]!);
  const kind = new Uint8Array(N);
  const a = new Float64Array(N);
  const b = new Float64Array(N);
  const c = new Float64Array(N);
  const d = new Float64Array(N);
  const x = new Float64Array(N);
  const last = new Float64Array(N);
  const diurnal = new Uint8Array(N);
  const isCounter = new Uint8Array(N);
  const labels: Labels[] = [];
  const metricNames: string[] = [];
  defs.forEach((def, s) => {
    kind[s] = def.kind;
    a[s] = def.a;
    b[s] = def.b;
    c[s] = def.c;
    d[s] = def.d;
    x[s] = def.x0;
    diurnal[s] = def.diurnal ? 1 : 0;
    isCounter[s] = def.counter ? 1 : 0;
    labels.push(labelsFromRecord(def.labels));
    metricNames.push(def.labels.__name__!);
  });

  // Scrape timestamps: a fixed phase per host, plus 0..jitter ms.
  const ts = new Float64Array(S * H);
  const phase = Array.from({ length: H }, () => rng.int(0, STEP_MS - 1000));
  const dayPhase = Array.from({ length: H }, () => rng.range(0, 2 * Math.PI));
  for (let k = 0; k < S; k++) {
    for (let h = 0; h < H; h++) {
      ts[k * H + h] = startMs + k * STEP_MS + phase[h]! + rng.int(0, o.jitterMs);
    }
  }

  const vals = new Float64Array(S * N);
  const diurnalF = new Float64Array(H);
  for (let k = 0; k < S; k++) {
    for (let h = 0; h < H; h++) {
      const tDay = ((startMs + k * STEP_MS) / 1000 / DAY_S) * 2 * Math.PI;
      diurnalF[h] = 1 + 0.5 * Math.sin(tDay + dayPhase[h]!);
    }
    const row = k * N;
    for (let s = 0; s < N; s++) {
      let v: number;
      switch (kind[s] as Kind) {
        case Kind.Const:
          v = a[s]!;
          break;
        case Kind.Counter: {
          if (k > 0 && rng.next() < c[s]!) {
            const bb = b[s]!;
            const rate = diurnal[s] ? a[s]! * diurnalF[host[s]!]! : a[s]!;
            const inc = bb === 0 ? rate : rate * Math.exp(bb * rng.gauss() - (bb * bb) / 2);
            x[s] = x[s]! + Math.max(0, Math.round(inc));
          }
          v = d[s] === 1 ? x[s]! : x[s]! / d[s]!;
          break;
        }
        case Kind.FloatCounter:
          if (k > 0 && rng.next() < c[s]!) {
            x[s] = x[s]! + a[s]! * Math.exp(b[s]! * rng.gauss());
          }
          v = x[s]!;
          break;
        case Kind.Walk:
          if (k > 0 && rng.next() < c[s]!) {
            const next = Math.round(x[s]! + b[s]! * rng.gauss() + 0.05 * (a[s]! - x[s]!));
            x[s] = Math.max(0, next);
          }
          // Units below one are divisors (µs → s), as the exporter divides.
          v = d[s] === 1 ? x[s]! : d[s]! < 1 ? x[s]! / Math.round(1 / d[s]!) : x[s]! * d[s]!;
          break;
        case Kind.Ewma: {
          const drive = Math.max(0, a[s]! + b[s]! * rng.gauss());
          x[s] = k === 0 ? a[s]! : x[s]! + c[s]! * (drive - x[s]!);
          v = Math.round(x[s]! * 100) / 100;
          break;
        }
        case Kind.Noise:
          v = k === 0 || rng.next() < c[s]! ? a[s]! * Math.exp(b[s]! * rng.gauss()) : last[s]!;
          break;
        case Kind.Time:
          v =
            k === 0 || rng.next() < c[s]!
              ? Math.round(ts[k * H + host[s]!]! * 1e6 + rng.int(0, 999_999)) / 1e9
              : last[s]!;
          break;
        case Kind.Choice:
          v = k === 0 || rng.next() < c[s]! ? d[s]! * rng.int(a[s]!, b[s]!) : last[s]!;
          break;
      }
      last[s] = v;
      vals[row + s] = v;
    }
  }
  return {
    numSeries: N,
    numHosts: H,
    steps: S,
    labels,
    metricNames,
    isCounter,
    host,
    hostStart: Int32Array.from(hostStart),
    ts,
    vals,
  };
}
