/**
 * `auth:` on the OTLP receivers and the API (redgen additions), spelled as the
 * settings of the Collector's bearertokenauth and basicauth extensions:
 * tokens inline, from files or ${VAR} (with -config.expand-env), pinned to a
 * tenant or not; htpasswd files or inline text. Every mistake fails at load
 * with its key path; /status/config never shows a token or a hash.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import { redactedConfig } from "../../src/config/redact.ts";
import { errorFor, parse } from "./helpers.ts";

const http = (auth: string) => `distributor:\n  receivers:\n    otlp:\n      protocols:\n        http:\n          auth:\n${auth}`;
const indent = (text: string, n: number) => text.split("\n").map((l) => (l === "" ? l : " ".repeat(n) + l)).join("\n");

function withFiles<T>(files: Record<string, string>, f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "redgen-auth-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HTPASSWD = "alice:$2y$05$yO6./7EyvxBzJBirWl58FuHY/mFv60Q/i1ZPhwj2E6hdWrW2SeTZC\nbob:$apr1$KRGtjCwY$4BxY7E3CEPn/f1azGmv9L/\n";

describe("auth blocks", () => {
  test("tokens inline, from a file, and a list with tenants; htpasswd from a file and inline with user tenants", () => {
    const cfg = withFiles({ token: "file-token\n", "team-b": "b-token\n", htpasswd: HTPASSWD }, (dir) =>
      parse(
        http(
          indent(
            [
              "bearertokenauth:",
              "  token: inline-token",
              `  filename: ${dir}/token`,
              "  tokens:",
              "    - listed-token",
              "    - token: a-token",
              "      tenant: team-a",
              `    - filename: ${dir}/team-b`,
              "      tenant: team-b",
              "basicauth:",
              "  htpasswd:",
              `    file: ${dir}/htpasswd`,
              "    inline: |",
              "      carol:{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=",
              "  tenants:",
              "    bob: team-b",
              "",
            ].join("\n"),
            12,
          ),
        ),
      ),
    );
    expect(cfg.receivers.http?.auth).toEqual({
      token_header: "authorization",
      scheme: "Bearer",
      tokens: [{ token: "inline-token" }, { token: "file-token" }, { token: "listed-token" }, { token: "a-token", tenant: "team-a" }, { token: "b-token", tenant: "team-b" }],
      users: [
        { user: "alice", hash: expect.stringMatching(/^\$2y\$/) },
        { user: "bob", hash: expect.stringMatching(/^\$apr1\$/), tenant: "team-b" },
        { user: "carol", hash: "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=" },
      ],
    });
    const shown = JSON.stringify(redactedConfig(cfg));
    for (const secret of ["inline-token", "file-token", "listed-token", "a-token", "b-token", "$2y$05", "$apr1$", "GpHWL3"]) expect(shown).not.toContain(secret);
    expect(shown).toContain('"tenant":"team-a"');
  });

  test("a token from the environment with -config.expand-env", () => {
    const yaml = `${http(indent("bearertokenauth:\n  token: ${OTLP_TOKEN}\n", 12))}server:\n  auth:\n    bearertokenauth:\n      scheme: Token\n      header: X-Api-Key\n      token: \${API_TOKEN}\n`;
    const cfg = parseConfig(yaml, { expandEnv: true, env: { OTLP_TOKEN: "from-env", API_TOKEN: "api-env" } });
    expect(cfg.receivers.http?.auth?.tokens).toEqual([{ token: "from-env" }]);
    expect(cfg.server.auth).toEqual({ token_header: "x-api-key", scheme: "Token", tokens: [{ token: "api-env" }], users: [] });
  });

  test("gRPC takes the same block, and mutual TLS with tls.client_ca_file", () => {
    const f = import.meta.path;
    const cfg = parse(
      `distributor:\n  receivers:\n    otlp:\n      protocols:\n        grpc:\n          tls:\n            cert_file: ${f}\n            key_file: ${f}\n            client_ca_file: ${f}\n          auth:\n            bearertokenauth:\n              token: t\n`,
    );
    expect(cfg.receivers.grpc?.tls).toEqual({ cert_file: f, key_file: f, client_ca_file: f });
    expect(cfg.receivers.grpc?.auth?.tokens).toEqual([{ token: "t" }]);
  });
});

describe("mistakes fail at load with their key path", () => {
  const P = "distributor.receivers.otlp.protocols.http.auth";
  const cases: [string, string, string][] = [
    ["a Collector extension reference", "authenticator: basicauth/server\n", `${P}.authenticator: redgen has no extensions to refer to`],
    ["an empty block", "{}\n", `${P}: configure bearertokenauth or basicauth`],
    ["bearertokenauth without a token", "bearertokenauth: {}\n", `${P}.bearertokenauth: no token`],
    ["a missing token file", "bearertokenauth:\n  filename: /nope/token\n", `${P}.bearertokenauth.filename: cannot read "/nope/token": no such file`],
    ["token and filename in one entry", "bearertokenauth:\n  tokens:\n    - token: a\n      filename: /x\n", `${P}.bearertokenauth.tokens.0: set either token or filename`],
    ["an invalid tenant", "bearertokenauth:\n  tokens:\n    - token: a\n      tenant: a/b\n", `${P}.bearertokenauth.tokens.0.tenant: tenant "a/b" has characters outside`],
    ["one token, two tenants", "bearertokenauth:\n  tokens:\n    - token: a\n      tenant: x\n    - token: a\n      tenant: y\n", `${P}.bearertokenauth.tokens: the same token is pinned to different tenants`],
    ["htpasswd without a source", "basicauth:\n  htpasswd: {}\n", `${P}.basicauth.htpasswd: set file or inline`],
    ["a plain-text htpasswd line", "basicauth:\n  htpasswd:\n    inline: \"dave:pw\"\n", `${P}.basicauth.htpasswd.inline: line 1: the hash of user "dave" is not bcrypt`],
    ["a tenant for an unknown user", `basicauth:\n  htpasswd:\n    inline: '${HTPASSWD.split("\n")[0]}'\n  tenants:\n    zed: t\n`, `${P}.basicauth.tenants.zed: user "zed" is not in the htpasswd`],
    ["an unknown key", "bearertokenauth:\n  token: a\n  tokne: b\n", `${P}.bearertokenauth.tokne: unknown key`],
  ];
  for (const [name, auth, message] of cases) {
    test(name, () => {
      expect(errorFor(http(indent(auth, 12))).message).toContain(message);
    });
  }
});
