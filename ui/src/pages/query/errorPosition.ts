// Maps the position in a parse error of the API to an offset in the editor's text, to mark the
// error where it is: PromQL's "invalid parameter \"query\": 2:7: parse error: …" (line and
// column 1-based, the column counted in UTF-8 bytes as Prometheus's ParseErr does) and LogQL's
// "parse error at line 1, col 12: …" (the column counted in characters, as Loki's ParseError).

/** ErrorPosition is a range of UTF-16 offsets in the query, and the message without prefixes. */
export interface ErrorPosition {
  readonly from: number;
  readonly to: number;
  readonly detail: string;
}

function utf8Len(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/**
 * parseErrorPosition finds "<line>:<col>: parse error: <detail>" (PromQL) or "parse error at
 * line <line>, col <col>: <detail>" (LogQL) in message and returns where it points in query:
 * from the position to the end of the token there (at least one character, clamped to the
 * text). It returns undefined when the message has no position.
 */
export function parseErrorPosition(message: string, query: string): ErrorPosition | undefined {
  const promql = /(\d+):(\d+): parse error: (.*)$/s.exec(message);
  const logql = promql ? null : /parse error at line (\d+), col (\d+): (.*)$/s.exec(message);
  const m = promql ?? logql;
  if (!m) return undefined;
  const line = Number(m[1]);
  // The column left to walk, in UTF-8 bytes (PromQL) or code points (LogQL).
  let col = Number(m[2]) - 1;
  const lines = query.split("\n");
  if (line < 1 || line > lines.length) return undefined;
  let from = 0;
  for (let i = 0; i < line - 1; i++) from += lines[i]!.length + 1;
  const text = lines[line - 1]!;
  let i = 0;
  while (col > 0 && i < text.length) {
    const cp = text.codePointAt(i)!;
    col -= promql ? utf8Len(cp) : 1;
    i += cp > 0xffff ? 2 : 1;
  }
  from += i;
  let to = from;
  const rest = text.slice(i);
  const tok = /^[\w:.]+|^\S/.exec(rest);
  to += tok ? tok[0].length : 0;
  if (to === from) {
    // At the end of the text ("unexpected end of input"): mark the last character.
    if (from >= query.length && query.length > 0)
      return { from: query.length - 1, to: query.length, detail: m[3]! };
    to = Math.min(from + 1, query.length);
  }
  return { from, to, detail: m[3]! };
}
