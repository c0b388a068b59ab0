import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linesToEntries } from "../../storage/logs.ts";
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
          // Before 1970, past 2^33 seconds (2242) and past Int64 nanoseconds (2262).
          const seconds = Math.floor(rand() * 1.2e10) - 1e9;
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
          entries: linesToEntries(s.lines).map((e, i) => [
            s.wide?.get(i) ?? e.tsNs,
            e.line,
            e.metadata.map((m) => [m.name, m.value]),
          ]),
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
    // The time is clamped to Int64 nanoseconds, and kept exactly for messages.
    assert.deepEqual(linesToEntries(s!.lines), [{ tsNs: -(2n ** 63n), line: "l", metadata: [] }]);
    assert.deepEqual(s!.wide, new Map([[0, -62135596800n * 1_000_000_000n]]));
  });

  it("keeps lines as byte ranges of the body, and UTF-8 where a line was not", () => {
    const lines = ["plain", "héllo wörld", "emoji 🙂", ""];
    const buf = encodeLokiPushRequest({
      streams: [{ labels: '{a="b"}', entries: lines.map((line) => ({ line })) }],
    });
    const got = decodeLokiProto(buf).streams[0]!.lines;
    assert.equal(got.data.buffer, buf.buffer, "not copied");
    assert.deepEqual(
      Array.from({ length: got.count }, (_, i) => got.end[i]! - got.start[i]!),
      lines.map((l) => Buffer.byteLength(l)),
    );
    assert.deepEqual(
      linesToEntries(got).map((e) => e.line),
      lines,
    );
    // A bad byte reads as U+FFFD, whose UTF-8 (3 bytes) is what storage writes.
    const bad = Buffer.from(
      encodeLokiPushRequest({
        streams: [{ labels: '{a="b"}', entries: [{ line: "aXb" }] }],
      }),
    );
    bad[bad.indexOf("aXb") + 1] = 0xff;
    const fixed = decodeLokiProto(bad).streams[0]!.lines;
    assert.deepEqual(
      linesToEntries(fixed).map((e) => e.line),
      ["a\ufffdb"],
    );
    assert.equal(fixed.end[0]! - fixed.start[0]!, 5);
  });

  it("finds a bad byte anywhere in a line, whatever the line's alignment", () => {
    const line = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (let pad = 0; pad < 4; pad++) {
      for (let k = 0; k < line.length; k++) {
        const body = Buffer.from(
          encodeLokiPushRequest({
            streams: [{ labels: `{a="${"b".repeat(pad)}"}`, entries: [{ line }] }],
          }),
        );
        const at = body.indexOf(line) + k;
        body[at] = 0xff;
        // At an odd offset of a larger buffer too (a Buffer pool slice).
        const outer = Buffer.alloc(body.length + 3);
        body.copy(outer, pad);
        const got = decodeLokiProto(outer.subarray(pad, pad + body.length)).streams[0]!.lines;
        const want = line.slice(0, k) + "\ufffd" + line.slice(k + 1);
        assert.deepEqual(
          linesToEntries(got).map((e) => e.line),
          [want],
          `pad ${pad}, byte ${k}`,
        );
      }
    }
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
