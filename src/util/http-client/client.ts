// HttpClient: GET requests with the authentication, TLS, redirect, timeout, compression and
// body-size behaviour of a Prometheus HTTP client (prometheus/common config.NewClientFromConfig),
// built on node:http and node:https with keep-alive agents.
import { readFile } from "node:fs/promises";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import * as http from "node:http";
import * as https from "node:https";
import { readFileSync } from "node:fs";
import type { SecureVersion } from "node:tls";
import { gunzipSync } from "node:zlib";
import type { HttpClientConfig, OAuth2Config, TlsConfig } from "./types.ts";

/** BodySizeLimitError is thrown when a response body reaches the size limit. */
export class BodySizeLimitError extends Error {
  override readonly name = "BodySizeLimitError";
  constructor() {
    super("body size limit exceeded");
  }
}

/** RequestOptions tune one request. */
export interface RequestOptions {
  /** headers are added to the request (after authentication headers). */
  readonly headers?: Readonly<Record<string, string>>;
  /** timeoutMs bounds the whole request including the body; 0 or absent: none. */
  readonly timeoutMs?: number;
  /** signal aborts the request. */
  readonly signal?: AbortSignal;
  /**
   * maxBodyBytes: a body (after decompression) of this many bytes or more fails with
   * BodySizeLimitError, as Prometheus's body_size_limit does; 0 or absent: no limit.
   */
  readonly maxBodyBytes?: number;
  /** method defaults to GET; POST is used for OAuth2 token requests. */
  readonly method?: "GET" | "POST";
  /** body is sent with POST. */
  readonly body?: string;
}

/** HttpResponse is a complete response; a gzip body has been decompressed. */
export interface HttpResponse {
  readonly status: number;
  /** statusText is the reason phrase the server sent ("OK"). */
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const MAX_REDIRECTS = 10;

/** StaleConnectionError is a request that failed on a reused keep-alive connection. */
class StaleConnectionError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

const TLS_VERSION: Record<string, SecureVersion> = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
};

/** readSecret reads a secret file, trimming white space as prometheus/common does. */
async function readSecret(file: string): Promise<string> {
  return (await readFile(file, "utf8")).trim();
}

/** tlsOptions turns a TlsConfig into node:tls options, reading the files it names. */
function tlsOptions(c: TlsConfig): https.AgentOptions {
  const read = (f: string | undefined): string | undefined =>
    f === undefined ? undefined : readFileSync(f, "utf8");
  const opts: https.AgentOptions = { rejectUnauthorized: !c.insecureSkipVerify };
  const ca = c.ca ?? read(c.caFile);
  if (ca !== undefined) opts.ca = ca;
  const cert = c.cert ?? read(c.certFile);
  if (cert !== undefined) opts.cert = cert;
  const key = c.key ?? read(c.keyFile);
  if (key !== undefined) opts.key = key;
  if (c.serverName !== undefined) opts.servername = c.serverName;
  if (c.minVersion !== undefined) opts.minVersion = TLS_VERSION[c.minVersion];
  if (c.maxVersion !== undefined) opts.maxVersion = TLS_VERSION[c.maxVersion];
  return opts;
}

/**
 * HttpClient makes requests as one Prometheus HTTP client configuration describes. TLS files
 * are read when the client is created (create a new client to pick up rotated certificates);
 * password, credentials and client secret files are read on every request, so that rotated
 * secrets take effect at once. OAuth2 tokens are cached until shortly before they expire.
 * Call `close` to release the keep-alive connections.
 */
