// Alertmanager API v2: /api/v2/alerts and /api/v2/silences (no envelope).
import type { ApiMatcher } from "../../lib/matchers.ts";

/** GettableAlert is an alert held by the Alertmanager. */
export interface GettableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly updatedAt: string;
  readonly fingerprint: string;
  readonly generatorURL?: string;
  readonly receivers: { name: string }[];
  readonly status: {
    readonly state: "active" | "suppressed" | "unprocessed";
    readonly silencedBy: string[];
    readonly inhibitedBy: string[];
    readonly mutedBy?: string[];
  };
}

/** SilenceState is where a silence is in its life. */
export type SilenceState = "active" | "pending" | "expired";

/** GettableSilence is a stored silence. */
export interface GettableSilence {
  readonly id: string;
  readonly status: { readonly state: SilenceState };
  readonly updatedAt: string;
  readonly comment: string;
  readonly createdBy: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly matchers: ApiMatcher[];
}

/** PostableSilence is the body of POST /api/v2/silences (id set to update one). */
export interface PostableSilence {
  readonly id?: string;
  readonly comment: string;
  readonly createdBy: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly matchers: ApiMatcher[];
}
