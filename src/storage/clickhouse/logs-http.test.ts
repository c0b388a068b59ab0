import { after, before } from "node:test";
import { runLogStoreSuite } from "../conformance/logs-suite.ts";
import { openHttpDriver } from "./http-driver.ts";
import { ClickHouseLogStore } from "./logs.ts";
import { openClickHouseStorage } from "./store.ts";
import type { ChdbHttpDouble } from "./testing/index.ts";
import { startChdbHttpDouble } from "./testing/index.ts";

// The log store over @clickhouse/client, against the HTTP test double on chDB.
let double: ChdbHttpDouble;
let seq = 0;

before(async () => {
  double = await startChdbHttpDouble({ user: "vigil", password: "s3cret" });
});
after(async () => {
  await double.stop();
});

runLogStoreSuite({
  name: "clickhouse (HTTP test double on chDB)",
  newStore: async () => {
    const driver = await openHttpDriver({
      url: double.url,
      username: "vigil",
      password: "s3cret",
      requestTimeoutMs: 30_000,
    });
    const opts = {
      engine: "clickhouse" as const,
      database: `vigil_logs_http_${++seq}`,
      retentionMs: 60 * 86_400_000,
      batchMaxRows: 10_000,
      batchMaxDelayMs: 20,
    };
    const storage = await openClickHouseStorage(driver, opts);
    const store = new ClickHouseLogStore(storage.drv, { ...opts, pageRows: 3000 });
    await store.open();
    return {
      store,
      close: async () => {
        await store.close();
        await storage.close();
      },
    };
  },
});
