// The validation and admission of pushed log streams, shared by the Loki push and OTLP
// receivers. It follows Loki's distributor (pkg/distributor/distributor.go pushWithResolver,
// validator.go) and the ingester's per-stream limit (pkg/ingester/stream.go validateEntries):
//
//   - A stream with invalid labels, and an entry that is too old, too new, too long or has too
//     much structured metadata, is dropped with a message; the rest of the request is stored
//     and the answer is 400 with the messages, grouped and counted ("2 errors like: ...").
//   - The ingestion rate limit admits or refuses the whole request (429, nothing stored).
//   - The per-stream rate limit drops the entries over it (429, the rest is stored).
//
// Loki checks these in a distributor and an ingester; here both happen before one commit, so
// an answer always describes what was stored.
import type { Label, Labels } from "../../model/labels/index.ts";
import { EMPTY_LABELS } from "../../model/labels/index.ts";
import type { LogLines, LogStore } from "../../storage/logs.ts";
import { clampInt64, replaceLines, tsBefore as before, tsWords } from "../../storage/logs.ts";
import { StorageClosedError } from "../../storage/index.ts";
import { errorMessage } from "../../util/errors.ts";
import type { LogIngestConfig } from "./config.ts";
import { DETECTED_LEVEL, LevelDetector } from "./detect-level.ts";
import { formatStreamLabels } from "./labels.ts";
import type { DiscardReason, IngestFormat, LogIngestMetrics } from "./metrics.ts";
import { StreamRateLimiters, TokenBucket } from "./rate-limit.ts";

/** TENANT is the tenant Loki names in messages when multi-tenancy is off. */
export const TENANT = "fake";

/** SERVICE_NAME is the label Loki derives for every stream (service name discovery). */
export const SERVICE_NAME = "service_name";
/** SERVICE_UNKNOWN is its value when no label names the service. */
export const SERVICE_UNKNOWN = "unknown_service";

/** Labels Loki reserves for its own streams, which skip label validation. */
const INTERNAL_LABELS = ["__aggregated_metric__", "__pattern__"];

/** PushStream is one stream of a push request before validation. */
export interface PushStream {
  /** labels: sorted by name, no empty values; repeated names are possible (and invalid). */
  readonly labels: readonly Label[];
  /**
   * lines: the entries; their metadata as sent (any order, names not yet normalized). The
   * distributor takes the columns over: it compacts them in place, as it validates them.
   */
  readonly lines: LogLines;
  /** wide: exact times of entries clamped to Int64 nanoseconds in lines.ts (LogLinesBuilder). */
  readonly wide?: ReadonlyMap<number, bigint>;
}

/** PushOutcome is the answer to a push whose accepted part (if any) has been committed. */
export interface PushOutcome {
  /** status: 204 (all stored), 400 (some or all invalid), 422 (no streams), 429 (rate limited). */
  readonly status: 204 | 400 | 422 | 429;
  /** message: Loki's error text ("" with 204). */
  readonly message: string;
  /** accepted: entries stored. */
  readonly accepted: number;
  /** rejected: entries not stored. */
  readonly rejected: number;
}

/**
 * PushError is a push refused before anything was stored: a request that cannot be read (4xx)
 * or a storage failure (5xx). `reason` feeds the discarded counters when set.
 */
