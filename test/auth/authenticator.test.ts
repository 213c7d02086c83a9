/**
 * The credential check every port runs: bearer tokens (scheme and header as
 * the Collector's bearertokenauth takes them) and htpasswd users, each
 * optionally pinned to a tenant; what is missing, malformed or wrong is a
 * reason, never an exception. And the tenant rule when credentials are
 * pinned: X-Scope-OrgID may repeat the tenant, never name another.
 */
import { describe, expect, spyOn, test } from "bun:test";
import { Authenticator } from "../../src/auth/authenticator.ts";
import type { AuthConfig } from "../../src/config/types.ts";
import { tenantFor } from "../../src/receive/tenant-id.ts";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const headers = (h: Record<string, string>) => (name: string) => h[name];

async function config(): Promise<AuthConfig> {
  return {
    token_header: "authorization",
    scheme: "Bearer",
    tokens: [{ token: "shared-token" }, { token: "team-a-token", tenant: "team-a" }],
    users: [
      { user: "alice", hash: await Bun.password.hash("alice-pw", { algorithm: "bcrypt", cost: 4 }) },
      { user: "bob", hash: await Bun.password.hash("bob-pw", { algorithm: "bcrypt", cost: 4 }), tenant: "team-b" },
    ],
  };
}

describe("bearer tokens and basic auth", () => {
  test("each credential is accepted with its tenant pin; anything else is missing or invalid", async () => {
    const auth = new Authenticator(await config());
    const cases: [string, Record<string, string>][] = [
      ["shared token", { authorization: "Bearer shared-token" }],
      ["pinned token", { authorization: "Bearer team-a-token" }],
      ["scheme in any case", { authorization: "bearer shared-token" }],
      ["basic user", { authorization: basic("alice", "alice-pw") }],
      ["pinned basic user", { authorization: basic("bob", "bob-pw") }],
      ["no header", {}],
      ["empty header", { authorization: "" }],
      ["wrong token", { authorization: "Bearer nope" }],
      ["token without scheme", { authorization: "shared-token" }],
      ["token with another scheme", { authorization: "Token shared-token" }],
      ["a prefix of a token", { authorization: "Bearer shared" }],
      ["wrong password", { authorization: basic("alice", "bob-pw") }],
      ["unknown user", { authorization: basic("mallory", "alice-pw") }],
      ["basic without a colon", { authorization: `Basic ${Buffer.from("alice").toString("base64")}` }],
      ["basic with garbage", { authorization: "Basic %%%" }],
    ];
    const got: Record<string, unknown> = {};
    for (const [name, h] of cases) got[name] = await auth.check(headers(h));
    expect(got).toEqual({
      "shared token": { ok: true, tenant: undefined },
      "pinned token": { ok: true, tenant: "team-a" },
      "scheme in any case": { ok: true, tenant: undefined },
      "basic user": { ok: true, tenant: undefined },
      "pinned basic user": { ok: true, tenant: "team-b" },
      "no header": { ok: false, reason: "missing" },
      "empty header": { ok: false, reason: "missing" },
      "wrong token": { ok: false, reason: "invalid" },
      "token without scheme": { ok: false, reason: "invalid" },
      "token with another scheme": { ok: false, reason: "invalid" },
      "a prefix of a token": { ok: false, reason: "invalid" },
      "wrong password": { ok: false, reason: "invalid" },
      "unknown user": { ok: false, reason: "invalid" },
      "basic without a colon": { ok: false, reason: "invalid" },
      "basic with garbage": { ok: false, reason: "invalid" },
    });
  });

  test("a custom header with a bare token (bearertokenauth header: X-Api-Key, scheme: \"\")", async () => {
    const auth = new Authenticator({ token_header: "x-api-key", scheme: "", tokens: [{ token: "k1" }], users: [] });
    expect(await auth.check(headers({ "x-api-key": "k1" }))).toEqual({ ok: true, tenant: undefined });
    expect(await auth.check(headers({ authorization: "Bearer k1" }))).toEqual({ ok: false, reason: "missing" });
    expect(await auth.check(headers({ "x-api-key": "k2" }))).toEqual({ ok: false, reason: "invalid" });
    expect(await auth.check(headers({}))).toEqual({ ok: false, reason: "missing" });
  });

  test("a verified password is remembered: bcrypt runs once per user and password, not per request", async () => {
    const auth = new Authenticator({ token_header: "authorization", scheme: "Bearer", tokens: [], users: [{ user: "u", hash: await Bun.password.hash("pw", { algorithm: "bcrypt", cost: 4 }) }] });
    const verify = spyOn(Bun.password, "verify");
    try {
      for (let i = 0; i < 5; i++) expect(await auth.check(headers({ authorization: basic("u", "pw") }))).toEqual({ ok: true, tenant: undefined });
      for (let i = 0; i < 2; i++) expect(await auth.check(headers({ authorization: basic("u", "wrong") }))).toEqual({ ok: false, reason: "invalid" });
      expect(verify).toHaveBeenCalledTimes(3); // once for the right password, each time for a wrong one
    } finally {
      verify.mockRestore();
    }
  });
});

describe("tenant of a request with pinned credentials", () => {
  test("the pin decides; the header may repeat it; another tenant is forbidden; without a pin the header decides", () => {
    expect([
      tenantFor(undefined, "team-a"),
      tenantFor("team-a", "team-a"),
      tenantFor(" ", "team-a"),
      tenantFor("team-b", "team-a"),
      tenantFor("a/b", "team-a"),
      tenantFor("team-b", undefined),
      tenantFor(undefined, undefined),
    ]).toEqual([
      { tenant: "team-a" },
      { tenant: "team-a" },
      { tenant: "team-a" },
      { forbidden: 'these credentials are for tenant "team-a", not "team-b"' },
      { error: expect.stringContaining("X-Scope-OrgID") },
      { tenant: "team-b" },
      { tenant: "single-tenant" },
    ]);
  });
});
