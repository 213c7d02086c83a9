import { describe, expect, test } from "bun:test";
import { redactedConfig } from "../../src/config/redact.ts";
import { loadConfig } from "../../src/config/load.ts";
import { errorFor, fixture, parse, withFixturesEnv } from "./helpers.ts";

const rwYaml = (block: string) =>
  `metrics_generator:\n  storage:\n    remote_write:\n      - url: https://m.example/push\n${block
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => `        ${l}`)
    .join("\n")}\n`;

describe("remote_write", () => {
  const config = loadConfig(fixture("remote-write.yaml"), withFixturesEnv);
  const [mimir, prom] = config.generator.storage.remote_write;

  test("storage settings", () => {
    expect(config.generator.storage.remote_write_flush_deadline_ms).toBe(120_000);
    expect(config.generator.storage.remote_write_add_org_id_header).toBe(false);
  });

  test("secrets and certificates are read from their files at load", () => {
    expect(mimir.basic_auth).toEqual({ username: "redgen", password: "s3cret" });
    expect(mimir.tls).toEqual({
      ca: "-----BEGIN CERTIFICATE-----\nFAKE-CA\n-----END CERTIFICATE-----",
      cert: "-----BEGIN CERTIFICATE-----\nFAKE-CLIENT\n-----END CERTIFICATE-----",
      key: "-----BEGIN PRIVATE KEY-----\nFAKE-KEY\n-----END PRIVATE KEY-----",
      insecure_skip_verify: false,
      server_name: "mimir.internal",
    });
    expect(prom.authorization).toBe("Bearer tok-123");
  });

  test("queue, timeout, headers and name as configured", () => {
    expect(mimir.name).toBe("mimir");
    expect(mimir.remote_timeout_ms).toBe(10_000);
    expect(mimir.headers).toEqual({ "X-Scope-OrgID": "ops" });
    expect(mimir.queue).toEqual({ capacity: 500, max_shards: 50, max_samples_per_send: 100, min_backoff_ms: 100, sample_age_limit_ms: 0, max_backoff_ms: 10_000, retry_on_http_429: true });
  });

  test("Tempo forces send_exemplars to true; the override is reported", () => {
    expect(mimir.send_exemplars).toBe(true);
    expect(config.warnings).toContainEqual(expect.stringContaining("remote_write.0.send_exemplars: false is overridden, Tempo always sends exemplars"));
  });

  test("an unnamed remote write gets a stable name derived from its URL", () => {
    expect(prom.name).toMatch(/^[0-9a-f]{6}$/);
    expect(loadConfig(fixture("remote-write.yaml"), withFixturesEnv).generator.storage.remote_write[1].name).toBe(prom.name);
  });

  test("accepted-but-unused queue and metadata settings are warnings", () => {
    expect(config.warnings).toContainEqual(expect.stringContaining("remote_write.0.metadata_config is accepted and ignored"));
    expect(config.warnings.some((w) => w.includes("batch_send_deadline"))).toBe(false); // 5s is the default
  });

  test("protobuf_message picks remote write 1.0 (default) or 2.0", () => {
    expect(parse(rwYaml("")).generator.storage.remote_write[0].protobuf_message).toBe("prometheus.WriteRequest");
    const v2 = parse(rwYaml("protobuf_message: io.prometheus.write.v2.Request"));
    expect(v2.generator.storage.remote_write[0].protobuf_message).toBe("io.prometheus.write.v2.Request");
  });

  test("send_native_histograms is derived per tenant, as Tempo does: the configured value is ignored with a warning", () => {
    const c = parse(rwYaml("send_native_histograms: true"));
    expect(c.warnings).toContainEqual(expect.stringContaining("remote_write.0.send_native_histograms is ignored"));
  });
});

