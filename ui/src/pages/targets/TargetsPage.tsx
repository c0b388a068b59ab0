// Scrape targets by pool: health, last scrape, duration, error, and the labels before and after
// relabelling. Filters (health, text) live in the URL.
import { useState } from "react";
import { useEnvelopeQuery } from "../../api/api.ts";
import type { Target, TargetsResult } from "../../api/responseTypes/targets.ts";
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
import { formatSecondsDuration } from "../../lib/format.ts";
import { useSearchParams } from "../../lib/router.ts";
import { formatRelative, isZeroTime } from "../../lib/time.ts";
import { useNow } from "../../lib/useNow.ts";
import styles from "./Targets.module.css";

function matchesSearch(t: Target, q: string): boolean {
  if (q === "") return true;
  const hay = [t.scrapeUrl, t.lastError, ...Object.entries(t.labels).map(([k, v]) => `${k}="${v}"`)]
    .join(" ")
    .toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w));
}

function TargetRow({ t, now }: { readonly t: Target; readonly now: number }) {
  const [showDiscovered, setShowDiscovered] = useState(false);
  const never = isZeroTime(t.lastScrape);
  return (
    <tr data-testid="target-row">
      <td className={styles.endpoint}>
        <a href={t.globalUrl || t.scrapeUrl} target="_blank" rel="noreferrer">
          {t.scrapeUrl}
        </a>
      </td>
      <td>
        <Badge tone={healthTone(t.health)}>{t.health}</Badge>
      </td>
      <td>
        <LabelList labels={t.labels} />
        <button
          type="button"
          className={styles.linkButton}
          aria-expanded={showDiscovered}
          onClick={() => setShowDiscovered((s) => !s)}
        >
          {showDiscovered ? "Hide discovered labels" : "Show discovered labels"}
        </button>
        {showDiscovered && (
          <div className={styles.discovered}>
            <Muted>Before relabelling:</Muted> <LabelList labels={t.discoveredLabels} />
          </div>
        )}
      </td>
      <td title={never ? "" : t.lastScrape}>
        {never ? <Muted>never</Muted> : formatRelative(Date.parse(t.lastScrape), now)}
      </td>
      <td>{never ? "" : formatSecondsDuration(t.lastScrapeDuration)}</td>
      <td className={styles.error}>{t.lastError}</td>
    </tr>
  );
}

/** TargetsPage lists the scrape targets of /api/v1/targets by pool. */
export function TargetsPage() {
  const [params, setParams] = useSearchParams();
  const health = params.get("health") ?? "";
  const search = params.get("search") ?? "";
  const now = useNow(1000);
  const q = useEnvelopeQuery<TargetsResult>(
    "/api/v1/targets",
    { state: "active" },
    { refreshMs: 10_000 },
  );

  const setParam = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v === "") next.delete(k);
    else next.set(k, v);
    setParams(next);
  };

  const targets = (q.data?.activeTargets ?? []).filter(
    (t) => (health === "" || t.health === health) && matchesSearch(t, search),
  );
  const pools = new Map<string, Target[]>();
  for (const t of targets) {
    if (!pools.has(t.scrapePool)) pools.set(t.scrapePool, []);
    pools.get(t.scrapePool)!.push(t);
  }
  const all = q.data?.activeTargets ?? [];

  return (
    <div>
      <PageHeader title="Targets">
        <label>
          <span className="visually-hidden">Health</span>
          <select
            aria-label="Filter by health"
            value={health}
            onChange={(e) => setParam("health", e.target.value)}
          >
            <option value="">All health</option>
            <option value="up">Up</option>
            <option value="down">Down</option>
            <option value="unknown">Unknown</option>
          </select>
        </label>
        <input
          type="search"
          aria-label="Filter targets by endpoint, label or error"
          placeholder="Filter by endpoint, label, error"
          value={search}
          onChange={(e) => setParam("search", e.target.value)}
        />
        <button type="button" onClick={q.reload} aria-label="Refresh targets">
          Refresh
        </button>
      </PageHeader>
      {q.error && <ErrorMessage error={q.error} onRetry={q.reload} />}
      {!q.data && q.loading && <Loading what="targets" />}
      {q.data && all.length === 0 && (
        <EmptyState title="No scrape targets">
          Add a <code>scrape_configs</code> section to vigil.yml (for example a job scraping
          Vigil&apos;s own <code>/metrics</code>), then reload with <code>POST /-/reload</code>.
        </EmptyState>
      )}
      {q.data && all.length > 0 && targets.length === 0 && (
        <EmptyState title="No target matches the filter">
          Clear the health or text filter to see all {all.length} targets.
        </EmptyState>
      )}
      {[...pools.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([pool, ts]) => {
          const up = ts.filter((t) => t.health === "up").length;
          return (
            <Card key={pool}>
              <h2 className={styles.poolTitle}>
                {pool}{" "}
                <Badge tone={up === ts.length ? "ok" : up === 0 ? "err" : "warn"}>
                  {up}/{ts.length} up
                </Badge>
              </h2>
              <TableWrap>
                <table aria-label={`Targets of ${pool}`}>
                  <thead>
                    <tr>
                      <th>Endpoint</th>
                      <th>State</th>
                      <th>Labels</th>
                      <th>Last scrape</th>
                      <th>Duration</th>
                      <th>Error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {ts.map((t) => (
                      <TargetRow key={t.scrapeUrl + JSON.stringify(t.labels)} t={t} now={now} />
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </Card>
          );
        })}
    </div>
  );
}
