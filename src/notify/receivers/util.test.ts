import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeGoJSON, encodeGoJSONLine, goMap } from "./go-json.ts";
import { redact } from "./http.ts";
import { hashKey, safeSplit, truncateInBytes, truncateInRunes } from "./util.ts";

describe("truncateInRunes / truncateInBytes", () => {
  // Cases of Alertmanager's notify/util_test.go TestTruncate.
  const cases: { in: string; n: number; runes: [string, boolean]; bytes: [string, boolean] }[] = [
    { in: "", n: 5, runes: ["", false], bytes: ["", false] },
    { in: "abcde", n: 2, runes: ["ab", true], bytes: ["..", true] },
    { in: "abcde", n: 4, runes: ["abc…", true], bytes: ["a…", true] },
    { in: "abcde", n: 5, runes: ["abcde", false], bytes: ["abcde", false] },
    { in: "abcdefgh", n: 5, runes: ["abcd…", true], bytes: ["ab…", true] },
    { in: "a⌘cde", n: 5, runes: ["a⌘cde", false], bytes: ["a…", true] },
    { in: "a⌘cdef", n: 5, runes: ["a⌘cd…", true], bytes: ["a…", true] },
    { in: "世界cdef", n: 3, runes: ["世界c", true], bytes: ["…", true] },
    {
      in: "❤️✅🚀🔥❌❤️✅🚀🔥❌❤️✅🚀🔥❌❤️✅🚀🔥❌",
      n: 19,
      runes: ["❤️✅🚀🔥❌❤️✅🚀🔥❌❤️✅🚀🔥❌…", true],
      bytes: ["❤️✅🚀…", true],
    },
  ];
  for (const c of cases) {
    it(`truncates ${JSON.stringify(c.in)} to ${c.n}`, () => {
      const r = truncateInRunes(c.in, c.n);
      assert.deepEqual([r.text, r.truncated], c.runes);
      const b = truncateInBytes(c.in, c.n);
      assert.deepEqual([b.text, b.truncated], c.bytes);
    });
  }
});

describe("helpers", () => {
  it("hashes group keys with SHA-256", () => {
    assert.equal(
      hashKey("abc"),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("splits like opsgenie's safeSplit", () => {
    assert.deepEqual(safeSplit(" a,,b , c ", ","), ["a", "b ", " c"]);
    assert.deepEqual(safeSplit("", ","), []);
  });

  it("redacts URLs from errors", () => {
    assert.equal(
      redact('Post "https://hooks.slack.com/services/T/B/X": connect ECONNREFUSED', "x"),
      'Post "<redacted>": connect ECONNREFUSED',
    );
    assert.equal(
      redact("failed at http://h/s3cr3t now", "http://h/s3cr3t"),
      "failed at <redacted> now",
    );
  });

  it("encodes JSON as Go does", () => {
    assert.equal(
      encodeGoJSON({
        b: "<a&b>",
        a: [1.5, 2n, true, null],
        skipped: undefined,
        m: goMap({ z: 1n, a: "x" }),
      }),
      '{"b":"\\u003ca\\u0026b\\u003e","a":[1.5,2,true,null],"m":{"a":"x","z":1}}',
    );
    assert.equal(encodeGoJSON(1e21), "1e+21");
    assert.equal(
      encodeGoJSON(
        new Map([
          ["é", 1n],
          ["z", 2n],
          ["Z", 3n],
        ]),
      ),
      '{"Z":3,"z":2,"é":1}',
    );
    assert.equal(encodeGoJSONLine("\u2028"), '"\\u2028"\n');
  });
});
