import type { AuthConfig, Config } from "./types.ts";

const SECRET = "<secret>";

/**
 * The effective config for `/status/config`, with credentials replaced:
 * remote-write passwords, authorization values, TLS keys and header values
 * (headers often carry tokens) never leave the process.
 */
export function redactedConfig(config: Config): Config {
  const { http, grpc } = config.receivers;
  return {
    ...config,
    server: { ...config.server, auth: redactAuth(config.server.auth) },
    receivers: {
      http: http && { ...http, auth: redactAuth(http.auth) },
      grpc: grpc && { ...grpc, auth: redactAuth(grpc.auth) },
    },
    generator: {
      ...config.generator,
      storage: {
        ...config.generator.storage,
        remote_write: config.generator.storage.remote_write.map((rw) => ({
          ...rw,
          url: redactUrl(rw.url),
          headers: Object.fromEntries(Object.keys(rw.headers).map((k) => [k, SECRET])),
          basic_auth: rw.basic_auth ? { username: rw.basic_auth.username, password: SECRET } : undefined,
          authorization: rw.authorization === undefined ? undefined : SECRET,
          tls: rw.tls ? { ...rw.tls, key: rw.tls.key === undefined ? undefined : SECRET } : undefined,
          oauth2: rw.oauth2 && {
            ...rw.oauth2,
            client_secret: SECRET,
            endpoint_params: Object.fromEntries(Object.keys(rw.oauth2.endpoint_params).map((k) => [k, SECRET])),
            token_url: redactUrl(rw.oauth2.token_url),
            tls: rw.oauth2.tls && { ...rw.oauth2.tls, key: rw.oauth2.tls.key === undefined ? undefined : SECRET },
          },
          sigv4: rw.sigv4 && { ...rw.sigv4, secret_key: SECRET, session_token: rw.sigv4.session_token === undefined ? undefined : SECRET },
        })),
      },
    },
    kafka: config.kafka && {
      ...config.kafka,
      // a broker address never carries credentials, but one written as user:pw@host must not show them
      brokers: config.kafka.brokers.map((b) => b.replace(/^.*@/, `${SECRET}@`)),
      sasl: config.kafka.sasl && { ...config.kafka.sasl, password: SECRET },
      tls: config.kafka.tls && { ...config.kafka.tls, key: config.kafka.tls.key === undefined ? undefined : SECRET },
    },
    tenant_defaults: redactTenant(config.tenant_defaults),
    tenant_overrides: Object.fromEntries(Object.entries(config.tenant_overrides).map(([t, c]) => [t, redactTenant(c)])),
  };
}

/** Tokens and password hashes replaced; users and tenants stay (they say who may do what). */
function redactAuth(a: AuthConfig | undefined): AuthConfig | undefined {
  if (a === undefined) return undefined;
  return {
    ...a,
    tokens: a.tokens.map((t) => ({ ...t, token: SECRET })),
    users: a.users.map((u) => ({ ...u, hash: SECRET })),
  };
}

function redactTenant<T extends { remote_write_headers: Record<string, string> }>(t: T): T {
  return { ...t, remote_write_headers: Object.fromEntries(Object.keys(t.remote_write_headers).map((k) => [k, SECRET])) };
}

/**
 * A URL safe to show: a password in it and every query value (tokens ride
 * there, e.g. `?token=…`) are replaced. Used in logs, labels and status pages.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return SECRET;
  }
  if (u.password !== "") u.password = "xxxxx";
  const query = [...u.searchParams.keys()];
  let out = u.toString().replace(/:xxxxx@/, `:${SECRET}@`);
  if (query.length > 0) out = out.replace(/\?.*$/, `?${query.map((k) => `${encodeURIComponent(k)}=${SECRET}`).join("&")}`);
  return out;
}
