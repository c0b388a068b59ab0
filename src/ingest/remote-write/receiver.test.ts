import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import protobuf from "protobufjs";
import { compressSync } from "snappy";
import { newSelfMetrics } from "../../exporters/index.ts";
import { Matcher, labelsFromRecord } from "../../model/labels/index.ts";
import { STALE_NAN, isStaleNaN } from "../../model/value/index.ts";
import { MemoryStorage } from "../../storage/memory/index.ts";
import type { Storage } from "../../storage/index.ts";
import { silentLogger } from "../../util/logging/index.ts";
import { createWebServer } from "../../web/index.ts";
import type { PromWriteRequest } from "./index.ts";
import {
  WriteRequestType,
  decodeWriteRequest,
  encodeWriteRequest,
  registerRemoteWriteReceiver,
} from "./index.ts";

const NOW = Date.now();

interface Server {
  web: FastifyInstance;
  url: string;
  storage: MemoryStorage;
  ready: { storage: Storage | undefined };
}

async function startServer(maxDecodedBytes = 1 << 20): Promise<Server> {
  const storage = new MemoryStorage();
  const ready: { storage: Storage | undefined } = { storage };
  const metrics = newSelfMetrics();
  const web = await createWebServer({
    logger: silentLogger(),
    metrics,
    maxRequestBodyBytes: 64 * 1024,
    isReady: () => true,
    reload: async () => {},
  });
  await registerRemoteWriteReceiver(web, {
    storage: () => ready.storage,
    logger: silentLogger(),
    registry: metrics.registry,
    maxDecodedBytes: () => maxDecodedBytes,
  });
  await web.listen({ host: "127.0.0.1", port: 0 });
  const a = web.server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return { web, url: `http://127.0.0.1:${port}/api/v1/write`, storage, ready };
}

function post(
  url: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-protobuf",
      "Content-Encoding": "snappy",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
      ...headers,
    },
  });
}

function snappyRequest(req: PromWriteRequest): Uint8Array {
  return compressSync(Buffer.from(encodeWriteRequest(req)));
}

async function all(storage: Storage) {
  const q = storage.querier(0, NOW + 3_600_000);
  return q.select([new Matcher("=~", "__name__", ".+")]);
}

const GOOD: PromWriteRequest = {
  timeseries: [
    {
      labels: [
        { name: "__name__", value: "http_requests_total" },
        { name: "code", value: "200" },
        { name: "job", value: "api" },
      ],
      samples: [
        { value: 1, timestamp: NOW - 2000 },
        { value: 2.5, timestamp: NOW - 1000 },
      ],
      exemplars: [{ labels: [{ name: "trace_id", value: "abc" }], value: 1, timestamp: NOW }],
    },
    {
      labels: [
        { name: "__name__", value: "up" },
        { name: "instance", value: "" },
        { name: "job", value: "api" },
      ],
      samples: [{ value: STALE_NAN, timestamp: NOW }],
    },
  ],
  metadata: [{ type: 1, metric_family_name: "http_requests_total", help: "Requests." }],
};

