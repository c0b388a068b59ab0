// Lexer tokens shared by the Prometheus text and OpenMetrics lexers. Their names appear in error
// messages, so they are the names Prometheus's lexers use (token.String in
// model/textparse/promparse.go).

/** T_INVALID is returned when no token matches. */
export const T_INVALID = -1;
/** T_EOF marks the end of input (or a NUL byte at the start of a Prometheus text line). */
export const T_EOF = 0;
/** T_LINEBREAK is a newline ending an entry. */
export const T_LINEBREAK = 1;
/** T_WHITESPACE is a run of blanks and tabs (Prometheus text format only). */
export const T_WHITESPACE = 2;
/** T_HELP is `# HELP `. */
export const T_HELP = 3;
/** T_TYPE is `# TYPE `. */
export const T_TYPE = 4;
/** T_UNIT is `# UNIT ` (OpenMetrics). */
export const T_UNIT = 5;
/** T_EOF_WORD is `# EOF` (OpenMetrics). */
export const T_EOF_WORD = 6;
/** T_TEXT is the rest of a metadata line. */
export const T_TEXT = 7;
/** T_COMMENT is a comment line, or in OpenMetrics the ` # {` starting an exemplar. */
export const T_COMMENT = 8;
/** T_MNAME is a metric name (bare or quoted). */
export const T_MNAME = 10;
/** T_QSTRING is a quoted string inside braces (quoted metric or label name). */
export const T_QSTRING = 11;
/** T_BRACE_OPEN is `{`. */
export const T_BRACE_OPEN = 12;
/** T_BRACE_CLOSE is `}`. */
export const T_BRACE_CLOSE = 13;
/** T_LNAME is a bare label name. */
export const T_LNAME = 14;
/** T_LVALUE is a quoted label value. */
export const T_LVALUE = 15;
/** T_COMMA is `,`. */
export const T_COMMA = 16;
/** T_EQUAL is `=`. */
export const T_EQUAL = 17;
/** T_TIMESTAMP is a sample or exemplar timestamp. */
export const T_TIMESTAMP = 18;
/** T_VALUE is a sample or exemplar value. */
export const T_VALUE = 19;

const NAMES: Record<number, string> = {
  [T_INVALID]: "INVALID",
  [T_EOF]: "EOF",
  [T_LINEBREAK]: "LINEBREAK",
  [T_WHITESPACE]: "WHITESPACE",
  [T_HELP]: "HELP",
  [T_TYPE]: "TYPE",
  [T_UNIT]: "UNIT",
  [T_EOF_WORD]: "EOFWORD",
  [T_TEXT]: "TEXT",
  [T_COMMENT]: "COMMENT",
  [T_MNAME]: "MNAME",
  [T_QSTRING]: "QSTRING",
  [T_BRACE_OPEN]: "BOPEN",
  [T_BRACE_CLOSE]: "BCLOSE",
  [T_LNAME]: "LNAME",
  [T_LVALUE]: "LVALUE",
  [T_COMMA]: "COMMA",
  [T_EQUAL]: "EQUAL",
  [T_TIMESTAMP]: "TIMESTAMP",
  [T_VALUE]: "VALUE",
};

/** tokenName returns the name Prometheus prints for a token. */
export function tokenName(t: number): string {
  return NAMES[t] ?? `<invalid: ${t}>`;
}

/** Character codes the lexers compare against. */
export const C = {
  NUL: 0x00,
  TAB: 0x09,
  LF: 0x0a,
  SP: 0x20,
  QUOTE: 0x22,
  HASH: 0x23,
  COMMA: 0x2c,
  EQUAL: 0x3d,
  BACKSLASH: 0x5c,
  LBRACE: 0x7b,
  RBRACE: 0x7d,
} as const;

/** K_MNAME_START marks [a-zA-Z_:] in CLASS. */
export const K_MNAME_START = 1;
/** K_MNAME marks [a-zA-Z0-9_:] in CLASS. */
export const K_MNAME = 2;
/** K_LNAME_START marks [a-zA-Z_] in CLASS. */
export const K_LNAME_START = 4;
/** K_LNAME marks [a-zA-Z0-9_] in CLASS. */
export const K_LNAME = 8;
/** K_DIGIT marks [0-9] in CLASS. */
export const K_DIGIT = 16;
/** K_BLANK marks space and tab in CLASS. */
export const K_BLANK = 32;
/** K_PROM_VALUE marks bytes of a Prometheus text value: not NUL, blank, newline or `{`. */
export const K_PROM_VALUE = 64;
/** K_OM_VALUE marks bytes of an OpenMetrics value or timestamp: not NUL, space or newline. */
export const K_OM_VALUE = 128;
/** K_QUOTED_SPECIAL marks the bytes a quoted-string scan must look at: `"`, `\`, NUL, newline. */
export const K_QUOTED_SPECIAL = 256;

/** CLASS maps each byte to its K_* character classes, so lexers test a class with one lookup. */
export const CLASS: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let c = 0; c < 256; c++) {
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    const digit = c >= 0x30 && c <= 0x39;
    let k = 0;
    if (letter || c === 0x3a) k |= K_MNAME_START | K_MNAME;
    if (digit) k |= K_MNAME | K_LNAME | K_DIGIT;
    if (letter) k |= K_LNAME_START | K_LNAME;
    if (c === C.SP || c === C.TAB) k |= K_BLANK;
    if (c !== C.NUL && c !== C.SP && c !== C.TAB && c !== C.LF && c !== C.LBRACE) k |= K_PROM_VALUE;
    if (c !== C.NUL && c !== C.SP && c !== C.LF) k |= K_OM_VALUE;
    if (c === C.QUOTE || c === C.BACKSLASH || c === C.NUL || c === C.LF) k |= K_QUOTED_SPECIAL;
    t[c] = k;
  }
  return t;
})();

/**
 * scanClass returns the first index from i on (before n) whose byte is not in class k. Reading
 * past the end yields undefined, whose class is 0, so the scan stops there too.
 */
export function scanClass(b: Uint8Array, i: number, n: number, k: number): number {
  while (i < n && (CLASS[b[i]!]! & k) !== 0) i++;
  return i;
}

/** isMetricNameStart reports [a-zA-Z_:]. */
export function isMetricNameStart(c: number): boolean {
  return (CLASS[c]! & K_MNAME_START) !== 0;
}

/** isMetricNameChar reports [a-zA-Z0-9_:]. */
export function isMetricNameChar(c: number): boolean {
  return (CLASS[c]! & K_MNAME) !== 0;
}

/** isLabelNameStart reports [a-zA-Z_]. */
export function isLabelNameStart(c: number): boolean {
  return (CLASS[c]! & K_LNAME_START) !== 0;
}

/** isLabelNameChar reports [a-zA-Z0-9_]. */
export function isLabelNameChar(c: number): boolean {
  return (CLASS[c]! & K_LNAME) !== 0;
}

/** isDigit reports [0-9]. */
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
