// The scrape loop of one target (prometheus scrape/scrape.go scrapeLoop, v3.5): fetch on a
// fixed schedule, parse, attach target labels, apply metric relabeling and limits, append with
// cached series refs, write staleness markers and the report series, commit.
import type { Labels } from "../model/labels/index.ts";
import {
  LabelInterner,
  METRIC_NAME,
  getLabel,
  isValidLabelName,
  isValidMetricName,
  labelsFromPairs,
} from "../model/labels/index.ts";
import { isValidUtf8LabelName } from "../model/regex/index.ts";
import type { RelabelConfig } from "../model/relabel/index.ts";
import { relabel } from "../model/relabel/index.ts";
import type {
  EscapingScheme,
  ExpectedSeries,
  ParseResult,
  ScrapeProtocol,
} from "../model/textparse/index.ts";
import { acceptEncodingHeader, acceptHeader, parseExposition } from "../model/textparse/index.ts";
import { STALE_NAN } from "../model/value/index.ts";
import type { Appender, SeriesRef, Storage } from "../storage/index.ts";
import { errorMessage } from "../util/errors.ts";
import { grown } from "../util/grow.ts";
import type { HttpClient } from "../util/http-client/index.ts";
import { BodySizeLimitError } from "../util/http-client/index.ts";
import type { Logger } from "../util/logging/index.ts";
import type { NameValidationScheme } from "./config.ts";
import type { MetricMetadata, Target } from "./target.ts";

/** Samples with timestamps further ahead than this are skipped (maxAheadTime). */
const MAX_AHEAD_MS = 10 * 60_000;

/** Scrape timestamps within this distance of the schedule are set to it (AlignScrapeTimestamps). */
const ALIGN_TOLERANCE_MS = 25;

/** Metadata of a family that has not been seen for this many scrapes is forgotten. */
const METADATA_TTL_SCRAPES = 10;

/** LabelLimits bound the labels of each scraped series; 0 means no limit. */
export interface LabelLimits {
  readonly labelLimit: number;
  readonly labelNameLengthLimit: number;
  readonly labelValueLengthLimit: number;
}

/** ScrapeLoopOptions configure one target's loop. */
export interface ScrapeLoopOptions {
  readonly target: Target;
  readonly client: HttpClient;
  readonly storage: Pick<Storage, "appender">;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly bodySizeLimitBytes: number;
  readonly sampleLimit: number;
  readonly labelLimits: LabelLimits;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly trackTimestampsStaleness: boolean;
  readonly enableCompression: boolean;
  readonly metricRelabelConfigs: readonly RelabelConfig[];
  readonly scrapeProtocols: readonly ScrapeProtocol[];
  readonly fallbackScrapeProtocol?: ScrapeProtocol;
  readonly validationScheme: NameValidationScheme;
  readonly escapingScheme: EscapingScheme;
  /** offsetSeed varies the scrape phase between Vigil instances (Prometheus's offsetSeed). */
  readonly offsetSeed: number;
  /** forcedError fails every scrape with this message (target_limit exceeded). */
  forcedError?: string;
  /** skipOffset starts scraping at once instead of at the target's phase (tests). */
  readonly skipOffset?: boolean;
  /** cache reuses the series cache of a previous loop for the same target. */
  readonly cache?: ScrapeCache;
  /**
   * superseded tells whether a newer loop scrapes the same target; a stopped loop then writes
   * no end-of-run staleness markers (Prometheus relies on them being out of order instead).
   */
  readonly superseded?: () => boolean;
}

/** SeriesSlot is a series the loop appends to: its labels and storage ref. */
interface SeriesSlot {
  ref: SeriesRef;
  readonly labels: Labels;
}

/** CacheEntry is what the loop remembers about one exposed series text. */
interface CacheEntry extends SeriesSlot {
  /** The series text is keys[keyOff, keyOff + keyLen) of the cache (moved by compaction). */
  keyOff: number;
  readonly keyLen: number;
  /** next chains entries of equal hash. */
  next: CacheEntry | undefined;
  /** lastIter is the scrape iteration that last saw the series. */
  lastIter: number;
  /** seenIter is the iteration whose staleness list holds the entry. */
  seenIter: number;
}

