import type { RemoteWriteConfig } from "../config/types.ts";
import { redactUrl } from "../config/redact.ts";

/** Renew this long before the token's own expiry (golang.org/x/oauth2's expiryDelta). */
const EXPIRY_DELTA_MS = 10_000;

type OAuth2Config = NonNullable<RemoteWriteConfig["oauth2"]>;

/**
 * The OAuth 2.0 client-credentials grant as Prometheus' remote write does it
 * (golang.org/x/oauth2/clientcredentials): POST grant_type=client_credentials
 * (+ scope, endpoint_params) to token_url with the client id and secret in
 * HTTP Basic (form-encoded first, as RFC 6749 §2.3.1 asks), falling back to
 * the form body when the server refuses that (the library's auto-detection);
 * the token is cached until 10 s before `expires_in` runs out, and a refusal
 * of the token by the endpoint (401) drops it so the next attempt gets a new one.
 */
export class OAuth2Token {
  private token: { header: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  private inBody = false;
  /** token requests made (tests, self-metrics) */
  fetched = 0;

  constructor(
    private readonly cfg: OAuth2Config,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Authorization header value, from the cache or a new token. */
  async header(): Promise<string> {
    const t = this.token;
    if (t !== undefined && this.now() < t.expiresAt) return t.header;
    this.inflight ??= this.fetchToken().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Forgets the token (the endpoint refused it). */
  invalidate(): void {
    this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    let res = await this.request(this.inBody);
    if (!this.inBody && (res.status === 400 || res.status === 401)) {
      await res.body?.cancel();
      res = await this.request(true);
      if (res.ok) this.inBody = true;
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`oauth2 token request to ${redactUrl(this.cfg.token_url)} failed: HTTP ${res.status}`);
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`oauth2 token response from ${redactUrl(this.cfg.token_url)} is not JSON`);
    }
    if (typeof body.access_token !== "string" || body.access_token === "") {
      throw new Error(`oauth2 token response from ${redactUrl(this.cfg.token_url)} has no access_token`);
    }
    const type = typeof body.token_type === "string" && body.token_type.toLowerCase() !== "bearer" ? body.token_type : "Bearer";
    const expiresIn = Number(body.expires_in);
    const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? this.now() + expiresIn * 1000 - EXPIRY_DELTA_MS : Number.POSITIVE_INFINITY;
    this.fetched++;
    const header = `${type} ${body.access_token}`;
    this.token = { header, expiresAt };
    return header;
  }

  private request(inBody: boolean): Promise<Response> {
    const c = this.cfg;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (c.scopes.length > 0) form.set("scope", c.scopes.join(" "));
    for (const [k, v] of Object.entries(c.endpoint_params)) form.set(k, v);
    const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" };
    if (inBody) {
      form.set("client_id", c.client_id);
      form.set("client_secret", c.client_secret);
    } else {
      const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
      headers.Authorization = `Basic ${Buffer.from(`${enc(c.client_id)}:${enc(c.client_secret)}`).toString("base64")}`;
    }
    const t = c.tls;
    return fetch(c.token_url, {
      method: "POST",
      headers,
      body: form.toString(),
      signal: AbortSignal.timeout(30_000),
      tls: t && { ca: t.ca, cert: t.cert, key: t.key, rejectUnauthorized: !t.insecure_skip_verify, serverName: t.server_name },
    });
  }
}
