import { redactUrl } from "../config/redact.ts";
import type { RemoteWriteConfig } from "../config/types.ts";
import { OAuth2Token } from "./oauth2.ts";
import { signV4 } from "./sigv4.ts";
import { snappyFirstByte } from "./snappy.ts";

/** How one attempt ended; `unwritten`: samples a 2.0 receiver said it did not write. */
export type SendOutcome =
  | { kind: "ok"; unwritten?: number }
  | { kind: "retry"; error: string; retryAfterMs: number | undefined }
  | { kind: "drop"; error: string };

/** Remote write 2.0 request bodies start with Request.symbols (field 4); 1.0 ones with timeseries or metadata. */
const V2_FIRST_BYTE = 0x22;

/**
 * POSTs one snappy-compressed WriteRequest and classifies the answer the way
 * Prometheus' queue manager does (spec §9): 2xx ok; network errors and 5xx
 * recoverable; 429 recoverable only with retry_on_http_429; other 4xx drop.
 */
export class RemoteWriteClient {
  private headers: Record<string, string> = {};
  private headersV2: Record<string, string> = {};
  /** the url as errors and logs may show it (credentials and query values hidden) */
  readonly shownUrl: string;
  /** the OAuth 2.0 token source, with oauth2 */
  readonly oauth2: OAuth2Token | undefined;
  private readonly url: URL;

  constructor(
    private readonly cfg: RemoteWriteConfig,
    headers: Record<string, string>,
    private readonly userAgent: string,
  ) {
    this.shownUrl = redactUrl(cfg.url);
    this.url = new URL(cfg.url);
    this.oauth2 = cfg.oauth2 && new OAuth2Token(cfg.oauth2);
    this.setHeaders(headers);
  }

  /** Sets the configured and tenant headers (again when the tenant's remote_write_headers override changes). */
  setHeaders(headers: Record<string, string>): void {
    const cfg = this.cfg;
    const userAgent = this.userAgent;
    this.headers = {
      ...headers,
      "Content-Encoding": "snappy",
      "Content-Type": "application/x-protobuf",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
      "User-Agent": userAgent,
    };
    if (cfg.basic_auth) {
      this.headers.Authorization = `Basic ${Buffer.from(`${cfg.basic_auth.username}:${cfg.basic_auth.password}`).toString("base64")}`;
    } else if (cfg.authorization) this.headers.Authorization = cfg.authorization;
    this.headersV2 = {
      ...this.headers,
      "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request",
      "X-Prometheus-Remote-Write-Version": "2.0.0",
    };
  }

  /**
   * Sends one request; `samples` (floats and histograms) is what it carries.
   * A body's protocol is read from the body itself, not the config: a queue
   * may hold rounds written before protobuf_message changed.
   */
  async send(body: Uint8Array, attempt: number, samples = 0): Promise<SendOutcome> {
    const v2 = snappyFirstByte(body) === V2_FIRST_BYTE;
    const base = v2 ? this.headersV2 : this.headers;
    let headers = attempt > 0 ? { ...base, "Retry-Attempt": String(attempt) } : base;
    let res: Response;
    try {
      if (this.oauth2 !== undefined) headers = { ...headers, Authorization: await this.oauth2.header() };
      if (this.cfg.sigv4 !== undefined) {
        // Prometheus signs every header but User-Agent (and Authorization, X-Amzn-Trace-Id).
        const { "User-Agent": _ua, ...toSign } = headers;
        headers = { ...headers, ...signV4("POST", this.url, toSign, body, this.cfg.sigv4, new Date()) };
      }
      res = await fetch(this.cfg.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(this.cfg.remote_timeout_ms),
        tls: this.cfg.tls
          ? {
              ca: this.cfg.tls.ca,
              cert: this.cfg.tls.cert,
              key: this.cfg.tls.key,
              rejectUnauthorized: !this.cfg.tls.insecure_skip_verify,
              serverName: this.cfg.tls.server_name,
            }
          : undefined,
      });
    } catch (e) {
      // A fetch error may repeat the url it was given; never with its credentials.
      const message = (e as Error).message.split(this.cfg.url).join(this.shownUrl);
      return { kind: "retry", error: `${this.shownUrl}: ${message}`, retryAfterMs: undefined };
    }
    if (res.ok) {
      await res.body?.cancel();
      return v2 ? writtenOutcome(res.headers, samples, this.shownUrl) : { kind: "ok" };
    }
    if (res.status === 401) this.oauth2?.invalidate();
    const text = (await res.text().catch(() => "")).slice(0, 512).trim();
    const error = `${this.shownUrl}: HTTP ${res.status}${text ? `: ${text}` : ""}`;
    if (res.status === 415 && v2) {
      return {
        kind: "drop",
        error: `${error} (the receiver does not take remote write 2.0: set protobuf_message: prometheus.WriteRequest, or enable 2.0 there, e.g. Prometheus' --web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request)`,
      };
    }
    if (res.status >= 500 || (res.status === 429 && this.cfg.queue.retry_on_http_429)) {
      return { kind: "retry", error, retryAfterMs: parseRetryAfter(res.headers.get("retry-after")) };
    }
    return { kind: "drop", error };
  }
}

/**
 * A 2xx answer to a 2.0 request, judged by its written-count headers as
 * Prometheus' own sender does: none at all (or all 0) for a request that
 * carried data means a 1.0-only receiver that ignored the content type and
 * stored nothing, so the request counts as failed; fewer samples written than
 * sent are reported as unwritten.
 */
function writtenOutcome(h: Headers, samples: number, url: string): SendOutcome {
  const read = (name: string) => {
    const v = h.get(`X-Prometheus-Remote-Write-${name}-Written`);
    return v === null || v.trim() === "" ? undefined : Number.parseInt(v, 10) || 0;
  };
  const s = read("Samples");
  const hs = read("Histograms");
  const e = read("Exemplars");
  const written = (s ?? 0) + (hs ?? 0);
  if (samples > 0 && written + (e ?? 0) === 0) {
    const why = s === undefined && hs === undefined && e === undefined ? "without X-Prometheus-Remote-Write-*-Written headers" : "saying nothing was written";
    return {
      kind: "drop",
      error: `${url}: answered ${why}: it does not take remote write 2.0 and stored nothing (set protobuf_message: prometheus.WriteRequest, or enable 2.0 on the receiver)`,
    };
  }
  return { kind: "ok", unwritten: Math.max(0, samples - written) };
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (v === null || v.trim() === "") return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
