/** What graphNodes needs of an edge. */
interface EdgeLike {
  client: string;
  server: string;
  connectionType: string;
  virtualNode: string;
  rate: number | null;
  requests: number;
  errorRatio: number | null;
}

/** A node of the service graph: a service, a database, or a virtual node Tempo inferred for a missing side. */
export interface NodeView {
  id: string;
  kind: "service" | "database" | "virtual";
  /** requests per second into the node (null before there is a window) */
  rate: number | null;
  /** requests into the node since their series were created */
  requests: number;
  /**
   * failed share of the requests into the node: the incoming edges' ratios
   * weighted by their rates, or by their totals when the window is quiet
   */
  errorRatio: number | null;
}

/**
 * The nodes of the edges, with their kind. A database edge's server is a
 * database. A virtual edge (connection_type="virtual_node") has one side
 * Tempo never saw: the `virtual_node` label names it when
 * enable_virtual_node_label is on; without the label, the "user" client of a
 * root span is the virtual side, and otherwise the server (a peer seen only
 * from its client). A node that also takes part in an ordinary edge is a
 * service whatever its virtual edges say.
 */
export function graphNodes(edges: readonly EdgeLike[]): NodeView[] {
  const kinds = new Map<string, NodeView["kind"]>();
  const real = new Set<string>();
  const incoming = new Map<string, { rate: number | null; requests: number; failedRate: number; failed: number }>();
  const note = (id: string, kind: NodeView["kind"]) => {
    const k = kinds.get(id);
    if (k === undefined || (k === "virtual" && kind !== "virtual") || (k === "service" && kind === "database")) kinds.set(id, kind);
  };
  for (const e of edges) {
    if (e.connectionType === "virtual_node") {
      const virtualSide = e.virtualNode === "client" || (e.virtualNode === "" && e.client === "user") ? "client" : "server";
      note(e.client, virtualSide === "client" ? "virtual" : "service");
      note(e.server, virtualSide === "server" ? "virtual" : "service");
    } else {
      real.add(e.client);
      real.add(e.server);
      note(e.client, "service");
      note(e.server, e.connectionType === "database" ? "database" : "service");
    }
    const into = incoming.get(e.server) ?? { rate: null, requests: 0, failedRate: 0, failed: 0 };
    if (e.rate !== null) into.rate = (into.rate ?? 0) + e.rate;
    into.requests += e.requests;
    into.failedRate += (e.rate ?? 0) * (e.errorRatio ?? 0);
    into.failed += e.requests * (e.errorRatio ?? 0);
    incoming.set(e.server, into);
  }
  const out: NodeView[] = [];
  for (const [id, k] of kinds) {
    const kind = k === "virtual" && real.has(id) ? "service" : k;
    const into = incoming.get(id);
    out.push({
      id,
      kind,
      rate: into?.rate ?? null,
      requests: into?.requests ?? 0,
      errorRatio: into === undefined ? null : errorRatio(into),
    });
  }
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

function errorRatio(into: { rate: number | null; requests: number; failedRate: number; failed: number }): number | null {
  if (into.rate !== null && into.rate > 0) return into.failedRate / into.rate;
  return into.requests > 0 ? into.failed / into.requests : null;
}
