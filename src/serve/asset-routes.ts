import type { Env, Hono } from "hono";
import alerts from "../assets/prometheus/redgen-alerts.yml" with { type: "text" };
import health from "../assets/grafana/redgen-health.json" with { type: "text" };
import red from "../assets/grafana/redgen-red.json" with { type: "text" };
import serviceGraph from "../assets/grafana/redgen-service-graph.json" with { type: "text" };

const JSON_TYPE = "application/json; charset=utf-8";
const YAML_TYPE = "application/yaml; charset=utf-8";

/** The dashboards and rules of src/assets/, embedded in the binary as text (byte for byte). */
export const ASSETS: Record<string, { body: string; type: string }> = {
  "grafana/redgen-red.json": { body: red as unknown as string, type: JSON_TYPE },
  "grafana/redgen-service-graph.json": { body: serviceGraph as unknown as string, type: JSON_TYPE },
  "grafana/redgen-health.json": { body: health as unknown as string, type: JSON_TYPE },
  "prometheus/redgen-alerts.yml": { body: alerts as unknown as string, type: YAML_TYPE },
};

/**
 * `GET /assets/` lists, `GET /assets/<dir>/<file>` serves the Grafana
 * dashboards and Prometheus rules that match this binary, so an edge node
 * hands out the files its own metrics fit.
 */
export function mountAssets<E extends Env>(app: Hono<E>): void {
  app.get("/assets/", (c) => c.text(`${Object.keys(ASSETS).map((k) => `/assets/${k}`).join("\n")}\n`));
  app.get("/assets/:dir/:file", (c) => {
    const a = ASSETS[`${c.req.param("dir")}/${c.req.param("file")}`];
    return a === undefined ? c.text("no such asset; see /assets/\n", 404) : c.body(a.body, 200, { "Content-Type": a.type });
  });
}
