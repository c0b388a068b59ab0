// Public API of the shared HTTP client: Prometheus-style client settings (auth, TLS, OAuth2)
// and a client that applies them. Used by scraping and by HTTP service discovery.
export type {
  AuthorizationConfig,
  BasicAuthConfig,
  HttpClientConfig,
  OAuth2Config,
  TlsConfig,
  TlsVersion,
} from "./types.ts";
export { DEFAULT_HTTP_CLIENT_CONFIG, TLS_VERSIONS } from "./types.ts";
export type { HttpResponse, RequestOptions } from "./client.ts";
export { BodySizeLimitError, HttpClient } from "./client.ts";
