// Vigil's own API: /api/vigil/heartbeats and /api/vigil/alerts/history.

/** Heartbeat is one check of /api/vigil/heartbeats; times are RFC 3339 or null. */
export interface Heartbeat {
  readonly name: string;
  readonly state: string;
  readonly started: boolean;
  readonly lastBeat: string | null;
  readonly lastStart: string | null;
  readonly lastFailure: string | null;
  readonly nextExpected: string | null;
  readonly downAt: string | null;
  readonly schedule: { period: string } | { cron: string; timezone: string };
  readonly grace: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly lastMessage: { kind: string; time: string; body: string } | null;
}

/** AlertHistoryEntry is one state change of /api/vigil/alerts/history. */
export interface AlertHistoryEntry {
  readonly labels: Record<string, string>;
  readonly state: string;
  readonly time: string;
  readonly timestamp: number;
  readonly value: number;
}
