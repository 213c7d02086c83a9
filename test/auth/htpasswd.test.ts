/**
 * htpasswd files as Apache's own `htpasswd` writes them (apache2-utils,
 * installed by test setup): bcrypt (-B), Apache MD5 (-m, its default), SHA-1
 * (-s); argon2 hashes as Bun makes them. Plain-text and crypt(3) lines are
 * refused when the file is loaded.
 */
import { describe, expect, test } from "bun:test";
import { apr1, hashKind, parseHtpasswd, verifyPassword } from "../../src/auth/htpasswd.ts";

function htpasswd(flag: string, user: string, password: string): string {
  const r = Bun.spawnSync(["htpasswd", "-nb", flag, user, password], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`htpasswd failed: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

describe("hashes written by htpasswd verify, wrong passwords do not", () => {
  for (const [flag, kind] of [["-B", "bcrypt"], ["-m", "apr1"], ["-s", "sha1"]] as const) {
    test(`htpasswd ${flag} (${kind})`, async () => {
      const line = htpasswd(flag, "alice", "pä$$ wörd");
      const { entries, bad } = parseHtpasswd(`# a comment\n\n${line}\n`);
      expect(bad).toEqual([]);
      expect(entries.map((e) => [e.user, hashKind(e.hash), e.line])).toEqual([["alice", kind, 3]]);
      expect(await verifyPassword("pä$$ wörd", entries[0].hash)).toBe(true);
      expect(await verifyPassword("pä$$ wörd ", entries[0].hash)).toBe(false);
      expect(await verifyPassword("", entries[0].hash)).toBe(false);
    });
  }

  test("argon2id (as Bun.password makes it)", async () => {
    const hash = await Bun.password.hash("secret", "argon2id");
    expect(hashKind(hash)).toBe("argon2");
    expect([await verifyPassword("secret", hash), await verifyPassword("Secret", hash)]).toEqual([true, false]);
  });

  test("$apr1$ equals openssl passwd -apr1 for any salt", () => {
    for (const [salt, pw] of [["abcdefgh", "x"], ["./09AZaz", "a much longer password than sixteen bytes"], ["s", ""]]) {
      const want = Bun.spawnSync(["openssl", "passwd", "-apr1", "-salt", salt, pw]).stdout.toString().trim();
      expect(apr1(pw, salt)).toBe(want);
    }
  });
});

test("plain-text, crypt(3) and malformed lines are refused with their line numbers", () => {
  const plain = htpasswd("-p", "dave", "pw");
  const crypt = "eve:rl0OuwIb6WR9w";
  const { entries, bad } = parseHtpasswd(`${plain}\n${crypt}\nno colon here\n${htpasswd("-B", "ok", "pw")}\n`);
  expect(entries.map((e) => e.user)).toEqual(["ok"]);
  expect(bad.map((b) => [b.line, b.why.slice(0, 30)])).toEqual([
    [1, 'the hash of user "dave" is not'],
    [2, 'the hash of user "eve" is not '],
    [3, "not user:hash"],
  ]);
});
