import { createHash, createHmac } from "node:crypto";

/** What a request is signed with (RemoteWriteConfig.sigv4). */
export interface SigV4Credentials {
  region: string;
  service: string;
  access_key: string;
  secret_key: string;
  session_token?: string;
}

/**
 * AWS Signature Version 4 for one request, as the AWS SDK signs it
 * (aws-sdk-go-v2 signer/v4, which Prometheus' sigv4 round tripper uses):
 * canonical request (method, path encoded once more, sorted query, the
 * lower-cased headers given, the body's SHA-256), string to sign, key derived
 * from the secret by date, region and service. `headers` are the headers to
 * sign besides host and x-amz-date; returns the headers to add.
 */
export function signV4(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array,
  cred: SigV4Credentials,
  now: Date,
): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const date = amzDate.slice(0, 8);
  const signed: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) signed[k.toLowerCase()] = v.trim().replace(/\s+/g, " ");
  signed.host = url.host;
  signed["x-amz-date"] = amzDate;
  if (cred.session_token) signed["x-amz-security-token"] = cred.session_token;
  const names = Object.keys(signed).sort();
  const canonical = [
    method,
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    names.map((n) => `${n}:${signed[n]}\n`).join(""),
    names.join(";"),
    sha256hex(body),
  ].join("\n");
  const scope = `${date}/${cred.region}/${cred.service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256hex(canonical)}`;
  let key: Buffer = hmac(`AWS4${cred.secret_key}`, date);
  for (const part of [cred.region, cred.service, "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  const out: Record<string, string> = {
    "X-Amz-Date": amzDate,
    Authorization: `AWS4-HMAC-SHA256 Credential=${cred.access_key}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
  if (cred.session_token) out["X-Amz-Security-Token"] = cred.session_token;
  return out;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

function sha256hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** RFC 3986 encoding of everything but unreserved characters (AWS's UriEncode). */
function uriEncode(s: string, keepSlash: boolean): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The path as URL holds it (already escaped once), escaped again as the SDK does for every service but S3; "/" when empty. */
function canonicalPath(path: string): string {
  return path === "" ? "/" : uriEncode(path, true);
}

function canonicalQuery(q: URLSearchParams): string {
  return [...q.entries()]
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}