describe("remote write decoder", () => {
  it("agrees with protobufjs and keeps NaN payloads", () => {
    const bytes = encodeWriteRequest(GOOD);
    const d = decodeWriteRequest(bytes);
    const ref = WriteRequestType.toObject(WriteRequestType.decode(bytes), {
      longs: Number,
    }) as PromWriteRequest;
    assert.equal(d.labels.length, ref.timeseries.length);
    assert.deepEqual(d.labels[0], ref.timeseries[0]!.labels);
    // Empty label values are dropped.
    assert.deepEqual(d.labels[1], [
      { name: "__name__", value: "up" },
      { name: "job", value: "api" },
    ]);
    assert.deepEqual([...d.offsets], [0, 2, 3]);
    assert.deepEqual([...d.timestamps], [NOW - 2000, NOW - 1000, NOW]);
    assert.equal(d.values[1], 2.5);
    assert.ok(isStaleNaN(d.values[2]!), "stale marker bits survive decoding");
    assert.equal(d.numExemplars, 1);
    assert.equal(d.numMetadata, 1);
  });

  it("keeps -0, denormals and NaN payloads", () => {
    // A Float64Array: a plain array of doubles would canonicalise the stale marker's NaN.
    const vals = Float64Array.of(-0, 5e-324, -Infinity, STALE_NAN, NaN);
    // protobufjs, like Prometheus's gogo encoder, leaves out a zero value (-0 too); write the
    // fields by hand so that -0 is on the wire.
    const w = protobuf.Writer.create();
    w.uint32((1 << 3) | 2).fork();
    w.uint32((1 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string("__name__");
    w.uint32((2 << 3) | 2)
      .string("x")
      .ldelim();
    vals.forEach((v, i) => {
      w.uint32((2 << 3) | 2)
        .fork()
        .uint32((1 << 3) | 1)
        .double(v)
        .uint32(2 << 3)
        .int64(i)
        .ldelim();
    });
    w.ldelim();
    const d = decodeWriteRequest(w.finish());
    assert.ok(Object.is(d.values[0], -0));
    assert.equal(d.values[1], 5e-324);
    assert.equal(d.values[2], -Infinity);
    assert.ok(isStaleNaN(d.values[3]!));
    assert.ok(Number.isNaN(d.values[4]) && !isStaleNaN(d.values[4]!));
  });

  it("decodes negative and large timestamps", () => {
    for (const t of [-1, -1_000_000_000_000, 0, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
      const d = decodeWriteRequest(
        encodeWriteRequest({
          timeseries: [
            { labels: [{ name: "__name__", value: "x" }], samples: [{ value: 1, timestamp: t }] },
          ],
        }),
      );
      assert.equal(d.timestamps[0], t);
    }
  });
});

describe("remote write receiver", () => {
  let s: Server;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.web.close();
  });

  it("stores a good request and answers 204, stale markers bit-exact", async () => {
    const r = await post(s.url, snappyRequest(GOOD));
    assert.equal(r.status, 204, await r.text());
    const got = await all(s.storage);
    assert.equal(got.length, 2);
    const reqs = got.find((x) => x.labels.some((l) => l.value === "http_requests_total"))!;
    assert.deepEqual(
      reqs.labels,
      labelsFromRecord({ __name__: "http_requests_total", code: "200", job: "api" }),
    );
    assert.deepEqual([...reqs.values], [1, 2.5]);
    const up = got.find((x) => x.labels.some((l) => l.value === "up"))!;
    assert.deepEqual(up.labels, labelsFromRecord({ __name__: "up", job: "api" }));
    assert.ok(isStaleNaN(up.values[0]!));
  });

  it("accepts a missing content type and encoding as remote write 1.0 with snappy", async () => {
    const body = snappyRequest({
      timeseries: [
        { labels: [{ name: "__name__", value: "plain" }], samples: [{ value: 7, timestamp: NOW }] },
      ],
    });
    const r = await fetch(s.url, { method: "POST", body });
    assert.equal(r.status, 204, await r.text());
  });

  const bad: [string, () => Uint8Array, Record<string, string>, number, RegExp][] = [
    ["invalid snappy", () => Buffer.from("not snappy at all"), {}, 400, /snappy: corrupt input/],
    ["empty body", () => new Uint8Array(0), {}, 400, /snappy: corrupt input/],
    [
      "invalid protobuf",
      () => compressSync(Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02])),
      {},
      400,
      /proto: unexpected end of input/,
    ],
    [
      "wrong wire type",
      () => compressSync(Buffer.from([0x08, 0x01])),
      {},
      400,
      /wrong wireType = 0 for field WriteRequest.timeseries/,
    ],
    [
      "unsorted labels",
      () =>
        snappyRequest({
          timeseries: [
            {
              labels: [
                { name: "job", value: "a" },
                { name: "__name__", value: "x" },
              ],
              samples: [{ value: 1, timestamp: NOW }],
            },
          ],
        }),
      {},
      400,
      /label names not sorted/,
    ],
    [
      "duplicate label names",
      () =>
        snappyRequest({
          timeseries: [
            {
              labels: [
                { name: "__name__", value: "x" },
                { name: "a", value: "1" },
                { name: "a", value: "2" },
              ],
              samples: [{ value: 1, timestamp: NOW }],
            },
          ],
        }),
      {},
      400,
      /duplicate label name "a"/,
    ],
    [
      "empty label name",
      () =>
        snappyRequest({
          timeseries: [
            {
              labels: [
                { name: "", value: "v" },
                { name: "__name__", value: "x" },
              ],
              samples: [{ value: 1, timestamp: NOW }],
            },
          ],
        }),
      {},
      400,
      /empty label name/,
    ],
    [
      "missing metric name",
      () =>
        snappyRequest({
          timeseries: [
            { labels: [{ name: "job", value: "a" }], samples: [{ value: 1, timestamp: NOW }] },
          ],
        }),
      {},
      400,
      /missing metric name/,
    ],
    [
      "sample far in the future",
      () =>
        snappyRequest({
          timeseries: [
            {
              labels: [{ name: "__name__", value: "x" }],
              samples: [{ value: 1, timestamp: NOW + 3_600_000 }],
            },
          ],
        }),
      {},
      400,
      /out of bounds/,
    ],
    [
      "remote write 2.0",
      () => snappyRequest(GOOD),
      { "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request" },
      415,
      /io.prometheus.write.v2.Request protobuf message is not accepted by this server/,
    ],
    [
      "JSON body",
      () => Buffer.from("{}"),
      { "Content-Type": "application/json" },
      415,
      /expected application\/x-protobuf as the first \(media\) part/,
    ],
    [
      "gzip encoding",
      () => snappyRequest(GOOD),
      { "Content-Encoding": "gzip" },
      415,
      /gzip encoding/,
    ],
  ];
  for (const [name, body, headers, status, msg] of bad) {
    it(`answers ${status} and stores nothing for: ${name}`, async () => {
      const before = (await all(s.storage)).length;
      // A good series in the same request must not be stored either.
      const r = await post(s.url, body(), headers);
      assert.equal(r.status, status);
      assert.match(await r.text(), msg);
      assert.equal((await all(s.storage)).length, before);
    });
  }

  it("refuses a whole request when one of its series is invalid", async () => {
    const r = await post(
      s.url,
      snappyRequest({
        timeseries: [
          {
            labels: [{ name: "__name__", value: "fine_one" }],
            samples: [{ value: 1, timestamp: NOW }],
          },
          { labels: [{ name: "job", value: "nameless" }], samples: [{ value: 1, timestamp: NOW }] },
        ],
      }),
    );
    assert.equal(r.status, 400);
    const q = s.storage.querier(0, NOW + 1);
    assert.deepEqual(await q.select([new Matcher("=", "__name__", "fine_one")]), []);
  });

  it("answers 413 over the decoded size limit and over the body limit", async () => {
    const small = await startServer(100);
    try {
      const r = await post(small.url, snappyRequest(GOOD));
      assert.equal(r.status, 413);
      assert.match(await r.text(), /decoded length \d+ exceeds limit 100/);
    } finally {
      await small.web.close();
    }
    const huge = Buffer.alloc(128 * 1024, 1);
    const r = await post(s.url, huge);
    assert.equal(r.status, 413);
  });

  it("answers 503 while storage is not open", async () => {
    s.ready.storage = undefined;
    try {
      const r = await post(s.url, snappyRequest(GOOD));
      assert.equal(r.status, 503);
    } finally {
      s.ready.storage = s.storage;
    }
  });

  it("answers 500 when the commit fails", async () => {
    const failing: Storage = {
      engine: "memory",
      logs: s.storage.logs,
      appender: () => ({
        append: () => 1,
        commit: () => Promise.reject(new Error("disk full")),
        rollback: () => {},
      }),
      querier: (a, b) => s.storage.querier(a, b),
      stats: () => s.storage.stats(),
      close: async () => {},
    };
    s.ready.storage = failing;
    try {
      const r = await post(s.url, snappyRequest(GOOD));
      assert.equal(r.status, 500);
      assert.match(await r.text(), /disk full/);
    } finally {
      s.ready.storage = s.storage;
    }
  });
});