export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly oauth: OAuth2TokenSource | undefined;

  /** The constructor throws when a TLS file cannot be read. */
  constructor(
    private readonly cfg: HttpClientConfig,
    private readonly userAgent = "Vigil",
  ) {
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true, ...tlsOptions(cfg.tlsConfig) });
    if (cfg.oauth2) this.oauth = new OAuth2TokenSource(cfg.oauth2, userAgent);
  }

  /**
   * request fetches url. It resolves with the response of any status (following redirects
   * when configured), and rejects with an Error worded as Go's client would
   * (`Get "http://…": context deadline exceeded`) for network failures, with BodySizeLimitError
   * for an oversized body, and with the signal's reason when aborted.
   */
  async request(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const method = opts.method ?? "GET";
    const verb = method === "GET" ? "Get" : "Post";
    const headers: Record<string, string> = { "User-Agent": this.userAgent };
    for (const [name, values] of Object.entries(this.cfg.httpHeaders)) {
      if (values.length > 0) headers[name] = values.join(", ");
    }
    await this.authenticate(headers);
    Object.assign(headers, opts.headers);

    const deadline =
      opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? Date.now() + opts.timeoutMs : 0;
    let current = url;
    for (let redirects = 0; ; redirects++) {
      let res: HttpResponse;
      try {
        try {
          res = await this.once(current, method, headers, opts, deadline);
        } catch (err) {
          // A kept-alive connection that the server closed meanwhile fails at once; retry on a
          // fresh one, as Go's transport does for idempotent requests.
          if (!(err instanceof StaleConnectionError)) throw err;
          res = await this.once(current, method, headers, opts, deadline);
        }
      } catch (err) {
        if (err instanceof BodySizeLimitError || opts.signal?.aborted) throw err;
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(`${verb} ${JSON.stringify(current)}: ${why}`, { cause: err });
      }
      const location = res.headers.location;
      if (!this.cfg.followRedirects || res.status < 300 || res.status > 308 || !location) {
        return res;
      }
      if (redirects + 1 >= MAX_REDIRECTS) {
        throw new Error(`${verb} ${JSON.stringify(location)}: stopped after 10 redirects`);
      }
      current = new URL(location, current).toString();
    }
  }

  /** close releases idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.oauth?.close();
  }

  private async authenticate(headers: Record<string, string>): Promise<void> {
    const c = this.cfg;
    if (c.basicAuth) {
      const b = c.basicAuth;
      const user = b.usernameFile !== undefined ? await readSecret(b.usernameFile) : b.username;
      const pass =
        b.passwordFile !== undefined ? await readSecret(b.passwordFile) : (b.password ?? "");
      headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    } else if (c.authorization) {
      const a = c.authorization;
      const cred =
        a.credentialsFile !== undefined
          ? await readSecret(a.credentialsFile)
          : (a.credentials ?? "");
      headers.Authorization = `${a.type} ${cred}`;
    } else if (this.oauth) {
      headers.Authorization = await this.oauth.header();
    }
  }

  private once(
    url: string,
    method: string,
    headers: Record<string, string>,
    opts: RequestOptions,
    deadline: number,
  ): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        reject(new Error("invalid URL"));
        return;
      }
      const isHttps = u.protocol === "https:";
      if (!isHttps && u.protocol !== "http:") {
        reject(new Error(`unsupported protocol scheme ${JSON.stringify(u.protocol.slice(0, -1))}`));
        return;
      }
      const mod = isHttps ? https : http;
      const req = mod.request(u, {
        method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        req.destroy();
        reject(err);
      };
      const onAbort = (): void => fail(opts.signal!.reason as Error);
      if (opts.signal) {
        if (opts.signal.aborted) {
          onAbort();
          return;
        }
        opts.signal.addEventListener("abort", onAbort, { once: true });
      }
      if (deadline > 0) {
        timer = setTimeout(
          () => fail(new Error("context deadline exceeded")),
          Math.max(0, deadline - Date.now()),
        );
      }
      req.on("error", (err: NodeJS.ErrnoException) => {
        const stale =
          req.reusedSocket &&
          !gotResponse &&
          (err.code === "ECONNRESET" || err.code === "EPIPE" || err.message === "socket hang up");
        fail(stale ? new StaleConnectionError(err) : err);
      });
      let gotResponse = false;
      req.on("response", (res: IncomingMessage) => {
        gotResponse = true;
        const status = res.statusCode ?? 0;
        const limit = opts.maxBodyBytes ?? 0;
        const gzip = (res.headers["content-encoding"] ?? "").toLowerCase() === "gzip";
        // A compressed body is gathered whole and inflated in one call, which costs less than
        // streaming it through the thread pool. Its compressed size is bounded loosely (gzip
        // can grow incompressible data a little); the inflated size exactly.
        const rawLimit = limit > 0 && gzip ? limit + Math.ceil(limit / 100) + 1024 : limit;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("error", (err) => fail(err));
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (rawLimit > 0 && size >= rawLimit) {
            fail(new BodySizeLimitError());
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          if (settled) return;
          let body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
          if (gzip) {
            try {
              body = gunzipSync(body, limit > 0 ? { maxOutputLength: Math.max(1, limit - 1) } : {});
              if (limit > 0 && body.length >= limit) throw new BodySizeLimitError();
            } catch (err) {
              const tooLarge =
                err instanceof BodySizeLimitError ||
                (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
              fail(tooLarge ? new BodySizeLimitError() : (err as Error));
              return;
            }
          }
          settled = true;
          if (timer) clearTimeout(timer);
          opts.signal?.removeEventListener("abort", onAbort);
          resolve({ status, statusText: res.statusMessage ?? "", headers: res.headers, body });
        });
      });
      req.end(opts.body);
    });
  }
}

/**
 * OAuth2TokenSource fetches tokens with the client credentials grant (RFC 6749 §4.4), sending
 * the client id and secret as HTTP basic authentication like golang.org/x/oauth2's
 * clientcredentials, and caches each token until 10 seconds before it expires.
 */
