import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthConfig } from "../config/types.ts";
import { verifyPassword } from "./htpasswd.ts";

/** Why a request was not authenticated (the `reason` label of redgen_auth_failures_total). */
export type AuthFailure = "missing" | "invalid" | "tenant_mismatch" | "client_certificate";

/** Accepted (with the tenant the credential is pinned to, if any) or refused. */
export type AuthResult = { ok: true; tenant: string | undefined } | { ok: false; reason: AuthFailure };

const ACCEPTED_UNPINNED: AuthResult = { ok: true, tenant: undefined };
const MISSING: AuthResult = { ok: false, reason: "missing" };
const INVALID: AuthResult = { ok: false, reason: "invalid" };
/** Successful basic-auth checks remembered (bcrypt costs milliseconds per check). */
const CACHE_LIMIT = 1024;

/**
 * Checks the credentials of one request against a port's `auth` settings:
 * bearer tokens (compared as SHA-256 digests with timingSafeEqual, every
 * token every time, so the answer takes as long whichever token matched) and
 * htpasswd users (bcrypt/argon2 verified off the event loop; a success is
 * remembered under a digest of user and password, so a client pays the hash
 * once, not per request).
 */
export class Authenticator {
  private readonly tokens: { digest: Buffer; tenant: string | undefined }[];
  private readonly users = new Map<string, { hash: string; tenant: string | undefined }>();
  private readonly verified = new Map<string, string | undefined>();
  private readonly tokenHeader: string;
  private readonly scheme: string;

  constructor(cfg: AuthConfig) {
    this.tokens = cfg.tokens.map((t) => ({ digest: digest(t.token), tenant: t.tenant }));
    for (const u of cfg.users) this.users.set(u.user, { hash: u.hash, tenant: u.tenant });
    this.tokenHeader = cfg.token_header.toLowerCase();
    this.scheme = cfg.scheme;
  }

  /** `get(name)` reads a request header (lower-case name), as Headers, gRPC metadata or a plain lookup. */
  async check(get: (name: string) => string | null | undefined): Promise<AuthResult> {
    const basic = get("authorization");
    if (this.users.size > 0 && basic !== null && basic !== undefined && /^basic /i.test(basic)) return this.checkBasic(basic.slice(6).trim());
    if (this.tokens.length === 0) return basic ? INVALID : MISSING;
    const raw = get(this.tokenHeader);
    if (raw === null || raw === undefined || raw === "") return MISSING;
    let token = raw;
    if (this.scheme !== "") {
      if (raw.length <= this.scheme.length || raw.slice(0, this.scheme.length + 1).toLowerCase() !== `${this.scheme.toLowerCase()} `) return INVALID;
      token = raw.slice(this.scheme.length + 1).trim();
    }
    const d = digest(token);
    let found = -1;
    for (let i = 0; i < this.tokens.length; i++) if (timingSafeEqual(d, this.tokens[i].digest) && found < 0) found = i;
    return found < 0 ? INVALID : this.tokens[found].tenant === undefined ? ACCEPTED_UNPINNED : { ok: true, tenant: this.tokens[found].tenant };
  }

  private async checkBasic(encoded: string): Promise<AuthResult> {
    const decoded = Buffer.from(encoded, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return INVALID;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const key = digest(`${user}\u0000${password}`).toString("base64");
    if (this.verified.has(key)) return { ok: true, tenant: this.verified.get(key) };
    const entry = this.users.get(user);
    if (entry === undefined || !(await verifyPassword(password, entry.hash))) return INVALID;
    if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
    this.verified.set(key, entry.tenant);
    return { ok: true, tenant: entry.tenant };
  }
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
