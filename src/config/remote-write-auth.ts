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
  if (rw.tls_config !== undefined) out.tls = resolveTls(rw.tls_config, [...at, "tls_config"], problems);
}

type ParsedTls = NonNullable<ParsedRemoteWrite["tls_config"]>;

function resolveTls(t: ParsedTls, where: readonly PathSegment[], problems: Problems): NonNullable<RemoteWriteConfig["tls"]> {
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
  return tls;
}

/** Sets `out.oauth2`: the client-credentials grant, the secret inline or from its file. */
export function applyOAuth2(rw: ParsedRemoteWrite, at: readonly PathSegment[], out: RemoteWriteConfig, problems: Problems): void {
  const o = rw.oauth2;
  if (o === undefined) return;
  const where = [...at, "oauth2"];
  if (o.grant_type !== "client_credentials") problems.add([...where, "grant_type"], `grant_type ${JSON.stringify(o.grant_type)} is not supported by redgen (use client_credentials)`);
  try {
    const u = new URL(o.token_url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    problems.add([...where, "token_url"], `invalid token URL ${JSON.stringify(o.token_url)}`);
  }
  const secret = inlineOrFile(o.client_secret, o.client_secret_file, "client_secret", where, problems) ?? "";
  out.oauth2 = {
    client_id: o.client_id,
    client_secret: secret,
    token_url: o.token_url,
    scopes: o.scopes,
    endpoint_params: o.endpoint_params,
    tls: o.tls_config && resolveTls(o.tls_config, [...where, "tls_config"], problems),
  };
}

/**
 * Sets `out.sigv4`. Credentials: access_key/secret_key, else the AWS SDK's
 * environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN); region: the key, else AWS_REGION / AWS_DEFAULT_REGION.
 * Shared config files, STS roles and instance or pod roles are not read.
 */
export function applySigV4(
  rw: ParsedRemoteWrite,
  at: readonly PathSegment[],
  out: RemoteWriteConfig,
  problems: Problems,
  env: Record<string, string | undefined> = process.env,
): void {
  const s = rw.sigv4;
  if (s === undefined) return;
  const where = [...at, "sigv4"];
  const region = s.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || "";
  if (region === "") problems.add([...where, "region"], "set region (or AWS_REGION in the environment)");
  if ((s.access_key === "") !== (s.secret_key === "")) problems.add(where, "set both access_key and secret_key, or neither (then the AWS_* environment)");
  const fromEnv = s.access_key === "";
  const accessKey = fromEnv ? (env.AWS_ACCESS_KEY_ID ?? "") : s.access_key;
  const secretKey = fromEnv ? (env.AWS_SECRET_ACCESS_KEY ?? "") : s.secret_key;
  if (fromEnv && (accessKey === "" || secretKey === "")) {
    problems.add(where, "no credentials: set access_key and secret_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (profiles, role_arn and instance or pod roles are not supported)");
  }
  out.sigv4 = { region, access_key: accessKey, secret_key: secretKey, service: s.service_name || "aps" };
  if (fromEnv && env.AWS_SESSION_TOKEN) out.sigv4.session_token = env.AWS_SESSION_TOKEN;
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
