import type { Config } from "./types.ts";

const SECRET = "<secret>";

/**
 * The effective config for `/status/config`, with credentials replaced:
 * remote-write passwords, authorization values, TLS keys and header values
 * (headers often carry tokens) never leave the process.
 */
export function redactedConfig(config: Config): Config {
  return {
    ...config,
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
        })),
      },
    },
    tenant_defaults: redactTenant(config.tenant_defaults),
    tenant_overrides: Object.fromEntries(Object.entries(config.tenant_overrides).map(([t, c]) => [t, redactTenant(c)])),
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
