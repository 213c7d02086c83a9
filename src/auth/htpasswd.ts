import { createHash, timingSafeEqual } from "node:crypto";

/**
 * htpasswd files as Apache's `htpasswd` writes them (and the Collector's
 * basicauth extension reads them): one `user:hash` per line. The hash kinds
 * redgen verifies: bcrypt (`htpasswd -B`, `$2y$…`), argon2 (`$argon2id$…`),
 * Apache MD5 (`$apr1$…`, htpasswd's default) and SHA-1 (`{SHA}…`, `-s`).
 * crypt(3) DES and plain-text lines are refused when the file is loaded.
 */
export interface HtpasswdEntry {
  user: string;
  hash: string;
  /** 1-based line number, for errors */
  line: number;
}

export type HashKind = "bcrypt" | "argon2" | "apr1" | "sha1";

/** The kind of a hash, or undefined for one redgen cannot verify. */
export function hashKind(hash: string): HashKind | undefined {
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) return "bcrypt";
  if (/^\$argon2(id|i|d)\$/.test(hash)) return "argon2";
  if (/^\$apr1\$[^$]{1,8}\$[./0-9A-Za-z]{22}$/.test(hash)) return "apr1";
  if (/^\{SHA\}[A-Za-z0-9+/]{27}=$/.test(hash)) return "sha1";
  return undefined;
}

/** The entries of an htpasswd text, and the lines that are not `user:hash`. */
export function parseHtpasswd(text: string): { entries: HtpasswdEntry[]; bad: { line: number; why: string }[] } {
  const entries: HtpasswdEntry[] = [];
  const bad: { line: number; why: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === "" || l.startsWith("#")) continue;
    const colon = l.indexOf(":");
    if (colon <= 0) {
      bad.push({ line: i + 1, why: "not user:hash" });
      continue;
    }
    const user = l.slice(0, colon);
    const hash = l.slice(colon + 1);
    if (hashKind(hash) === undefined) {
      bad.push({ line: i + 1, why: `the hash of user ${JSON.stringify(user)} is not bcrypt, argon2, $apr1$ or {SHA} (create it with htpasswd -B)` });
      continue;
    }
    entries.push({ user, hash, line: i + 1 });
  }
  return { entries, bad };
}

/** Whether `password` matches `hash` (any kind hashKind accepts). bcrypt and argon2 run off the event loop. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  switch (hashKind(hash)) {
    case "bcrypt":
    case "argon2":
      return Bun.password.verify(password, hash).catch(() => false);
    case "apr1": {
      const salt = hash.split("$")[2];
      return sameText(apr1(password, salt), hash);
    }
    case "sha1":
      return sameText(`{SHA}${createHash("sha1").update(password).digest("base64")}`, hash);
    default:
      return false;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Apache's MD5-based crypt ($apr1$), as `htpasswd -m` and `openssl passwd -apr1` compute it. */
export function apr1(password: string, salt: string): string {
  const pw = Buffer.from(password);
  const s = Buffer.from(salt);
  const magic = Buffer.from("$apr1$");
  let alt = createHash("md5").update(pw).update(s).update(pw).digest();
  const ctx = createHash("md5").update(pw).update(magic).update(s);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.of(0) : pw.subarray(0, 1));
  alt = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const h = createHash("md5");
    h.update(i & 1 ? pw : alt);
    if (i % 3) h.update(s);
    if (i % 7) h.update(pw);
    h.update(i & 1 ? alt : pw);
    alt = h.digest();
  }
  let out = "";
  const to64 = (v: number, n: number) => {
    for (let k = 0; k < n; k++) {
      out += ITOA64[v & 0x3f];
      v >>= 6;
    }
  };
  const f = alt;
  to64((f[0] << 16) | (f[6] << 8) | f[12], 4);
  to64((f[1] << 16) | (f[7] << 8) | f[13], 4);
  to64((f[2] << 16) | (f[8] << 8) | f[14], 4);
  to64((f[3] << 16) | (f[9] << 8) | f[15], 4);
  to64((f[4] << 16) | (f[10] << 8) | f[5], 4);
  to64(f[11], 2);
  return `$apr1$${salt}$${out}`;
}
