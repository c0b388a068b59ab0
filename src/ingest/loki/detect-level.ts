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

  private jsonLevel(line: string): string | undefined {
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      return undefined;
    }
    const walk = (o: unknown, depth: number): string | undefined => {
      if (this.jsonMaxDepth > 0 && depth >= this.jsonMaxDepth) return undefined;
      if (o === null || typeof o !== "object" || Array.isArray(o)) return undefined;
      for (const [k, v] of Object.entries(o)) {
        if (typeof v === "string" && this.fieldSet.has(k)) return v;
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
          const found = walk(v, depth + 1);
          if (found !== undefined) return found;
        }
      }
      return undefined;
    };
    return walk(doc, 0);
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
