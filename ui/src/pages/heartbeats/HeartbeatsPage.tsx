// Heartbeat checks (/api/vigil/heartbeats): state, last beat, next expected beat.
import { useEnvelopeQuery } from "../../api/api.ts";
import type { Heartbeat } from "../../api/responseTypes/vigil.ts";
import {
  Badge,
  EmptyState,
  ErrorMessage,
  LabelList,
  Loading,
  Muted,
  PageHeader,
  TableWrap,
} from "../../components/Status.tsx";
import type { BadgeTone } from "../../components/Status.tsx";
import { formatRelative } from "../../lib/time.ts";
import { useNow } from "../../lib/useNow.ts";

function tone(state: string): BadgeTone {
  if (state === "up") return "ok";
  if (state === "down" || state === "failed") return "err";
  if (state === "new" || state === "paused") return "none";
  return "warn";
}

function When({ iso, now }: { readonly iso: string | null; readonly now: number }) {
  if (!iso) return <Muted>—</Muted>;
  return <span title={iso}>{formatRelative(Date.parse(iso), now)}</span>;
}

/** HeartbeatsPage lists the heartbeat checks. */
export function HeartbeatsPage() {
  const now = useNow(1000);
  const q = useEnvelopeQuery<Heartbeat[]>("/api/vigil/heartbeats", {}, { refreshMs: 10_000 });
  return (
    <div>
      <PageHeader title="Heartbeats">
        <button type="button" onClick={q.reload}>
          Refresh
        </button>
      </PageHeader>
      {q.error && <ErrorMessage error={q.error} onRetry={q.reload} />}
      {!q.data && q.loading && <Loading what="heartbeats" />}
      {q.data && q.data.length === 0 && (
        <EmptyState title="No heartbeat checks">
          Add a <code>heartbeats</code> section to vigil.yml; a job then pings{" "}
          <code>{`${location.origin}/api/vigil/heartbeats/<name>`}</code> when it succeeds, and
          Vigil alerts when a beat is late.
        </EmptyState>
      )}
      {q.data && q.data.length > 0 && (
        <TableWrap>
          <table aria-label="Heartbeat checks">
            <thead>
              <tr>
                <th>Name</th>
                <th>State</th>
                <th>Last beat</th>
                <th>Next expected</th>
                <th>Goes down</th>
                <th>Schedule</th>
                <th>Last message</th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((h) => (
                <tr key={h.name}>
                  <td>
                    <strong>{h.name}</strong>
                    <div>
                      <LabelList labels={h.labels} />
                    </div>
                  </td>
                  <td>
                    <Badge tone={tone(h.state)}>{h.state}</Badge>
                    {h.started && <Muted> (running)</Muted>}
                  </td>
                  <td>
                    <When iso={h.lastBeat} now={now} />
                  </td>
                  <td>
                    <When iso={h.nextExpected} now={now} />
                  </td>
                  <td>
                    <When iso={h.downAt} now={now} />
                  </td>
                  <td>
                    {"period" in h.schedule
                      ? `every ${h.schedule.period}`
                      : `${h.schedule.cron} (${h.schedule.timezone})`}
                    <Muted> · grace {h.grace}</Muted>
                  </td>
                  <td className="mono">
                    {h.lastMessage
                      ? `${h.lastMessage.kind}: ${h.lastMessage.body.slice(0, 200)}`
                      : ""}
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
