// One query of the Explore page: editor, time controls, run/cancel with elapsed time, and the
// result as a graph (range query) or a table (instant query). Errors show in place; a parse
// error is also marked in the editor at the position the server reports.
import { useEffect, useMemo, useRef, useState } from "react";
import type { APIError } from "../../api/api.ts";
import { fetchAPI, toAPIError } from "../../api/api.ts";
import type { QueryResult } from "../../api/responseTypes/query.ts";
import type { ErrorRange } from "../../components/CodeEditor.tsx";
import { Elapsed, EmptyState, ErrorMessage, Warnings } from "../../components/Status.tsx";
import { UNITS, UNIT_NAMES, isUnit } from "../../lib/format.ts";
import type { MatrixSeries } from "../../lib/series.ts";
import { toPlotData } from "../../lib/series.ts";
import {
  autoStepMs,
  formatDuration,
  parseDuration,
  resolveRange,
  resolveRangeSpec,
  toUrlTime,
} from "../../lib/time.ts";
import { DataTable } from "./DataTable.tsx";
import { parseErrorPosition } from "./errorPosition.ts";
import styles from "./Explore.module.css";
import { Graph } from "./Graph.tsx";
import { PromQLEditor } from "./PromQLEditor.tsx";
import { TimeRangePicker } from "./TimeRangePicker.tsx";
import type { PanelState } from "./urlState.ts";

/** QUERY_TIMEOUT_MS bounds one query from the browser's side. */
const QUERY_TIMEOUT_MS = 120_000;

type Outcome =
  | {
      readonly kind: "graph";
      readonly series: MatrixSeries[];
      readonly range: { startMs: number; endMs: number; stepMs: number };
      readonly points: number;
    }
  | { readonly kind: "table"; readonly result: QueryResult };

interface ExecState {
  readonly loading: boolean;
  readonly startedAtMs: number;
  readonly outcome?: Outcome;
  readonly error?: APIError;
  readonly canceled?: boolean;
  readonly tookMs?: number;
  readonly warnings: string[];
  readonly infos: string[];
}

const IDLE: ExecState = { loading: false, startedAtMs: 0, warnings: [], infos: [] };

/** QueryPanelProps configure a QueryPanel. */
export interface QueryPanelProps {
  readonly index: number;
  readonly panel: PanelState;
  readonly onChange: (p: PanelState) => void;
  readonly onRemove?: () => void;
  /** refreshMs re-runs the query periodically (0: off). */
  readonly refreshMs: number;
}

