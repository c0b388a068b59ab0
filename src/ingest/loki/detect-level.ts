// Log level discovery at ingestion, as Loki's distributor does it by default
// (pkg/distributor/field_detection.go, `discover_log_levels`): every entry gets a
// `detected_level` structured metadata pair taken from a level label, a level metadata pair, an
// OTLP severity number, a level field of a JSON or logfmt line, or a level word in the line.
//
// Lines are read as UTF-8 bytes of the push body, in place: this runs for every pushed line.
// Case-insensitive matching of line content is ASCII-only, as in Loki (Go, on bytes).
import type { Label } from "../../model/labels/index.ts";

/** DETECTED_LEVEL is the structured metadata name Loki stores the level under. */
export const DETECTED_LEVEL = "detected_level";

/** normalizeLevel maps level spellings to Loki's canonical names; others pass unchanged. */
export function normalizeLevel(level: string): string {
  return canonicalLevel(level) ?? level;
}

function canonicalLevel(v: string): string | undefined {
  switch (v.toLowerCase()) {
    case "trace":
    case "trc":
      return "trace";
    case "debug":
    case "dbg":
      return "debug";
    case "info":
    case "inf":
    case "information":
      return "info";
    case "warn":
    case "wrn":
    case "warning":
      return "warn";
    case "error":
    case "err":
      return "error";
    case "critical":
      return "critical";
    case "fatal":
      return "fatal";
    default:
      return undefined;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** A level spelling as lowercase letter bytes, with the level it stands for. */
interface Spelling {
  bytes: Uint8Array;
  level: string;
}

/** spellingsByLength indexes spellings by byte length (an empty list where none). */
function spellingsByLength(
  list: readonly (readonly [text: string, level: string])[],
): Spelling[][] {
  const out: Spelling[][] = [];
  for (const [text, level] of list) {
    const bytes = encoder.encode(text);
    while (out.length <= bytes.length) out.push([]);
    out[bytes.length]!.push({ bytes, level });
  }
  return out;
}

/** CANONICAL holds the spellings canonicalLevel knows, by length. */
const CANONICAL = spellingsByLength([
  ["trace", "trace"],
  ["trc", "trace"],
  ["debug", "debug"],
  ["dbg", "debug"],
  ["info", "info"],
  ["inf", "info"],
  ["information", "info"],
  ["warn", "warn"],
  ["wrn", "warn"],
  ["warning", "warn"],
  ["error", "error"],
  ["err", "error"],
  ["critical", "critical"],
  ["fatal", "fatal"],
]);

/** canonicalBytes is canonicalLevel on d[s, e), without building the string. */
function canonicalBytes(d: Uint8Array, s: number, e: number): string | undefined {
  if (e - s >= CANONICAL.length) return undefined;
  const cands = CANONICAL[e - s]!;
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]!;
    if (lettersAt(d, s, c.bytes)) return c.level;
  }
  return undefined;
}

/** lettersAt tells whether d at p holds `word` (lowercase letters) in any ASCII case. */
function lettersAt(d: Uint8Array, p: number, word: Uint8Array): boolean {
  // With bit 0x20 set, only the two cases of a letter give the lowercase letter.
  for (let k = 0; k < word.length; k++) if ((d[p + k]! | 0x20) !== word[k]) return false;
  return true;
}

/** byteTable returns a 256-entry table with 1 at the (ASCII) characters of `chars`. */
function byteTable(chars: string): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** LOWER maps a byte to its ASCII lowercase. */
const LOWER = new Uint8Array(256);
for (let b = 0; b < 256; b++) LOWER[b] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;

/** A level field name as bytes: exact for JSON keys, lowercased for logfmt keys. */
interface FieldName {
  bytes: Uint8Array;
  /** Position in the list of distinct names, earlier ones preferred. */
  rank: number;
}

/**
 * byLength indexes names by byte length (an empty list where none): a key is only compared
 * with the names of its size.
 */
function byLength(names: readonly string[]): FieldName[][] {
  const out: FieldName[][] = [];
  names.forEach((name, rank) => {
    const bytes = encoder.encode(name);
    while (out.length <= bytes.length) out.push([]);
    out[bytes.length]!.push({ bytes, rank });
  });
  return out;
}

