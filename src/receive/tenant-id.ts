/** The tenant of requests without X-Scope-OrgID (Tempo's single-tenant id). */
export const SINGLE_TENANT = "single-tenant";

const VALID = /^[a-zA-Z0-9!\-_.*'()]+$/;

/**
 * Reads the tenant from X-Scope-OrgID with dskit's rules: at most 150
 * characters from [a-zA-Z0-9!-_.*'()], not "." or "..". Returns an error
 * message instead of a tenant when the header is invalid.
 */
export function tenantFromHeader(header: string | null | undefined): { tenant: string } | { error: string } {
  if (header === null || header === undefined || header.trim() === "") return { tenant: SINGLE_TENANT };
  const t = header.trim();
  if (t.includes("|")) return { error: "X-Scope-OrgID names several tenants; redgen takes exactly one" };
  if (t.length > 150) return { error: "X-Scope-OrgID is longer than 150 characters" };
  if (t === "." || t === ".." || !VALID.test(t)) {
    return { error: `X-Scope-OrgID "${t.slice(0, 160)}" has characters outside [a-zA-Z0-9!-_.*'()]` };
  }
  return { tenant: t };
}

/**
 * The tenant of a request whose credentials may be pinned to a tenant
 * (`pinned`, from auth): without a pin X-Scope-OrgID decides as above; with
 * one, the header may be absent or repeat the pinned tenant, and naming any
 * other tenant is refused (`forbidden`: 403 / PERMISSION_DENIED), so a team
 * cannot write into or read another team's series by setting a header.
 */
export function tenantFor(
  header: string | null | undefined,
  pinned: string | undefined,
): { tenant: string } | { error: string } | { forbidden: string } {
  const t = tenantFromHeader(header);
  if (pinned === undefined || "error" in t) return t;
  if (header === null || header === undefined || header.trim() === "" || t.tenant === pinned) return { tenant: pinned };
  return { forbidden: `these credentials are for tenant "${pinned}", not "${t.tenant}"` };
}
