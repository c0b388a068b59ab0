// Alerts: firing and pending alerts of the rules (/api/v1/alerts) with labels, annotations and
// runbook links; what the Alertmanager holds (/api/v2/alerts: silenced or not, receivers); and
// the state changes over a chosen range (/api/vigil/alerts/history), for all alerts and, on
// demand, as a timeline for each one.
import { useState } from "react";
import { useEnvelopeQuery, useJSONQuery } from "../../api/api.ts";
import type { GettableAlert } from "../../api/responseTypes/alertmanager.ts";
import type { AlertsResult, RuleAlert } from "../../api/responseTypes/rules.ts";
import type { AlertHistoryEntry } from "../../api/responseTypes/vigil.ts";
import { Link } from "../../components/Link.tsx";
import {
  Badge,
  Card,
  EmptyState,
  ErrorMessage,
  LabelList,
  Loading,
  Muted,
  PageHeader,
  TableWrap,
  healthTone,
} from "../../components/Status.tsx";
import { formatMatchers } from "../../lib/matchers.ts";
import { useSearchParams } from "../../lib/router.ts";
import {
  formatDuration,
  formatRelative,
  formatTimestamp,
  isZeroTime,
  parseDuration,
} from "../../lib/time.ts";
import { useNow } from "../../lib/useNow.ts";
import styles from "./Alerts.module.css";
import { HISTORY_RANGES, alertSelector, historySpans } from "./history.ts";

/** TIMELINE_RANGE_MS is how far back an alert's own timeline goes. */
const TIMELINE_RANGE_MS = 7 * 86_400_000;

/** AlertTimeline shows one alert's state changes of the last week, newest first. */
function AlertTimeline({
  labels,
  now,
}: {
  readonly labels: Record<string, string>;
  readonly now: number;
}) {
  const selector = alertSelector(labels);
  const [startS] = useState(() => Math.floor((Date.now() - TIMELINE_RANGE_MS) / 1000));
  const q = useEnvelopeQuery<AlertHistoryEntry[]>(
    "/api/vigil/alerts/history",
    { "match[]": selector, start: startS },
    { refreshMs: 30_000 },
  );
  if (q.error) return <ErrorMessage error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading what="history" />;
  const spans = historySpans(q.data);
  if (spans.length === 0) return <Muted>No state change stored in the last 7 days.</Muted>;
  return (
    <ol className={styles.timeline} aria-label="Alert timeline" data-testid="alert-timeline">
      {spans.map((s) => (
        <li key={s.fromMs}>
          <Badge tone={healthTone(s.state)}>{s.state}</Badge>{" "}
          <span title={new Date(s.fromMs).toISOString()}>{formatTimestamp(s.fromMs)}</span>{" "}
          <Muted>
            {s.toMs === undefined
              ? `for ${formatDuration(Math.max(0, Math.floor((now - s.fromMs) / 1000) * 1000))} until now`
              : `for ${formatDuration(Math.floor((s.toMs - s.fromMs) / 1000) * 1000)}`}
          </Muted>
        </li>
      ))}
    </ol>
  );
}

function silenceLink(labels: Record<string, string>): string {
  const ms = Object.keys(labels)
    .filter((k) => k === "alertname" || k === "instance" || k === "job" || k === "service")
    .map((k) => ({ name: k, type: "=" as const, value: labels[k]! }));
  return `/silences/new?${new URLSearchParams({ matchers: formatMatchers(ms) })}`;
}

/** isSafeUrl keeps javascript: and similar out of runbook links. */
function isSafeUrl(u: string): boolean {
  return /^(https?:)?\/\//i.test(u) || u.startsWith("/");
}