/**
 * ScrapeCache maps exposed series text to labels and storage refs, and remembers what the last
 * successful scrape exposed so that series that disappear get staleness markers
 * (scrapeCache in Prometheus). The series texts are kept as bytes in one buffer, `keys`.
 */
export class ScrapeCache {
  iter = 1;
  /**
   * series: entries by the hash of their series text (ParseResult.seriesHash), chained on
   * collisions, so that looking a sample up makes no string. `size` counts entries.
   */
  readonly series = new Map<number, CacheEntry>();
  size = 0;
  /** keys holds the entries' series texts: keysUsed bytes, of which keysLive are live. */
  keys = new Uint8Array(4096);
  keysUsed = 0;
  keysLive = 0;
  /**
   * byIndex is the entry of each sample of the last scrape, by its position in the exposition:
   * a target that exposes the same series in the same order is looked up without hashing.
   * expOff and expLen locate each one's text in `keys` (expLen -1 for none), for the parser
   * (ParseOptions.expect), which then matches a sample's series while it reads it.
   */
  readonly byIndex: (CacheEntry | undefined)[] = [];
  private expOff = new Int32Array(64);
  private expLen = new Int32Array(64);
  /** Series texts that metric relabeling dropped, with the iteration that last saw them. */
  readonly dropped = new Map<string, number>();
  /** Entries appended without explicit timestamps by the previous scrape. */
  prevSeen: CacheEntry[] = [];
  curSeen: CacheEntry[] = [];

  readonly metadata = new Map<string, MetricMetadata & { lastIter: number }>();
  /** Report series, by metric name. */
  readonly report = new Map<string, SeriesSlot>();

  /**
   * at returns the entry of sample i when the sample at position i of the last scrape had the
   * same series text.
   */
  at(res: ParseResult, i: number): CacheEntry | undefined {
    const e = this.byIndex[i];
    if (res.seriesExpected(i)) return e;
    if (
      e !== undefined &&
      e.keyLen === res.seriesLength(i) &&
      res.seriesIs(i, this.keys, e.keyOff)
    ) {
      return e;
    }
    return undefined;
  }

  /** setAt records that sample i of this scrape is entry e's series (or a dropped one's). */
  setAt(i: number, e: CacheEntry | undefined): void {
    this.byIndex[i] = e;
    if (i >= this.expOff.length) {
      const cap = Math.max(i + 1, this.expOff.length * 2);
      this.expOff = grown(this.expOff, cap);
      this.expLen = grown(this.expLen, cap);
    }
    this.expOff[i] = e === undefined ? 0 : e.keyOff;
    this.expLen[i] = e === undefined ? -1 : e.keyLen;
  }

  /** expected is what the parser should expect of the next scrape: the last one's texts. */
  expected(): ExpectedSeries {
    return { bytes: this.keys, off: this.expOff, len: this.expLen, count: this.byIndex.length };
  }

  /** get returns the entry of sample i's series text, if any; hash is res.seriesHash(i). */
  get(res: ParseResult, i: number, hash: number): CacheEntry | undefined {
    const len = res.seriesLength(i);
    for (let e = this.series.get(hash); e !== undefined; e = e.next) {
      if (e.keyLen === len && res.seriesIs(i, this.keys, e.keyOff)) return e;
    }
    return undefined;
  }

  /** add makes the entry of sample i's series text, whose hash is `hash`. */
  add(res: ParseResult, i: number, hash: number, labels: Labels): CacheEntry {
    const len = res.seriesLength(i);
    if (this.keysUsed + len > this.keys.length) {
      this.keys = grown(this.keys, Math.max(this.keys.length * 2, this.keysUsed + len));
    }
    res.copySeries(i, this.keys, this.keysUsed);
    const e: CacheEntry = {
      ref: 0,
      labels,
      keyOff: this.keysUsed,
      keyLen: len,
      next: this.series.get(hash),
      lastIter: 0,
      seenIter: 0,
    };
    this.keysUsed += len;
    this.keysLive += len;
    this.series.set(hash, e);
    this.size++;
    return e;
  }