/** LevelDetector finds entry levels with a fixed list of level field names. */
export class LevelDetector {
  private readonly fieldSet: ReadonlySet<string>;
  /** JSON key candidates (exact names) by byte length. */
  private readonly jsonFields: readonly (readonly FieldName[])[];
  /** logfmt key candidates (distinct lowercase names, ranked in list order) by byte length. */
  private readonly logfmtFields: readonly (readonly FieldName[])[];
  private readonly logfmtCount: number;
  private readonly json = new JsonScan();
  private lastStream: readonly Label[] | undefined;
  private lastStreamLevel: string | undefined;

  constructor(
    private readonly fields: readonly string[],
    private readonly jsonMaxDepth: number,
  ) {
    this.fieldSet = new Set(fields);
    this.jsonFields = byLength([...this.fieldSet]);
    // Lowercasing is ASCII-only, as it is for the keys compared with these.
    const lower = [
      ...new Set(fields.map((f) => decoder.decode(encoder.encode(f).map((b) => LOWER[b]!)))),
    ];
    this.logfmtFields = byLength(lower);
    this.logfmtCount = lower.length;
  }

  /**
   * detect returns the level to add to an entry whose line is the UTF-8 text data[start, end),
   * or undefined when the entry already carries a `detected_level` (which `metadata` then holds
   * normalized, changed in place).
   */
  detect(
    stream: readonly Label[],
    metadata: Label[],
    data: Uint8Array,
    start: number,
    end: number,
  ): string | undefined {
    for (let i = 0; i < metadata.length; i++) {
      const m = metadata[i]!;
      if (m.name === DETECTED_LEVEL) {
        const n = normalizeLevel(m.value);
        if (n !== m.value) metadata[i] = { name: m.name, value: n };
        return undefined;
      }
    }
    // Entries of one stream come in a row: its labels' level is looked up once.
    if (stream !== this.lastStream) {
      this.lastStream = stream;
      this.lastStreamLevel = firstOf(stream, this.fields);
    }
    const fromLabel = this.lastStreamLevel;
    if (fromLabel !== undefined) return normalizeLevel(fromLabel);
    const fromMeta = firstOf(metadata, this.fields);
    if (fromMeta !== undefined) return normalizeLevel(fromMeta);
    for (const m of metadata)
      if (m.name === "severity_number") {
        if (m.value !== "") return levelFromSeverityNumber(m.value);
        break;
      }
    return this.fromLine(data, start, end);
  }

  /** fromLine returns a canonical level or a level word's: a line's own text is never kept. */
  private fromLine(d: Uint8Array, start: number, end: number): string {
    if (looksLikeJson(d, start, end))
      return this.jsonLevel(d, start, end) ?? scanWords(d, start, end, false);
    // A line with a `=` is tried as logfmt first. One pass looks for both level words and `=`.
    const word = scanWords(d, start, end, true);
    if (word === SAW_EQ) {
      const eq = scanStop; // no level word before it
      return this.logfmtLevel(d, start, end) ?? scanWords(d, eq + 1, end, false);
    }
    if (word !== "unknown" && hasByte(d, scanStop, end, 0x3d))
      return this.logfmtLevel(d, start, end) ?? word;
    return word;
  }

  private logfmtLevel(d: Uint8Array, start: number, end: number): string | undefined {
    return logfmtLevel(d, start, end, this.logfmtFields, this.logfmtCount);
  }

  /**
   * jsonLevel returns the canonical level of the first string value, in document order, of a
   * level field in the object or its nested objects (not arrays) up to jsonMaxDepth, as Loki's
   * jsonparser walk does; undefined if there is none or it is not a level spelling.
   */
  private jsonLevel(d: Uint8Array, start: number, end: number): string | undefined {
    const sc = this.json;
    sc.reset(start, end);
    sc.ws(d);
    if (sc.i >= end || d[sc.i] !== 0x7b) return undefined;
    if (!sc.object(d, 0, this.jsonMaxDepth, this.jsonFields, this.fieldSet)) return undefined;
    return sc.level(d);
  }
}

