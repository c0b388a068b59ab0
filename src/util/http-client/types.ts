// The HTTP client settings shared by scrape configs and HTTP service discovery, with the
// meaning of prometheus/common config.HTTPClientConfig (v0.65). File paths are absolute by the
// time they get here; secrets read from files are read when a request needs them.

/** TLS_VERSIONS lists the accepted values of tls_config.min_version / max_version. */
export const TLS_VERSIONS = ["TLS10", "TLS11", "TLS12", "TLS13"] as const;

/** TlsVersion is a TLS protocol version as prometheus/common spells it. */
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** TlsConfig configures TLS for a client [tls_config]. At most one of each inline/file pair. */
export interface TlsConfig {
  /** PEM text of the CA certificates to trust [ca]. */
  ca?: string;
  /** File holding the CA certificates [ca_file]. */
  caFile?: string;
  /** PEM text of the client certificate [cert]. */
  cert?: string;
  /** File holding the client certificate [cert_file]. */
  certFile?: string;
  /** PEM text of the client key [key]; a secret. */
  key?: string;
  /** File holding the client key [key_file]. */
  keyFile?: string;
  /** Name to verify the server certificate against (and to send as SNI) [server_name]. */
  serverName?: string;
  /** Accept any server certificate [insecure_skip_verify]; default false. */
  insecureSkipVerify: boolean;
  /** Oldest TLS version to negotiate [min_version]; default Node's. */
  minVersion?: TlsVersion;
  /** Newest TLS version to negotiate [max_version]; default Node's. */
  maxVersion?: TlsVersion;
}

/** BasicAuthConfig is HTTP basic authentication [basic_auth]. */
export interface BasicAuthConfig {
  /** [username]; "" when username_file is used. */
  username: string;
  /** File whose trimmed contents are the user name, read per request [username_file]. */
  usernameFile?: string;
  /** [password]; a secret. */
  password?: string;
  /** File whose trimmed contents are the password, read per request [password_file]. */
  passwordFile?: string;
}

/**
 * AuthorizationConfig sends `Authorization: <type> <credentials>` [authorization]. The legacy
 * bearer_token and bearer_token_file keys become one of these with type Bearer.
 */
export interface AuthorizationConfig {
  /** Scheme [type]; default "Bearer". */
  type: string;
  /** [credentials]; a secret. */
  credentials?: string;
  /** File whose trimmed contents are the credentials, read per request [credentials_file]. */
  credentialsFile?: string;
}

/** OAuth2Config fetches a token with the client credentials grant [oauth2]. */
export interface OAuth2Config {
  /** [client_id] */
  clientId: string;
  /** [client_secret]; a secret. */
  clientSecret?: string;
  /** File whose trimmed contents are the client secret [client_secret_file]. */
  clientSecretFile?: string;
  /** Token endpoint [token_url]. */
  tokenUrl: string;
  /** Scopes to request [scopes]. */
  scopes: string[];
  /** Extra form parameters of the token request [endpoint_params]. */
  endpointParams: Record<string, string>;
  /** TLS settings for the token endpoint [tls_config]. */
  tlsConfig: TlsConfig;
}

/** HttpClientConfig configures how requests are made and authenticated. */
export interface HttpClientConfig {
  basicAuth?: BasicAuthConfig;
  authorization?: AuthorizationConfig;
  oauth2?: OAuth2Config;
  tlsConfig: TlsConfig;
  /** Follow 3xx redirects, at most 10 [follow_redirects]; default true. */
  followRedirects: boolean;
  /** Accepted for compatibility; Vigil speaks HTTP/1.1 [enable_http2]; default true. */
  enableHttp2: boolean;
  /** Extra request headers [http_headers], each name with its values. */
  httpHeaders: Record<string, string[]>;
}

/** DEFAULT_HTTP_CLIENT_CONFIG is config.DefaultHTTPClientConfig. */
export const DEFAULT_HTTP_CLIENT_CONFIG: HttpClientConfig = Object.freeze({
  tlsConfig: Object.freeze({ insecureSkipVerify: false }),
  followRedirects: true,
  enableHttp2: true,
  httpHeaders: Object.freeze({}),
}) as HttpClientConfig;
