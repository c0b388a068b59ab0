// Log level discovery at ingestion, as Loki's distributor does it by default
// (pkg/distributor/field_detection.go, `discover_log_levels`): every entry gets a
// `detected_level` structured metadata pair taken from a level label, a level metadata pair, an
// OTLP severity number, a level field of a JSON or logfmt line, or a level word in the line.
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

/** LevelDetector finds entry levels with a fixed list of level field names. */
export class LevelDetector {
  private readonly fieldSet: ReadonlySet<string>;
  private readonly lowerFields: readonly string[];
  private readonly maxField: number;
  private lastStream: readonly Label[] | undefined;
  private lastStreamLevel: string | undefined;

  constructor(
    private readonly fields: readonly string[],
    private readonly jsonMaxDepth: number,
  ) {
    this.fieldSet = new Set(fields);
    this.lowerFields = fields.map((f) => f.toLowerCase());
    this.maxField = Math.max(0, ...fields.map((f) => f.length));
  }

  /**
   * detect returns the level to add to an entry, or undefined when the entry already carries a
   * `detected_level` (which `metadata` then holds normalized, changed in place).
   */
  detect(stream: readonly Label[], metadata: Label[], line: string): string | undefined {
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
    const severity = metadata.find((m) => m.name === "severity_number");
    if (severity && severity.value !== "") return levelFromSeverityNumber(severity.value);
    return this.fromLine(line);
  }

  private fromLine(line: string): string {
    let v: string | undefined;
    if (looksLikeJson(line)) v = this.jsonLevel(line);
    else if (line.includes("=")) v = logfmtValue(line, this.lowerFields, this.maxField);
    else return levelFromWords(line);
    return (v !== undefined && canonicalLevel(v)) || levelFromWords(line);
  }

  /**
   * jsonLevel returns the first string value, in document order, of a level field in the
   * object or its nested objects (not arrays) up to jsonMaxDepth, as Loki's jsonparser walk
   * does. It scans the line without building it: this runs for every pushed JSON line.
   */
  private jsonLevel(line: string): string | undefined {
    const sc = new JsonScan(line);
    sc.ws();
    if (line.charCodeAt(sc.i) !== 0x7b) return undefined;
    return sc.object(0, this.jsonMaxDepth, this.fieldSet);
  }
}

/** JsonScan walks a JSON text by position; every method stops (leaves `ok` false) on bad input. */
class JsonScan {
  i = 0;
  ok = true;
  constructor(private readonly s: string) {}

  ws(): void {
    const s = this.s;
    let c: number;
    while (
      this.i < s.length &&
      ((c = s.charCodeAt(this.i)) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)
    )
      this.i++;
  }

  /** The last string read: its raw text is s[start, end); escaped if it holds a backslash. */
  private start = 0;
  private end = 0;
  private escaped = false;

  /** string reads a string at i (at its quote) and records where its text lies. */
  private string(): void {
    const s = this.s;
    this.start = ++this.i;
    this.escaped = false;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        this.end = this.i++;
        return;
      }
      if (c === 0x5c) {
        this.escaped = true;
        this.i++;
      }
      this.i++;
    }
    this.ok = false;
    this.end = this.i;
  }

  /** text returns the last string read, escapes decoded. */
  private text(): string {
    const raw = this.s.slice(this.start, this.end);
    if (!this.escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.ok = false;
      return raw;
    }
  }

  /** skip passes over any value at i (objects and arrays by bracket depth). */
  private skip(): void {
    const s = this.s;
    let depth = 0;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        this.string();
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

  /** object reads the object at i (at its brace) and returns the first level value in it. */
  object(depth: number, maxDepth: number, fields: ReadonlySet<string>): string | undefined {
    const s = this.s;
    if (maxDepth > 0 && depth >= maxDepth) {
      this.skip();
      return undefined;
    }
    this.i++;
    for (;;) {
      this.ws();
      const c = s.charCodeAt(this.i);
      if (c === 0x7d) {
        this.i++;
        return undefined;
      }
      if (c !== 0x22) break;
      this.string();
      const key = this.text();
      this.ws();
      if (!this.ok || s.charCodeAt(this.i) !== 0x3a) break;
      this.i++;
      this.ws();
      const v = s.charCodeAt(this.i);
      if (v === 0x22) {
        this.string();
        if (!this.ok) break;
        if (fields.has(key)) return this.text();
      } else if (v === 0x7b) {
        const found = this.object(depth + 1, maxDepth, fields);
        if (found !== undefined) return found;
      } else {
        this.skip();
      }
      if (!this.ok) break;
      this.ws();
      const sep = s.charCodeAt(this.i);
      if (sep === 0x2c) {
        this.i++;
        continue;
      }
      if (sep === 0x7d) {
        this.i++;
        return undefined;
      }
      break;
    }
    this.ok = false;
    return undefined;
  }
}

