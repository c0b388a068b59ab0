// Go-compatible rendering of single runes, shared by the exposition parsers and the PromQL
// parser: Prometheus (written in Go) prints names, tokens and values in its messages with the
// %q verb (strconv.Quote / QuoteRune, `unicode.IsPrint`), and Vigil's messages must match.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** isGoPrint reports whether code point cp is printable as Go's unicode.IsPrint defines it. */
export function isGoPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

/** hexPad renders n in lower-case hex, zero-padded to `width` digits. */
export function hexPad(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * isEscapedByte reports whether a UTF-16 code unit is a "surrogate escape": Go strings may hold
 * bytes that are not valid UTF-8 (PromQL's "\xff" escape makes one), and such a byte 0xNN is
 * kept in a JavaScript string as the lone surrogate U+DCNN so that it prints back as \xNN.
 */
export function isEscapedByte(codeUnit: number): boolean {
  return codeUnit >= 0xdc80 && codeUnit <= 0xdcff;
}

/**
 * escapeGoRune renders one code point as it appears inside a Go quoted literal delimited by
 * `quote` (0x22 for strings, 0x27 for runes), as strconv.Quote does.
 */
export function escapeGoRune(cp: number, quote: number): string {
  if (cp === quote || cp === 0x5c) return "\\" + String.fromCodePoint(cp);
  if (isGoPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (cp < 0x20 || cp === 0x7f) return "\\x" + hexPad(cp, 2);
  if (isEscapedByte(cp)) return "\\x" + hexPad(cp - 0xdc00, 2);
  // Other lone surrogates cannot come from Go strings; print them as Go prints invalid runes.
  if (cp >= 0xd800 && cp <= 0xdfff) return "\\ufffd";
  if (cp < 0x10000) return "\\u" + hexPad(cp, 4);
  return "\\U" + hexPad(cp, 8);
}
