/**
 * Remote-write authentication Tempo supports through Prometheus' config:
 * - sigv4 (Amazon Managed Prometheus): AWS's published test vector, and every
 *   request the client sends is accepted by a server that signs it again with
 *   the AWS SDK for Go v2 (test/support/sigv4-verify) — session tokens, query
 *   strings and odd paths included — while a wrong secret is refused;
 * - oauth2 client credentials against a token server speaking RFC 6749: the
 *   token is fetched once and reused until it nears expiry, client
 *   authentication falls back from HTTP Basic to the form body as
 *   golang.org/x/oauth2 does, a token the endpoint refuses is dropped, and a
 *   failing token endpoint is a recoverable error.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RemoteWriteConfig } from "../../src/config/types.ts";
import { RemoteWriteClient } from "../../src/remote-write/client.ts";
import { OAuth2Token } from "../../src/remote-write/oauth2.ts";
import { signV4 } from "../../src/remote-write/sigv4.ts";
import { ChildProcess } from "../support/child-process.ts";
import { ensureSigv4Verify } from "../support/setup.ts";

function cfg(url: string, over: Partial<RemoteWriteConfig> = {}): RemoteWriteConfig {
  return {
    url,
    name: "test",
    remote_timeout_ms: 5000,
    headers: { "X-Scope-OrgID": "team-a" },
    send_exemplars: true,
    protobuf_message: "prometheus.WriteRequest",
    queue: { capacity: 1, max_shards: 1, max_samples_per_send: 1, min_backoff_ms: 1, max_backoff_ms: 1, retry_on_http_429: false, sample_age_limit_ms: 0 },
    ...over,
  };
}

describe("sigv4", () => {
  test("AWS's get-vanilla test vector", () => {
    const h = signV4("GET", new URL("https://example.amazonaws.com/"), {}, new Uint8Array(0), {
      region: "us-east-1",
      service: "service",
      access_key: "AKIDEXAMPLE",
      secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    }, new Date("2015-08-30T12:36:00Z"));
    expect(h).toEqual({
      "X-Amz-Date": "20150830T123600Z",
      Authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    });
  });

  describe("against the AWS SDK's own signer", () => {
    let verifier: ChildProcess;
    let base: string;
    beforeAll(async () => {
      verifier = new ChildProcess("sigv4verify", [ensureSigv4Verify(), "-access-key", "AKIDTEST", "-secret-key", "s3cr3t/Key+", "-session-token", "tok/en==", "-region", "eu-west-1"]);
      base = `http://${(await verifier.waitForStdout(/listening (\S+)/))[1]}`;
    });
    afterAll(() => verifier?.stop());

    const stats = async () => (await (await fetch(`${base}/stats`)).json()) as { verified: number; rejected: number; reasons: string[] };

    test("signed requests are accepted: plain, with a session token, a query and an escaped path; a wrong secret is refused", async () => {
      const good = { region: "eu-west-1", access_key: "AKIDTEST", secret_key: "s3cr3t/Key+", service: "aps" };
      const body = crypto.getRandomValues(new Uint8Array(2048));
      const send = (path: string, sigv4: RemoteWriteConfig["sigv4"]) => new RemoteWriteClient(cfg(`${base}${path}`, { sigv4 }), { "X-Scope-OrgID": "team-a" }, "redgen/test").send(body, 0);
      const outcomes = [
        await send("/workspaces/ws-1/api/v1/remote_write", { ...good, session_token: "tok/en==" }),
        await send("/api/v1/write?tenant=a%20b&x=1", { ...good, session_token: "tok/en==" }),
        await send("/odd%20path/with:colon/api/v1/write", { ...good, session_token: "tok/en==" }),
        await send("/api/v1/write", { ...good, secret_key: "wrong", session_token: "tok/en==" }),
        await send("/api/v1/write", good), // no session token: the verifier expects one
      ];
      expect(outcomes.map((o) => o.kind)).toEqual(["ok", "ok", "ok", "drop", "drop"]);
      const s = await stats();
      expect([s.verified, s.rejected]).toEqual([3, 2]);
      expect(s.reasons[0]).toContain("signature mismatch");
    });
  });
});

describe("oauth2 client credentials", () => {
  /** A token server: client "redgen" / secret "s3cret", tokens valid `expiresIn` s; `basicRefused`: wants the form body. */
  function tokenServer(o: { expiresIn?: number; basicRefused?: boolean; failing?: boolean } = {}) {
    const requests: { auth: string | null; form: Record<string, string> }[] = [];
    let issued = 0;
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        const url = new URL(req.url);
        if (url.pathname === "/token") {
          const form = Object.fromEntries(new URLSearchParams(await req.text()));
          const auth = req.headers.get("authorization");
          requests.push({ auth, form });
          if (o.failing) return new Response("down", { status: 503 });
          const [id, secret] = auth?.startsWith("Basic ")
            ? Buffer.from(auth.slice(6), "base64").toString().split(":").map((s) => decodeURIComponent(s.replace(/\+/g, " ")))
            : [form.client_id, form.client_secret];
          if (auth !== null && o.basicRefused) return Response.json({ error: "invalid_client" }, { status: 401 });
          if (form.grant_type !== "client_credentials" || id !== "redgen" || secret !== "s3 cret&=") return Response.json({ error: "invalid_client" }, { status: 401 });
          issued++;
          return Response.json({ access_token: `token-${issued}`, token_type: "bearer", expires_in: o.expiresIn ?? 3600 });
        }
        // the remote-write endpoint: only the newest token is valid
        return req.headers.get("authorization") === `Bearer token-${issued}` ? new Response(null, { status: 204 }) : new Response("bad token", { status: 401 });
      },
    });
    const base = `http://127.0.0.1:${server.port}`;
    const oauth2 = { client_id: "redgen", client_secret: "s3 cret&=", token_url: `${base}/token`, scopes: ["write", "metrics"], endpoint_params: { audience: "prom" } };
    return { server, base, requests, oauth2, issue: () => issued++ };
  }

  test("one token for many requests; scope and endpoint_params sent; the secret in HTTP Basic, form-encoded", async () => {
    const t = tokenServer();
    try {
      const client = new RemoteWriteClient(cfg(`${t.base}/write`, { oauth2: t.oauth2 }), {}, "redgen/test");
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => client.send(new Uint8Array([1]), 0)));
      expect(outcomes.map((o) => o.kind)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
      expect(t.requests).toEqual([{ auth: `Basic ${Buffer.from("redgen:s3+cret%26%3D").toString("base64")}`, form: { grant_type: "client_credentials", scope: "write metrics", audience: "prom" } }]);
    } finally {
      t.server.stop(true);
    }
  });

  test("a server that refuses HTTP Basic gets the credentials in the form body, and keeps getting them so", async () => {
    const t = tokenServer({ basicRefused: true });
    try {
      const token = new OAuth2Token(t.oauth2);
      expect(await token.header()).toBe("Bearer token-1");
      token.invalidate();
      expect(await token.header()).toBe("Bearer token-2");
      expect(t.requests.map((r) => [r.auth === null ? "body" : "basic", r.form.client_id ?? ""])).toEqual([["basic", ""], ["body", "redgen"], ["body", "redgen"]]);
    } finally {
      t.server.stop(true);
    }
  });

  test("a token is renewed 10 s before it expires", async () => {
    const t = tokenServer({ expiresIn: 60 });
    let now = 1_000_000;
    try {
      const token = new OAuth2Token(t.oauth2, () => now);
      expect(await token.header()).toBe("Bearer token-1");
      now += 49_000;
      expect(await token.header()).toBe("Bearer token-1");
      now += 1_001;
      expect(await token.header()).toBe("Bearer token-2");
      expect(token.fetched).toBe(2);
    } finally {
      t.server.stop(true);
    }
  });

  test("a token the endpoint refuses (401) is dropped: the next send fetches a new one", async () => {
    const t = tokenServer();
    try {
      const client = new RemoteWriteClient(cfg(`${t.base}/write`, { oauth2: t.oauth2 }), {}, "redgen/test");
      expect((await client.send(new Uint8Array([1]), 0)).kind).toBe("ok");
      t.issue(); // the server rotated its key: token-1 is no longer valid
      expect((await client.send(new Uint8Array([1]), 0)).kind).toBe("drop");
      expect((await client.send(new Uint8Array([1]), 0)).kind).toBe("ok");
      expect(t.requests.length).toBe(2);
    } finally {
      t.server.stop(true);
    }
  });

  test("a failing token endpoint is a recoverable error that names it without credentials", async () => {
    const t = tokenServer({ failing: true });
    try {
      const client = new RemoteWriteClient(cfg(`${t.base}/write`, { oauth2: { ...t.oauth2, token_url: `${t.base}/token?key=hidden` } }), {}, "redgen/test");
      const o = await client.send(new Uint8Array([1]), 0);
      expect(o.kind).toBe("retry");
      expect(o.kind === "retry" && o.error).toContain("oauth2 token request to");
      expect(o.kind === "retry" && o.error).toContain("HTTP 503");
      expect(o.kind === "retry" && o.error).not.toContain("hidden");
    } finally {
      t.server.stop(true);
    }
  });
});