class OAuth2TokenSource {
  private token: { header: string; expiresAtMs: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly client: HttpClient;

  constructor(
    private readonly cfg: OAuth2Config,
    userAgent: string,
  ) {
    this.client = new HttpClient(
      {
        tlsConfig: cfg.tlsConfig,
        followRedirects: true,
        enableHttp2: true,
        httpHeaders: {},
      },
      userAgent,
    );
  }

  async header(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAtMs) return this.token.header;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  close(): void {
    this.client.close();
  }

  private async fetchToken(): Promise<string> {
    const c = this.cfg;
    const secret =
      c.clientSecretFile !== undefined
        ? await readSecret(c.clientSecretFile)
        : (c.clientSecret ?? "");
    const form = new URLSearchParams();
    form.set("grant_type", "client_credentials");
    if (c.scopes.length > 0) form.set("scope", c.scopes.join(" "));
    for (const [k, v] of Object.entries(c.endpointParams)) form.set(k, v);
    const basic = Buffer.from(
      `${encodeURIComponent(c.clientId)}:${encodeURIComponent(secret)}`,
    ).toString("base64");
    const res = await this.client.request(c.tokenUrl, {
      method: "POST",
      body: form.toString(),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
        Authorization: `Basic ${basic}`,
      },
      timeoutMs: 30_000,
    });
    if (res.status < 200 || res.status > 299) {
      throw new Error(
        `oauth2: cannot fetch token: ${res.status} ${res.statusText}\nResponse: ${res.body.toString("utf8").slice(0, 1000)}`,
      );
    }
    let data: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      data = JSON.parse(res.body.toString("utf8")) as typeof data;
    } catch (err) {
      throw new Error(`oauth2: cannot parse token response: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (typeof data.access_token !== "string" || data.access_token === "") {
      throw new Error("oauth2: server response missing access_token");
    }
    const type =
      typeof data.token_type === "string" && data.token_type.toLowerCase() !== "bearer"
        ? data.token_type
        : "Bearer";
    const expiresIn = Number(data.expires_in);
    const expiresAtMs =
      Number.isFinite(expiresIn) && expiresIn > 0
        ? Date.now() + expiresIn * 1000 - 10_000
        : Number.POSITIVE_INFINITY;
    const header = `${type} ${data.access_token}`;
    this.token = { header, expiresAtMs };
    return header;
  }
}
