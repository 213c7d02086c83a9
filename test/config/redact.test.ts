import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { redactedConfig } from "../../src/config/redact.ts";
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
