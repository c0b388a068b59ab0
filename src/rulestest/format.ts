// Go's renderings of values as promtool prints them, so that `vigil test rules` reports failures
// in the same words: time.Duration.String, strconv.FormatFloat(v, 'E', -1, 64), %q, and
// labels.Labels.String (prometheus model/labels).
import type { Label } from "../model/labels/index.ts";
import { formatDuration } from "../model/duration.ts";
import { goQuote } from "../promql/parser/index.ts";

export { goQuote };

/**
 * formatGoDuration renders milliseconds as Go's time.Duration.String does: "0s", "500ms",
 * "1.5s", "1m0s", "2h0m0s", "2m59.999s".
 */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    out = `${rest}ms`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = Math.floor(rest / 1000);
    const frac = rest - s * 1000;
    let secs = String(s);
    if (frac > 0) secs += "." + String(frac).padStart(3, "0").replace(/0+$/, "");
    out = h > 0 ? `${h}h${m}m${secs}s` : m > 0 ? `${m}m${secs}s` : `${secs}s`;
  }
  return neg ? "-" + out : out;
}

/**
 * formatModelDuration renders milliseconds as prometheus/common model.Duration.String does
 * ("0s", "5m", "1d", "1h30m"): the notation of `eval_time` in test files.
 */
export function formatModelDuration(ms: number): string {
  return formatDuration(ms);
}

/** formatFloatE renders v as Go's strconv.FormatFloat(v, 'E', -1, 64): "1E+00", "2.5E-07". */
export function formatFloatE(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const s = Math.abs(v).toExponential();
  const e = s.indexOf("e");
  const mantissa = s.slice(0, e);
  const expSign = s[e + 1]!;
  const exp = s.slice(e + 2).padStart(2, "0");
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  return `${sign}${mantissa}E${expSign}${exp}`;
}

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * formatGoLabels renders labels as prometheus labels.Labels.String does:
 * `{alertname="Test", job="x"}`, names that are not legacy names quoted.
 */
export function formatGoLabels(ls: readonly Label[]): string {
  const parts = ls.map(
    (l) => `${LEGACY_LABEL_NAME.test(l.name) ? l.name : goQuote(l.name)}=${goQuote(l.value)}`,
  );
  return `{${parts.join(", ")}}`;
}

/**
 * indentLines prefixes every line but the first with indent (promtool's indentLines).
 */
export function indentLines(lines: string, indent: string): string {
  return lines.split("\n").join("\n" + indent);
}

/** compareGoStrings orders strings by their UTF-8 bytes, as Go's string comparison does. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order differs from UTF-8 byte order only around surrogates; compare by code point.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** compareLabelLists is labels.Compare: by name, then value, pair by pair, then by length. */
export function compareLabelLists(a: readonly Label[], b: readonly Label[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = compareGoStrings(a[i]!.name, b[i]!.name);
    if (d !== 0) return d;
    const v = compareGoStrings(a[i]!.value, b[i]!.value);
    if (v !== 0) return v;
  }
  return a.length - b.length;
}

/**
 * labelsFromMap builds sorted labels from a map keeping empty values, as prometheus
 * labels.FromMap does (labelsFromRecord drops them).
 */
export function labelsFromMap(m: Readonly<Record<string, string>>): Label[] {
  return Object.entries(m)
    .map(([name, value]) => ({ name, value }))
    .sort((x, y) => compareGoStrings(x.name, y.name));
}
