// Test support: locate the reference binaries (prometheus, promtool, alertmanager, amtool,
// pushgateway, node_exporter, blackbox_exporter), find free ports, run a peer process for the
// duration of a test and wait for it to answer. Only tests and benchmarks import this module.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";

const GET_PEERS = new URL("../../../shared/peers/get-peers.sh", import.meta.url).pathname;
let peersDir: string | null | undefined;

/**
 * peersBin returns the folder holding the reference binaries: $VIGIL_PEERS_BIN (set by .ci/run),
 * the download cache, or what ../shared/peers/get-peers.sh prints; undefined when unavailable.
 */
export function peersBin(): string | undefined {
  if (peersDir !== undefined) return peersDir ?? undefined;
  const candidates = [process.env.VIGIL_PEERS_BIN, join(homedir(), ".cache/vigil-peers/bin")];
  for (const c of candidates) {
    if (c && existsSync(join(c, "prometheus"))) return (peersDir = c);
  }
  peersDir = null;
  if (existsSync(GET_PEERS)) {
    const r = spawnSync("bash", [GET_PEERS], { encoding: "utf8", timeout: 600_000 });
    const dir = r.stdout?.trim().split("\n").pop();
    if (r.status === 0 && dir && existsSync(dir)) peersDir = dir;
  }
  return peersDir ?? undefined;
}

/** peerPath returns the path of one reference binary, or undefined. */
export function peerPath(name: string): string | undefined {
  const dir = peersBin();
  if (!dir) return undefined;
  const p = join(dir, name);
  return existsSync(p) ? p : undefined;
}

/** freePort asks the kernel for an unused TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** PeerProcess is a running reference binary; `output` keeps its last stderr/stdout lines. */
export interface PeerProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** startPeer runs `bin args` with output captured; stop() sends SIGTERM, then SIGKILL. */
export function startPeer(bin: string, args: string[], cwd?: string): PeerProcess {
  const child = spawn(bin, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** waitFor polls fn until it returns a value other than undefined, or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * alertmanagerReady makes the Debian build of alertmanager startable from the unpacked peers:
 * Debian patches it to read its default templates from /usr/share/prometheus/alertmanager,
 * which get-peers.sh unpacks under its own root instead. This links that directory into place
 * when it is missing (needs write access to /usr/share) and returns an explanation when it
 * cannot, undefined when alertmanager can start.
 */
export function alertmanagerReady(): string | undefined {
  const want = "/usr/share/prometheus/alertmanager";
  if (existsSync(join(want, "default.tmpl"))) return undefined;
  const bin = peerPath("alertmanager");
  if (!bin) return "alertmanager binary not found";
  // bin is DEST/bin/alertmanager -> DEST/root/usr/bin/prometheus-alertmanager
  const unpacked = join(realpathSync(bin), "../../share/prometheus/alertmanager");
  if (!existsSync(join(unpacked, "default.tmpl"))) return `no default.tmpl under ${unpacked}`;
  try {
    mkdirSync("/usr/share/prometheus", { recursive: true });
    symlinkSync(unpacked, want);
    return undefined;
  } catch (err) {
    return `alertmanager needs its templates in ${want}: ${(err as Error).message}`;
  }
}
