// Alerts: firing and pending alerts of the rules (/api/v1/alerts) with labels, annotations and
// runbook links; what the Alertmanager holds (/api/v2/alerts: silenced or not, receivers); and
// the state changes of the last day (/api/vigil/alerts/history).
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
import { formatRelative, formatTimestamp, isZeroTime } from "../../lib/time.ts";
import { useNow } from "../../lib/useNow.ts";
import styles from "./Alerts.module.css";

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
        <Link to={silenceLink(a.labels)}>Silence</Link>
      </div>
      <LabelList labels={a.labels} omit={["alertname"]} />
      <Annotations a={a.annotations} />
    </Card>
  );
}

/** AlertsPage shows active alerts, the Alertmanager's view and recent history. */
export function AlertsPage() {
  const now = useNow(5000);
  const [params, setParams] = useSearchParams();
  const showHistory = params.get("history") !== "0";
  const rules = useEnvelopeQuery<AlertsResult>("/api/v1/alerts", {}, { refreshMs: 15_000 });
  const am = useJSONQuery<GettableAlert[]>("/api/v2/alerts", {}, { refreshMs: 15_000 });
  const history = useEnvelopeQuery<AlertHistoryEntry[]>(
    "/api/vigil/alerts/history",
    { limit: 200 },
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

      <h2>
        History (last 24h){" "}
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
        <Muted>No alert changed state in the last 24 hours.</Muted>
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
