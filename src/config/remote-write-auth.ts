/**
 * Credentials and TLS material of a remote_write block, resolved at load:
 * `<field>_file` variants are read once (trimmed, as Prometheus does for
 * secrets) so RemoteWriteConfig carries the values themselves.
 */
import type { PathSegment, Problems } from "./config-error.ts";
import type { RemoteWriteConfig } from "./types.ts";
import type { ParsedRemoteWrite } from "./schema-remote-write.ts";
import { readReferencedFile } from "./config-files.ts";

/** Sets `out.basic_auth` / `out.authorization` from basic_auth, authorization or bearer_token(_file). */
export function applyAuth(
  rw: ParsedRemoteWrite,
  at: readonly PathSegment[],
  out: RemoteWriteConfig,
  problems: Problems,
): void {
  if (rw.basic_auth !== undefined) {
    const b = rw.basic_auth;
    const where = [...at, "basic_auth"];
    const username = inlineOrFile(b.username, b.username_file, "username", where, problems) ?? "";
    const password = inlineOrFile(b.password, b.password_file, "password", where, problems) ?? "";
    out.basic_auth = { username, password };
  }
  if (rw.authorization !== undefined) {
    const a = rw.authorization;
    const where = [...at, "authorization"];
    if (a.type.toLowerCase() === "basic") {
      problems.add([...where, "type"], 'type "Basic" is not allowed here, use basic_auth');
    }
    const credentials = inlineOrFile(a.credentials, a.credentials_file, "credentials", where, problems);
    if (credentials !== undefined) out.authorization = `${a.type} ${credentials}`;
  }
  const bearer = inlineOrFile(rw.bearer_token, rw.bearer_token_file, "bearer_token", at, problems);
  if (bearer !== undefined) out.authorization = `Bearer ${bearer}`;
}

/** Sets `out.tls` with the CA, certificate and key contents (inline or read from their files). */
export function applyTls(
  rw: ParsedRemoteWrite,
  at: readonly PathSegment[],
  out: RemoteWriteConfig,
  problems: Problems,
): void {
  const t = rw.tls_config;
  if (t === undefined) return;
  const where = [...at, "tls_config"];
  const ca = inlineOrFile(t.ca, t.ca_file, "ca", where, problems);
  const cert = inlineOrFile(t.cert, t.cert_file, "cert", where, problems);
  const key = inlineOrFile(t.key, t.key_file, "key", where, problems);
  if ((cert === undefined) !== (key === undefined)) {
    problems.add(where, "a client certificate needs both cert (or cert_file) and key (or key_file)");
  }
  const tls: NonNullable<RemoteWriteConfig["tls"]> = { insecure_skip_verify: t.insecure_skip_verify };
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (t.server_name) tls.server_name = t.server_name;
  out.tls = tls;
}

/** The inline value, or the trimmed content of the file named by `<field>_file`; setting both is an error. */
function inlineOrFile(
  inline: string | undefined,
  file: string | undefined,
  field: string,
  at: readonly PathSegment[],
  problems: Problems,
): string | undefined {
  if (inline !== undefined && file !== undefined) {
    problems.add([...at, `${field}_file`], `set either ${field} or ${field}_file, not both`);
    return undefined;
  }
  if (file === undefined) return inline;
  return readReferencedFile(file, problems, [...at, `${field}_file`])?.trim();
}
