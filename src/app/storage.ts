import { join } from "node:path";
import type { StorageConfig } from "../config/index.ts";
import type { Storage, StorageMetrics } from "../storage/index.ts";
import { MemoryStorage } from "../storage/memory/index.ts";
import {
  openChdbDriver,
  openClickHouseStorage,
  openHttpDriver,
} from "../storage/clickhouse/index.ts";

/** EMBEDDED_DATABASE is the database that holds Vigil's tables inside the embedded engine. */
export const EMBEDDED_DATABASE = "vigil";

/**
 * openStorage opens the backend that `storage.engine` names. Only this module (and `app/`)
 * knows about ClickHouse (STYLE.md dependency direction). Errors are StorageErrors with a
 * one-line message naming the backend and location.
 */
export async function openStorage(cfg: StorageConfig, metrics: StorageMetrics): Promise<Storage> {
  const batch = {
    batchMaxRows: cfg.batchMaxRows,
    batchMaxDelayMs: cfg.batchMaxDelayMs,
    headDurationMs: cfg.headDurationMs,
    headMaxSamples: cfg.headMaxSamples,
    walDir: join(cfg.dataDir, "wal"),
    flushIntervalMs: cfg.flushIntervalMs,
    // Log commits are logged too unless flushing is switched off (flush_interval: 0).
    logWalDir: cfg.flushIntervalMs > 0 ? join(cfg.dataDir, "wal-logs") : undefined,
    metrics,
  };
  switch (cfg.engine) {
    case "memory":
      return new MemoryStorage();
    case "embedded":
      return openClickHouseStorage(await openChdbDriver(cfg.dataDir), {
        engine: "embedded",
        database: EMBEDDED_DATABASE,
        retentionMs: cfg.retentionMs,
        logsRetentionMs: cfg.logsRetentionMs,
        ...batch,
      });
    case "clickhouse": {
      const ch = cfg.clickhouse;
      if (!ch) throw new Error("storage.clickhouse is required when storage.engine is clickhouse");
      const driver = await openHttpDriver({
        url: ch.url,
        username: ch.username,
        password: ch.password,
        requestTimeoutMs: ch.requestTimeoutMs,
        cluster: ch.cluster,
      });
      try {
        return await openClickHouseStorage(driver, {
          engine: "clickhouse",
          database: ch.database,
          cluster: ch.cluster,
          retentionMs: cfg.retentionMs,
          logsRetentionMs: cfg.logsRetentionMs,
          ...batch,
        });
      } catch (err) {
        await driver.close();
        throw err;
      }
    }
  }
}
