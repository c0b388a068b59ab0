// JSON encoding of Loki query results, byte for byte as Loki's pkg/util/marshal/query.go
// (EncodeResult, encodeStream, encodeVector, encodeMatrix, encodeScalar) and marshal.go
// (WriteTailResponseJSON) write them: sorted label objects, nanosecond timestamps as strings for
// log lines, millisecond times as float seconds for samples, values as strings, and the
// categorize-labels encoding (`encodingFlags`, a third element per entry) when requested.
import type { Labels } from "../../model/labels/index.ts";
import type { QueryResult, StreamResult } from "../../logql/index.ts";
import { formatFloatF, goQuote } from "../../logql/syntax/index.ts";

/** FLAG_CATEGORIZE_LABELS is httpreq.FlagCategorizeLabels. */
export const FLAG_CATEGORIZE_LABELS = "categorize-labels";
/** ENCODING_FLAGS_HEADER is httpreq.LokiEncodingFlagsHeader. */
export const ENCODING_FLAGS_HEADER = "x-loki-response-encoding-flags";

/** encodingFlags reads the comma-separated flags of the header (httpreq.ExtractEncodingFlags). */
export function encodingFlags(header: string | string[] | undefined): Set<string> {
  const v = Array.isArray(header) ? header.join(",") : (header ?? "");
  return new Set(
    v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  );
}

/** str encodes a JSON string like jsoniter's WriteString (no HTML escaping). */
const str = (s: string): string => JSON.stringify(s);

const HTML_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** htmlStr encodes like WriteStringWithHTMLEscaped, which Loki uses for log lines. */
function htmlStr(s: string): string {
  const j = JSON.stringify(s);
  return /[<>&\u2028\u2029]/.test(j) ? j.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]!) : j;
}

/** labelsJson encodes labels as a JSON object in their (sorted) order. */
export function labelsJson(ls: Labels): string {
  let out = "{";
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) out += ",";
    out += str(ls[i]!.name) + ":" + str(ls[i]!.value);
  }
  return out + "}";
}

/** labelsString is Loki's labels.String(), the key streams are sorted by (logproto.Streams). */
function labelsString(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${goQuote(l.value)}`).join(", ")}}`;
}

function byLabelsString<T>(items: readonly T[], labels: (t: T) => Labels): T[] {
  return items
    .map((t) => ({ t, k: labelsString(labels(t)) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.t);
}

/** sampleTime renders a nanosecond time as model.Time(ms).String(): float seconds. */
function sampleTime(tsNs: bigint): string {
  const ms = tsNs / 1_000_000n - (tsNs < 0n && tsNs % 1_000_000n !== 0n ? 1n : 0n);
  return formatFloatF(Number(ms) / 1000);
}

function valuePair(tsNs: bigint, v: number): string {
  return `[${sampleTime(tsNs)},${str(formatFloatF(v))}]`;
}

/**
 * streamsJson encodes streams. Without categorize-labels a stream's labels are the complete
 * set and entries are [ts, line]; with it, streams are regrouped by their original stream labels
 * and each entry carries {structuredMetadata?, parsed?}, as Loki's engine groups them.
 */
export function streamsJson(streams: readonly StreamResult[], categorize: boolean): string {
  const parts: string[] = [];
  if (!categorize) {
    for (const s of byLabelsString(streams, (x) => x.labels)) {
      let values = "";
      for (let i = 0; i < s.entries.length; i++) {
        const e = s.entries[i]!;
        if (i > 0) values += ",";
        values += `["${e.tsNs}",${htmlStr(e.line)}]`;
      }
      parts.push(`{"stream":${labelsJson(s.labels)},"values":[${values}]}`);
    }
    return `[${parts.join(",")}]`;
  }
  const groups = new Map<string, { labels: Labels; values: string[] }>();
  for (const s of streams) {
    const key = labelsJson(s.streamLabels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: s.streamLabels, values: [] }));
    for (const e of s.entries) {
      const cat: string[] = [];
      if (e.structuredMetadata.length > 0) {
        cat.push(`"structuredMetadata":${labelsJson(e.structuredMetadata)}`);
      }
      if (e.parsed.length > 0) cat.push(`"parsed":${labelsJson(e.parsed)}`);
      g.values.push(`["${e.tsNs}",${htmlStr(e.line)},{${cat.join(",")}}]`);
    }
  }
  for (const g of byLabelsString([...groups.values()], (x) => x.labels)) {
    parts.push(`{"stream":${labelsJson(g.labels)},"values":[${g.values.join(",")}]}`);
  }
  return `[${parts.join(",")}]`;
}

/** resultJson encodes the `result` of a query response. */
export function resultJson(r: QueryResult, categorize: boolean): string {
  switch (r.type) {
    case "streams":
      return streamsJson(r.streams, categorize);
    case "vector":
      return `[${r.samples
        .map((s) => `{"metric":${labelsJson(s.labels)},"value":${valuePair(s.tsNs, s.value)}}`)
        .join(",")}]`;
    case "matrix":
      return `[${r.series
        .map(
          (s) =>
            `{"metric":${labelsJson(s.labels)},"values":[${s.points
              .map((p) => valuePair(p.tsNs, p.value))
              .join(",")}]}`,
        )
        .join(",")}]`;
    case "scalar":
      return valuePair(r.tsNs, r.value);
  }
}

