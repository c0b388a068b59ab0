// Starts chdb-http-server.ts in a child process (chDB binds one data directory per process, so
// the double cannot share the test runner's process) and hands back its URL.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Options for {@link startChdbHttpDouble}. */
export interface ChdbHttpDoubleOptions {
  /** chDB data directory; a fresh temporary one (removed on stop) when omitted. */
  dataDir?: string;
  /** Require these credentials (basic auth or X-ClickHouse-User/Key); anything goes when unset. */
  user?: string;
  /** Password for {@link user}; empty when omitted. */
  password?: string;
}

/** A running double. */
export interface ChdbHttpDouble {
  /** Base URL for `createClient({ url })`, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The port the double listens on (127.0.0.1). */
  port: number;
  /** The chDB data directory in use. */
  dataDir: string;
  /** Stops the child (SIGTERM, SIGKILL after 5 s) and removes a temporary data directory. */
  stop(): Promise<void>;
}

const SERVER_SCRIPT = fileURLToPath(new URL("./chdb-http-server.ts", import.meta.url));
/** tsx's loader, resolved from here so the child does not depend on its working directory. */
const TSX_LOADER = import.meta.resolve("tsx");
const START_TIMEOUT_MS = 30_000;
const KILL_AFTER_MS = 5_000;

/**
 * Spawns the chDB-backed ClickHouse HTTP double and waits until it listens on 127.0.0.1.
 * Rejects (with the child's stderr) if it exits or has not started within 30 s.
 */
export async function startChdbHttpDouble(
  opts: ChdbHttpDoubleOptions = {},
): Promise<ChdbHttpDouble> {
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "vigil-chdouble-"));
  const removeDataDir = (): void => {
    if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const args = [
    "--import",
    TSX_LOADER,
    SERVER_SCRIPT,
    "--data-dir",
    dataDir,
    "--port",
    "0",
    "--exit-with-stdin",
  ];
  if (opts.user !== undefined) args.push("--user", opts.user, "--password", opts.password ?? "");
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    if (stderr.length > 64_000) stderr = stderr.slice(-64_000);
  });

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => {
        reject(
          new Error(`chDB HTTP double did not start within ${START_TIMEOUT_MS} ms\n${stderr}`),
        );
      }, START_TIMEOUT_MS);
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        stdout += chunk;
        const m = /^LISTENING (\d+)$/m.exec(stdout);
        if (m !== null) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `chDB HTTP double exited before listening (code ${code}, signal ${signal})\n${stderr}`,
          ),
        );
      });
    });
  } catch (e) {
    child.kill("SIGKILL");
    await exited;
    removeDataDir();
    throw e;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout.resume();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
        await exited;
        clearTimeout(timer);
      }
      child.stdin.destroy();
      removeDataDir();
    })();
    return stopping;
  };
  return { url: `http://127.0.0.1:${port}`, port, dataDir, stop };
}
