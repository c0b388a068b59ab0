import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeLokiProto } from "./decode.ts";
import { PushError } from "./distributor.ts";
import { PushRequestType, encodeLokiPushRequest } from "./logproto.ts";

describe("decodeLokiProto", () => {
  it("reads what protobufjs writes: labels, timestamps, lines, structured metadata", () => {
    let seed = 3;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const words = ["a", "ü", "日本", "x=1", "", "\u0000", "line with spaces"];
    for (let round = 0; round < 30; round++) {
      const streams = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, s) => ({
        labels: `{job="j${s}", w="${words[s % words.length]}"}`,
        entries: Array.from({ length: Math.floor(rand() * 6) }, () => {
          const seconds = Math.floor(rand() * 4e9) - 1e9;
          const md = Array.from({ length: Math.floor(rand() * 3) }, (_, k) => ({
            name: `k${k}`,
            value: words[Math.floor(rand() * words.length)]!,
          }));
          return {
            timestamp: { seconds, nanos: Math.floor(rand() * 1e9) },
            line: Array.from({ length: 5 }, () => words[Math.floor(rand() * words.length)]).join(
              " ",
            ),
            ...(md.length > 0 && { structuredMetadata: md }),
          };
        }),
      }));
      const got = decodeLokiProto(encodeLokiPushRequest({ streams }));
      assert.deepEqual(
        got.streams.map((s) => ({
          labels: s.labels,
          entries: s.entries.map((e) => [e.tsNs, e.line, e.metadata.map((m) => [m.name, m.value])]),
        })),
        streams.map((s) => ({
          labels: s.labels,
          entries: s.entries.map((e) => [
            BigInt(e.timestamp.seconds) * 1_000_000_000n + BigInt(e.timestamp.nanos),
            e.line,
            (e.structuredMetadata ?? []).map((m) => [m.name, m.value]),
          ]),
        })),
      );
    }
  });

  it("skips fields it does not know and defaults a missing timestamp to 0001-01-01", () => {
    const buf = PushRequestType.encode(
      PushRequestType.fromObject({
        format: "x",
        streams: [
          {
            labels: '{a="b"}',
            hash: 99,
            entries: [{ line: "l", parsed: [{ name: "p", value: "q" }] }],
          },
        ],
      }),
    ).finish();
    const [s] = decodeLokiProto(buf).streams;
    assert.equal(s!.labels, '{a="b"}');
    assert.deepEqual(s!.entries, [
      { tsNs: -62135596800n * 1_000_000_000n, line: "l", metadata: [], lineBytes: 1 },
    ]);
  });

  it("gives each line's UTF-8 length, also for lines that are not ASCII or not UTF-8", () => {
    const lines = ["plain", "héllo wörld", "emoji 🙂", ""];
    const buf = encodeLokiPushRequest({
      streams: [{ labels: '{a="b"}', entries: lines.map((line) => ({ line })) }],
    });
    const got = decodeLokiProto(buf).streams[0]!.entries;
    assert.deepEqual(
      got.map((e) => e.lineBytes),
      lines.map((l) => Buffer.byteLength(l)),
    );
    // A bad byte reads as U+FFFD, whose UTF-8 (3 bytes) is what storage writes.
    const bad = Buffer.from(
      encodeLokiPushRequest({
        streams: [{ labels: '{a="b"}', entries: [{ line: "aXb" }] }],
      }),
    );
    bad[bad.indexOf("aXb") + 1] = 0xff;
    const [e] = decodeLokiProto(bad).streams[0]!.entries;
    assert.equal(e!.line, "a\ufffdb");
    assert.equal(e!.lineBytes, 5);
  });

  it("refuses truncated and malformed messages with a 400, never another error", () => {
    const buf = encodeLokiPushRequest({
      streams: [
        {
          labels: '{a="b"}',
          entries: [
            {
              timestamp: { seconds: 1700000000, nanos: 5 },
              line: "hello",
              structuredMetadata: [{ name: "k", value: "v" }],
            },
          ],
        },
      ],
    });
    for (let n = 1; n < buf.length; n++) {
      assert.throws(
        () => decodeLokiProto(buf.subarray(0, n)),
        (err) => err instanceof PushError && err.status === 400 && err.message === "unexpected EOF",
        `cut at ${n}`,
      );
    }
    assert.throws(
      () => decodeLokiProto(Uint8Array.from([0x1f])),
      (err) => err instanceof PushError && err.message === "proto: illegal wireType 7",
    );
    assert.throws(
      () => decodeLokiProto(Uint8Array.from([0x08, 0x01])),
      (err) =>
        err instanceof PushError && err.message === "proto: wrong wireType = 0 for field Streams",
    );
    const bad = encodeLokiPushRequest({
      streams: [
        { labels: "{}", entries: [{ timestamp: { seconds: "300000000000", nanos: 0 }, line: "" }] },
      ],
    });
    assert.throws(
      () => decodeLokiProto(bad),
      /timestamp: seconds:300000000000 nanos:0 after 10000-01-01/,
    );
  });
});
