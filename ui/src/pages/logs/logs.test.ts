import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_LOGS,
  applyTailMessage,
  decodeLogs,
  encodeLogs,
  mergeStreams,
  msToNs,
  nsToMs,
  tailFailureMessage,
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
      start: "",
      end: "now-1h",
      limit: 200,
      direction: "forward" as const,
    };
    assert.deepEqual(decodeLogs(encodeLogs(s)), s);
    assert.equal(encodeLogs(DEFAULT_LOGS), "");
    const abs = { ...DEFAULT_LOGS, start: "2025-01-01T00:00:00Z", end: "2025-01-01T01:00:00Z" };
    assert.deepEqual(decodeLogs(encodeLogs(abs)), abs);
    assert.deepEqual(decodeLogs("?limit=999999"), DEFAULT_LOGS);
  });

  it("adds tail messages newest first, with stable stream colours and a cap", () => {
    const indexes = new Map<string, number>();
    let st = applyTailMessage({ lines: [], dropped: 0 }, { streams }, 4, indexes);
    assert.deepEqual(
      st.lines.map((l) => `${l.line}:${l.streamIndex}`),
      ["a3:0", "b2:1", "a1:0"],
    );
    // Stream b first this time: it keeps index 1.
    st = applyTailMessage(
      st,
      {
        streams: [
          { stream: { app: "b" }, values: [["1700000000000000005", "b5"]] },
          { stream: { app: "a" }, values: [["1700000000000000004", "a4"]] },
        ],
        dropped_entries: [{ labels: { app: "c" }, timestamp: "1" }],
      },
      4,
      indexes,
    );
    assert.deepEqual(
      st.lines.map((l) => `${l.line}:${l.streamIndex}`),
      ["b5:1", "a4:0", "a3:0", "b2:1"],
    );
    assert.equal(st.dropped, 1);
    // A message without entries (Loki sends none, but be safe) changes nothing.
    assert.equal(applyTailMessage(st, {}, 4, indexes), st);
  });

  it("words why a live tail could not start", () => {
    assert.equal(
      tailFailureMessage(400, "tail queries only support log selector queries\n"),
      "The server refused the live tail: tail queries only support log selector queries",
    );
    assert.equal(
      tailFailureMessage(400, "Bad Request\nwebsocket: the client is not using the websocket"),
      "The live tail connection failed.",
    );
    assert.match(tailFailureMessage(404, ""), /does not serve the live tail/);
    assert.match(tailFailureMessage(503, "storage not ready"), /503 storage not ready/);
  });
});