  /**
   * forget drops entries that iteration `iter` did not see. When most of `keys` is then
   * garbage, the live texts are copied into a new buffer.
   */
  forget(iter: number): void {
    for (const [h, first] of this.series) {
      let head: CacheEntry | undefined = first;
      while (head !== undefined && head.lastIter !== iter) {
        this.keysLive -= head.keyLen;
        head = head.next;
        this.size--;
      }
      for (let p: CacheEntry | undefined = head; p !== undefined;) {
        const n = p.next;
        if (n !== undefined && n.lastIter !== iter) {
          this.keysLive -= n.keyLen;
          p.next = n.next;
          this.size--;
        } else p = n;
      }
      if (head === undefined) this.series.delete(h);
      else if (head !== first) this.series.set(h, head);
    }
    if (this.keysUsed > 2 * this.keysLive + 4096) this.compact();
  }

  private compact(): void {
    const old = this.keys;
    const b = new Uint8Array(Math.max(4096, Math.ceil(this.keysLive * 1.25)));
    let off = 0;
    for (const first of this.series.values()) {
      for (let e: CacheEntry | undefined = first; e !== undefined; e = e.next) {
        b.set(old.subarray(e.keyOff, e.keyOff + e.keyLen), off);
        e.keyOff = off;
        off += e.keyLen;
      }
    }
    this.keys = b;
    this.keysUsed = off;
    const byIndex = this.byIndex;
    for (let i = 0; i < byIndex.length; i++) {
      const e = byIndex[i];
      if (e !== undefined) this.expOff[i] = e.keyOff;
    }
  }
}

/**
 * INTERNER shares label pairs between the series of all targets (metric names, job, instance,
 * le, ...): the cache entries and the storage keep a series' labels for as long as it is
 * scraped.
 */
const INTERNER = new LabelInterner();

/**
 * mutateSampleLabels attaches the target's labels to a scraped series and applies metric
 * relabeling (mutateSampleLabels). With honor_labels the scraped value wins; otherwise the
 * target's wins and a clashing scraped label is kept as exported_<name> (exported_exported_…
 * when that is taken too).
 */
export function mutateSampleLabels(
  ls: Labels,
  target: Labels,
  honor: boolean,
  rcs: readonly RelabelConfig[],
): Labels | null {
  const m = new Map<string, string>();
  for (const l of ls) m.set(l.name, l.value);
  if (honor) {
    for (const l of target) if (!m.has(l.name)) m.set(l.name, l.value);
  } else {
    const conflicts: { name: string; value: string }[] = [];
    for (const l of target) {
      const existing = m.get(l.name);
      if (existing !== undefined && existing !== "")
        conflicts.push({ name: l.name, value: existing });
      m.set(l.name, l.value);
    }
    conflicts.sort((a, b) => a.name.length - b.name.length);
    for (const c of conflicts) {
      let name = c.name;
      for (;;) {
        name = `exported_${name}`;
        if (!m.get(name)) {
          m.set(name, c.value);
          break;
        }
      }
    }
  }
  const out = labelsFromPairs([...m].map(([name, value]) => ({ name, value })));
  return rcs.length > 0 ? relabel(out, rcs) : out;
}

