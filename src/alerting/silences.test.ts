import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SnapshotFile } from "../util/state-file.ts";
import type { SilenceInput } from "./silences.ts";
import {
  SilenceNotFoundError,
  SilenceValidationError,
  Silences,
  silenceState,
} from "./silences.ts";

const H = 3_600_000;

function input(over: Partial<SilenceInput> = {}): SilenceInput {
  return {
    id: "",
    matchers: [{ name: "alertname", value: "Disk", type: "=" }],
    startsAtMs: 0,
    endsAtMs: 0,
    createdBy: "me",
    comment: "maintenance",
    annotations: {},
    ...over,
  };
}

void test("silences: create, state, update in place or replace, expire", async () => {
  let now = 1_000 * H;
  const s = new Silences(() => now);
  const id = await s.set(input({ endsAtMs: now + H }));
  assert.equal(silenceState(s.get(id)!, now), "active");
  assert.deepEqual(s.matching({ alertname: "Disk", host: "a" }).active, [id]);
  assert.deepEqual(s.matching({ alertname: "Cpu" }).active, []);

  // Extending an active silence keeps its id; changing matchers replaces it.
  const same = await s.set({ ...s.get(id)!, endsAtMs: now + 2 * H });
  assert.equal(same, id);
  assert.equal(s.get(id)!.endsAtMs, now + 2 * H);
  const other = await s.set({
    ...s.get(id)!,
    matchers: [{ name: "alertname", value: "Disk.*", type: "=~" }],
  });
  assert.notEqual(other, id);
  assert.equal(silenceState(s.get(id)!, now + 1), "expired", "the replaced silence expired");

  // A pending silence, then expiry.
  const later = await s.set(input({ startsAtMs: now + H, endsAtMs: now + 3 * H }));
  assert.equal(silenceState(s.get(later)!, now), "pending");
  assert.deepEqual(s.matching({ alertname: "Disk" }).pending, [later]);
  await s.expire(later);
  now += 1;
  assert.equal(silenceState(s.get(later)!, now), "expired");

  await assert.rejects(
    s.set(input({ id: "00000000-0000-0000-0000-000000000000", endsAtMs: now + H })),
    SilenceNotFoundError,
  );
  await assert.rejects(s.expire("nope"), SilenceNotFoundError);
  await assert.rejects(
    s.set(input({ matchers: [{ name: "a", value: ".*", type: "=~" }], endsAtMs: now + H })),
    (e: Error) =>
      e instanceof SilenceValidationError && /must not match the empty string/.test(e.message),
  );
  await assert.rejects(
    s.set(input({ matchers: [{ name: "a", value: "(", type: "=~" }], endsAtMs: now + H })),
    /invalid regular expression/,
  );

  // Expired silences are collected after the retention.
  now += 121 * H;
  assert.ok(s.gc() >= 2);
  assert.equal(s.get(id), undefined);
});

void test("silences persist in their snapshot file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-sil-"));
  const now = 1_000 * H;
  const a = new Silences(() => now);
  a.attach(new SnapshotFile(join(dir, "silences.json"), () => a.snapshot()));
  const id = await a.set(input({ endsAtMs: now + H }));
  const b = new Silences(() => now);
  b.attach(new SnapshotFile(join(dir, "silences.json"), () => b.snapshot()));
  assert.deepEqual(b.get(id), a.get(id));
  assert.deepEqual(b.matching({ alertname: "Disk" }).active, [id]);
});