/**
 * JsonScan walks a JSON text d[i, n) by position; every method stops (leaves `ok` false) on bad
 * input. The text is passed to each method rather than kept, not to hold a push body.
 */
class JsonScan {
  i = 0;
  ok = true;
  private n = 0;

  reset(start: number, end: number): void {
    this.i = start;
    this.n = end;
    this.ok = true;
  }

  /** at returns the byte at j, or -1 past the end of the text. */
  private at(d: Uint8Array, j: number): number {
    return j < this.n ? d[j]! : -1;
  }

  ws(d: Uint8Array): void {
    const n = this.n;
    let i = this.i;
    let c: number;
    while (i < n && ((c = d[i]!) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) i++;
    this.i = i;
  }

  /** The last string read: its raw text is d[start, end); escaped if it holds a backslash. */
  private start = 0;
  private end = 0;
  private escaped = false;

  /** string reads a string at i (at its quote) and records where its text lies. */
  private string(d: Uint8Array): void {
    const n = this.n;
    let i = this.i + 1;
    let escaped = false;
    this.start = i;
    while (i < n) {
      const c = d[i]!;
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i++;
      }
      i++;
    }
    this.escaped = escaped;
    if (i < n) {
      this.end = i;
      this.i = i + 1;
    } else {
      this.ok = false; // unterminated
      this.end = this.i = n;
    }
  }

  /** text returns the last string read, escapes decoded (a rare, allocating path). */
  private text(d: Uint8Array): string {
    const raw = decoder.decode(d.subarray(this.start, this.end));
    if (!this.escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.ok = false;
      return raw;
    }
  }

  /** level returns the canonical level of the last string read, or undefined. */
  level(d: Uint8Array): string | undefined {
    if (!this.escaped) return canonicalBytes(d, this.start, this.end);
    return canonicalLevel(this.text(d));
  }

  /** isField tells whether the last string read (unescaped) is one of `fields`. */
  private isField(d: Uint8Array, fields: readonly (readonly FieldName[])[]): boolean {
    const s = this.start;
    if (this.end - s >= fields.length) return false;
    const cands = fields[this.end - s]!;
    outer: for (let i = 0; i < cands.length; i++) {
      const bytes = cands[i]!.bytes;
      for (let k = 0; k < bytes.length; k++) if (d[s + k] !== bytes[k]) continue outer;
      return true;
    }
    return false;
  }

  /** skip passes over any value at i (objects and arrays by bracket depth). */
  private skip(d: Uint8Array): void {
    const n = this.n;
    let depth = 0;
    while (this.i < n) {
      const c = d[this.i]!;
      if (c === 0x22) {
        this.string(d);
        if (!this.ok) return;
        if (depth === 0) return;
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) return; // the end of the enclosing container
        depth--;
        if (depth === 0) {
          this.i++;
          return;
        }
      } else if (depth === 0 && (c === 0x2c || c <= 0x20)) return;
      this.i++;
    }
  }

  /**
   * object reads the object at i (at its brace) and tells whether it holds a level value, which
   * is then the last string read. JSON keys are matched exactly (case-sensitive).
   */
  object(
    d: Uint8Array,
    depth: number,
    maxDepth: number,
    fields: readonly (readonly FieldName[])[],
    fieldSet: ReadonlySet<string>,
  ): boolean {
    if (maxDepth > 0 && depth >= maxDepth) {
      this.skip(d);
      return false;
    }
    this.i++;
    for (;;) {
      this.ws(d);
      const c = this.at(d, this.i);
      if (c === 0x7d) {
        this.i++;
        return false;
      }
      if (c !== 0x22) break;
      this.string(d);
      // Keys with escapes are rare: those are decoded and looked up by name.
      const isLevel = this.escaped ? fieldSet.has(this.text(d)) : this.isField(d, fields);
      this.ws(d);
      if (!this.ok || this.at(d, this.i) !== 0x3a) break;
      this.i++;
      this.ws(d);
      const v = this.at(d, this.i);
      if (v === 0x22) {
        this.string(d);
        if (!this.ok) break;
        if (isLevel) return true;
      } else if (v === 0x7b) {
        if (this.object(d, depth + 1, maxDepth, fields, fieldSet)) return true;
      } else {
        this.skip(d);
      }
      if (!this.ok) break;
      this.ws(d);
      const sep = this.at(d, this.i);
      if (sep === 0x2c) {
        this.i++;
        continue;
      }
      if (sep === 0x7d) {
        this.i++;
        return false;
      }
      break;
    }
    this.ok = false;
    return false;
  }
}