/** verifyLabelLimits throws when a series breaks a label limit (verifyLabelLimits). */
function verifyLabelLimits(ls: Labels, lim: LabelLimits): void {
  const met = getLabel(ls, METRIC_NAME).slice(0, 50);
  if (lim.labelLimit > 0 && ls.length > lim.labelLimit) {
    throw new Error(
      `label_limit exceeded (metric: ${met}, number of labels: ${ls.length}, limit: ${lim.labelLimit})`,
    );
  }
  if (lim.labelNameLengthLimit === 0 && lim.labelValueLengthLimit === 0) return;
  for (const l of ls) {
    const nameLen = Buffer.byteLength(l.name);
    if (lim.labelNameLengthLimit > 0 && nameLen > lim.labelNameLengthLimit) {
      throw new Error(
        `label_name_length_limit exceeded (metric: ${met}, label name: ${l.name.slice(0, 50)}, length: ${nameLen}, limit: ${lim.labelNameLengthLimit})`,
      );
    }
    const valueLen = Buffer.byteLength(l.value);
    if (lim.labelValueLengthLimit > 0 && valueLen > lim.labelValueLengthLimit) {
      throw new Error(
        `label_value_length_limit exceeded (metric: ${met}, label name: ${l.name.slice(0, 50)}, value: ${JSON.stringify(l.value.slice(0, 50))}, length: ${valueLen}, limit: ${lim.labelValueLengthLimit})`,
      );
    }
  }
}

/** isValidSeries checks metric and label names under the validation scheme (Labels.IsValid). */
function isValidSeries(ls: Labels, scheme: NameValidationScheme): boolean {
  for (const l of ls) {
    if (l.name === METRIC_NAME) {
      if (scheme === "legacy" ? !isValidMetricName(l.value) : !isValidUtf8LabelName(l.value)) {
        return false;
      }
    } else if (scheme === "legacy" ? !isValidLabelName(l.name) : !isValidUtf8LabelName(l.name)) {
      return false;
    }
  }
  return true;
}

/** SampleLimitError is the error of a scrape over sample_limit. */
class SampleLimitError extends Error {
  constructor() {
    super("sample limit exceeded");
  }
}

/** AppendResult counts what one scrape appended, for the report series. */
interface AppendResult {
  total: number;
  added: number;
  seriesAdded: number;
}

/**
 * ScrapeLoop scrapes one target every interval until stopped. A scrape that fails (network,
 * HTTP status, body size, parse error, limits, invalid series) appends none of its samples;
 * it writes staleness markers for the series of the previous scrape and reports up=0 with the
 * error on the target. Series that disappear between successful scrapes get staleness markers
 * at the scrape's timestamp, and when the loop is stopped for good (target gone), all its
 * series get them about two intervals later, unless the whole manager is shutting down.
 */
export class ScrapeLoop {
  readonly cache: ScrapeCache;
  private readonly stopCtl = new AbortController();
  private running: Promise<void> | undefined;
  private endOfRunStaleness = true;
  private readonly accept: string;
  private stoppedResolve: (() => void) | undefined;
  /** stopped resolves once the loop has stopped scraping. */
  private readonly stopped = new Promise<void>((r) => (this.stoppedResolve = r));

  constructor(
    private readonly o: ScrapeLoopOptions,
    /** parent aborts on shutdown: no more writes, not even staleness markers. */
    private readonly parent: AbortSignal,
  ) {
    this.cache = o.cache ?? new ScrapeCache();
    this.accept = acceptHeader(o.scrapeProtocols, o.escapingScheme);
  }

  get target(): Target {
    return this.o.target;
  }

  /** setForcedError makes scrapes fail with err (or succeed again when undefined). */
  setForcedError(err: string | undefined): void {
    this.o.forcedError = err;
  }

  /** start begins scraping in the background. */
  start(): void {
    this.running ??= this.run();
  }

  /**
   * stop ends the loop after the scrape in progress. With staleness (the target went away)
   * the staleness markers are written in the background after about two intervals; without
   * (the loop is being replaced by one for the same target) nothing more is written. The
   * returned promise resolves when the loop has stopped scraping.
   */
  stop(opts: { staleness: boolean }): Promise<void> {
    this.endOfRunStaleness = opts.staleness;
    this.stopCtl.abort();
    if (!this.running) this.stoppedResolve?.();
    return this.stopped;
  }

