import { describe, expect, test } from "bun:test";
import { nowNs, request, span } from "../support/otlp-builders.ts";
import { pipeline, tenantConfig } from "../support/pipeline.ts";

type Res = Record<string, string | number | boolean>;

function hostInfo(resource: Res, endNs?: bigint, identifiers?: string[]) {
  const p = pipeline(tenantConfig({ processors: ["host-info"], hostInfo: identifiers ? { host_identifiers: identifiers } : {} }));
  p.send(request({ resource: { "service.name": "svc", ...resource }, spans: [span({ endNs })] }));
  return p.values();
}

describe("host info (spec §6, §15.19)", () => {
  const cases: [string, Res, Record<string, number>][] = [
    ["k8s.node.name wins over host.id", { "host.id": "h-1", "k8s.node.name": "node-a" }, { 'traces_host_info{grafana_host_id="node-a",host_source="k8s.node.name"}': 1 }],
    ["only host.id", { "host.id": "h-1" }, { 'traces_host_info{grafana_host_id="h-1",host_source="host.id"}': 1 }],
    ["a non-string host.id is ignored", { "host.id": 42 }, {}],
    ["an empty string is ignored", { "k8s.node.name": "", "host.id": "h-2" }, { 'traces_host_info{grafana_host_id="h-2",host_source="host.id"}': 1 }],
    ["neither", { "host.name": "x" }, {}],
  ];
  for (const [name, res, want] of cases) test(name, () => expect(hostInfo(res)).toEqual(want));

  test("fires even when the slack window removed every span", () => {
    expect(hostInfo({ "host.id": "h" }, nowNs(-3_600_000))).toEqual({ 'traces_host_info{grafana_host_id="h",host_source="host.id"}': 1 });
  });

  test("host_identifiers order and metric_name are configurable", () => {
    const p = pipeline(tenantConfig({ processors: ["host-info"], hostInfo: { host_identifiers: ["host.name"], metric_name: "my_hosts" } }));
    p.send(request({ resource: { "host.name": "web-1", "host.id": "x" }, spans: [span()] }));
    expect(p.values()).toEqual({ 'my_hosts{grafana_host_id="web-1",host_source="host.name"}': 1 });
  });
});