function firstOf(ls: readonly Label[], names: readonly string[]): string | undefined {
  if (ls.length === 0) return undefined;
  for (const n of names) for (const l of ls) if (l.name === n) return l.value;
  return undefined;
}

/** levelFromSeverityNumber maps OTLP SeverityNumber ranges (logs data model) to levels. */
function levelFromSeverityNumber(text: string): string {
  if (!/^[+-]?\d+$/.test(text)) return "info";
  const n = Number(text);
  if (n === 0) return "unknown";
  if (n <= 4) return "trace";
  if (n <= 8) return "debug";
  if (n <= 12) return "info";
  if (n <= 16) return "warn";
  if (n <= 20) return "error";
  if (n <= 24) return "fatal";
  return "unknown";
}

const ASCII_SPACE = byteTable(" \t\n\v\f\r");

/** looksLikeJson tells whether d[start, end), ASCII whitespace trimmed, is `{...}`. */
function looksLikeJson(d: Uint8Array, start: number, end: number): boolean {
  while (start < end && ASCII_SPACE[d[start]!] === 1) start++;
  while (end > start && ASCII_SPACE[d[end - 1]!] === 1) end--;
  return end - start >= 2 && d[start] === 0x7b && d[end - 1] === 0x7d;
}

function hasByte(d: Uint8Array, start: number, end: number, b: number): boolean {
  for (let i = start; i < end; i++) if (d[i] === b) return true;
  return false;
}

/** SCRATCH holds an unescaped logfmt value short enough to be a level spelling. */
const SCRATCH = new Uint8Array(CANONICAL.length);

/**
 * logfmtLevel returns the canonical level of the value of the first of `fields` (lowercase,
 * compared ASCII case-insensitively) among the line's key=value pairs, preferring earlier
 * names; undefined if there is none or it is not a level spelling. Values are only looked at
 * for keys that match: this runs on every pushed logfmt line.
 */
function logfmtLevel(
  d: Uint8Array,
  start: number,
  n: number,
  fields: readonly (readonly FieldName[])[],
  count: number,
): string | undefined {
  let best = count;
  // The best value so far: d[vs, ve), with backslash escapes if escaped.
  let vs = 0;
  let ve = 0;
  let escaped = false;
  let i = start;
  while (i < n) {
    while (i < n && d[i]! <= 0x20) i++;
    const ks = i;
    let c: number;
    while (i < n && (c = d[i]!) !== 0x3d && c > 0x20 && c !== 0x22) i++;
    const ke = i;
    if (i >= n || d[i] !== 0x3d) {
      if (i === ks) {
        i++;
        continue;
      }
      const idx = matchKey(d, ks, ke, fields, best);
      if (idx >= 0) {
        best = idx;
        vs = ve = 0;
        escaped = false;
        if (idx === 0) break;
      }
      continue;
    }
    i++;
    const idx = matchKey(d, ks, ke, fields, best);
    let s: number;
    let e: number;
    let esc = false;
    if (i < n && d[i] === 0x22) {
      s = ++i;
      while (i < n && (c = d[i]!) !== 0x22) {
        if (c === 0x5c && i + 1 < n) {
          esc = true;
          i++;
        }
        i++;
      }
      e = i;
      i++;
    } else {
      s = i;
      while (i < n && d[i]! > 0x20) i++;
      e = i;
    }
    if (idx >= 0) {
      best = idx;
      vs = s;
      ve = e;
      escaped = esc;
      if (idx === 0) break;
    }
  }
  if (best === count) return undefined;
  if (!escaped) return canonicalBytes(d, vs, ve);
  // Drop the backslash of each escape (as the scan above pairs them); long values are no level.
  let m = 0;
  for (let j = vs; j < ve && m < SCRATCH.length; j++) {
    if (d[j] === 0x5c && j + 1 < ve) j++;
    SCRATCH[m++] = d[j]!;
  }
  return canonicalBytes(SCRATCH, 0, m);
}

