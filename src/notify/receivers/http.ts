// HTTP delivery shared by the integrations: requests through util/http-client (so http_config's
// basic auth, authorization, OAuth2, TLS and headers apply), errors without the target URL
// (URLs of webhooks and of the Telegram and VictorOps APIs carry secrets; Alertmanager's
// notify.RedactURL), and the retry decision from the response status (notify.Retrier.Check).
import { DEFAULT_HTTP_CLIENT_CONFIG, HttpClient } from "../../util/http-client/index.ts";
import type { HttpClientConfig, HttpResponse } from "../../util/http-client/index.ts";
import { NotifyError, shouldRetryStatus } from "../notifier.ts";

/** SendOptions configure one request. */
export interface SendOptions {
  /** The request method; default POST. */
  readonly method?: "POST" | "PUT";
  /** The Content-Type header; default "application/json". */
  readonly contentType?: string;
  /** More request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The integration's own timeout in milliseconds ([timeout]); 0 or absent: none. */
  readonly timeoutMs?: number;
  /** Aborts the request (the pipeline's per-attempt deadline, shutdown). */
  readonly signal: AbortSignal;
}

/** MAX_ERROR_BODY_CHARS bounds how much of a response body goes into an error message. */
const MAX_ERROR_BODY_CHARS = 1024;

/**
 * HttpSender sends notification requests with one integration's HTTP client settings.
 * Network failures reject with a retryable NotifyError whose message never contains the URL.
 */
export class HttpSender {
  private readonly client: HttpClient;

  constructor(
    cfg: HttpClientConfig | undefined,
    userAgent: string,
    private readonly integration: string,
  ) {
    this.client = new HttpClient(cfg ?? DEFAULT_HTTP_CLIENT_CONFIG, userAgent);
  }

  /** send makes the request and resolves with the response, whatever its status. */
  async send(url: string, body: string, opts: SendOptions): Promise<HttpResponse> {
    try {
      return await this.client.request(url, {
        // TODO(receivers): HttpClient's RequestOptions.method admits only GET and POST; the
        // client passes the method through, and Opsgenie's update_alerts needs PUT.
        method: (opts.method ?? "POST") as "POST",
        body,
        headers: { "Content-Type": opts.contentType ?? "application/json", ...opts.headers },
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
      });
    } catch (err) {
      if (opts.signal.aborted) {
        const reason: unknown = opts.signal.reason;
        const why = reason instanceof Error ? reason.message : String(reason);
        throw new NotifyError(`${this.integration} notification aborted: ${why}`, {
          retry: true,
        });
      }
      let why = redact(err instanceof Error ? err.message : String(err), url);
      if (opts.timeoutMs && why.endsWith("context deadline exceeded")) {
        why += `: configured ${this.integration} timeout reached (${opts.timeoutMs}ms)`;
      }
      // The original error is not attached as the cause: its message names the URL.
      throw new NotifyError(why, { retry: true });
    }
  }

  /** close releases the client's connections. */
  close(): void {
    this.client.close();
  }
}

/**
 * redact removes a URL from an error message: the quoted URL that Go-style messages begin
 * with (`Post "https://…": …`) and any other occurrence of the requested URL.
 */
export function redact(message: string, url: string): string {
  let out = message.replace(/^(Get|Post|Put) "(?:[^"\\]|\\.)*"/, '$1 "<redacted>"');
  if (url !== "") out = out.split(url).join("<redacted>");
  return out;
}

/** RetrierOptions tune checkResponse (notify.Retrier). */
export interface RetrierOptions {
  /** Statuses to retry besides 5xx and 429 (PagerDuty's v1 API: 403). */
  readonly retryCodes?: readonly number[];
  /** Builds the error details from the body; default the body text. */
  readonly details?: (status: number, body: Buffer) => string;
  /** Prefix of the error message (Slack and Mattermost name the channel). */
  readonly prefix?: string;
}

/**
 * checkResponse is notify.Retrier.Check: a 2xx response passes; any other status rejects with
 * "unexpected status code N: <details>", retryable for 5xx, 429 and opts.retryCodes.
 */
export function checkResponse(res: HttpResponse, opts: RetrierOptions = {}): void {
  if (res.status >= 200 && res.status < 300) return;
  const retry = shouldRetryStatus(res.status) || (opts.retryCodes ?? []).includes(res.status);
  let msg = `unexpected status code ${res.status}`;
  const details = opts.details ? opts.details(res.status, res.body) : bodyText(res.body);
  if (details !== "") msg += `: ${details}`;
  if (opts.prefix) msg = `${opts.prefix}: ${msg}`;
  throw new NotifyError(msg, { retry, statusCode: res.status });
}

/** bodyText returns a response body for an error message, shortened when long. */
export function bodyText(body: Buffer): string {
  const s = body.toString("utf8");
  return s.length > MAX_ERROR_BODY_CHARS ? s.slice(0, MAX_ERROR_BODY_CHARS) + "…" : s;
}
