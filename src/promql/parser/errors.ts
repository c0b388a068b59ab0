// Parse errors with positions, formatted like ParseErr.Error in prometheus promql/parser/parse.go.
import type { PositionRange } from "./pos.ts";
import { formatPosition } from "./pos.ts";

/**
 * ParseError is thrown for any PromQL syntax or type error. Its message is formatted exactly as
 * Prometheus formats the first error of a failed parse: `<line>:<col>: parse error: <detail>`,
 * where line and column are 1-based and the column counts UTF-8 bytes (see formatPosition).
 */
export class ParseError extends Error {
  /** positionRange is the part of the query the error is about (UTF-16 offsets into query). */
  readonly positionRange: PositionRange;
  /** query is the full input that failed to parse. */
  readonly query: string;
  /** detail is the message without the position prefix, e.g. `unexpected <op:+>`. */
  readonly detail: string;

  /** Creates an error about positionRange in query; detail is the bare message. */
  constructor(positionRange: PositionRange, query: string, detail: string) {
    super(`${formatPosition(query, positionRange.start)}: parse error: ${detail}`);
    this.name = "ParseError";
    this.positionRange = positionRange;
    this.query = query;
    this.detail = detail;
  }
}