/** matchKey returns the rank of key d[ks, ke) among `fields` if it is below `best`, else -1. */
function matchKey(
  d: Uint8Array,
  ks: number,
  ke: number,
  fields: readonly (readonly FieldName[])[],
  best: number,
): number {
  if (ke - ks >= fields.length) return -1;
  const cands = fields[ke - ks]!;
  outer: for (let i = 0; i < cands.length; i++) {
    const { bytes, rank } = cands[i]!;
    if (rank >= best) break; // ranks ascend within a length
    for (let k = 0; k < bytes.length; k++) if (LOWER[d[ks + k]!] !== bytes[k]) continue outer;
    return rank;
  }
  return -1;
}

/**
 * WORDS_BY_FIRST[b] lists the level words starting with byte b in either case, in the order
 * Loki tries them (levelPatterns). Words starting differently cannot both match at one
 * position, so trying only these keeps the order.
 */
const WORDS_BY_FIRST: Spelling[][] = [];
for (let b = 0; b < 256; b++) WORDS_BY_FIRST.push([]);
for (const [text, level] of [
  ["trace", "trace"],
  ["debug", "debug"],
  ["fatal", "fatal"],
  ["critical", "critical"],
  ["error", "error"],
  ["err", "error"],
  ["warning", "warn"],
  ["warn", "warn"],
  ["info", "info"],
] as const) {
  const w = { bytes: encoder.encode(text), level };
  WORDS_BY_FIRST[w.bytes[0]!]!.push(w);
  WORDS_BY_FIRST[w.bytes[0]! & ~0x20]!.push(w);
}

const LEFT_BOUNDARY = byteTable(" \t\n[({\"'=|");
const RIGHT_BOUNDARY = byteTable(" \t\n[](){}:,!\"'=|");

/**
 * PAIR[a << 8 | b] is WORD where b may start a level word after a left boundary a, and EQ for
 * a `=` b. Looking bytes up in pairs leaves the scan one branch that is rarely taken.
 */
const WORD = 1;
const EQ = 2;
const PAIR = new Uint8Array(1 << 16);
for (let a = 0; a < 256; a++) {
  PAIR[(a << 8) | 0x3d] = EQ;
  if (LEFT_BOUNDARY[a] === 1)
    for (let b = 0; b < 256; b++) if (WORDS_BY_FIRST[b]!.length > 0) PAIR[(a << 8) | b] = WORD;
}

/** SAW_EQ is what scanWords returns when it stops at a `=`. */
const SAW_EQ = "=";
/** scanStop is where the last scanWords stopped: at its level word or `=`. */
let scanStop = 0;

/**
 * scanWords returns the earliest level word standing on its own in d[start, end) (the first in
 * Loki's order at a position), or "unknown" when none; start must be the line's start or just
 * after a left boundary. With `eq` it returns SAW_EQ instead if a `=` comes first. One pass.
 */
function scanWords(d: Uint8Array, start: number, end: number, eq: boolean): string {
  let pair = 0x20; // as if after a space: start is a left boundary
  for (let p = start; p < end; p++) {
    pair = ((pair & 0xff) << 8) | d[p]!;
    const k = PAIR[pair]!;
    if (k === 0) continue;
    if (k === EQ) {
      if (!eq) continue;
      scanStop = p;
      return SAW_EQ;
    }
    const level = wordAt(d, p, end);
    if (level !== undefined) {
      scanStop = p;
      return level;
    }
  }
  return "unknown";
}

/** wordAt returns the level of a level word at p followed by a right boundary (or the end). */
function wordAt(d: Uint8Array, p: number, end: number): string | undefined {
  const words = WORDS_BY_FIRST[d[p]!]!;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const e = p + w.bytes.length;
    if (e <= end && lettersAt(d, p, w.bytes) && (e === end || RIGHT_BOUNDARY[d[e]!] === 1))
      return w.level;
  }
  return undefined;
}
