// Parse errors formatted like Loki's logqlmodel.ParseError.

/**
 * ParseError is thrown for any LogQL syntax or validation error. Its message reads like Loki's:
 * `parse error at line 1, col 12: syntax error: unexpected IDENTIFIER` when the error has a
 * position, `parse error : <detail>` for the checks Loki runs after parsing (which carry none).
 */
export class ParseError extends Error {
  /** detail is the message without the position prefix. */
  readonly detail: string;
  /** line and col are 1-based (col counts characters); both 0 when there is no position. */
  readonly line: number;
  readonly col: number;
  /** pos is the UTF-16 offset of the error in the query, or -1. */
  readonly pos: number;

  constructor(detail: string, query?: string, pos = -1) {
    let line = 0;
    let col = 0;
    if (query !== undefined && pos >= 0) {
      line = 1;
      let lineStart = 0;
      for (let i = 0; i < pos && i < query.length; i++) {
        if (query.charCodeAt(i) === 10) {
          line++;
          lineStart = i + 1;
        }
      }
      col = Array.from(query.slice(lineStart, pos)).length + 1;
    }
    super(
      line === 0 && col === 0
        ? `parse error : ${detail}`
        : `parse error at line ${line}, col ${col}: ${detail}`,
    );
    this.name = "ParseError";
    this.detail = detail;
    this.line = line;
    this.col = col;
    this.pos = pos;
  }
}

/**
 * PipelineBuildError is thrown when a parsed query cannot be turned into log pipeline stages
 * (a bad line-filter regex, an invalid template, ...): Loki's `NewStageError`, reported before
 * any data is read.
 */
export class PipelineBuildError extends ParseError {
  constructor(stage: string, cause: string) {
    super(`stage '${stage}' : ${cause}`);
    this.name = "PipelineBuildError";
  }
}
