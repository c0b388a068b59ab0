import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { labelsFromRecord } from "../../model/labels/index.ts";
import { runLogStoreSuite } from "../conformance/logs-suite.ts";
import { MemoryStorage } from "./index.ts";
import { MemoryLogStore } from "./logs.ts";

runLogStoreSuite({
  name: "memory",
  newStore: async () => ({ store: new MemoryLogStore({ batchRows: 1000 }), close: async () => {} }),
});

describe("MemoryStorage.logs", () => {
  it("is a log store that closes with the storage", async () => {
    const s = new MemoryStorage();
    const app = s.logs.logAppender();
    app.append(labelsFromRecord({ job: "x" }), [{ tsNs: 1n, line: "a", metadata: [] }]);
    await app.commit();
    assert.deepEqual(await s.logs.logQuerier().labelValues("job", 0n, 2n), ["x"]);
    await s.close();
    assert.throws(() => s.logs.logAppender().append(labelsFromRecord({ job: "x" }), []), /closed/);
  });
});
