// Helpers shared by the scrape tests: local HTTP servers, job configs, polling storage.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { stringify } from "yaml";
import { parseConfig } from "../../config/index.ts";
import type { ScrapeConfig } from "../../config/index.ts";
import { Matcher } from "../../model/labels/index.ts";
import type { Series } from "../../storage/index.ts";
import type { MemoryStorage } from "../../storage/memory/index.ts";
import { silentLogger } from "../../util/logging/index.ts";
import { ScrapeManager } from "../index.ts";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** serve starts an HTTP server on 127.0.0.1 and a free port. */
export async function serve(handler: Handler): Promise<{ addr: string; close(): Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    addr: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** job parses one scrape_configs entry (snake_case keys) with job_name "test". */
export function job(o: Record<string, unknown> = {}): ScrapeConfig {
  const text = stringify({ scrape_configs: [{ job_name: "test", ...o }] });
  return parseConfig(text, "/tmp/vigil.yml").scrapeConfigs[0]!;
}

/** startScraping runs a manager for cfg against the given addresses. */
export async function startScraping(
  cfg: ScrapeConfig,
  addrs: string[],
  storage: MemoryStorage,
): Promise<ScrapeManager> {
  const m = new ScrapeManager({ storage, logger: silentLogger(), skipOffset: true });
  await m.applyConfig([cfg]);
  await m.sync(new Map([[cfg.jobName, [group(addrs)]]]));
  return m;
}

export function group(addrs: string[], labels: Record<string, string> = {}) {
  return { source: "0", targets: addrs.map((a) => ({ __address__: a })), labels };
}

export async function select(storage: MemoryStorage, name: string): Promise<Series[]> {
  return storage.querier(0, Date.now() + 3_600_000).select([new Matcher("=", "__name__", name)]);
}

/** lastValue returns the newest value of the only series named name. */
export async function lastValue(storage: MemoryStorage, name: string): Promise<number | undefined> {
  const s = await select(storage, name);
  if (s.length === 0) return undefined;
  const v = s[0]!.values;
  return v[v.length - 1];
}

export async function waitFor(
  cond: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}
