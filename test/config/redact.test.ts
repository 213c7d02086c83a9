import { expect, test } from "bun:test";
import { loadConfig, parseConfig } from "../../src/config/load.ts";
import { redactUrl, redactedConfig } from "../../src/config/redact.ts";
import { fixture, withFixturesEnv } from "./helpers.ts";

test("/status/config shows no remote-write credential", () => {
  const config = loadConfig(fixture("remote-write.yaml"), withFixturesEnv);
  const secrets = config.generator.storage.remote_write.flatMap((rw) =>
    [rw.basic_auth?.password, rw.authorization, rw.tls?.key, ...Object.values(rw.headers)].filter((s): s is string => s !== undefined && s !== ""),
  );
  expect(secrets.length).toBeGreaterThan(2);
  const text = JSON.stringify(redactedConfig(config));
  expect(secrets.filter((s) => text.includes(s))).toEqual([]);
  expect(text).toContain("<secret>");
});

test("a URL's password and query values never show (status, labels, logs, errors)", () => {
  expect(redactUrl("http://user:PASSWORD@host:9090/api/v1/write?token=SECRET&x=1")).toBe(
    "http://user:<secret>@host:9090/api/v1/write?token=<secret>&x=<secret>",
  );
  expect(redactUrl("https://host/api/v1/write")).toBe("https://host/api/v1/write");
  expect(redactUrl("not a url with PASSWORD")).toBe("<secret>");
  const config = parseConfig("metrics_generator:\n  storage:\n    remote_write:\n      - url: http://u:PASSWORD@h/w?token=SECRET\n");
  const text = JSON.stringify(redactedConfig(config));
  expect([text.includes("PASSWORD"), text.includes("SECRET")]).toEqual([false, false]);
});
