// Input handling shared by the parsers: the body as one string, label-text unescaping and the
// metric type codes kept per sample.

import { isUtf8 } from "node:buffer";
import type { MetricType } from "./types.ts";

/**
 * Source is an exposition body as a string. When the body is not valid UTF-8, `binary` is set
 * and each character of `text` stands for one byte (latin1), so the lexers still see the exact
 * bytes Prometheus sees; slices are decoded as UTF-8 when taken out.
 */
export interface Source {
  readonly text: string;
  readonly binary: boolean;
}

/**
 * toSource turns a body into a Source. Strings are used as they are; bytes are decoded as UTF-8
 * when valid and viewed as latin1 otherwise. Decompression (gzip) is the caller's job, as it is
 * the HTTP client's in Prometheus (scrape/scrape.go readResponse).
 */
export function toSource(body: string | Uint8Array): Source {
  if (typeof body === "string") return { text: body, binary: false };
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
  if (isUtf8(buf)) return { text: buf.toString("utf8"), binary: false };
  return { text: buf.toString("latin1"), binary: true };
}

/** sliceText returns text[a:b] of the source as a real string (UTF-8 decoded in binary mode). */
export function sliceText(src: Source, a: number, b: number): string {
  const s = src.text.slice(a, b);
  return src.binary ? decodeLatin1Bytes(s) : s;
}

/** decodeLatin1Bytes decodes a string whose characters are bytes as UTF-8. */
export function decodeLatin1Bytes(s: string): string {
  return Buffer.from(s, "latin1").toString("utf8");
}

/** isValidUtf8Text reports whether text[a:b] of the source is valid UTF-8. */
export function isValidUtf8Text(src: Source, a: number, b: number): boolean {
  if (!src.binary) return true;
  return isUtf8(Buffer.from(src.text.slice(a, b), "latin1"));
}

/**
 * unescapeLabelText undoes the label value escapes `\\`, `\"` and `\n`, leaving any other
 * backslash as it is (lvalReplacer in model/textparse/promparse.go, also used for names and
 * OpenMetrics HELP text).
 */
export function unescapeLabelText(s: string): string {
  return unescape(s, true);
}

/** unescapeHelpText undoes the HELP escapes of the Prometheus text format: `\\` and `\n` only. */
export function unescapeHelpText(s: string): string {
  return unescape(s, false);
}

function unescape(s: string, quotes: boolean): string {
  let bs = s.indexOf("\\");
  if (bs < 0) return s;
  let out = "";
  let from = 0;
  while (bs >= 0 && bs + 1 < s.length) {
    const c = s.charCodeAt(bs + 1);
    let rep: string | undefined;
    if (c === 0x5c) rep = "\\";
    else if (c === 0x6e) rep = "\n";
    else if (c === 0x22 && quotes) rep = '"';
    if (rep === undefined) {
      bs = s.indexOf("\\", bs + 1);
      continue;
    }
    out += s.slice(from, bs) + rep;
    from = bs + 2;
    bs = s.indexOf("\\", from);
  }
  return out + s.slice(from);
}

/** TYPE_NAMES maps a metric type code to its name; index 0 is `unknown`. */
export const TYPE_NAMES: readonly MetricType[] = [
  "unknown",
  "counter",
  "gauge",
  "histogram",
  "gaugehistogram",
  "summary",
  "info",
  "stateset",
];

/** TYPE_UNKNOWN is the code of the `unknown` (untyped) metric type. */
export const TYPE_UNKNOWN = 0;
/** TYPE_COUNTER is the code of the counter type. */
export const TYPE_COUNTER = 1;
/** TYPE_HISTOGRAM is the code of the histogram type. */
export const TYPE_HISTOGRAM = 3;
/** TYPE_SUMMARY is the code of the summary type. */
export const TYPE_SUMMARY = 5;

/** typeCode returns the code of a metric type name. */
export function typeCode(t: MetricType): number {
  return TYPE_NAMES.indexOf(t);
}