  private async run(): Promise<void> {
    const { intervalMs } = this.o;
    const signal = AbortSignal.any([this.stopCtl.signal, this.parent]);
    try {
      if (!this.o.skipOffset) {
        await sleep(this.o.target.offsetMs(intervalMs, this.o.offsetSeed), signal);
      }
      let aligned = Date.now();
      let last = 0;
      const tolerance = Math.min(ALIGN_TOLERANCE_MS, intervalMs / 100);
      while (!signal.aborted) {
        let scrapeTime = Date.now();
        while (scrapeTime - aligned >= intervalMs) aligned += intervalMs;
        if (scrapeTime - aligned <= tolerance) scrapeTime = aligned;
        await this.scrapeAndReport(scrapeTime);
        last = scrapeTime;
        const now = Date.now();
        let next = aligned + intervalMs;
        while (next <= now) next += intervalMs;
        await sleep(next - now, signal);
      }
      this.stoppedResolve?.();
      if (last !== 0 && this.endOfRunStaleness && !this.parent.aborted) {
        await this.writeEndOfRunStaleness(aligned, intervalMs);
      }
    } catch (err) {
      this.o.logger.error({ err: errorMessage(err) }, "scrape loop failed");
    } finally {
      this.stoppedResolve?.();
    }
  }

  /**
   * writeEndOfRunStaleness waits until the scrape after next would have happened (plus 10%),
   * so that a target that was only moved is scraped by its new loop first, then marks all
   * series stale at the time of the next scrape (endOfRunStaleness).
   */
  private async writeEndOfRunStaleness(aligned: number, intervalMs: number): Promise<void> {
    let next = aligned + intervalMs;
    while (next <= Date.now()) next += intervalMs;
    const staleTime = next;
    await sleep(next + intervalMs + intervalMs / 10 - Date.now(), this.parent);
    if (this.parent.aborted || this.o.superseded?.()) return;
    const app = this.o.storage.appender(this.cache.prevSeen.length + this.cache.report.size);
    try {
      this.appendStaleMarkers(app, this.cache.prevSeen, staleTime);
      this.cache.prevSeen = [];
      for (const e of this.cache.report.values()) app.append(e.ref, e.labels, staleTime, STALE_NAN);
      await app.commit();
    } catch (err) {
      app.rollback();
      this.o.logger.warn({ err: errorMessage(err) }, "stale commit failed");
    }
  }

  /** scrapeOnce scrapes now and returns when the result is committed (tests, benchmarks). */
  scrapeOnce(timeMs = Date.now()): Promise<void> {
    return this.scrapeAndReport(timeMs);
  }

  private async scrapeAndReport(appendTimeMs: number): Promise<void> {
    const o = this.o;
    const startWall = Date.now();
    const t0 = performance.now();
    // Room for as many samples as the last scrape had (and its report and stale markers).
    const hint = this.cache.prevSeen.length + this.cache.report.size + 16;
    let app = o.storage.appender(hint);
    let result: AppendResult = { total: 0, added: 0, seriesAdded: 0 };
    let scrapeErr: string | undefined = o.forcedError;
    let appended = false;

    if (scrapeErr === undefined) {
      let body: Buffer | undefined;
      let contentType = "";
      try {
        const res = await o.client.request(o.target.url, {
          headers: {
            Accept: this.accept,
            "Accept-Encoding": acceptEncodingHeader(o.enableCompression),
            "X-Prometheus-Scrape-Timeout-Seconds": String(o.timeoutMs / 1000),
          },
          timeoutMs: o.timeoutMs,
          maxBodyBytes: o.bodySizeLimitBytes,
          signal: this.parent,
        });
        if (res.status !== 200) {
          throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
        }
        body = res.body;
        contentType = String(res.headers["content-type"] ?? "");
      } catch (err) {
        scrapeErr = err instanceof BodySizeLimitError ? err.message : errorMessage(err);
      }
      if (this.parent.aborted) {
        app.rollback();
        return;
      }
      if (body !== undefined && body.length > 0) {
        try {
          result = this.append(app, body, contentType, appendTimeMs);
          appended = true;
        } catch (err) {
          if (err instanceof AppendError) result = err.result;
          app.rollback();
          app = o.storage.appender(hint);
          scrapeErr = errorMessage(err instanceof AppendError ? err.cause : err);
          this.o.logger.debug({ target: o.target.url, err: scrapeErr }, "append failed");
        }
      }
    }
    if (!appended) {
      // A failed or empty scrape: every series of the previous scrape is now stale.
      this.appendStaleMarkers(app, this.cache.prevSeen, appendTimeMs);
      this.cache.prevSeen = [];
      this.cache.curSeen = [];
      this.cache.iter++;
    }
    const durationMs = performance.now() - t0;
    o.target.report(startWall, durationMs, scrapeErr);
    try {
      this.appendReport(app, appendTimeMs, durationMs, result, scrapeErr === undefined);
      await app.commit();
    } catch (err) {
      app.rollback();
      this.o.logger.error({ target: o.target.url, err: errorMessage(err) }, "scrape commit failed");
    }
  }

