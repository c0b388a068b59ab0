// Logs: a LogQL query over a time range through Loki's /loki/api/v1/query_range. A log query
// shows its lines (newest first by default) with their stream labels and a log volume
// histogram; a metric query shows a graph. "Live" tails new lines over the /loki/api/v1/tail
// WebSocket. Built against Loki's documented API.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { APIError, fetchAPI, toAPIError } from "../../api/api.ts";
import type { LokiQueryResult, TailMessage } from "../../api/responseTypes/loki.ts";
import type { ErrorRange } from "../../components/CodeEditor.tsx";
import { Link } from "../../components/Link.tsx";
import {
  Badge,
  Elapsed,
  EmptyState,
  ErrorMessage,
  LabelList,
  Muted,
  PageHeader,
  Toolbar,
  Warnings,
} from "../../components/Status.tsx";
import type { MatrixSeries } from "../../lib/series.ts";
import { seriesColor, toPlotData } from "../../lib/series.ts";
import { navigate, useLocation } from "../../lib/router.ts";
import { autoStepMs, formatTimestamp, resolveRangeSpec, toUrlTime } from "../../lib/time.ts";
import { parseErrorPosition } from "../query/errorPosition.ts";
import { Graph } from "../query/Graph.tsx";
import { TimeRangePicker } from "../query/TimeRangePicker.tsx";
import { LogQLEditor } from "./LogQLEditor.tsx";
import type { LogLine, LogsState, TailState } from "./logs.ts";
import {
  applyTailMessage,
  decodeLogs,
  encodeLogs,
  mergeStreams,
  msToNs,
  nsToMs,
  tailFailureMessage,
  tailUrl,
  volumeQuery,
} from "./logs.ts";
import styles from "./Logs.module.css";

const TAIL_MAX_LINES = 1000;
/** QUERY_TIMEOUT_MS bounds one query from the browser's side. */
const QUERY_TIMEOUT_MS = 120_000;

interface Range {
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
}

type Outcome =
  | {
      readonly kind: "lines";
      readonly lines: LogLine[];
      readonly volume?: MatrixSeries[];
      readonly range: Range;
    }
  | { readonly kind: "graph"; readonly series: MatrixSeries[]; readonly range: Range };

function lokiHint(err: APIError): APIError {
  if (err.status === 404) {
    const msg = `${err.message}. This Vigil does not serve Loki's query API (/loki/api/v1/query_range) yet.`;
    return new APIError(msg, err.kind, err.status, err.errorType);
  }
  return err;
}

function LogRow({ l }: { readonly l: LogLine }) {
  const [open, setOpen] = useState(false);
  return (
    <li className={styles.line} data-testid="log-line">
      <button
        type="button"
        className={styles.lineButton}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        style={{ borderLeftColor: seriesColor(l.streamIndex) }}
      >
        <span className={styles.ts}>{formatTimestamp(nsToMs(l.tsNs))}</span>
        <span className={styles.text}>{l.line}</span>
      </button>
      {open && (
        <div className={styles.lineLabels}>
          <LabelList labels={l.labels} />
        </div>
      )}
    </li>
  );
}

type TailStatus = "connecting" | "live" | "stopped" | "failed";

/**
 * useTail streams new lines of query over the /loki/api/v1/tail WebSocket while on, starting a
 * minute back. A handshake the server refuses is asked again over HTTP to show its reason; a
 * connection that drops says so, and reconnect() opens a new one.
 */
function useTail(query: string, on: boolean) {
  const [tail, setTail] = useState<TailState>({ lines: [], dropped: 0 });
  const [status, setStatus] = useState<TailStatus>("connecting");
  const [error, setError] = useState("");
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!on || query.trim() === "") return undefined;
    setTail({ lines: [], dropped: 0 });
    setError("");
    setStatus("connecting");
    const url = tailUrl(location.origin, query, Date.now() - 60_000, 100);
    const streamIndexes = new Map<string, number>();
    const ws = new WebSocket(url);
    let opened = false;
    let closedByUs = false;
    ws.onopen = () => {
      opened = true;
      setStatus("live");
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      let msg: TailMessage;
      try {
        msg = JSON.parse(ev.data) as TailMessage;
      } catch {
        setError("The live tail sent a message that is not JSON.");
        return;
      }
      setTail((old) => applyTailMessage(old, msg, TAIL_MAX_LINES, streamIndexes));
    };
    ws.onclose = (ev) => {
      if (closedByUs) return;
      setStatus("failed");
      if (opened) {
        setError(
          `The server closed the live tail (${ev.code}${ev.reason ? `: ${ev.reason}` : ""}).`,
        );
        return;
      }
      // The handshake failed: ask the same URL over HTTP for the reason.
      const httpUrl = url.replace(/^ws/, "http");
      fetch(httpUrl, { signal: AbortSignal.timeout(10_000) }).then(
        async (res) => setError(tailFailureMessage(res.status, await res.text())),
        () => setError(`Cannot reach the Vigil server at ${location.origin} for the live tail.`),
      );
    };
    return () => {
      closedByUs = true;
      ws.close(1000);
    };
  }, [query, on, attempt]);
  const reconnect = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...tail, status, error, reconnect };
}