/** QueryStats is what Vigil measures of a query; the rest of Loki's stats object is zero. */
export interface QueryStats {
  readonly execTimeS: number;
  readonly entriesReturned: number;
}

const CACHE_STATS = {
  entriesFound: 0,
  entriesRequested: 0,
  entriesStored: 0,
  bytesReceived: 0,
  bytesSent: 0,
  requests: 0,
  downloadTime: 0,
  queryLengthServed: 0,
};

const STORE_STATS = {
  chunksDownloadTime: 0,
  congestionControlLatency: 0,
  totalChunksRef: 0,
  totalChunksDownloaded: 0,
  chunkRefsFetchTime: 0,
  queryReferencedStructuredMetadata: false,
  queryUsedV2Engine: false,
  pipelineWrapperFilteredLines: 0,
  chunk: {
    compressedBytes: 0,
    decompressedBytes: 0,
    decompressedLines: 0,
    decompressedStructuredMetadataBytes: 0,
    headChunkBytes: 0,
    headChunkLines: 0,
    headChunkStructuredMetadataBytes: 0,
    postFilterLines: 0,
    totalDuplicates: 0,
  },
  dataobj: {
    pageBatches: 0,
    pagesDownloaded: 0,
    pagesDownloadedBytes: 0,
    pagesScanned: 0,
    postFilterRows: 0,
    postPredicateRows: 0,
    postPredicateDecompressedBytes: 0,
    postPredicateStructuredMetadataBytes: 0,
    prePredicateDecompressedRows: 0,
    prePredicateDecompressedBytes: 0,
    prePredicateDecompressedStructuredMetadataBytes: 0,
    totalPageDownloadTime: 0,
    totalRowsAvailable: 0,
    wireBytesTransferred: 0,
  },
};

/** statsJson is Loki's stats.Result (pkg/logqlmodel/stats), the fields of marshal_test's emptyStats. */
export function statsJson(s: QueryStats): string {
  return JSON.stringify({
    index: {
      bloomFilterTime: 0,
      chunkRefsLookupTime: 0,
      postFilterChunks: 0,
      totalChunks: 0,
      totalStreams: 0,
      usedBloomFilters: false,
      shardsDuration: 0,
    },
    ingester: {
      store: STORE_STATS,
      totalBatches: 0,
      totalChunksMatched: 0,
      totalLinesSent: 0,
      totalReached: 0,
    },
    querier: { querierExecTime: 0, store: STORE_STATS },
    cache: {
      chunk: CACHE_STATS,
      index: CACHE_STATS,
      statsResult: CACHE_STATS,
      seriesResult: CACHE_STATS,
      labelResult: CACHE_STATS,
      volumeResult: CACHE_STATS,
      instantMetricResult: CACHE_STATS,
      result: CACHE_STATS,
      logResult: CACHE_STATS,
      taskResult: CACHE_STATS,
    },
    summary: {
      bytesProcessedPerSecond: 0,
      execTime: s.execTimeS,
      linesProcessedPerSecond: 0,
      queueTime: 0,
      shards: 0,
      splits: 0,
      subqueries: 0,
      totalBytesProcessed: 0,
      totalEntriesReturned: s.entriesReturned,
      totalLinesProcessed: 0,
      totalStructuredMetadataBytesProcessed: 0,
      totalPostFilterLines: 0,
    },
  });
}

/** queryResponseJson is marshal.WriteQueryResponseJSON (with its trailing newline). */
export function queryResponseJson(
  r: QueryResult,
  stats: QueryStats,
  flags: ReadonlySet<string>,
  warnings: readonly string[] = [],
): string {
  const categorize = flags.has(FLAG_CATEGORIZE_LABELS);
  let out = `{"status":"success"`;
  if (warnings.length > 0) out += `,"warnings":${JSON.stringify(warnings)}`;
  out += `,"data":{"resultType":${str(r.type)}`;
  if (flags.size > 0) out += `,"encodingFlags":${JSON.stringify([...flags])}`;
  out += `,"result":${resultJson(r, categorize && r.type === "streams")}`;
  out += `,"stats":${statsJson(stats)}}}\n`;
  return out;
}

/** tailResponseJson is marshal.WriteTailResponseJSON for a frame without dropped entries. */
export function tailResponseJson(
  streams: readonly StreamResult[],
  flags: ReadonlySet<string>,
): string {
  let out = `{"streams":${streamsJson(streams, flags.has(FLAG_CATEGORIZE_LABELS))}`;
  if (flags.size > 0) out += `,"encodingFlags":${JSON.stringify([...flags])}`;
  return out + "}";
}
