// Runs parse.yaml: every query must parse (or fail to parse) as Loki's syntax.ParseExpr does;
// `rejected_when_building_pipeline` queries must be rejected before any data is read.
import { buildPipeline } from "../log/index.ts";
import { parseExpr, selectors } from "../syntax/index.ts";
import type { CaseResult } from "./report.ts";

/** ParseCase is one entry of parse.yaml. */
export interface ParseCase {
  readonly query?: string;
  readonly query_hex?: string;
  readonly valid: boolean;
  readonly error_contains?: string;
  readonly rejected_when_building_pipeline?: boolean;
  readonly source?: string;
}

/** checkQuery parses and validates q like a query endpoint would, throwing on rejection. */
export function checkQuery(q: string): void {
  const e = parseExpr(q);
  for (const sel of selectors(e)) buildPipeline(sel.stages);
  if (e.type === "RangeAggregation" && e.range.unwrap) {
    for (const f of e.range.unwrap.postFilters) buildPipeline([{ type: "labelFilter", filter: f }]);
  }
}

/** runParseCase checks one parse.yaml entry. */
export function runParseCase(c: ParseCase, index: number): CaseResult {
  let query: string;
  const id = `parse[${index}]`;
  if (c.query_hex !== undefined) {
    const bytes = Buffer.from(c.query_hex, "hex");
    try {
      query = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      // Loki's lexer refuses invalid UTF-8 ("invalid UTF-8 encoding").
      return c.valid
        ? { id, passed: false, reason: "query is not valid UTF-8 but expected valid" }
        : { id, passed: true };
    }
  } else {
    query = c.query ?? "";
  }
  const wantAccepted = c.valid && !c.rejected_when_building_pipeline;
  let err: string | undefined;
  try {
    checkQuery(query);
  } catch (e) {
    err = e instanceof Error ? e.message : String(e);
  }
  const accepted = err === undefined;
  if (accepted === wantAccepted) return { id, passed: true };
  return {
    id,
    passed: false,
    reason: `${JSON.stringify(query)}: expected ${wantAccepted ? "accepted" : "rejected"}${
      c.error_contains ? ` (${c.error_contains})` : ""
    }, got ${accepted ? "accepted" : `error: ${err}`}`,
  };
}
