// Child process for crash.test.ts: appends batches to embedded storage as fast as it can, with
// several commits in flight, and prints `ACK <batch>` on stdout after each commit resolves.
// The test kills it with SIGKILL at a random moment and then checks every acknowledged batch.
// With a third argument `wal`, the storage runs with a head and the write-ahead log (wal.ts),
// flushing to ClickHouse every 200ms, so that the kill finds segments both written and not.
import { join } from "node:path";
import { labelsFromRecord } from "../../../model/labels/index.ts";
import { openChdbDriver } from "../chdb-driver.ts";
import { openClickHouseStorage } from "../store.ts";

const [dataDir, t0Arg, mode] = process.argv.slice(2);
if (!dataDir || !t0Arg) throw new Error("usage: append-worker DATA_DIR T0_MS [wal]");
const T0 = Number(t0Arg);
export const SAMPLES_PER_BATCH = 500;

const storage = await openClickHouseStorage(await openChdbDriver(dataDir), {
  engine: "embedded",
  database: "vigil",
  retentionMs: 30 * 86_400_000,
  batchMaxRows: 5_000,
  batchMaxDelayMs: 5,
  ...(mode === "wal" && {
    headDurationMs: 7_200_000,
    walDir: join(dataDir, "wal"),
    flushIntervalMs: 200,
  }),
});
process.stdout.write("READY\n");

const series = Array.from({ length: 10 }, (_, i) =>
  labelsFromRecord({ __name__: "crash_test_samples", shard: String(i) }),
);
let next = 0;
async function writer(): Promise<void> {
  for (;;) {
    const batch = next++;
    const app = storage.appender();
    for (let k = 0; k < SAMPLES_PER_BATCH; k++) {
      // Batch b owns timestamps T0 + b*SAMPLES_PER_BATCH + k, spread over the shards.
      app.append(0, series[k % series.length]!, T0 + batch * SAMPLES_PER_BATCH + k, batch);
    }
    await app.commit();
    process.stdout.write(`ACK ${batch}\n`);
  }
}
await Promise.all([writer(), writer(), writer(), writer()]);
