import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runStorageSuite } from "../conformance/index.ts";
import type { Storage } from "../interface.ts";
import { openHttpDriver } from "./http-driver.ts";
import { openClickHouseStorage } from "./store.ts";
import type { ChdbHttpDouble } from "./testing/index.ts";
import { startChdbHttpDouble } from "./testing/index.ts";

// The clickhouse backend talks to a ClickHouse server through @clickhouse/client. Here the
// server is the test double: ClickHouse's HTTP interface served by a child process on chDB.
let double: ChdbHttpDouble;
let seq = 0;
const dbOf = new WeakMap<Storage, string>();

async function open(database: string): Promise<Storage> {
  const driver = await openHttpDriver({
    url: double.url,
    username: "vigil",
    password: "s3cret",
    requestTimeoutMs: 30_000,
  });
  const s = await openClickHouseStorage(driver, {
    engine: "clickhouse",
    database,
    retentionMs: 60 * 86_400_000,
    batchMaxRows: 10_000,
    batchMaxDelayMs: 20,
  });
  dbOf.set(s, database);
  return s;
}

before(async () => {
  double = await startChdbHttpDouble({ user: "vigil", password: "s3cret" });
});
after(async () => {
  await double.stop();
});

runStorageSuite({
  name: "clickhouse (HTTP test double on chDB)",
  newStorage: () => open(`vigil_http_${++seq}`),
  reopen: async (s) => {
    const db = dbOf.get(s)!;
    await s.close();
    return open(db);
  },
});

describe("clickhouse backend errors", () => {
  it("names the URL when the server is unreachable", async () => {
    await assert.rejects(
      openHttpDriver({
        url: "http://127.0.0.1:1",
        username: "default",
        password: "",
        requestTimeoutMs: 2000,
      }),
      /cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it("reports rejected credentials", async () => {
    const driver = await openHttpDriver({
      url: double.url,
      username: "vigil",
      password: "wrong",
      requestTimeoutMs: 5000,
    }).catch((e: Error) => e);
    const err =
      driver instanceof Error
        ? driver
        : await driver.exec("SELECT 1").then(
            () => new Error("no error"),
            (e: Error) => e,
          );
    assert.match(err.message, /Authentication failed|AUTHENTICATION_FAILED|password/i);
  });
});
