// Logs: a LogQL query over a time range through Loki's /loki/api/v1/query_range. A log query
// shows its lines (newest first by default) with their stream labels and a log volume
// histogram; a metric query shows a graph. "Live" tails new lines over the /loki/api/v1/tail
// WebSocket. Built against Loki's documented API.
import { useEffect, useMemo, useRef, useState } from "react";
import { APIError, fetchAPI, toAPIError } from "../../api/api.ts";
import type { LokiQueryResult, TailMessage } from "../../api/responseTypes/loki.ts";
import {
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
import { autoStepMs, formatTimestamp, resolveRange } from "../../lib/time.ts";
import { Graph } from "../query/Graph.tsx";
import { TimeRangePicker } from "../query/TimeRangePicker.tsx";
import { LogQLEditor } from "./LogQLEditor.tsx";
import type { LogLine, LogsState } from "./logs.ts";
import { decodeLogs, encodeLogs, mergeStreams, nsToMs, tailUrl, volumeQuery } from "./logs.ts";
import styles from "./Logs.module.css";

const TAIL_MAX_LINES = 1000;

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

function useTail(query: string, on: boolean) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    if (!on || query.trim() === "") return undefined;
    setLines([]);
    setError("");
    setStatus("connecting…");
    const ws = new WebSocket(tailUrl(location.origin, query, Date.now() - 60_000, 100));
    ws.onopen = () => setStatus("live");
    ws.onmessage = (ev: MessageEvent<string>) => {
      try {
        const msg = JSON.parse(ev.data) as TailMessage;
        const fresh = mergeStreams(msg.streams ?? [], "backward");
        if (fresh.length) setLines((old) => [...fresh, ...old].slice(0, TAIL_MAX_LINES));
        if (msg.dropped_entries?.length)
          setStatus(`live (${msg.dropped_entries.length} entries dropped)`);
      } catch {
        setError("The tail sent a message that is not JSON.");
      }
    };
    ws.onerror = () =>
      setError(
        `The live tail connection to ${location.host} failed (is /loki/api/v1/tail served?).`,
      );
    ws.onclose = (ev) => {
      setStatus("stopped");
      if (ev.code !== 1000 && ev.code !== 1005)
        setError((e) => e || `Live tail closed: ${ev.code} ${ev.reason}`);
    };
    return () => ws.close(1000);
  }, [query, on]);
  return { lines, status, error };
}

/** LogsPage is the LogQL query page; its state lives in the URL (logs.ts). */
export function LogsPage() {
  const { search } = useLocation();
  const state = decodeLogs(search);
  const [draft, setDraft] = useState(state.query);
  const [seq, setSeq] = useState(0);
  const [live, setLive] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<APIError | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [warnings, setWarnings] = useState<string[]>([]);
  const abortRef = useRef<AbortController | null>(null);
  const tail = useTail(state.query, live);

  useEffect(() => setDraft(state.query), [state.query]);

  const update = (s: LogsState, replace = false) => navigate(`/logs?${encodeLogs(s)}`, { replace });
  const key = JSON.stringify([state.query, state.range, state.end, state.limit, state.direction]);

  useEffect(() => {
    const [query, range, end, limit, direction] = JSON.parse(key) as [
      string,
      string,
      string,
      number,
      LogsState["direction"],
    ];
    const s: LogsState = { query, range, end, limit, direction };
    if (s.query.trim() === "" || live) return undefined;
    const ac = new AbortController();
    abortRef.current = ac;
    setLoading(true);
    setError(undefined);
    void (async () => {
      try {
        const { startMs, endMs } = resolveRange(s.range, s.end, Date.now());
        const stepMs = autoStepMs(endMs - startMs, 120);
        const range = { startMs, endMs, stepMs };
        const params = {
          query: s.query,
          start: `${startMs}000000`,
          end: `${endMs}000000`,
          limit: s.limit,
          direction: s.direction,
          step: stepMs / 1000,
        };
        const r = await fetchAPI<LokiQueryResult>("/loki/api/v1/query_range", {
          params,
          signal: ac.signal,
        });
        setWarnings(r.warnings);
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
        if (!ac.signal.aborted) setError(lokiHint(toAPIError(err)));
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

  return (
    <div>
      <PageHeader title="Logs" />
      <div className={styles.editorRow}>
        <LogQLEditor value={draft} onChange={setDraft} onExecute={onExecute} />
        {loading ? (
          <button type="button" onClick={() => abortRef.current?.abort()}>
            Cancel
          </button>
        ) : (
          <button type="button" className="primary" onClick={onExecute}>
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
          disabled={draft.trim() === ""}
        >
          {live ? "Stop live" : "Live"}
        </button>
      </div>
      <Toolbar>
        <TimeRangePicker
          value={state}
          onChange={(v) => update({ ...state, range: v.range, end: v.end }, true)}
        />
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
        {loading && <Muted>Running…</Muted>}
      </Toolbar>

      {error && !live && <ErrorMessage error={error} onRetry={() => setSeq((n) => n + 1)} />}
      <Warnings warnings={warnings} />
      {state.query.trim() === "" && (
        <EmptyState title="No query yet">
          Type a LogQL query such as <code>{'{job="app"} |= "error"'}</code> and press Shift+Enter.
          Logs arrive through Loki push (<code>/loki/api/v1/push</code>), OTLP logs or tailed log
          files.
        </EmptyState>
      )}

      {live && (
        <section aria-label="Live tail">
          <Muted>Live tail: {tail.status}</Muted>
          {tail.error && <ErrorMessage error={new Error(tail.error)} title="Live tail" />}
          {tail.lines.length === 0 && !tail.error && <Muted> — waiting for new lines…</Muted>}
          <ul className={styles.lines}>
            {tail.lines.map((l, i) => (
              <LogRow key={`${l.tsNs}/${i}`} l={l} />
            ))}
          </ul>
        </section>
      )}

      {!live &&
        outcome?.kind === "graph" &&
        graphPlot &&
        (graphPlot.names.length === 0 ? (
          <EmptyState title="Empty result">No series in this range.</EmptyState>
        ) : (
          <Graph
            plot={graphPlot}
            unit=""
            stacked={false}
            ariaLabel="Graph of the LogQL metric query"
          />
        ))}
      {!live && outcome?.kind === "lines" && (
        <>
          {volumePlot && volumePlot.names.length > 0 && (
            <Graph
              plot={volumePlot}
              unit="short"
              stacked={false}
              bars
              height={110}
              ariaLabel="Log volume"
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
        </>
      )}
    </div>
  );
}
