import { describe, expect, test } from "bun:test";
import { graphNodes } from "../../../src/serve/live/graph-nodes.ts";

function edge(client: string, server: string, o: { type?: string; virtual?: string; rate?: number | null; requests?: number; errorRatio?: number | null } = {}) {
  return { client, server, connectionType: o.type ?? "", virtualNode: o.virtual ?? "", rate: o.rate ?? null, requests: o.requests ?? 10, errorRatio: o.errorRatio ?? 0 };
}

const kinds = (edges: ReturnType<typeof edge>[]) => Object.fromEntries(graphNodes(edges).map((n) => [n.id, n.kind]));

describe("graphNodes", () => {
  test("the server of a database edge is a database; services otherwise", () => {
    expect(kinds([edge("api", "orders"), edge("orders", "postgres", { type: "database" }), edge("orders", "mailer", { type: "messaging_system" })])).toEqual({
      api: "service",
      orders: "service",
      postgres: "database",
      mailer: "service",
    });
  });

  test("virtual_node names the virtual side when the label is on", () => {
    expect(kinds([edge("lb", "api", { type: "virtual_node", virtual: "client" }), edge("api", "stripe", { type: "virtual_node", virtual: "server" })])).toEqual({
      lb: "virtual",
      api: "service",
      stripe: "virtual",
    });
  });

  test("without the label: the root client `user` is virtual, otherwise the server is (seen only from its client)", () => {
    expect(kinds([edge("user", "web", { type: "virtual_node" }), edge("web", "external-api", { type: "virtual_node" })])).toEqual({
      user: "virtual",
      web: "service",
      "external-api": "virtual",
    });
  });

  test("a node in an ordinary edge is a service even if a virtual edge names it", () => {
    expect(kinds([edge("a", "b", { type: "virtual_node", virtual: "server" }), edge("b", "c")])).toEqual({ a: "service", b: "service", c: "service" });
  });

  test("a node's figures are its incoming edges': rates summed, error ratio weighted by rate (by totals in a quiet window)", () => {
    const nodes = graphNodes([edge("a", "c", { rate: 3, errorRatio: 0, requests: 30 }), edge("b", "c", { rate: 1, errorRatio: 1, requests: 90 }), edge("x", "y", { rate: 0, requests: 4, errorRatio: 0.5 })]);
    const c = nodes.find((n) => n.id === "c");
    expect(c).toEqual({ id: "c", kind: "service", rate: 4, requests: 120, errorRatio: 0.25 });
    expect(nodes.find((n) => n.id === "y")?.errorRatio).toBe(0.5);
    expect(nodes.find((n) => n.id === "a")).toEqual({ id: "a", kind: "service", rate: null, requests: 0, errorRatio: null });
  });
});
