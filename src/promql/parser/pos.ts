// Positions in a query string (prometheus promql/parser/posrange).
import { utf8Length } from "./quote.ts";

/**
 * PositionRange is a half-open range [start, end) of UTF-16 code unit offsets into the query
 * string, so `query.slice(start, end)` is the text of a node. Prometheus counts bytes instead;
 * formatPosition converts when rendering a position for humans.
 */
export interface PositionRange {
  start: number;
  end: number;
}

/**
 * formatPosition renders offset pos of query as "<line>:<col>" the way posrange
 * PositionRange.StartPosInput does: lines and columns are 1-based and the column counts the
 * UTF-8 bytes before pos on its line, plus one. It returns "unknown position" for an empty query
 * and "invalid position" for an offset outside the query.
 */
export function formatPosition(query: string, pos: number): string {
  if (query === "") return "unknown position";
  if (pos < 0 || pos > query.length) return "invalid position";
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos; i++) {
    if (query.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${utf8Length(query.slice(lineStart, pos)) + 1}`;
}