/** LogsPage is the LogQL query page; its state lives in the URL (logs.ts). */
export function LogsPage() {
  const { search } = useLocation();
  const state = decodeLogs(search);
  const [draft, setDraft] = useState(state.query);
  const [seq, setSeq] = useState(0);
  const [live, setLive] = useState(false);
  const [loading, setLoading] = useState(false);
  const [startedAtMs, setStartedAtMs] = useState(0);
  const [canceled, setCanceled] = useState(false);
  const [tookMs, setTookMs] = useState<number | undefined>(undefined);
  const [error, setError] = useState<APIError | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [warnings, setWarnings] = useState<string[]>([]);
  const abortRef = useRef<AbortController | null>(null);
  const tail = useTail(state.query, live);

  useEffect(() => setDraft(state.query), [state.query]);

  const update = (s: LogsState, replace = false) => navigate(`/logs?${encodeLogs(s)}`, { replace });
  const key = JSON.stringify([
    state.query,
    state.range,
    state.start,
    state.end,
    state.limit,
    state.direction,
  ]);

  useEffect(() => {
    const [query, range, start, end, limit, direction] = JSON.parse(key) as [
      string,
      string,
      string,
      string,
      number,
      LogsState["direction"],
    ];
    const s: LogsState = { query, range, start, end, limit, direction };
    if (s.query.trim() === "" || live) return undefined;
    const ac = new AbortController();
    abortRef.current = ac;
    const t0 = Date.now();
    setLoading(true);
    setStartedAtMs(t0);
    setCanceled(false);
    setError(undefined);
    void (async () => {
      try {
        const { startMs, endMs } = resolveRangeSpec(s, Date.now());
        const stepMs = autoStepMs(endMs - startMs, 120);
        const range = { startMs, endMs, stepMs };
        const params = {
          query: s.query,
          start: msToNs(startMs),
          end: msToNs(endMs),
          limit: s.limit,
          direction: s.direction,
          step: stepMs / 1000,
        };
        const r = await fetchAPI<LokiQueryResult>("/loki/api/v1/query_range", {
          params,
          signal: ac.signal,
          timeoutMs: QUERY_TIMEOUT_MS,
        });
        setWarnings(r.warnings);
        setTookMs(Date.now() - t0);
        if (r.data.resultType === "streams") {
          const lines = mergeStreams(r.data.result, s.direction, s.limit);
          setOutcome({ kind: "lines", lines, range });
          try {
            const v = await fetchAPI<LokiQueryResult>("/loki/api/v1/query_range", {
              params: {
                ...params,
                query: volumeQuery(s.query, stepMs),
                limit: undefined,
                direction: undefined,
              },
              signal: ac.signal,
              timeoutMs: QUERY_TIMEOUT_MS,
            });
            if (v.data.resultType === "matrix")
              setOutcome({ kind: "lines", lines, range, volume: v.data.result });
          } catch {
            // The histogram is an extra; the lines stand without it.
          }
        } else if (r.data.resultType === "matrix") {
          setOutcome({ kind: "graph", series: r.data.result, range });
        } else {
          setOutcome({
            kind: "graph",
            series: r.data.result.map((x) => ({ metric: x.metric, values: [x.value] })),
            range,
          });
        }
      } catch (err) {
        if (!ac.signal.aborted) {
          setError(lokiHint(toAPIError(err)));
          setOutcome(undefined);
        }
      } finally {
        if (!ac.signal.aborted) setLoading(false);
      }
    })();
    return () => ac.abort();
  }, [key, seq, live]);

  const onExecute = () => {
    if (draft !== state.query) update({ ...state, query: draft });
    else setSeq((n) => n + 1);
  };
  const onCancel = () => {
    abortRef.current?.abort();
    setLoading(false);
    setCanceled(true);
  };
  const onZoom = (startMs: number, endMs: number) =>
    update({ ...state, start: toUrlTime(startMs), end: toUrlTime(endMs) });
  const volumePlot = useMemo(
    () =>
      outcome?.kind === "lines" && outcome.volume
        ? toPlotData(outcome.volume, outcome.range)
        : undefined,
    [outcome],
  );
  const graphPlot = useMemo(
    () => (outcome?.kind === "graph" ? toPlotData(outcome.series, outcome.range) : undefined),
    [outcome],
  );

  let errorRange: ErrorRange | undefined;
  if (error && !live && draft === state.query) {
    const pos = parseErrorPosition(error.message, state.query);
    if (pos) errorRange = { from: pos.from, to: pos.to, message: pos.detail };
  }

  return (
    <div>
      <PageHeader title="Logs">
        <Link to="/explore">Metrics (PromQL) →</Link>
      </PageHeader>
      <div className={styles.editorRow}>
        <LogQLEditor value={draft} onChange={setDraft} onExecute={onExecute} error={errorRange} />
        <div className={styles.editorButtons}>
          {loading ? (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          ) : (
            <button type="button" className="primary" onClick={onExecute} disabled={live}>
              Run
            </button>
          )}
          <button
            type="button"
            aria-pressed={live}
            onClick={() => {
              if (draft !== state.query) update({ ...state, query: draft });
              setLive((l) => !l);
            }}
            disabled={draft.trim() === "" && !live}
            title="Stream new lines as they arrive (/loki/api/v1/tail)"
          >
            {live ? "Stop live" : "Live"}
          </button>
        </div>
      </div>
      <Toolbar>
        {!live && (
          <TimeRangePicker
            value={state}
            onChange={(v) =>
              update({ ...state, range: v.range, start: v.start ?? "", end: v.end }, true)
            }
          />
        )}
        <label>
          Limit{" "}
          <select
            aria-label="Line limit"
            value={state.limit}
            onChange={(e) => update({ ...state, limit: Number(e.target.value) }, true)}
          >
            {[100, 500, 1000, 5000].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {!live && (
          <label>
            Order{" "}
            <select
              aria-label="Order"
              value={state.direction}
              onChange={(e) =>
                update(
                  { ...state, direction: e.target.value === "forward" ? "forward" : "backward" },
                  true,
                )
              }
            >
              <option value="backward">Newest first</option>
              <option value="forward">Oldest first</option>
            </select>
          </label>
        )}
      </Toolbar>
      <div className={styles.status} aria-live="polite" data-testid="query-status">
        {!live && loading && (
          <span data-testid="query-loading">
            Running… <Elapsed startedAtMs={startedAtMs} />
          </span>
        )}
        {!live && !loading && canceled && <span>Query canceled.</span>}
        {!live && !loading && !canceled && tookMs !== undefined && outcome && (
          <span>{tookMs} ms</span>
        )}
      </div>

      {error && !live && <ErrorMessage error={error} onRetry={() => setSeq((n) => n + 1)} />}
      {!live && <Warnings warnings={warnings} />}
      {state.query.trim() === "" && !live && (
        <EmptyState title="No query yet">
          Type a LogQL query such as <code>{'{job="app"} |= "error"'}</code> and press Shift+Enter.
          Logs arrive through Loki push (<code>/loki/api/v1/push</code>), OTLP logs or tailed log
          files.
        </EmptyState>
      )}

      {live && (
        <section aria-label="Live tail">
          <div className={styles.tailStatus} data-testid="tail-status">
            <Badge tone={tail.status === "live" ? "ok" : tail.status === "failed" ? "err" : "none"}>
              {tail.status}
            </Badge>{" "}
            <Muted>
              {tail.lines.length} lines
              {tail.dropped > 0 ? ` · ${tail.dropped} entries dropped by the server` : ""}
              {tail.status === "live" && tail.lines.length === 0 ? " · waiting for new lines…" : ""}
            </Muted>
          </div>
          {tail.error && (
            <ErrorMessage
              error={new Error(tail.error)}
              title="Live tail"
              onRetry={tail.reconnect}
            />
          )}
          <ul className={styles.lines} aria-label="Live log lines">
            {tail.lines.map((l, i) => (
              <LogRow key={`${l.tsNs}/${tail.lines.length - i}`} l={l} />
            ))}
          </ul>
        </section>
      )}

      {!live &&
        outcome?.kind === "graph" &&
        graphPlot &&
        (graphPlot.names.length === 0 ? (
          <EmptyState title="Empty result">
            No series in this range. Widen the range or relax the filters.
          </EmptyState>
        ) : (
          <div className={loading ? styles.stale : undefined}>
            <Graph
              plot={graphPlot}
              unit=""
              stacked={false}
              ariaLabel="Graph of the LogQL metric query"
              onZoom={onZoom}
            />
          </div>
        ))}
      {!live && outcome?.kind === "lines" && (
        <div className={loading ? styles.stale : undefined}>
          {volumePlot && volumePlot.names.length > 0 && (
            <Graph
              plot={volumePlot}
              unit="short"
              stacked={false}
              bars
              height={110}
              ariaLabel="Log volume"
              onZoom={onZoom}
            />
          )}
          <Muted>
            {outcome.lines.length} lines
            {outcome.lines.length >= state.limit ? ` (limit ${state.limit} reached)` : ""}
          </Muted>
          {outcome.lines.length === 0 ? (
            <EmptyState title="No log lines">
              No line matched in this range. Widen the range or relax the filters.
            </EmptyState>
          ) : (
            <ul className={styles.lines} aria-label="Log lines">
              {outcome.lines.map((l, i) => (
                <LogRow key={`${l.tsNs}/${i}`} l={l} />
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
