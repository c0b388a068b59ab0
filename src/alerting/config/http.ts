// http_config and tls_config blocks of the Alertmanager configuration (prometheus/common
// config.HTTPClientConfig), read into util/http-client's HttpClientConfig.
import type { HttpClientConfig, TlsConfig, TlsVersion } from "../../util/http-client/index.ts";
import { DEFAULT_HTTP_CLIENT_CONFIG, TLS_VERSIONS } from "../../util/http-client/index.ts";
import type { Obj } from "./read.ts";
import { fail, parseAmURL } from "./read.ts";

/** parseTlsConfig reads a tls_config mapping (config.TLSConfig.Validate included). */
export function parseTlsConfig(o: Obj | undefined, baseDir: string): TlsConfig {
  if (o === undefined) return { insecureSkipVerify: false };
  const out: TlsConfig = { insecureSkipVerify: o.bool("insecure_skip_verify", false) };
  const pairs: [string, string, "ca" | "cert" | "key", "caFile" | "certFile" | "keyFile"][] = [
    ["ca", "ca_file", "ca", "caFile"],
    ["cert", "cert_file", "cert", "certFile"],
    ["key", "key_file", "key", "keyFile"],
  ];
  for (const [inline, file, k, kf] of pairs) {
    const v = o.optStr(inline);
    const f = o.file(file, baseDir);
    if (v && f) fail(o.path, `at most one of ${inline} and ${file} must be configured`);
    if (v) out[k] = v;
    if (f) out[kf] = f;
  }
  o.take("ca_ref");
  o.take("cert_ref");
  o.take("key_ref");
  const sn = o.optStr("server_name");
  if (sn) out.serverName = sn;
  for (const [key, field] of [
    ["min_version", "minVersion"],
    ["max_version", "maxVersion"],
  ] as const) {
    const v = o.optStr(key);
    if (v === undefined || v === "") continue;
    if (!(TLS_VERSIONS as readonly string[]).includes(v))
      fail(o.at(key), `unknown TLS version: ${v}`);
    out[field] = v as TlsVersion;
  }
  const hasCert = out.cert !== undefined || out.certFile !== undefined;
  const hasKey = out.key !== undefined || out.keyFile !== undefined;
  if (hasCert !== hasKey) {
    fail(
      o.path,
      hasCert
        ? "exactly one of key or key_file must be configured when a client certificate is configured"
        : "exactly one of cert or cert_file must be configured when a client key is configured",
    );
  }
  o.done("config.TLSConfig");
  return out;
}

/** parseHttpConfig reads an http_config mapping (config.HTTPClientConfig). */
export function parseHttpConfig(o: Obj, baseDir: string): HttpClientConfig {
  const out: HttpClientConfig = {
    tlsConfig: parseTlsConfig(o.obj("tls_config"), baseDir),
    followRedirects: o.bool("follow_redirects", true),
    enableHttp2: o.bool("enable_http2", true),
    httpHeaders: {},
  };
  const basic = o.obj("basic_auth");
  const auth = o.obj("authorization");
  const oauth2 = o.obj("oauth2");
  const bearer = o.optStr("bearer_token");
  const bearerFile = o.file("bearer_token_file", baseDir);
  const authCount = [basic, auth, oauth2, bearer || bearerFile ? true : undefined].filter(
    (x) => x !== undefined,
  ).length;
  if (authCount > 1) {
    fail(
      o.path,
      "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured",
    );
  }
  if (bearer && bearerFile) {
    fail(o.path, "at most one of bearer_token & bearer_token_file must be configured");
  }
  if (basic) {
    const username = basic.str("username");
    const usernameFile = basic.file("username_file", baseDir);
    const password = basic.optStr("password");
    const passwordFile = basic.file("password_file", baseDir);
    basic.take("username_ref");
    basic.take("password_ref");
    if (username && usernameFile) {
      fail(basic.path, "at most one of basic_auth username & username_file must be configured");
    }
    if (password && passwordFile) {
      fail(basic.path, "at most one of basic_auth password & password_file must be configured");
    }
    basic.done("config.BasicAuth");
    out.basicAuth = {
      username,
      ...(usernameFile && { usernameFile }),
      ...(password && { password }),
      ...(passwordFile && { passwordFile }),
    };
  }
  if (auth) {
    const type = auth.str("type", "Bearer") || "Bearer";
    if (type.toLowerCase() === "basic") {
      fail(
        auth.at("type"),
        `authorization type cannot be set to "basic", use "basic_auth" instead`,
      );
    }
    const credentials = auth.optStr("credentials");
    const credentialsFile = auth.file("credentials_file", baseDir);
    auth.take("credentials_ref");
    if (credentials && credentialsFile) {
      fail(
        auth.path,
        "at most one of authorization credentials & credentials_file must be configured",
      );
    }
    auth.done("config.Authorization");
    out.authorization = {
      type,
      ...(credentials && { credentials }),
      ...(credentialsFile && { credentialsFile }),
    };
  }
  if (bearer || bearerFile) {
    out.authorization = {
      type: "Bearer",
      ...(bearer && { credentials: bearer }),
      ...(bearerFile && { credentialsFile: bearerFile }),
    };
  }
  if (oauth2) {
    const clientId = oauth2.str("client_id");
    const clientSecret = oauth2.optStr("client_secret");
    const clientSecretFile = oauth2.file("client_secret_file", baseDir);
    oauth2.take("client_secret_ref");
    const tokenUrl = oauth2.str("token_url");
    if (clientId === "") fail(oauth2.path, "oauth2 client_id must be configured");
    if (tokenUrl === "") fail(oauth2.path, "oauth2 token_url must be configured");
    out.oauth2 = {
      clientId,
      ...(clientSecret && { clientSecret }),
      ...(clientSecretFile && { clientSecretFile }),
      tokenUrl,
      scopes: oauth2.strList("scopes") ?? [],
      endpointParams: oauth2.strMap("endpoint_params") ?? {},
      tlsConfig: parseTlsConfig(oauth2.obj("tls_config"), baseDir),
    };
    for (const k of ["proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header"]) {
      oauth2.take(k);
    }
    oauth2.done("config.OAuth2");
  }
  const proxy = o.optStr("proxy_url");
  if (proxy) parseAmURL(proxy, o.at("proxy_url"));
  for (const k of ["no_proxy", "proxy_from_environment", "proxy_connect_header"]) o.take(k);
  const headers = o.obj("http_headers");
  if (headers) {
    for (const [name, v] of Object.entries(headers.value)) {
      headers.take(name);
      const h = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
      const values = Array.isArray(h.values) ? h.values.map(String) : [];
      const secrets = Array.isArray(h.secrets) ? h.secrets.map(String) : [];
      out.httpHeaders[name] = [...values, ...secrets];
    }
  }
  o.done("config.HTTPClientConfig");
  return out;
}

/** defaultHttpConfig is a fresh copy of config.DefaultHTTPClientConfig. */
export function defaultHttpConfig(): HttpClientConfig {
  return {
    ...DEFAULT_HTTP_CLIENT_CONFIG,
    tlsConfig: { ...DEFAULT_HTTP_CLIENT_CONFIG.tlsConfig },
    httpHeaders: {},
  };
}