/** QueryPanel is one query with its result; see the file comment. */
export function QueryPanel({ index, panel, onChange, onRemove, refreshMs }: QueryPanelProps) {
  const [draft, setDraft] = useState(panel.expr);
  const [seq, setSeq] = useState(0);
  const [exec, setExec] = useState<ExecState>(IDLE);
  const abortRef = useRef<AbortController | null>(null);

  // A new expression from the URL (back button, link) replaces the draft.
  useEffect(() => setDraft(panel.expr), [panel.expr]);

  useEffect(() => {
    if (!refreshMs) return undefined;
    const id = setInterval(() => setSeq((s) => s + 1), refreshMs);
    return () => clearInterval(id);
  }, [refreshMs]);

  // Only what changes the query re-runs it; unit and stacking only redraw.
  const queryKey = JSON.stringify([
    panel.expr,
    panel.tab,
    panel.range,
    panel.start,
    panel.end,
    panel.step,
  ]);
  useEffect(() => {
    const query: QuerySpec = JSON.parse(queryKey) as QuerySpec;
    const expr = query[0].trim();
    if (expr === "") {
      setExec(IDLE);
      return undefined;
    }
    const ac = new AbortController();
    abortRef.current = ac;
    const startedAtMs = Date.now();
    setExec((prev) => ({ ...prev, loading: true, startedAtMs, canceled: false }));
    runQuery(query, ac.signal).then(
      (r) => {
        if (ac.signal.aborted) return;
        setExec({ loading: false, startedAtMs, tookMs: Date.now() - startedAtMs, ...r });
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setExec((prev) => ({
          ...prev,
          loading: false,
          error: toAPIError(err),
          outcome: undefined,
          warnings: [],
          infos: [],
        }));
      },
    );
    return () => ac.abort();
  }, [queryKey, seq]);

  const outcome = exec.outcome;
  const plot = useMemo(
    () =>
      outcome?.kind === "graph"
        ? toPlotData(outcome.series, outcome.range, panel.stacked)
        : undefined,
    [outcome, panel.stacked],
  );

  const onExecute = () => {
    if (draft !== panel.expr) onChange({ ...panel, expr: draft });
    else setSeq((s) => s + 1);
  };
  const onCancel = () => {
    abortRef.current?.abort();
    setExec((prev) => ({ ...prev, loading: false, canceled: true }));
  };

  let errorRange: ErrorRange | undefined;
  if (exec.error && draft === panel.expr) {
    const pos = parseErrorPosition(exec.error.message, panel.expr);
    if (pos) errorRange = { from: pos.from, to: pos.to, message: pos.detail };
  }

  const label = `Query ${index + 1}`;
  return (
    <section className={styles.panel} aria-label={label}>
      <div className={styles.editorRow}>
        <PromQLEditor
          value={draft}
          onChange={setDraft}
          onExecute={onExecute}
          error={errorRange}
          ariaLabel={`PromQL expression (${label})`}
        />
        <div className={styles.editorButtons}>
          {exec.loading ? (
            <button type="button" onClick={onCancel} aria-label={`Cancel ${label}`}>
              Cancel
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              onClick={onExecute}
              aria-label={`Execute ${label}`}
            >
              Execute
            </button>
          )}
          {onRemove && (
            <button
              type="button"
              onClick={onRemove}
              aria-label={`Remove ${label}`}
              title="Remove query"
            >
              ✕
            </button>
          )}
        </div>
      </div>

      <div className={styles.controls}>
        <div className={styles.tabs} role="tablist" aria-label={`${label} view`}>
          {(["graph", "table"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={panel.tab === t}
              className={panel.tab === t ? styles.tabActive : styles.tab}
              onClick={() => onChange({ ...panel, tab: t })}
            >
              {t === "graph" ? "Graph" : "Table"}
            </button>
          ))}
        </div>
        <TimeRangePicker
          value={panel}
          showStep={panel.tab === "graph"}
          showRange={panel.tab === "graph"}
          onChange={(v) =>
            onChange({
              ...panel,
              range: v.range,
              start: v.start ?? "",
              end: v.end,
              step: v.step ?? "",
            })
          }
        />
        {panel.tab === "graph" && (
          <>
            <label className={styles.field}>
              <span>Unit</span>
              <select
                aria-label="Unit"
                value={panel.unit}
                onChange={(e) =>
                  onChange({ ...panel, unit: isUnit(e.target.value) ? e.target.value : "" })
                }
              >
                {UNITS.map((u) => (
                  <option key={u} value={u}>
                    {UNIT_NAMES[u]}
                  </option>
                ))}
              </select>
            </label>
            <label className={styles.check}>
              <input
                type="checkbox"
                checked={panel.stacked}
                onChange={(e) => onChange({ ...panel, stacked: e.target.checked })}
              />
              Stacked
            </label>
          </>
        )}
      </div>

      <div className={styles.status} aria-live="polite" data-testid="query-status">
        {exec.loading && (
          <span data-testid="query-loading">
            Running… <Elapsed startedAtMs={exec.startedAtMs} />
          </span>
        )}
        {!exec.loading && exec.canceled && <span>Query canceled.</span>}
        {!exec.loading && exec.tookMs !== undefined && exec.outcome && (
          <span>
            {summary(exec.outcome)} · {exec.tookMs} ms
          </span>
        )}
      </div>
      {exec.error && <ErrorMessage error={exec.error} onRetry={() => setSeq((s) => s + 1)} />}
      <Warnings warnings={exec.warnings} infos={exec.infos} />
      {panel.expr.trim() === "" && !exec.error && (
        <EmptyState title="No query yet">
          Type a PromQL expression above (try <code>up</code>) and press Shift+Enter or Execute.
        </EmptyState>
      )}
      {plot && panel.tab === "graph" && (
        <div className={exec.loading ? styles.stale : undefined}>
          {plot.names.length === 0 ? (
            <EmptyState title="Empty query result">
              No series in this range. Check the metric name and labels, or pick a longer range.
            </EmptyState>
          ) : (
            <Graph
              plot={plot}
              unit={panel.unit}
              stacked={panel.stacked}
              ariaLabel={`Graph of ${panel.expr}`}
              onZoom={(startMs, endMs) =>
                onChange({ ...panel, start: toUrlTime(startMs), end: toUrlTime(endMs) })
              }
            />
          )}
        </div>
      )}
      {exec.outcome?.kind === "table" && panel.tab === "table" && (
        <div className={exec.loading ? styles.stale : undefined}>
          <DataTable result={exec.outcome.result} />
        </div>
      )}
    </section>
  );
}

function summary(o: Outcome): string {
  if (o.kind === "graph") {
    const n = o.series.length;
    return `${n} series · ${o.points} points · step ${formatDuration(o.range.stepMs)}`;
  }
  const r = o.result;
  if (r.resultType === "vector" || r.resultType === "matrix") return `${r.result.length} series`;
  return r.resultType;
}

/** QuerySpec is what a query depends on: expr, tab, range, start, end, step. */
type QuerySpec = [string, PanelState["tab"], string, string, string, string];

async function runQuery(
  [expr, tab, range, start, end, step]: QuerySpec,
  signal: AbortSignal,
): Promise<Pick<ExecState, "outcome" | "warnings" | "infos">> {
  const panel = { expr, tab, range, start, end, step };
  const nowMs = Date.now();
  if (panel.tab === "table") {
    const { endMs } = resolveRange("1s", panel.end, nowMs);
    const r = await fetchAPI<QueryResult>("/api/v1/query", {
      method: "POST",
      params: { query: panel.expr, time: endMs / 1000 },
      signal,
      timeoutMs: QUERY_TIMEOUT_MS,
    });
    return { outcome: { kind: "table", result: r.data }, warnings: r.warnings, infos: r.infos };
  }
  const { startMs, endMs } = resolveRangeSpec(panel, nowMs);
  const stepMs = panel.step ? parseDuration(panel.step) : autoStepMs(endMs - startMs);
  if (!stepMs || stepMs <= 0) throw new Error(`invalid step ${JSON.stringify(panel.step)}`);
  const r = await fetchAPI<QueryResult>("/api/v1/query_range", {
    method: "POST",
    params: { query: panel.expr, start: startMs / 1000, end: endMs / 1000, step: stepMs / 1000 },
    signal,
    timeoutMs: QUERY_TIMEOUT_MS,
  });
  if (r.data.resultType !== "matrix") {
    throw new Error(`a graph needs a range result, the query returned a ${r.data.resultType}`);
  }
  const points = r.data.result.reduce((n, s) => n + (s.values?.length ?? 0), 0);
  return {
    outcome: {
      kind: "graph",
      series: r.data.result,
      range: { startMs, endMs, stepMs },
      points,
    },
    warnings: r.warnings,
    infos: r.infos,
  };
}
