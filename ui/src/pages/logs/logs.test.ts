import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_LOGS,
  decodeLogs,
  encodeLogs,
  mergeStreams,
  msToNs,
  nsToMs,
  tailUrl,
  volumeQuery,
} from "./logs.ts";

describe("logs helpers", () => {
  const streams = [
    {
      stream: { app: "a" },
      values: [
        ["1700000000000000003", "a3"],
        ["1700000000000000001", "a1"],
      ] as [string, string][],
    },
    { stream: { app: "b" }, values: [["1700000000000000002", "b2"]] as [string, string][] },
  ];

  it("merges streams newest first or oldest first, with a limit", () => {
    assert.deepEqual(
      mergeStreams(streams, "backward").map((l) => l.line),
      ["a3", "b2", "a1"],
    );
    assert.deepEqual(
      mergeStreams(streams, "forward").map((l) => `${l.line}:${l.labels.app}:${l.streamIndex}`),
      ["a1:a:0", "b2:b:1", "a3:a:0"],
    );
    assert.equal(mergeStreams(streams, "backward", 2).length, 2);
  });

  it("converts nanosecond timestamps", () => {
    assert.equal(nsToMs("1700000000123456789"), 1700000000123);
    assert.equal(msToNs(1700000000123), "1700000000123000000");
  });

  it("builds the volume query and the tail URL", () => {
    assert.equal(
      volumeQuery(' {app="a"} |= "err" ', 60_000),
      'sum(count_over_time({app="a"} |= "err" [1m]))',
    );
    assert.equal(
      tailUrl("https://vigil.example.com", '{app="a"}', 1700000000000, 100),
      "wss://vigil.example.com/loki/api/v1/tail?query=%7Bapp%3D%22a%22%7D&start=1700000000000000000&limit=100",
    );
    assert.match(tailUrl("http://127.0.0.1:9700", "{}", 0, 1), /^ws:\/\/127\.0\.0\.1:9700\//);
  });

  it("round-trips the URL state", () => {
    const s = {
      query: '{app="a"}',
      range: "6h",
      end: "now-1h",
      limit: 200,
      direction: "forward" as const,
    };
    assert.deepEqual(decodeLogs(encodeLogs(s)), s);
    assert.equal(encodeLogs(DEFAULT_LOGS), "");
    assert.deepEqual(decodeLogs("?limit=999999"), DEFAULT_LOGS);
  });
});
