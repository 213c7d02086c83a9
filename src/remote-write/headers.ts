/**
 * The headers of a tenant's remote write (spec §9): configured headers, then
 * the tenant's remote_write_headers override, then X-Scope-OrgID unless the
 * tenant is single-tenant or a header of that name (any case) already exists.
 */
export function remoteWriteHeaders(
  configured: Record<string, string>,
  tenantOverride: Record<string, string>,
  tenant: string,
  addOrgIdHeader: boolean,
): Record<string, string> {
  const h: Record<string, string> = { ...configured, ...tenantOverride };
  const hasOrgId = Object.keys(h).some((k) => k.trim().toLowerCase() === "x-scope-orgid");
  if (addOrgIdHeader && tenant !== "single-tenant" && !hasOrgId) h["X-Scope-OrgID"] = tenant;
  return h;
}
