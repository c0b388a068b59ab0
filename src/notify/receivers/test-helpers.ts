// Test fixtures for the integrations: a local HTTP server that records requests and answers
// as told, a fixed alert group (firing or resolved) as a NotifyContext, and notifier deps.
import { once } from "node:events";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AlertmanagerTemplates, labelSetFingerprint } from "../../template/index.ts";
import { DEFAULT_HTTP_CLIENT_CONFIG } from "../../util/http-client/index.ts";
import type { HttpClientConfig } from "../../util/http-client/index.ts";
import { silentLogger } from "../../util/logging/index.ts";
import type { NotifierDeps, NotifyAlert, NotifyContext } from "../notifier.ts";
import type { IntegrationName } from "../../alerting/receivers-config.ts";
import { DEFAULT_TMPL } from "./templates/default.tmpl.ts";
import { EMAIL_TMPL } from "./templates/email.tmpl.ts";

/** CapturedRequest is one request received by a CaptureServer. */
export interface CapturedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** CannedResponse is what a CaptureServer answers. */
export interface CannedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** CaptureServer is an HTTP server on 127.0.0.1 that records requests. */
export class CaptureServer {
  readonly requests: CapturedRequest[] = [];
  /** respond decides the answer to each request; default 200 with an empty body. */
  respond: (req: CapturedRequest) => CannedResponse | Promise<CannedResponse> = () => ({
    status: 200,
  });

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** start listens on a free port of 127.0.0.1. */
  static async start(): Promise<CaptureServer> {
    const holder: { self?: CaptureServer } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const captured: CapturedRequest = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        const self = holder.self!;
        self.requests.push(captured);
        void Promise.resolve(self.respond(captured)).then((answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body ?? "");
        });
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    holder.self = new CaptureServer(server, `http://127.0.0.1:${port}`);
    return holder.self;
  }

  /** close stops the server and drops kept-alive connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** T0 is the fixed start time of the fixture alerts: 2024-01-02T03:04:05Z. */
export const T0 = Date.UTC(2024, 0, 2, 3, 4, 5);
/** T_RESOLVED is when the fixture alerts resolve: ten minutes after T0. */
export const T_RESOLVED = T0 + 10 * 60_000;
/** EXTERNAL_URL is the fixture external URL. */
export const EXTERNAL_URL = "http://vigil.example:9700";
/** GENERATOR_URL is the fixture alerts' generator URL (it has & and +, which JSON escapes). */
export const GENERATOR_URL = "http://prom.example:9090/graph?g0.expr=latency+%3E+1&g0.tab=1";
/** GROUP_KEY is the fixture group key. */
export const GROUP_KEY = '{}:{alertname="HighLatency"}';

function alert(instance: string, description: string, status: "firing" | "resolved"): NotifyAlert {
  const labels = { alertname: "HighLatency", instance, job: "api", severity: "critical" };
  return {
    labels,
    annotations: { description, summary: "p99 latency above 1s" },
    startsAtMs: T0,
    endsAtMs: status === "resolved" ? T_RESOLVED : 0,
    generatorURL: GENERATOR_URL,
    fingerprint: labelSetFingerprint(labels).toString(16).padStart(16, "0"),
    status,
  };
}

/** fixtureAlerts returns the fixture group's two alerts (instances api-1 and api-2). */
export function fixtureAlerts(status: "firing" | "resolved"): NotifyAlert[] {
  return [
    alert("api-1:8080", "Latency is 1.5s", status),
    alert("api-2:8080", "Latency is 1.2s", status),
  ];
}

/** newTemplates loads Vigil's default templates plus extra template text. */
export function newTemplates(extra?: string): AlertmanagerTemplates {
  const t = new AlertmanagerTemplates({ externalURL: EXTERNAL_URL });
  t.parse(DEFAULT_TMPL);
  t.parse(EMAIL_TMPL);
  if (extra !== undefined) t.parseFile("user.tmpl", extra);
  return t;
}

/** FixtureOptions vary the fixture context. */
export interface FixtureOptions {
  readonly status?: "firing" | "resolved";
  readonly alerts?: readonly NotifyAlert[];
  readonly integration?: IntegrationName;
  readonly receiver?: string;
  readonly templates?: AlertmanagerTemplates;
}

/**
 * fixtureContext is the notification of the fixture group to receiver "team-api": two
 * HighLatency alerts grouped by alertname, firing (default) or resolved.
 */
