// Alertmanager silences (/api/v2/silences): active, pending and expired, with their matchers,
// and expiring one (DELETE /api/v2/silence/{id}).
import { useState } from "react";
import type { APIError } from "../../api/api.ts";
import { fetchJSON, toAPIError, useJSONQuery } from "../../api/api.ts";
import type { GettableSilence, SilenceState } from "../../api/responseTypes/alertmanager.ts";
import { Link } from "../../components/Link.tsx";
import {
  Badge,
  Card,
  EmptyState,
  ErrorMessage,
  Loading,
  Muted,
  PageHeader,
} from "../../components/Status.tsx";
import { formatMatcher, formatMatchers, fromApiMatcher } from "../../lib/matchers.ts";
import { formatRelative, formatTimestamp } from "../../lib/time.ts";
import { useNow } from "../../lib/useNow.ts";
import styles from "./Silences.module.css";

const STATES: SilenceState[] = ["active", "pending", "expired"];

function SilenceCard({
  s,
  now,
  onExpire,
}: {
  readonly s: GettableSilence;
  readonly now: number;
  readonly onExpire: (id: string) => void;
}) {
  const matchers = s.matchers.map(fromApiMatcher);
  const startsMs = Date.parse(s.startsAt);
  const endsMs = Date.parse(s.endsAt);
  return (
    <Card>
      <div className={styles.silence} data-testid="silence" data-silence-id={s.id}>
        <div className={styles.matchers} aria-label="Matchers">
          {matchers.map((m) => (
            <code key={formatMatcher(m)} className={styles.matcher}>
              {formatMatcher(m)}
            </code>
          ))}
        </div>
        <div className={styles.meta}>
          <Badge
            tone={
              s.status.state === "active" ? "ok" : s.status.state === "pending" ? "warn" : "none"
            }
          >
            {s.status.state}
          </Badge>{" "}
          {s.status.state === "pending" && <>starts {formatRelative(startsMs, now)}, </>}
          {s.status.state === "expired" ? (
            <span title={formatTimestamp(endsMs)}>ended {formatRelative(endsMs, now)}</span>
          ) : (
            <span title={formatTimestamp(endsMs)}>ends {formatRelative(endsMs, now)}</span>
          )}
          {" · "}
          <Muted>
            by {s.createdBy || "unknown"} · id {s.id}
          </Muted>
        </div>
        {s.comment && <p className={styles.comment}>{s.comment}</p>}
        <div className={styles.actions}>
          {s.status.state !== "expired" && (
            <button
              type="button"
              className="danger"
              onClick={() => onExpire(s.id)}
              aria-label={`Expire silence ${s.id}`}
            >
              Expire
            </button>
          )}
          <Link
            to={`/silences/new?${new URLSearchParams({ matchers: formatMatchers(matchers), comment: s.comment })}`}
          >
            {s.status.state === "expired" ? "Recreate" : "Copy as new"}
          </Link>
        </div>
      </div>
    </Card>
  );
}

/** SilencesPage lists silences by state and expires them. */
export function SilencesPage() {
  const now = useNow(5000);
  const q = useJSONQuery<GettableSilence[]>("/api/v2/silences", {}, { refreshMs: 15_000 });
  const [expireError, setExpireError] = useState<APIError | undefined>(undefined);
  const [filter, setFilter] = useState("");

  const onExpire = async (id: string) => {
    if (!window.confirm("Expire this silence now? Alerts it mutes will notify again.")) return;
    try {
      await fetchJSON(`/api/v2/silence/${encodeURIComponent(id)}`, { method: "DELETE" });
      setExpireError(undefined);
    } catch (err) {
      setExpireError(toAPIError(err));
    }
    q.reload();
  };

  const list = (q.data ?? []).filter((s) => {
    if (filter === "") return true;
    const text = `${s.matchers.map((m) => formatMatcher(fromApiMatcher(m))).join(" ")} ${s.comment} ${s.createdBy}`;
    return text.toLowerCase().includes(filter.toLowerCase());
  });

  return (
    <div>
      <PageHeader title="Silences">
        <input
          type="search"
          aria-label="Filter silences"
          placeholder="Filter by matcher, comment, author"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <Link to="/silences/new" className={styles.newButton}>
          New silence
        </Link>
      </PageHeader>
      {expireError && <ErrorMessage error={expireError} title="Could not expire the silence" />}
      {q.error && <ErrorMessage error={q.error} onRetry={q.reload} />}
      {!q.data && q.loading && <Loading what="silences" />}
      {q.data && q.data.length === 0 && (
        <EmptyState title="No silences">
          A silence mutes the notifications of matching alerts for a while.{" "}
          <Link to="/silences/new">Create one</Link>, or use the Silence link next to an alert on
          the <Link to="/alerts">Alerts</Link> page.
        </EmptyState>
      )}
      {q.data &&
        STATES.map((state) => {
          const ss = list.filter((s) => s.status.state === state);
          if (ss.length === 0) return null;
          return (
            <section key={state} aria-label={`${state} silences`}>
              <h2>
                {state[0]!.toUpperCase() + state.slice(1)} ({ss.length})
              </h2>
              {ss.map((s) => (
                <SilenceCard key={s.id} s={s} now={now} onExpire={(id) => void onExpire(id)} />
              ))}
            </section>
          );
        })}
    </div>
  );
}
