/** How two services are connected (spec §5.2); "" is a plain client→server edge. */
export type ConnectionType = "" | "messaging_system" | "database" | "virtual_node";

/**
 * One pending request between two services, assembled from a client and a
 * server span that share a key (spec §5.2). Fields are written by whichever
 * side arrives; for SpanKind and the multiplier the last writer wins.
 */
export class Edge {
  readonly traceId = new Uint8Array(16);
  clientService = "";
  serverService = "";
  clientLatency = 0;
  serverLatency = 0;
  clientEndNs = 0;
  serverStartNs = 0;
  failed = false;
  connectionType: ConnectionType = "";
  spanKind = 0;
  multiplier = 1;
  /** first peer attribute found on a span (either side, last writer wins) */
  peerNode = "";
  /** the server span had no parent: the edge can become `user → service` */
  serverIsRoot = false;
  /** dimension values by label position (undefined = not written by any side) */
  readonly dims: (string | undefined)[];
  /** expiry in whole Unix seconds (creation + wait, never extended) */
  expiresAtSec = 0;

  constructor(
    readonly key: string,
    dimCount: number,
  ) {
    this.dims = new Array(dimCount);
  }

  get complete(): boolean {
    return this.clientService !== "" && this.serverService !== "";
  }
}

/** The edge key: 16 trace-id bytes + 8 span-id bytes as a latin1 string (the side is not part of it). */
export function edgeKey(traceIds: Uint8Array, traceOffset: number, spanIds: Uint8Array, spanOffset: number): string {
  let k = "";
  for (let i = 0; i < 16; i++) k += String.fromCharCode(traceIds[traceOffset + i]);
  for (let i = 0; i < 8; i++) k += String.fromCharCode(spanIds[spanOffset + i]);
  return k;
}
