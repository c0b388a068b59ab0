import assert from "node:assert/strict";
import { test } from "node:test";
import { LabelInterner } from "./intern.ts";
import { labelsFromRecord } from "./labels.ts";

void test("interner: equal pairs share one object, across label sets", () => {
  const i = new LabelInterner();
  const a = i.labels(labelsFromRecord({ __name__: "up", job: "a", instance: "x:1" }));
  const b = i.labels(labelsFromRecord({ __name__: "up", job: "a", instance: "x:2" }));
  assert.deepEqual(a, labelsFromRecord({ __name__: "up", job: "a", instance: "x:1" }));
  assert.equal(a[0], b[0], "__name__=up is shared");
  assert.equal(a[2], b[2], "job=a is shared");
  assert.notEqual(a[1], b[1]);
  assert.equal(i.size, 4);
  assert.deepEqual(i.label("a", "b"), { name: "a", value: "b" });
  // Lone surrogates and other odd text survive the copy exactly.
  assert.equal(i.label("v", "\ud800x").value, "\ud800x");
});

void test("interner: bounded to two generations; a recent pair survives a rollover", () => {
  const i = new LabelInterner(4);
  const keep = i.label("job", "keep");
  for (let k = 0; k < 3; k++) i.label("id", `${k}`); // cur: keep, 0, 1, 2 (full)
  i.label("id", "3"); // rollover: old = {keep, 0, 1, 2}, cur = {3}
  assert.equal(i.label("job", "keep"), keep, "found in the old generation, moved to the new");
  for (let k = 4; k < 7; k++) i.label("id", `${k}`); // cur full again: 3, keep, 4, 5 → rollover at 6
  assert.ok(i.size <= 8);
  assert.equal(i.label("job", "keep"), keep, "still shared after the second rollover");
  for (let k = 100; k < 120; k++) i.label("id", `${k}`);
  assert.ok(i.size <= 8);
  const again = i.label("job", "keep");
  assert.notEqual(again, keep, "dropped after two generations without use");
  assert.deepEqual(again, keep);
});
