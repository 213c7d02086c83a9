import type { KeyWords } from "./edge-key.ts";

/** How two services are connected (spec §5.2); "" is a plain client→server edge. */
export type ConnectionType = "" | "messaging_system" | "database" | "virtual_node";

/** Every connection type, by the number checkpoints and the edge store keep for it. */
export const CONNECTION_TYPES: readonly ConnectionType[] = ["", "messaging_system", "database", "virtual_node"];

/**
 * One pending request between two services, assembled from a client and a
 * server span that share a key (spec §5.2). Fields are written by whichever
 * side arrives; for SpanKind and the multiplier the last writer wins. The key
 * words double as the exemplar trace id: an edge is only emitted once its
 * client or its root server span was seen, and both carry that trace.
 */
export class Edge implements KeyWords {
  k0 = 0;
  k1 = 0;
  k2 = 0;
  k3 = 0;
  k4 = 0;
  k5 = 0;
  clientService = "";
  serverService = "";
  clientLatency = 0;
  serverLatency = 0;
  /** the producer's end and the consumer's start as uint64 words (messaging latency is their exact gap) */
  clientEndLo = 0;
  clientEndHi = 0;
  serverStartLo = 0;
  serverStartHi = 0;
  failed = false;
  connectionType: ConnectionType = "";
  spanKind = 0;
  multiplier = 1;
  /** first peer attribute found on a span (either side, last writer wins) */
  peerNode = "";
  /** the server span had no parent: the edge can become `user → service` */
  serverIsRoot = false;
  /** dimension values by label position, when dimensions are configured */
  dims: (string | undefined)[] | null = null;
  /** expiry in whole Unix seconds (creation + wait, never extended) */
  expiresAtSec = 0;
  /** Back to a new edge's state (the processor reuses one Edge as its working copy). */
  reset(): void {
    this.k0 = this.k1 = this.k2 = this.k3 = this.k4 = this.k5 = 0;
    this.clientService = this.serverService = this.peerNode = "";
    this.clientLatency = this.serverLatency = 0;
    this.clientEndLo = this.clientEndHi = this.serverStartLo = this.serverStartHi = 0;
    this.failed = this.serverIsRoot = false;
    this.connectionType = "";
    this.spanKind = 0;
    this.multiplier = 1;
    this.dims = null;
    this.expiresAtSec = 0;
  }

  get complete(): boolean {
    return this.clientService !== "" && this.serverService !== "";
  }
}