export class PushError extends Error {
  override readonly name = "PushError";
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: DiscardReason,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** MISSING_STREAMS is Loki's message for a request without streams (422). */
export const MISSING_STREAMS = "error at least one valid stream is required for ingestion";

/** LogDistributorOptions configure a LogDistributor. */
export interface LogDistributorOptions {
  /** limits returns the limits in force (read on every push, so reloads apply). */
  limits(): LogIngestConfig;
  readonly metrics: LogIngestMetrics;
  /** now is the clock in milliseconds; default Date.now. */
  now?(): number;
}

/** byteLen is the UTF-8 length of s, which Loki's limits count. */
export function byteLen(s: string): number {
  // Pure ASCII strings are the common case; avoid a Buffer call for short ones.
  if (s.length < 64) {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return s.length;
  }
  return Buffer.byteLength(s, "utf8");
}

/** metadataSize is the size Loki gives structured metadata: names plus values, in bytes. */
export function metadataSize(md: readonly Label[]): number {
  let n = 0;
  for (const l of md) n += byteLen(l.name) + byteLen(l.value);
  return n;
}

/** entrySize is what Loki counts of entry i: its line bytes plus its metadata size. */
function entrySize(lines: LogLines, i: number): number {
  const md = lines.metadata[i]!;
  return lines.end[i]! - lines.start[i]! + (md.length > 0 ? metadataSize(md) : 0);
}

/** linesSize is entrySize summed over the entries. */
function linesSize(lines: LogLines): number {
  let n = 0;
  for (let i = 0; i < lines.count; i++) n += entrySize(lines, i);
  return n;
}

/**
 * discoverServiceName adds `service_name` to stream labels that lack it, as Loki does for every
 * pushed stream (push.go ParseLokiRequest): the value of the first label of `from` present, or
 * `unknown_service`. Internal streams and an empty list are left alone.
 */
export function discoverServiceName(labels: readonly Label[], from: readonly string[]): Label[] {
  if (from.length === 0 || labels.some((l) => l.name === SERVICE_NAME)) return [...labels];
  if (labels.some((l) => INTERNAL_LABELS.includes(l.name))) return [...labels];
  let value = SERVICE_UNKNOWN;
  for (const name of from) {
    const l = labels.find((x) => x.name === name);
    if (l && l.value !== "") {
      value = l.value;
      break;
    }
  }
  const out = [...labels, { name: SERVICE_NAME, value }];
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/**
 * normalizeMetadataName turns a structured metadata name into a legacy Prometheus label name as
 * Loki does (prometheus/otlptranslator LabelNamer.Build): runs of other characters become one
 * `_`, a leading digit gets a `key_` prefix, `__x__` keeps its underscores. It throws for
 * names that are empty or come out as underscores only.
 */
export function normalizeMetadataName(name: string): string {
  if (name === "") throw new PushError(400, "label name is empty");
  if (/^[a-zA-Z][a-zA-Z0-9]*(?:_[a-zA-Z0-9]+)*$/.test(name)) return name;
  const reserved = name.length >= 4 && name.startsWith("__") && name.endsWith("__");
  const core = reserved ? name.slice(2, -2) : name;
  let out = "";
  let prevUnderscore = false;
  for (const ch of core) {
    if (/^[a-zA-Z0-9]$/.test(ch)) {
      out += ch;
      prevUnderscore = false;
    } else if (!prevUnderscore) {
      out += "_";
      prevUnderscore = true;
    }
  }
  if (reserved) out = "__" + out + "__";
  if (out[0]! >= "0" && out[0]! <= "9") out = "key_" + out;
  if (/^_*$/.test(out)) {
    throw new PushError(
      400,
      `normalization for label name ${JSON.stringify(name)} resulted in invalid name ${JSON.stringify(out)}`,
    );
  }
  return out;
}

const MONTHS_PAD = (n: number, w = 2): string => String(n).padStart(w, "0");

/** dateOf returns the UTC date of a nanosecond timestamp, or undefined out of Date's range. */
function dateOf(tsNs: bigint): { d: Date; fracNs: bigint } | undefined {
  let ms = tsNs / 1_000_000n;
  let fracNs = tsNs % 1_000_000_000n;
  if (fracNs < 0n) fracNs += 1_000_000_000n;
  if (tsNs < 0n && tsNs % 1_000_000n !== 0n) ms -= 1n;
  if (ms > 8_640_000_000_000_000n || ms < -8_640_000_000_000_000n) return undefined;
  return { d: new Date(Number(ms)), fracNs };
}

function ymdhms(d: Date, dateSep: string, mid: string): string {
  const y = d.getUTCFullYear();
  const ys = y < 0 ? "-" + MONTHS_PAD(-y, 4) : MONTHS_PAD(y, 4);
  return (
    ys +
    dateSep +
    MONTHS_PAD(d.getUTCMonth() + 1) +
    dateSep +
    MONTHS_PAD(d.getUTCDate()) +
    mid +
    MONTHS_PAD(d.getUTCHours()) +
    ":" +
    MONTHS_PAD(d.getUTCMinutes()) +
    ":" +
    MONTHS_PAD(d.getUTCSeconds())
  );
}

/** formatRFC3339 prints a timestamp as Go's time.RFC3339 in UTC: 2024-05-01T12:00:00Z. */
export function formatRFC3339(tsNs: bigint): string {
  const t = dateOf(tsNs);
  if (!t) return `${tsNs}ns`;
  return ymdhms(t.d, "-", "T") + "Z";
}

/** formatGoTime prints a timestamp as Go's Time.String() in UTC: 2024-05-01 12:00:00.5 +0000 UTC. */
export function formatGoTime(tsNs: bigint): string {
  const t = dateOf(tsNs);
  if (!t) return `${tsNs}ns`;
  let frac = "";
  if (t.fracNs !== 0n) frac = "." + String(t.fracNs).padStart(9, "0").replace(/0+$/, "");
  return ymdhms(t.d, "-", " ") + frac + " +0000 UTC";
}

/** formatByteSize prints a byte count as Loki's flagext.ByteSize does: 3MB, 512KB, 100B. */
export function formatByteSize(n: number): string {
  const units: [string, number][] = [
    ["GB", 1024 ** 3],
    ["MB", 1024 ** 2],
    ["KB", 1024],
  ];
  if (n === 0) return "0B";
  for (const [u, b] of units) if (n % b === 0) return `${n / b}${u}`;
  return `${n}B`;
}

/**
 * GroupedErrors collects validation messages and prints them as Loki's util.GroupedErrors
 * does: one message as is; otherwise each distinct message once, prefixed with its count
 * ("3 errors like: ..."), joined by "; ". Loki's order is a map's; here it is first seen.
 */
class GroupedErrors {
  private readonly counts = new Map<string, number>();

  add(msg: string): void {
    this.counts.set(msg, (this.counts.get(msg) ?? 0) + 1);
  }

  get size(): number {
    return this.counts.size;
  }

  toString(): string {
    const unique = this.counts.size;
    const parts: string[] = [];
    for (const [msg, n] of this.counts) {
      parts.push(unique > 1 || n > 1 ? `${n} errors like: ${msg}` : msg);
    }
    return parts.join("; ");
  }
}

/** ValidStream is a stream that passed validation, ready for the rate limits and storage. */
interface ValidStream {
  readonly labels: Labels;
  readonly text: string;
  readonly lines: LogLines;
  /** bytes: the entries' line and metadata bytes. */
  readonly bytes: number;
}

/**
 * LogDistributor validates pushed streams against the configured limits, applies the rate
 * limits and stores what is admitted in one transaction. It holds the rate limiters' state, so
 * one instance serves all requests; give the Loki and OTLP receivers the same instance for the
 * ingestion rate limit to cover both, as Loki's per-tenant limit does.
 */
export class LogDistributor {
  private ingestion: TokenBucket | undefined;
  private readonly streamLimits = new StreamRateLimiters();
  private readonly now: () => number;

  constructor(private readonly opts: LogDistributorOptions) {
    this.now = opts.now ?? Date.now;
  }

  private discard(format: IngestFormat, reason: DiscardReason, lines: number, bytes: number): void {
    if (lines > 0) this.opts.metrics.discardedLines.inc({ reason, format }, lines);
    if (bytes > 0) this.opts.metrics.discardedBytes.inc({ reason, format }, bytes);
  }

  /**
   * push validates `streams`, stores the admitted entries in `store` (committed before it
   * returns) and says what happened. It throws a PushError when storage fails (nothing was
   * acknowledged) and returns 422 for a request without streams.
   */
  async push(
    store: LogStore,
    streams: readonly PushStream[],
    format: IngestFormat,
  ): Promise<PushOutcome> {
    const limits = this.opts.limits();
    const m = this.opts.metrics;
    let total = 0;
    let totalBytes = 0;
    for (const s of streams) {
      total += s.lines.count;
      totalBytes += linesSize(s.lines);
    }
    m.receivedLines.inc({ format }, total);
    m.receivedBytes.inc({ format }, totalBytes);
    if (streams.length === 0) {
      return { status: 422, message: MISSING_STREAMS, accepted: 0, rejected: 0 };
    }

    const nowMs = this.now();
    const nowNs = BigInt(nowMs) * 1_000_000n;
    const window = timeWindow(
      nowNs - BigInt(limits.rejectOldSamplesMaxAgeMs) * 1_000_000n,
      nowNs + BigInt(limits.creationGracePeriodMs) * 1_000_000n,
    );
    const errors = new GroupedErrors();
    const detector =
      limits.discoverLogLevels && limits.allowStructuredMetadata
        ? new LevelDetector(limits.logLevelFields, limits.logLevelFromJsonMaxDepth)
        : undefined;
    const valid: ValidStream[] = [];
    let rejected = 0;

    for (const s of streams) {
      if (s.lines.count === 0) continue;
      const lines = this.truncate(s.lines, limits, format);
      const text = formatStreamLabels(s.labels);
      const labelErr = this.validateLabels(s.labels, text, lines, limits, format);
      if (labelErr) {
        errors.add(labelErr);
        rejected += lines.count;
        continue;
      }
      const vs = this.validateEntries(s, lines, text, limits, window, detector, errors, format);
      rejected += lines.count - vs.lines.count;
      if (vs.lines.count > 0) valid.push(vs);
    }

    const validationMessage = errors.toString();
    if (valid.length === 0) {
      const status = errors.size > 0 ? 400 : 204;
      return { status, message: validationMessage, accepted: 0, rejected };
    }

    // The ingestion rate limit admits the whole request or nothing (enforceIngestionRateLimits).
    const requestBytes = valid.reduce((n, s) => n + s.bytes, 0);
    const requestLines = valid.reduce((n, s) => n + s.lines.count, 0);
    if (!this.admit(nowMs, requestBytes, limits)) {
      this.discard(format, "rate_limited", requestLines, requestBytes);
      const limit = Math.trunc(limits.ingestionRateBytes);
      return {
        status: 429,
        message:
          `ingestion rate limit exceeded for user ${TENANT} (limit: ${limit} bytes/sec) while ` +
          `attempting to ingest '${requestLines}' lines totaling '${requestBytes}' bytes, reduce ` +
          "log volume or contact your Loki administrator to see if the limit can be increased",
        accepted: 0,
        rejected: rejected + requestLines,
      };
    }

    // The per-stream rate limit drops single entries (the ingester's validateEntries).
    let streamLimitMessage = "";
    const app = store.logAppender();
    let accepted = 0;
    try {
      for (const vs of valid) {
        // A stream whose whole push fits its bucket takes it at once (the same as entry by
        // entry when every entry fits); otherwise entry by entry, as the ingester does.
        if (
          this.streamLimits.allow(
            vs.text,
            nowMs,
            vs.bytes,
            limits.perStreamRateLimitBytes,
            limits.perStreamRateLimitBurstBytes,
          )
        ) {
          app.appendLines(vs.labels, vs.lines);
          accepted += vs.lines.count;
          continue;
        }
        const keep: number[] = [];
        const failed: string[] = [];
        let failedBytes = 0;
        for (let i = 0; i < vs.lines.count; i++) {
          const size = entrySize(vs.lines, i);
          const ok = this.streamLimits.allow(
            vs.text,
            nowMs,
            size,
            limits.perStreamRateLimitBytes,
            limits.perStreamRateLimitBurstBytes,
          );
          if (ok) {
            keep.push(i);
            continue;
          }
          failed.push(
            `entry with timestamp ${formatGoTime(vs.lines.ts[i]!)} ignored, reason: 'Per stream rate ` +
              `limit exceeded (limit: ${formatByteSize(limits.perStreamRateLimitBytes)}/sec) while ` +
              `attempting to ingest for stream '${vs.text}' totaling ${formatByteSize(size)}, ` +
              "consider splitting a stream via additional labels or contact your Loki " +
              "administrator to see if the limit can be increased',\n",
          );
          failedBytes += size;
        }
        if (failed.length > 0) {
          this.discard(format, "per_stream_rate_limit", failed.length, failedBytes);
          rejected += failed.length;
          if (streamLimitMessage === "") {
            streamLimitMessage =
              failed.slice(0, MAX_RETURNED_STREAM_ERRORS).join("") +
              `user '${TENANT}', total ignored: ${failed.length} out of ${vs.lines.count} ` +
              `for stream: ${vs.text}`;
          }
        }
        if (keep.length > 0) {
          app.appendLines(vs.labels, selectLines(vs.lines, keep));
          accepted += keep.length;
        }
      }
    } catch (err) {
      app.rollback();
      throw storageError(err);
    }
    if (accepted > 0) {
      try {
        await app.commit();
      } catch (err) {
        throw storageError(err);
      }
    } else {
      app.rollback();
    }
    if (streamLimitMessage !== "") {
      return { status: 429, message: streamLimitMessage, accepted, rejected };
    }
    if (errors.size > 0) return { status: 400, message: validationMessage, accepted, rejected };
    return { status: 204, message: "", accepted, rejected };
  }

  private admit(nowMs: number, bytes: number, limits: LogIngestConfig): boolean {
    if (limits.ingestionRateBytes <= 0) return true;
    if (!this.ingestion) {
      this.ingestion = new TokenBucket(
        limits.ingestionRateBytes,
        limits.ingestionBurstSizeBytes,
        nowMs,
      );
    } else {
      this.ingestion.setLimits(limits.ingestionRateBytes, limits.ingestionBurstSizeBytes);
    }
    return this.ingestion.allow(nowMs, bytes);
  }

  /** truncate shortens lines over max_line_size when max_line_size_truncate is on. */
  private truncate(lines: LogLines, limits: LogIngestConfig, format: IngestFormat): LogLines {
    const max = limits.maxLineSizeBytes;
    if (!limits.maxLineSizeTruncate || max === 0) return lines;
    const suffix = Buffer.from(limits.maxLineSizeTruncateIdentifier, "utf8");
    const keepBytes = max - suffix.length;
    if (keepBytes <= 0) return lines;
    const replace = new Map<number, Uint8Array>();
    let bytes = 0;
    for (let i = 0; i < lines.count; i++) {
      const start = lines.start[i]!;
      const len = lines.end[i]! - start;
      if (len <= max) continue;
      // Cut at a character boundary at or before keepBytes (Loki cuts bytes, which can split a
      // character).
      let end = keepBytes;
      while (end > 0 && (lines.data[start + end]! & 0xc0) === 0x80) end--;
      bytes += len - end;
      replace.set(i, Buffer.concat([lines.data.subarray(start, start + end), suffix]));
    }
    if (replace.size === 0) return lines;
    this.opts.metrics.mutatedLines.inc({ reason: "line_too_long", format }, replace.size);
    this.opts.metrics.mutatedBytes.inc({ reason: "line_too_long", format }, bytes);
    return replaceLines(lines, replace);
  }

  /**
   * validateEntries checks a stream's entries (Loki's ValidateEntry), adds detected levels and
   * normalizes metadata, and returns the valid ones as new columns with their sizes. Times are
   * compared as 32-bit words, without a bigint per entry; a failing entry takes the slow path.
   */
  private validateEntries(
    s: PushStream,
    lines: LogLines,
    text: string,
    limits: LogIngestConfig,
    window: TimeWindow,
    detector: LevelDetector | undefined,
    errors: GroupedErrors,
    format: IngestFormat,
  ): ValidStream {
    const n = lines.count;
    // In place: entry k of the valid ones is written over entry i >= k.
    const { data, ts, start, end } = lines;
    const md = lines.metadata as Labels[];
    const ts32 = new Int32Array(ts.buffer, ts.byteOffset, 2 * n);
    const [oldHi, oldLo] = window.oldestWords;
    const [newHi, newLo] = window.newestWords;
    const rejectOld = limits.rejectOldSamples;
    const maxLine = limits.maxLineSizeBytes;
    const dedupe = limits.incrementDuplicateTimestamp;
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let prevHi = ts32[1]!;
    let prevLo = ts32[0]!;
    let bytes = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      let hi = ts32[2 * i + 1]!;
      let lo = ts32[2 * i]!;
      const from = start[i]!;
      const to = end[i]!;
      const lineLen = to - from;
      const raw = md[i]!;
      if (!(
        (!rejectOld || !before(hi, lo, oldHi, oldLo)) &&
        !before(newHi, newLo, hi, lo) &&
        (maxLine === 0 || lineLen <= maxLine) &&
        raw.length === 0
      )) {
        const tsNs = s.wide?.get(i) ?? ts[i]!;
        const err = this.validateEntry(tsNs, lineLen, raw, text, limits, window, format);
        if (err) {
          errors.add(err);
          continue;
        }
      }
      let entryMd: Labels;
      let mdSize: number;
      if (raw.length === 0) {
        // The common case: a shared array per level instead of one per entry.
        const level = detector?.detect(s.labels, NO_PAIRS, data, from, to);
        if (level === undefined) {
          entryMd = EMPTY_LABELS;
          mdSize = 0;
        } else {
          const lm = levelMetadata(level);
          entryMd = lm.md;
          mdSize = lm.size;
        }
      } else {
        const norm = normalizeMetadata(raw);
        if (detector) {
          const level = detector.detect(s.labels, norm, data, from, to);
          if (level !== undefined) norm.push({ name: DETECTED_LEVEL, value: level });
        }
        entryMd = sortMetadata(norm);
        mdSize = metadataSize(entryMd);
      }
      if (dedupe && k > 0) {
        // Loki's increment_duplicate_timestamp: a different line at the time of the one before
        // (or of its original time) moves one nanosecond past it.
        const lastHi = ts32[2 * k - 1]!;
        const lastLo = ts32[2 * k - 2]!;
        const differs = buf.compare(buf, start[k - 1]!, end[k - 1]!, from, to) !== 0;
        if (differs && ((hi === prevHi && lo === prevLo) || (hi === lastHi && lo === lastLo))) {
          lo = (lastLo + 1) | 0;
          hi = lo === 0 ? lastHi + 1 : lastHi;
        } else {
          prevHi = hi;
          prevLo = lo;
        }
      }
      ts32[2 * k] = lo;
      ts32[2 * k + 1] = hi;
      start[k] = from;
      end[k] = to;
      md[k] = entryMd;
      bytes += lineLen + mdSize;
      k++;
    }
    return {
      labels: s.labels,
      text,
      lines: { count: k, data, ts, start, end, metadata: md },
      bytes,
    };
  }

  /** validateLabels is Loki's Validator.ValidateLabels; it returns a message or "". */
  private validateLabels(
    labels: readonly Label[],
    text: string,
    lines: LogLines,
    limits: LogIngestConfig,
    format: IngestFormat,
  ): string {
    const fail = (reason: DiscardReason, msg: string): string => {
      this.discard(format, reason, lines.count, linesSize(lines));
      return msg;
    };
    if (labels.length === 0) {
      return fail("missing_labels", "error at least one label pair is required per stream");
    }
    if (labels.some((l) => INTERNAL_LABELS.includes(l.name))) return "";
    let names = labels.length;
    if (labels.some((l) => l.name === SERVICE_NAME)) names--;
    if (names > limits.maxLabelNamesPerSeries) {
      return fail(
        "max_label_names_per_series",
        `entry for stream '${text}' has ${names} label names; limit ${limits.maxLabelNamesPerSeries}`,
      );
    }
    let last = "";
    for (const l of labels) {
      if (byteLen(l.name) > limits.maxLabelNameLength) {
        return fail("label_name_too_long", `stream '${text}' has label name too long: '${l.name}'`);
      }
      if (byteLen(l.value) > limits.maxLabelValueLength) {
        return fail(
          "label_value_too_long",
          `stream '${text}' has label value too long: '${l.value}'`,
        );
      }
      if (l.name === last) {
        return fail(
          "duplicate_label_names",
          `stream '${text}' has duplicate label name: '${l.name}'`,
        );
      }
      last = l.name;
    }
    return "";
  }

  /** validateEntry is Loki's Validator.ValidateEntry; it returns a message or "". */
  private validateEntry(
    tsNs: bigint,
    lineLen: number,
    metadata: readonly Label[],
    text: string,
    limits: LogIngestConfig,
    window: TimeWindow,
    format: IngestFormat,
  ): string {
    const { oldestNs, newestNs } = window;
    const mdSize = metadataSize(metadata);
    const fail = (reason: DiscardReason, msg: string): string => {
      this.discard(format, reason, 1, lineLen + mdSize);
      return msg;
    };
    if (limits.rejectOldSamples && tsNs < oldestNs) {
      return fail(
        "greater_than_max_sample_age",
        `entry for stream '${text}' has timestamp too old: ${formatRFC3339(tsNs)}, ` +
          `oldest acceptable timestamp is: ${formatRFC3339(oldestNs)}`,
      );
    }
    if (tsNs > newestNs) {
      return fail(
        "too_far_in_future",
        `entry for stream '${text}' has timestamp too new: ${formatRFC3339(tsNs)}`,
      );
    }
    if (limits.maxLineSizeBytes !== 0 && lineLen > limits.maxLineSizeBytes) {
      return fail(
        "line_too_long",
        `max entry size '${limits.maxLineSizeBytes}' bytes exceeded for stream '${text}' while ` +
          `adding an entry with length '${lineLen}' bytes`,
      );
    }
    const count = metadata.length;
    if (count > 0) {
      if (!limits.allowStructuredMetadata) {
        return fail(
          "disallowed_structured_metadata",
          `stream '${text}' includes structured metadata, but this feature is disallowed. ` +
            "Please see `limits_config.allow_structured_metadata` or contact your Loki " +
            "administrator to enable it",
        );
      }
      const maxSize = limits.maxStructuredMetadataSizeBytes;
      if (maxSize !== 0 && mdSize > maxSize) {
        return fail(
          "structured_metadata_too_large",
          `stream '${text}' has structured metadata too large: '${mdSize}' bytes, limit: ` +
            `'${maxSize}' bytes. Please see \`limits_config.max_structured_metadata_size\` or ` +
            "contact your Loki administrator to increase it",
        );
      }
      const maxCount = limits.maxStructuredMetadataEntriesCount;
      if (maxCount !== 0 && count > maxCount) {
        return fail(
          "structured_metadata_too_many",
          `stream '${text}' has too many structured metadata labels: '${count}', limit: ` +
            `'${maxCount}'. Please see \`limits_config.max_structured_metadata_entries_count\` ` +
            "or contact your Loki administrator to increase it",
        );
      }
    }
    return "";
  }
}

/** TimeWindow is the range of acceptable entry times, also as 32-bit words (tsBefore). */
interface TimeWindow {
  readonly oldestNs: bigint;
  readonly newestNs: bigint;
  readonly oldestWords: readonly [number, number];
  readonly newestWords: readonly [number, number];
}

function timeWindow(oldestNs: bigint, newestNs: bigint): TimeWindow {
  // Bounds past the Int64 range clamp to it, as entry times do (LogLinesBuilder).
  return {
    oldestNs,
    newestNs,
    oldestWords: tsWords(clampInt64(oldestNs)),
    newestWords: tsWords(clampInt64(newestNs)),
  };
}

/** selectLines returns the entries of `lines` at the indexes `keep`, as new columns. */
function selectLines(lines: LogLines, keep: readonly number[]): LogLines {
  const idx = Int32Array.from(keep);
  const ts = new BigInt64Array(idx.length);
  idx.forEach((i, k) => (ts[k] = lines.ts[i]!));
  return {
    count: idx.length,
    data: lines.data,
    ts,
    start: idx.map((i) => lines.start[i]!),
    end: idx.map((i) => lines.end[i]!),
    metadata: keep.map((i) => lines.metadata[i]!),
  };
}

/** MAX_RETURNED_STREAM_ERRORS is Loki's ingester.max-ignored-stream-errors default. */
const MAX_RETURNED_STREAM_ERRORS = 10;

/**
 * normalizeMetadata renames structured metadata to legacy label names and drops U+FFFD (what
 * invalid UTF-8 decodes to) from values, as the distributor does; on a repeated name the first
 * pair wins.
 */
function normalizeMetadata(md: readonly Label[]): Label[] {
  const out: Label[] = [];
  for (const l of md) {
    const name = normalizeMetadataName(l.name);
    const value = l.value.includes("\ufffd") ? l.value.replaceAll("\ufffd", "") : l.value;
    if (out.some((x) => x.name === name)) continue;
    out.push(name === l.name && value === l.value ? l : { name, value });
  }
  return out;
}

/** NO_PAIRS is an empty list for LevelDetector.detect, which changes only existing pairs. */
const NO_PAIRS: Label[] = [];

/**
 * LEVEL_METADATA: the shared, frozen metadata of entries that carry only a detected level, with
 * its size as Loki counts it.
 */
const LEVEL_METADATA = new Map<string, { md: Labels; size: number }>();

function levelMetadata(level: string): { md: Labels; size: number } {
  let lm = LEVEL_METADATA.get(level);
  if (!lm) {
    // Levels from labels and metadata are free text: keep the map bounded.
    if (LEVEL_METADATA.size >= 64) LEVEL_METADATA.clear();
    const md = Object.freeze([Object.freeze({ name: DETECTED_LEVEL, value: level })]);
    lm = { md, size: metadataSize(md) };
    LEVEL_METADATA.set(level, lm);
  }
  return lm;
}

function sortMetadata(md: Label[]): Labels {
  if (md.length < 2) return md;
  return md.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function storageError(err: unknown): PushError {
  if (err instanceof PushError) return err;
  if (err instanceof StorageClosedError) {
    return new PushError(503, err.message, undefined, { cause: err });
  }
  return new PushError(500, errorMessage(err), undefined, { cause: err });
}