describe("remote_write settings redgen cannot honour fail with their path", () => {
  test.each([
    ["sigv4:\n  region: eu-west-1\n  role_arn: arn:aws:iam::1:role/x", "remote_write.0.sigv4.role_arn: sigv4.role_arn (STS AssumeRole) is not supported by redgen"],
    ["sigv4:\n  region: eu-west-1\n  profile: prod", "remote_write.0.sigv4.profile: sigv4.profile (shared AWS config files) is not supported by redgen"],
    ["oauth2:\n  client_id: x\n  token_url: http://idp/token\n  grant_type: urn:ietf:params:oauth:grant-type:jwt-bearer", "remote_write.0.oauth2.grant_type: grant_type"],
    ["azuread:\n  cloud: AzurePublic", "remote_write.0.azuread: azuread authentication is not supported by redgen"],
    ["google_iam:\n  credentials_file: /x", "remote_write.0.google_iam: google_iam authentication is not supported by redgen"],
    ["write_relabel_configs:\n  - action: drop", "remote_write.0.write_relabel_configs: write_relabel_configs is not supported by redgen"],
    ["proxy_url: http://proxy:3128", "remote_write.0.proxy_url: proxy_url is not supported by redgen"],
    ["protobuf_message: io.prometheus.write.v3.Request", "remote_write.0.protobuf_message: unknown protobuf_message \"io.prometheus.write.v3.Request\""],
  ])("%s", (block, message) => {
    expect(errorFor(rwYaml(block)).message).toContain(`metrics_generator.storage.${message}`);
  });

  test("oauth2: client credentials with the secret from a file; a bad token URL fails; /status/config hides the secret", () => {
    const ok = parse(rwYaml(`oauth2:\n  client_id: redgen\n  client_secret_file: ${fixture("secrets/password.txt")}\n  token_url: https://idp.example/oauth/token\n  scopes: [write]\n  endpoint_params:\n    audience: prom\n`));
    const o = ok.generator.storage.remote_write[0].oauth2;
    expect(o).toEqual({ client_id: "redgen", client_secret: expect.any(String), token_url: "https://idp.example/oauth/token", scopes: ["write"], endpoint_params: { audience: "prom" }, tls: undefined });
    expect(JSON.stringify(redactedConfig(ok))).not.toContain(o?.client_secret as string);
    expect(errorFor(rwYaml("oauth2:\n  client_id: x\n  token_url: not a url\n")).message).toContain("remote_write.0.oauth2.token_url: invalid token URL");
    expect(errorFor(rwYaml("oauth2:\n  client_id: x\n  token_url: https://idp/t\nbearer_token: t\n")).message).toContain("configure only one of bearer_token, oauth2");
  });

  test("sigv4: static keys, or the AWS_* environment; neither fails; the secret is hidden", () => {
    const keys = parse(rwYaml("sigv4:\n  region: eu-west-1\n  access_key: AKID\n  secret_key: sekret\n"));
    expect(keys.generator.storage.remote_write[0].sigv4).toEqual({ region: "eu-west-1", access_key: "AKID", secret_key: "sekret", service: "aps" });
    expect(JSON.stringify(redactedConfig(keys))).not.toContain("sekret");
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKENV", AWS_SECRET_ACCESS_KEY: "envsecret", AWS_SESSION_TOKEN: "envtoken", AWS_REGION: "us-east-2" });
      expect(parse(rwYaml("sigv4: {}\n")).generator.storage.remote_write[0].sigv4).toEqual({ region: "us-east-2", access_key: "AKENV", secret_key: "envsecret", session_token: "envtoken", service: "aps" });
      for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"]) delete process.env[k];
      expect(errorFor(rwYaml("sigv4: {}\n")).message).toContain("remote_write.0.sigv4.region: set region");
      expect(errorFor(rwYaml("sigv4:\n  region: eu-west-1\n")).message).toContain("remote_write.0.sigv4: no credentials");
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  test("only one auth method", () => {
    const e = errorFor(rwYaml("basic_auth:\n  username: u\n  password: p\nbearer_token: t"));
    expect(e.message).toContain("configure only one of basic_auth, bearer_token");
  });

  test("password and password_file together", () => {
    const e = errorFor(rwYaml("basic_auth:\n  username: u\n  password: p\n  password_file: /x"));
    expect(e.message).toContain("remote_write.0.basic_auth.password_file: set either password or password_file, not both");
  });

  test("a missing secret file", () => {
    const e = errorFor(rwYaml("authorization:\n  credentials_file: /nonexistent/token"));
    expect(e.message).toContain('remote_write.0.authorization.credentials_file: cannot read "/nonexistent/token": no such file');
  });

  test("an Authorization or reserved header", () => {
    const e = errorFor(rwYaml("headers:\n  Authorization: Bearer x\n  Content-Type: text/plain"));
    expect(e.message).toContain("remote_write.0.headers.Authorization: set credentials with authorization");
    expect(e.message).toContain("remote_write.0.headers.Content-Type: header Content-Type is set by redgen");
  });

  test("the URL is required and must be http(s)", () => {
    expect(errorFor("metrics_generator:\n  storage:\n    remote_write:\n      - name: x\n").message).toContain("remote_write.0.url: is required");
    expect(errorFor("metrics_generator:\n  storage:\n    remote_write:\n      - url: ftp://x/y\n").message).toContain("URL must use http or https");
  });

  test("a client certificate needs its key", () => {
    expect(errorFor(rwYaml("tls_config:\n  cert: abc")).message).toContain("a client certificate needs both cert");
  });

  test("duplicate names", () => {
    const yaml = "metrics_generator:\n  storage:\n    remote_write:\n      - url: http://a/x\n        name: same\n      - url: http://b/x\n        name: same\n";
    expect(errorFor(yaml).message).toContain('remote_write.1.name: duplicate remote_write name "same"');
  });
});