function Annotations({ a }: { readonly a: Record<string, string> }) {
  const keys = Object.keys(a).sort((x, y) =>
    x === "summary" ? -1 : y === "summary" ? 1 : x.localeCompare(y),
  );
  if (keys.length === 0) return null;
  return (
    <dl className={styles.annotations}>
      {keys.map((k) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            {(k === "runbook_url" || k.endsWith("_url")) && isSafeUrl(a[k]!) ? (
              <a href={a[k]} target="_blank" rel="noreferrer">
                {a[k]}
              </a>
            ) : (
              a[k]
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function RuleAlertCard({
  a,
  now,
  am,
}: {
  readonly a: RuleAlert;
  readonly now: number;
  readonly am?: GettableAlert;
}) {
  const runbook = a.annotations.runbook_url;
  const [showTimeline, setShowTimeline] = useState(false);
  return (
    <Card>
      <div className={styles.alertHead} data-testid="alert">
        <Badge tone={healthTone(a.state)}>{a.state}</Badge>
        <strong>{a.labels.alertname ?? "(no alertname)"}</strong>
        {a.activeAt && !isZeroTime(a.activeAt) && (
          <Muted>
            active since {formatRelative(Date.parse(a.activeAt), now)} · value {a.value}
          </Muted>
        )}
        {am && am.status.state === "suppressed" && <Badge tone="warn">silenced</Badge>}
        <span className={styles.spacer} />
        {runbook && isSafeUrl(runbook) && (
          <a href={runbook} target="_blank" rel="noreferrer">
            Runbook
          </a>
        )}
        <button
          type="button"
          aria-expanded={showTimeline}
          onClick={() => setShowTimeline((v) => !v)}
        >
          History
        </button>
        <Link to={silenceLink(a.labels)}>Silence</Link>
      </div>
      <LabelList labels={a.labels} omit={["alertname"]} />
      <Annotations a={a.annotations} />
      {showTimeline && <AlertTimeline labels={a.labels} now={now} />}
    </Card>
  );
}

/** AlertsPage shows active alerts, the Alertmanager's view and recent history. */
export function AlertsPage() {
  const now = useNow(5000);
  const [params, setParams] = useSearchParams();
  const showHistory = params.get("history") !== "0";
  const rawRange = params.get("historyRange") ?? "";
  const historyRange = HISTORY_RANGES.find((r) => r === rawRange) ?? "24h";
  // The start moves in whole minutes, so that the request's key (and the fetch) stays put
  // between renders.
  const historyFromMin = Math.floor((Date.now() - parseDuration(historyRange)!) / 60_000);
  const rules = useEnvelopeQuery<AlertsResult>("/api/v1/alerts", {}, { refreshMs: 15_000 });
  const am = useJSONQuery<GettableAlert[]>("/api/v2/alerts", {}, { refreshMs: 15_000 });
  const history = useEnvelopeQuery<AlertHistoryEntry[]>(
    "/api/vigil/alerts/history",
    { limit: 500, start: historyFromMin * 60 },
    { refreshMs: 60_000, skip: !showHistory },
  );

  const amByLabels = new Map(
    (am.data ?? []).map((a) => [JSON.stringify(Object.entries(a.labels).sort()), a]),
  );
  const alerts = [...(rules.data?.alerts ?? [])].sort((x, y) =>
    x.state === y.state
      ? (x.labels.alertname ?? "").localeCompare(y.labels.alertname ?? "")
      : x.state === "firing"
        ? -1
        : 1,
  );
  const firing = alerts.filter((a) => a.state === "firing").length;
  const ruleKeys = new Set(alerts.map((a) => JSON.stringify(Object.entries(a.labels).sort())));
  const external = (am.data ?? []).filter(
    (a) => !ruleKeys.has(JSON.stringify(Object.entries(a.labels).sort())),
  );

  return (
    <div>
      <PageHeader title="Alerts">
        <Badge tone={firing > 0 ? "err" : "ok"}>{firing} firing</Badge>
        <Badge tone="warn">{alerts.length - firing} pending</Badge>
        <button
          type="button"
          onClick={() => {
            rules.reload();
            am.reload();
            history.reload();
          }}
        >
          Refresh
        </button>
      </PageHeader>
      {rules.error && <ErrorMessage error={rules.error} onRetry={rules.reload} />}
      {!rules.data && rules.loading && <Loading what="alerts" />}
      {rules.data && alerts.length === 0 && (
        <EmptyState title="No firing or pending alerts">
          Alerts come from alerting rules (see <Link to="/rules">Rules</Link>); none is active right
          now.
        </EmptyState>
      )}
      {alerts.map((a) => {
        const key = JSON.stringify(Object.entries(a.labels).sort());
        return <RuleAlertCard key={key} a={a} now={now} am={amByLabels.get(key)} />;
      })}

      <h2>In the Alertmanager from other sources</h2>
      {am.error && <ErrorMessage error={am.error} onRetry={am.reload} />}
      {am.data && external.length === 0 && (
        <Muted>None: every alert in the Alertmanager comes from Vigil&apos;s rules above.</Muted>
      )}
      {external.length > 0 && (
        <TableWrap>
          <table aria-label="Alertmanager alerts">
            <thead>
              <tr>
                <th>Labels</th>
                <th>State</th>
                <th>Since</th>
                <th>Receivers</th>
              </tr>
            </thead>
            <tbody>
              {external.map((a) => (
                <tr key={a.fingerprint}>
                  <td>
                    <LabelList labels={a.labels} />
                    <Annotations a={a.annotations} />
                  </td>
                  <td>
                    <Badge tone={a.status.state === "active" ? "err" : "warn"}>
                      {a.status.state}
                    </Badge>
                  </td>
                  <td>{formatRelative(Date.parse(a.startsAt), now)}</td>
                  <td>{a.receivers.map((r) => r.name).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}

      <h2 className={styles.historyTitle}>
        History{" "}
        <select
          aria-label="History range"
          value={historyRange}
          onChange={(e) => {
            const next = new URLSearchParams(params);
            if (e.target.value === "24h") next.delete("historyRange");
            else next.set("historyRange", e.target.value);
            setParams(next);
          }}
        >
          {HISTORY_RANGES.map((r) => (
            <option key={r} value={r}>
              last {r}
            </option>
          ))}
        </select>{" "}
        <button
          type="button"
          aria-expanded={showHistory}
          onClick={() => {
            const next = new URLSearchParams(params);
            if (showHistory) next.set("history", "0");
            else next.delete("history");
            setParams(next);
          }}
        >
          {showHistory ? "Hide" : "Show"}
        </button>
      </h2>
      {showHistory && history.error && (
        <ErrorMessage error={history.error} onRetry={history.reload} />
      )}
      {showHistory && history.data && history.data.length === 0 && (
        <Muted>No alert changed state in the last {historyRange}.</Muted>
      )}
      {showHistory && history.data && history.data.length > 0 && (
        <TableWrap>
          <table aria-label="Alert history">
            <thead>
              <tr>
                <th>Time</th>
                <th>State</th>
                <th>Alert</th>
              </tr>
            </thead>
            <tbody>
              {[...history.data].reverse().map((e, i) => (
                <tr key={i}>
                  <td title={e.time}>{formatTimestamp(e.timestamp * 1000)}</td>
                  <td>
                    <Badge tone={healthTone(e.state)}>{e.state}</Badge>
                  </td>
                  <td>
                    <LabelList labels={e.labels} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </div>
  );
}
