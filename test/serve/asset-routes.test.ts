import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { mountAssets } from "../../src/serve/asset-routes.ts";
import { REPO_ROOT } from "../support/setup.ts";

const ROOT = join(REPO_ROOT, "src/assets");
/** Every dashboard and rule file in the repository. */
const FILES = ["grafana", "prometheus"].flatMap((d) => readdirSync(join(ROOT, d)).map((f) => `${d}/${f}`)).sort();

function app(): Hono {
  const h = new Hono();
  mountAssets(h);
  return h;
}

describe("GET /assets/", () => {
  test("lists every dashboard and rule file of src/assets", async () => {
    const text = await (await app().request("/assets/")).text();
    expect(text.trim().split("\n").sort()).toEqual(FILES.map((f) => `/assets/${f}`));
  });

  test.each(FILES)("serves %s byte for byte", async (file) => {
    const res = await app().request(`/assets/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith(file.endsWith(".json") ? "application/json" : "application/yaml");
    expect(await res.text()).toBe(readFileSync(join(ROOT, file), "utf8"));
  });

  test("anything else is a 404", async () => {
    expect((await app().request("/assets/grafana/nope.json")).status).toBe(404);
    expect((await app().request("/assets/../package.json")).status).toBe(404);
  });
});
