import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { labelsFromRecord, labelsToRecord } from "../labels/index.ts";
import { newRelabelConfig, relabel } from "./index.ts";
import type { RelabelConfigInput } from "./index.ts";

function run(
  input: Record<string, string>,
  rules: RelabelConfigInput[],
): Record<string, string> | null {
  const out = relabel(labelsFromRecord(input), rules.map(newRelabelConfig));
  return out === null ? null : labelsToRecord(out);
}

describe("relabel", () => {
  it("replaces with capture groups and deletes on an empty result", () => {
    assert.deepEqual(
      run({ a: "foo", b: "bar" }, [
        {
          source_labels: ["a", "b"],
          regex: "f(.*);(.*)",
          target_label: "c",
          replacement: "${1}-$2",
        },
      ]),
      { a: "foo", b: "bar", c: "oo-bar" },
    );
    assert.deepEqual(
      run({ a: "foo" }, [{ source_labels: ["a"], target_label: "a", replacement: "" }]),
      {},
    );
    // No match: unchanged. Target label names may be templated.
    assert.deepEqual(
      run({ a: "foo" }, [{ source_labels: ["a"], regex: "x(.*)", target_label: "b" }]),
      { a: "foo" },
    );
    assert.deepEqual(
      run({ a: "some-name" }, [
        { source_labels: ["a"], regex: "some-([^-]+)", target_label: "${1}_x", replacement: "v" },
      ]),
      { a: "some-name", name_x: "v" },
    );
    // The default regex on an empty value sets the replacement as is.
    assert.deepEqual(run({}, [{ target_label: "env", replacement: "prod" }]), { env: "prod" });
  });

  it("keeps, drops and compares labels", () => {
    assert.equal(
      run({ job: "api" }, [{ source_labels: ["job"], regex: "web", action: "keep" }]),
      null,
    );
    assert.deepEqual(
      run({ job: "web" }, [{ source_labels: ["job"], regex: "web", action: "keep" }]),
      { job: "web" },
    );
    assert.equal(
      run({ job: "web" }, [{ source_labels: ["job"], regex: "w.*", action: "drop" }]),
      null,
    );
    // Regexes are anchored: "eb" does not match "web".
    assert.deepEqual(
      run({ job: "web" }, [{ source_labels: ["job"], regex: "eb", action: "drop" }]),
      { job: "web" },
    );
    assert.equal(
      run({ a: "1", b: "2" }, [{ source_labels: ["a"], target_label: "b", action: "keepequal" }]),
      null,
    );
    assert.equal(
      run({ a: "1", b: "1" }, [{ source_labels: ["a"], target_label: "b", action: "dropequal" }]),
      null,
    );
  });

  it("hashes like Prometheus (md5, big-endian low 8 bytes)", () => {
    assert.equal(
      run({ c: "baz" }, [
        { source_labels: ["c"], target_label: "d", action: "hashmod", modulus: 1000 },
      ])?.d,
      "976",
    );
    assert.equal(
      run({ a: "foo\nbar" }, [
        { source_labels: ["a"], target_label: "b", action: "hashmod", modulus: 1000 },
      ])?.b,
      "734",
    );
  });

  it("maps, drops and keeps label names, and changes case", () => {
    assert.deepEqual(
      run({ __meta_k_label_app: "x", __meta_k_label_tier: "y", job: "j" }, [
        { regex: "__meta_k_label_(.+)", action: "labelmap" },
        { regex: "__meta_.*", action: "labeldrop" },
      ]),
      { app: "x", tier: "y", job: "j" },
    );
    assert.deepEqual(run({ a: "1", b: "2", c: "3" }, [{ regex: "a|b", action: "labelkeep" }]), {
      a: "1",
      b: "2",
    });
    assert.deepEqual(
      run({ a: "MiXeD" }, [
        { source_labels: ["a"], target_label: "lo", action: "lowercase" },
        { source_labels: ["a"], target_label: "up", action: "uppercase" },
      ]),
      { a: "MiXeD", lo: "mixed", up: "MIXED" },
    );
  });

  it("rejects invalid rules with Prometheus's messages", () => {
    const bad: [RelabelConfigInput, RegExp][] = [
      [{ action: "explode" }, /unknown relabel action "explode"/],
      [{ action: "hashmod", target_label: "x" }, /requires non-zero modulus/],
      [{ action: "replace" }, /requires 'target_label' value/],
      [
        { action: "lowercase", target_label: "x", replacement: "y" },
        /'replacement' can not be set for lowercase action/,
      ],
      [
        { action: "labeldrop", regex: "a", source_labels: ["b"] },
        /labeldrop action requires only 'regex'/,
      ],
      [
        { action: "keepequal", target_label: "x", regex: "y" },
        /keepequal action requires only 'source_labels'/,
      ],
      [{ regex: "(", target_label: "x" }, /invalid regular expression/],
    ];
    for (const [input, re] of bad) assert.throws(() => newRelabelConfig(input), re);
  });
});