  private appendStaleMarkers(app: Appender, entries: readonly SeriesSlot[], tMs: number): void {
    for (const e of entries) e.ref = app.append(e.ref, e.labels, tMs, STALE_NAN);
  }

  private appendReport(
    app: Appender,
    tMs: number,
    durationMs: number,
    r: AppendResult,
    up: boolean,
  ): void {
    const add = (name: string, v: number): void => {
      let e = this.cache.report.get(name);
      if (!e) {
        const labels = labelsFromPairs([
          ...this.o.target.publicLabels,
          { name: METRIC_NAME, value: name },
        ]);
        e = { ref: 0, labels };
        this.cache.report.set(name, e);
      }
      e.ref = app.append(e.ref, e.labels, tMs, v);
    };
    add("up", up ? 1 : 0);
    add("scrape_duration_seconds", durationMs / 1000);
    add("scrape_samples_scraped", r.total);
    add("scrape_samples_post_metric_relabeling", r.added);
    add("scrape_series_added", r.seriesAdded);
  }

  /**
   * append parses a body and appends its samples (scrapeLoop.append). It throws an AppendError
   * (carrying the counts so far) when the scrape must fail; the caller then rolls back.
   */
  private append(app: Appender, body: Buffer, contentType: string, defTime: number): AppendResult {
    const o = this.o;
    const c = this.cache;
    const iter = c.iter;
    const r: AppendResult = { total: 0, added: 0, seriesAdded: 0 };
    let res: ParseResult;
    try {
      res = parseExposition(body, contentType, {
        fallbackScrapeProtocol: o.fallbackScrapeProtocol,
        expect: c.expected(),
      });
    } catch (err) {
      throw new AppendError(err, r);
    }
    this.updateMetadata(res, iter);
    const n = res.length;
    r.total = n;
    const values = res.values;
    const limit = o.sampleLimit;
    const maxTime = Date.now() + MAX_AHEAD_MS;
    // curSeen is refilled in place (cur[nCur++]): emptying it with `length = 0` would free its
    // backing store, to be grown again on every scrape.
    const cur = c.curSeen;
    let nCur = 0;
    let limitErr = false;
    let appendedSamples = 0;
    let outOfBounds = 0;
    let duplicates = 0;
    let seenEntries = 0;
    try {
      for (let i = 0; i < n; i++) {
        let e = c.at(res, i);
        let isNew = false;
        if (e === undefined) {
          const hash = res.seriesHash(i);
          e = c.get(res, i, hash);
          if (e === undefined && c.dropped.size > 0) {
            const met = res.seriesKey(i);
            if (c.dropped.has(met)) {
              c.dropped.set(met, iter);
              c.setAt(i, undefined);
              continue;
            }
          }
          if (e === undefined) {
            const ls = mutateSampleLabels(
              res.labels(i),
              o.target.publicLabels,
              o.honorLabels,
              o.metricRelabelConfigs,
            );
            if (ls === null || ls.length === 0) {
              c.dropped.set(res.seriesKey(i), iter);
              c.setAt(i, undefined);
              continue;
            }
            if (getLabel(ls, METRIC_NAME) === "") {
              throw new Error("missing metric name (__name__ label)");
            }
            if (!isValidSeries(ls, o.validationScheme)) {
              throw new Error(`invalid metric name or label names: ${formatSeries(ls)}`);
            }
            verifyLabelLimits(ls, o.labelLimits);
            e = c.add(res, i, hash, INTERNER.labels(ls));
            isNew = true;
          }
          c.setAt(i, e);
        }
        r.added++;
        let t = defTime;
        let explicitTs = false;
        if (o.honorTimestamps) {
          const ts = res.timestampMs(i);
          if (ts !== undefined) {
            t = ts;
            explicitTs = true;
          }
        }
        if (e.lastIter === iter && !explicitTs) {
          // The same series twice in one scrape (ErrDuplicateSampleForTimestamp).
          duplicates++;
          continue;
        }
        if (e.lastIter !== iter) seenEntries++;
        e.lastIter = iter;
        if (limitErr) continue;
        if (limit > 0 && ++appendedSamples > limit) {
          limitErr = true;
          continue;
        }
        if (t > maxTime) {
          outOfBounds++;
          continue;
        }
        e.ref = app.append(e.ref, e.labels, t, values[i]!);
        if (isNew) r.seriesAdded++;
        if ((!explicitTs || o.trackTimestampsStaleness) && e.seenIter !== iter) {
          e.seenIter = iter;
          cur[nCur++] = e;
        }
      }
    } catch (err) {
      throw new AppendError(err, r);
    }
    if (limitErr) throw new AppendError(new SampleLimitError(), r);
    if (duplicates > 0) {
      o.logger.warn(
        { target: o.target.url, num_dropped: duplicates },
        "duplicate samples in scrape",
      );
    }
    if (outOfBounds > 0) {
      o.logger.warn(
        { target: o.target.url, num_dropped: outOfBounds },
        "samples too far into the future",
      );
    }
    // Series of the previous scrape that this one did not expose are stale.
    for (const p of c.prevSeen) {
      if (p.seenIter !== iter) p.ref = app.append(p.ref, p.labels, defTime, STALE_NAN);
    }
    cur.length = nCur;
    c.byIndex.length = n;
    c.curSeen = c.prevSeen;
    c.prevSeen = cur;
    // Forget series and dropped texts that this scrape did not have.
    if (c.size > seenEntries) c.forget(iter);
    for (const [k, it] of c.dropped) if (it !== iter) c.dropped.delete(k);
    c.iter++;
    return r;
  }

  private updateMetadata(res: ParseResult, iter: number): void {
    const md = this.cache.metadata;
    let changed = false;
    for (const m of res.metadata) {
      const prev = md.get(m.metricFamily);
      if (prev && prev.type === m.type && prev.help === m.help && prev.unit === m.unit) {
        prev.lastIter = iter;
        continue;
      }
      md.set(m.metricFamily, {
        metricFamily: m.metricFamily,
        type: m.type,
        help: m.help,
        unit: m.unit,
        lastIter: iter,
      });
      changed = true;
    }
    for (const [k, v] of md) {
      if (iter - v.lastIter > METADATA_TTL_SCRAPES) {
        md.delete(k);
        changed = true;
      }
    }
    if (changed || this.o.target.metadata !== md) this.o.target.metadata = md;
  }
}

/** AppendError carries the counts of a failed append to the report. */
class AppendError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly result: AppendResult,
  ) {
    super(errorMessage(cause));
  }
}

/** formatSeries prints labels as Prometheus's Labels.String does: {a="b", c="d"}. */
function formatSeries(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ")}}`;
}

/** sleep waits ms or until signal aborts; it never rejects. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
