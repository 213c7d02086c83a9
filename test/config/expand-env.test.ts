import { describe, expect, test } from "bun:test";
import { expandEnv } from "../../src/config/expand-env.ts";

describe("expandEnv", () => {
  const env = { HOST: "prom", EMPTY: "", PORT: "9090" };

  test("replaces ${VAR}; unset variables become empty", () => {
    expect(expandEnv("url: http://${HOST}:${PORT}/${MISSING}x", env)).toBe("url: http://prom:9090/x");
  });

  test("${VAR:-default} uses the default when unset or empty", () => {
    expect(expandEnv("${MISSING:-a} ${EMPTY:-b} ${HOST:-c}", env)).toBe("a b prom");
  });

  test("${VAR-default} uses the default only when unset", () => {
    expect(expandEnv("[${MISSING-a}] [${EMPTY-b}]", env)).toBe("[a] []");
  });

  test("$$ is a literal $ and bare $VAR is left alone", () => {
    expect(expandEnv("price: $$5, regex: ^a$, $HOST", env)).toBe("price: $5, regex: ^a$, $HOST");
  });
});
