/**
 * A parsed `auth:` block → AuthConfig: token files and htpasswd files are
 * read once at load (a missing file or a line redgen cannot verify fails at
 * start with its key path), tenants are checked like X-Scope-OrgID values.
 */
import { parseHtpasswd } from "../auth/htpasswd.ts";
import { tenantFromHeader } from "../receive/tenant-id.ts";
import type { PathSegment, Problems } from "./config-error.ts";
import { readReferencedFile } from "./config-files.ts";
import type { ParsedAuth } from "./schema-auth.ts";
import type { AuthConfig } from "./types.ts";

export function buildAuth(a: ParsedAuth, at: readonly PathSegment[], problems: Problems): AuthConfig | undefined {
  const out: AuthConfig = { token_header: "authorization", scheme: "Bearer", tokens: [], users: [] };
  if (a.bearertokenauth === undefined && a.basicauth === undefined) {
    problems.add(at, "configure bearertokenauth or basicauth (or leave auth out)");
    return undefined;
  }
  const b = a.bearertokenauth;
  if (b !== undefined) {
    const where = [...at, "bearertokenauth"];
    out.token_header = b.header.toLowerCase();
    out.scheme = b.scheme.trim();
    if (b.token !== undefined) out.tokens.push({ token: b.token });
    if (b.filename !== undefined) {
      const t = readToken(b.filename, problems, [...where, "filename"]);
      if (t !== undefined) out.tokens.push({ token: t });
    }
    b.tokens.forEach((e, i) => {
      const here = [...where, "tokens", i];
      if (typeof e === "string") {
        out.tokens.push({ token: e });
        return;
      }
      if ((e.token === undefined) === (e.filename === undefined)) {
        problems.add(here, "set either token or filename");
        return;
      }
      const token = e.token ?? readToken(e.filename as string, problems, [...here, "filename"]);
      const tenant = checkTenant(e.tenant, [...here, "tenant"], problems);
      if (token !== undefined) out.tokens.push(tenant === undefined ? { token } : { token, tenant });
    });
    if (out.tokens.length === 0) problems.add(where, "no token: set token, filename or tokens");
    const seen = new Map<string, string | undefined>();
    for (const t of out.tokens) {
      if (seen.has(t.token) && seen.get(t.token) !== t.tenant) problems.add([...where, "tokens"], "the same token is pinned to different tenants");
      seen.set(t.token, t.tenant);
    }
  }
  const basic = a.basicauth;
  if (basic !== undefined) {
    const where = [...at, "basicauth", "htpasswd"];
    const sources: [string, PathSegment[]][] = [];
    if (basic.htpasswd.file !== undefined) {
      const text = readReferencedFile(basic.htpasswd.file, problems, [...where, "file"]);
      if (text !== undefined) sources.push([text, [...where, "file"]]);
    }
    if (basic.htpasswd.inline !== undefined) sources.push([basic.htpasswd.inline, [...where, "inline"]]);
    if (basic.htpasswd.file === undefined && basic.htpasswd.inline === undefined) problems.add(where, "set file or inline");
    const users = new Set<string>();
    for (const [text, here] of sources) {
      const { entries, bad } = parseHtpasswd(text);
      for (const l of bad) problems.add(here, `line ${l.line}: ${l.why}`);
      for (const e of entries) {
        users.add(e.user);
        out.users.push({ user: e.user, hash: e.hash });
      }
    }
    for (const [user, tenant] of Object.entries(basic.tenants)) {
      const here = [...at, "basicauth", "tenants", user];
      if (!users.has(user)) problems.add(here, `user ${JSON.stringify(user)} is not in the htpasswd`);
      const t = checkTenant(tenant, here, problems);
      for (const u of out.users) if (u.user === user && t !== undefined) u.tenant = t;
    }
  }
  return out;
}

/** A token file's content without the trailing newline editors add. */
function readToken(file: string, problems: Problems, at: PathSegment[]): string | undefined {
  const text = readReferencedFile(file, problems, at)?.trim();
  if (text === "") problems.add(at, `${JSON.stringify(file)} is empty`);
  return text || undefined;
}

function checkTenant(tenant: string | undefined, at: PathSegment[], problems: Problems): string | undefined {
  if (tenant === undefined) return undefined;
  const t = tenantFromHeader(tenant);
  if ("error" in t) {
    problems.add(at, t.error.replace("X-Scope-OrgID", "tenant"));
    return undefined;
  }
  return t.tenant;
}