export function fixtureContext(opts: FixtureOptions = {}): NotifyContext {
  const status = opts.status ?? "firing";
  const alerts = opts.alerts ?? fixtureAlerts(status);
  const templates = opts.templates ?? newTemplates();
  const receiver = opts.receiver ?? "team-api";
  const groupLabels = { alertname: "HighLatency" };
  const nowMs = status === "resolved" ? T_RESOLVED + 1000 : T0 + 60_000;
  return {
    receiver,
    integration: opts.integration ?? "webhook",
    integrationIndex: 0,
    groupKey: GROUP_KEY,
    groupLabels,
    alerts,
    nowMs,
    repeatIntervalMs: 4 * 3600_000,
    externalURL: EXTERNAL_URL,
    templates,
    data: templates.data({
      receiver,
      groupLabels,
      notificationReason: "",
      nowMs,
      alerts: alerts.map((a) => ({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAtMs,
        endsAt: a.status === "resolved" ? a.endsAtMs : undefined,
        generatorURL: a.generatorURL,
        fingerprint: a.fingerprint,
        status: a.status,
      })),
    }),
  };
}

/** testDeps are notifier deps for tests: a silent logger and a fixed User-Agent. */
export const testDeps: NotifierDeps = {
  logger: silentLogger(),
  externalURL: EXTERNAL_URL,
  userAgent: "Vigil/test",
};

/** httpConfig returns an http_config with the given changes to the defaults. */
export function httpConfig(changes: Partial<HttpClientConfig> = {}): HttpClientConfig {
  return { ...DEFAULT_HTTP_CLIENT_CONFIG, ...changes };
}

/** signal returns an AbortSignal that never aborts. */
export function neverAborts(): AbortSignal {
  return new AbortController().signal;
}

/** rejection awaits p and returns what it rejected with; it throws if p resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}

/** The fixture's generator URL, as printed in text templates. */
const SRC = "Source: http://prom.example:9090/graph?g0.expr=latency+%3E+1&g0.tab=1";

/** TEXT_LIST is __text_alert_list of the fixture alerts, written out by hand. */
export const TEXT_LIST = [
  "Labels:",
  " - alertname = HighLatency",
  " - instance = api-1:8080",
  " - job = api",
  " - severity = critical",
  "Annotations:",
  " - description = Latency is 1.5s",
  " - summary = p99 latency above 1s",
  SRC,
  "Labels:",
  " - alertname = HighLatency",
  " - instance = api-2:8080",
  " - job = api",
  " - severity = critical",
  "Annotations:",
  " - description = Latency is 1.2s",
  " - summary = p99 latency above 1s",
  SRC,
  "",
].join("\n");

/** MARKDOWN_LIST is __text_alert_list_markdown of the fixture alerts, written out by hand. */
export const MARKDOWN_LIST = [
  "",
  "Labels:",
  "  - alertname = HighLatency",
  "  - instance = api-1:8080",
  "  - job = api",
  "  - severity = critical",
  "",
  "Annotations:",
  "  - description = Latency is 1.5s",
  "  - summary = p99 latency above 1s",
  "",
  SRC,
  "",
  "Labels:",
  "  - alertname = HighLatency",
  "  - instance = api-2:8080",
  "  - job = api",
  "  - severity = critical",
  "",
  "Annotations:",
  "  - description = Latency is 1.2s",
  "  - summary = p99 latency above 1s",
  "",
  SRC,
  "",
  "",
].join("\n");

/** SUBJECT is __subject of the fixture group, firing or resolved. */
export const SUBJECT = {
  firing: "[FIRING:2] HighLatency (api critical)",
  resolved: "[RESOLVED] HighLatency (api critical)",
} as const;

/** ALERTS_URL is __alertmanagerURL of the fixture group. */
export const ALERTS_URL = "http://vigil.example:9700/#/alerts?receiver=team-api";

/** goString is how Go's encoding/json writes a string (HTML-significant characters escaped). */
export function goString(s: string): string {
  return JSON.stringify(s)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026");
}

/** RETRY_CASES are statuses and whether Vigil retries them (5xx and 429 yes, 4xx no). */
export const RETRY_CASES: readonly (readonly [number, boolean])[] = [
  [500, true],
  [503, true],
  [429, true],
  [400, false],
  [404, false],
];
