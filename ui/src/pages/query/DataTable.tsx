import type { QueryResult } from "../../api/responseTypes/query.ts";
import { EmptyState, TableWrap } from "../../components/Status.tsx";
import { formatSeriesName } from "../../lib/format.ts";
import { formatTimestamp } from "../../lib/time.ts";

const MAX_ROWS = 1000;

/** DataTable shows an instant query's result: one row per series, or the scalar or string. */
export function DataTable({ result }: { readonly result: QueryResult }) {
  switch (result.resultType) {
    case "scalar":
    case "string":
      return (
        <TableWrap>
          <table aria-label="Query result">
            <tbody>
              <tr>
                <td>{result.resultType}</td>
                <td className="mono">{result.result[1]}</td>
              </tr>
            </tbody>
          </table>
        </TableWrap>
      );
    case "vector":
    case "matrix": {
      if (result.result.length === 0) {
        return (
          <EmptyState title="Empty query result">
            No series matched. Check the metric name and labels, or widen the time range.
          </EmptyState>
        );
      }
      return (
        <TableWrap>
          {result.result.length > MAX_ROWS && (
            <p>
              Showing {MAX_ROWS} of {result.result.length} series.
            </p>
          )}
          <table aria-label="Query result">
            <thead>
              <tr>
                <th>Series</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {result.resultType === "vector"
                ? result.result.slice(0, MAX_ROWS).map((s, i) => (
                    <tr key={i}>
                      <td className="mono">{formatSeriesName(s.metric)}</td>
                      <td className="mono">{s.value ? s.value[1] : "(histogram)"}</td>
                    </tr>
                  ))
                : result.result.slice(0, MAX_ROWS).map((s, i) => (
                    <tr key={i}>
                      <td className="mono">{formatSeriesName(s.metric)}</td>
                      <td className="mono">
                        {(s.values ?? []).map(([t, v]) => (
                          <div key={t}>
                            {v} @ {formatTimestamp(t * 1000)}
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
            </tbody>
          </table>
        </TableWrap>
      );
    }
  }
}