function firstOf(ls: readonly Label[], names: readonly string[]): string | undefined {
  for (const n of names) {
    const l = ls.find((x) => x.name === n);
    if (l) return l.value;
  }
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

function looksLikeJson(line: string): boolean {
  const t = line.trim();
  return t.startsWith("{") && t.endsWith("}");
}

/**
 * logfmtValue returns the value of the first of `lower` (lowercased names, compared
 * case-insensitively) among the line's key=value pairs, preferring earlier names. Values are
 * only materialized for keys that match: this runs on every pushed logfmt line.
 */
function logfmtValue(line: string, lower: readonly string[], maxKey: number): string | undefined {
  let best = lower.length;
  let res: string | undefined;
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 0x20) i++;
    const ks = i;
    let c: number;
    while (i < n && (c = line.charCodeAt(i)) !== 0x3d && c > 0x20 && c !== 0x22) i++;
    const ke = i;
    if (line.charCodeAt(i) !== 0x3d) {
      if (i === ks) {
        i++;
        continue;
      }
      const idx = matchKey(line, ks, ke, lower, maxKey, best);
      if (idx >= 0) {
        best = idx;
        res = "";
        if (idx === 0) return res;
      }
      continue;
    }
    i++;
    const idx = matchKey(line, ks, ke, lower, maxKey, best);
    let value = "";
    if (line.charCodeAt(i) === 0x22) {
      i++;
      const vs = i;
      let escaped = false;
      while (i < n && (c = line.charCodeAt(i)) !== 0x22) {
        if (c === 0x5c && i + 1 < n) {
          escaped = true;
          i++;
        }
        i++;
      }
      if (idx >= 0) value = escaped ? unescapeLogfmt(line.slice(vs, i)) : line.slice(vs, i);
      i++;
    } else {
      const vs = i;
      while (i < n && line.charCodeAt(i) > 0x20) i++;
      if (idx >= 0) value = line.slice(vs, i);
    }
    if (idx >= 0) {
      best = idx;
      res = value;
      if (idx === 0) return res;
    }
  }
  return res;
}

/** matchKey returns the index in `lower` of key line[ks:ke] if it is below `best`, else -1. */
function matchKey(
  line: string,
  ks: number,
  ke: number,
  lower: readonly string[],
  maxKey: number,
  best: number,
): number {
  if (ke - ks > maxKey || ke === ks) return -1;
  const idx = lower.indexOf(line.slice(ks, ke).toLowerCase());
  return idx >= 0 && idx < best ? idx : -1;
}

/** unescapeLogfmt drops the backslash of each escape in a quoted value (as the scan above). */
function unescapeLogfmt(v: string): string {
  let out = "";
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) === 0x5c && i + 1 < v.length) i++;
    out += v[i];
  }
  return out;
}

/** Level words in the order Loki tries them (levelPatterns). */
const LEVEL_WORDS: readonly (readonly [word: string, level: string])[] = [
  ["trace", "trace"],
  ["debug", "debug"],
  ["fatal", "fatal"],
  ["critical", "critical"],
  ["error", "error"],
  ["err", "error"],
  ["warning", "warn"],
  ["warn", "warn"],
  ["info", "info"],
];

const LEFT_BOUNDARY = new Set([" ", "\t", "\n", "[", "(", "{", '"', "'", "=", "|"]);
const RIGHT_BOUNDARY = new Set([
  " ",
  "\t",
  "\n",
  "[",
  "]",
  "(",
  ")",
  "{",
  "}",
  ":",
  ",",
  "!",
  '"',
  "'",
  "=",
  "|",
]);

/** levelFromWords finds the earliest level word standing on its own; "unknown" when none. */
function levelFromWords(line: string): string {
  const lower = line.toLowerCase();
  let idx = lower.length;
  let guess = "unknown";
  for (const [word, level] of LEVEL_WORDS) {
    let from = 0;
    for (;;) {
      const p = lower.indexOf(word, from);
      if (p < 0 || p >= idx) break;
      const left = p === 0 || LEFT_BOUNDARY.has(lower[p - 1]!);
      const end = p + word.length;
      const right = end >= lower.length || RIGHT_BOUNDARY.has(lower[end]!);
      if (left && right) {
        idx = p;
        guess = level;
        break;
      }
      from = p + 1;
    }
    if (idx === 0) break;
  }
  return guess;
}
