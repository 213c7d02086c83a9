import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { configError, fixture } from "./helpers.ts";

describe("-config.expand-env", () => {
  const env = { REDGEN_PORT: "3300", REDGEN_RW_URL: "http://prom:9090/api/v1/write", REDGEN_CLUSTER: "" };

  test("expands ${VAR} and ${VAR:-default} before parsing", () => {
    const config = loadConfig(fixture("env.yaml"), { expandEnv: true, env });
    expect(config.server.http_listen_port).toBe(3300);
    expect(config.generator.registry.collection_interval_ms).toBe(20_000);
    expect(config.generator.registry.external_labels).toEqual({ cluster: "dev" });
    expect(config.generator.storage.remote_write[0].url).toBe("http://prom:9090/api/v1/write");
    expect(config.generator.storage.remote_write[0].headers).toEqual({ "X-Price": "$5" });
  });

  test("without the flag the text is parsed as written", () => {
    const e = configError(() => loadConfig(fixture("env.yaml")));
    expect(e.message).toContain('server.http_listen_port: expected a port number 0-65535, got string "${REDGEN_PORT}"');
  });
});
