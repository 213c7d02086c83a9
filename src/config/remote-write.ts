/**
 * Parsed remote_write blocks → RemoteWriteConfig: secrets and certificates are
 * read from their files, Prometheus' consistency rules are checked (one auth
 * method, no reserved headers), and the values Tempo forces are applied (spec §9).
 * send_native_histograms is not here: it is per tenant (tenant-factory.ts).
 */
import { createHash } from "node:crypto";
import { formatPath, type PathSegment, type Problems } from "./config-error.ts";
import type { RemoteWriteConfig } from "./types.ts";
import type { ParsedRemoteWrite } from "./schema-remote-write.ts";
import { readReferencedFile } from "./config-files.ts";
import { applyAuth, applyOAuth2, applySigV4, applyTls } from "./remote-write-auth.ts";

// Headers the client sets itself (Prometheus rejects them in `headers` too).
const RESERVED_HEADERS = new Set([
  "host", "content-encoding", "content-length", "content-type", "user-agent", "connection", "keep-alive",
  "proxy-authenticate", "proxy-authorization", "www-authenticate", "accept-encoding",
  "x-prometheus-remote-write-version", "x-prometheus-remote-read-version", "retry-attempt",
]);

/** Converts every remote_write block, recording problems at their key paths. */
export function buildRemoteWrites(
  parsed: readonly ParsedRemoteWrite[],
  at: readonly PathSegment[],
  problems: Problems,
  warnings: string[],
): RemoteWriteConfig[] {
  const names = new Map<string, number>();
  return parsed.map((rw, i) => {
    const out = buildOne(rw, [...at, i], problems, warnings);
    const previous = names.get(out.name);
    if (previous !== undefined) {
      problems.add([...at, i, "name"], `duplicate remote_write name ${JSON.stringify(out.name)} (also used by item ${previous})`);
    }
    names.set(out.name, i);
    return out;
  });
}

function buildOne(
  rw: ParsedRemoteWrite,
  at: readonly PathSegment[],
  problems: Problems,
  warnings: string[],
): RemoteWriteConfig {
  const here = (...p: PathSegment[]) => [...at, ...p];

  checkUrl(rw.url, here("url"), problems);
  const message = rw.protobuf_message;
  if (message !== "prometheus.WriteRequest" && message !== "io.prometheus.write.v2.Request") {
    problems.add(
      here("protobuf_message"),
      `unknown protobuf_message ${JSON.stringify(message)}; use prometheus.WriteRequest (remote write 1.0) or io.prometheus.write.v2.Request (2.0)`,
    );
  }
  if (rw.send_exemplars === false) {
    warnings.push(`${formatPath(here("send_exemplars"))}: false is overridden, Tempo always sends exemplars`);
  }
  if (rw.send_native_histograms !== undefined) {
    warnings.push(
      `${formatPath(here("send_native_histograms"))} is ignored: like Tempo, redgen derives it from generate_native_histograms`,
    );
  }

  const headers: Record<string, string> = { ...rw.headers };
  for (const [name, h] of Object.entries(rw.http_headers)) {
    const fromFiles = h.files.map(
      (f, j) => readReferencedFile(f, problems, here("http_headers", name, "files", j))?.trim() ?? "",
    );
    headers[name] = [...h.values, ...h.secrets, ...fromFiles].join(", ");
  }
  for (const name of Object.keys(headers)) {
    const where = here(name in rw.headers ? "headers" : "http_headers", name);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      problems.add(where, `header ${name} is set by redgen and cannot be configured`);
    }
    // Prometheus rejects it in `headers` so that credentials go through the auth settings.
    if (name.toLowerCase() === "authorization" && name in rw.headers) {
      problems.add(where, "set credentials with authorization, basic_auth or bearer_token instead of a header");
    }
  }

  const out: RemoteWriteConfig = {
    url: rw.url,
    name: rw.name || createHash("sha256").update(rw.url).digest("hex").slice(0, 6),
    remote_timeout_ms: rw.remote_timeout,
    headers,
    send_exemplars: true,
    protobuf_message: message === "io.prometheus.write.v2.Request" ? message : "prometheus.WriteRequest",
    queue: {
      capacity: rw.queue_config.capacity,
      max_shards: rw.queue_config.max_shards,
      max_samples_per_send: rw.queue_config.max_samples_per_send,
      min_backoff_ms: rw.queue_config.min_backoff,
      sample_age_limit_ms: rw.queue_config.sample_age_limit,
      max_backoff_ms: rw.queue_config.max_backoff,
      retry_on_http_429: rw.queue_config.retry_on_http_429,
    },
  };

  const authMethods = [
    rw.basic_auth && "basic_auth",
    rw.authorization && "authorization",
    (rw.bearer_token !== undefined || rw.bearer_token_file !== undefined) && "bearer_token",
    rw.oauth2 && "oauth2",
    rw.sigv4 && "sigv4",
    Object.keys(headers).some((h) => h.toLowerCase() === "authorization") && "an Authorization header",
  ].filter((m): m is string => typeof m === "string");
  if (authMethods.length > 1) problems.add(at, `configure only one of ${authMethods.join(", ")}`);
  applyAuth(rw, at, out, problems);
  applyTls(rw, at, out, problems);
  applyOAuth2(rw, at, out, problems);
  applySigV4(rw, at, out, problems);
  return out;
}

function checkUrl(url: string, at: readonly PathSegment[], problems: Problems): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.add(at, `invalid URL ${JSON.stringify(url)}`);
    return;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    problems.add(at, `URL must use http or https, got ${parsed.protocol}`);
  }
}
