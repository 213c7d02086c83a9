import { type BinReader, type BinWriter, CodecError } from "../../util/bin-codec.ts";
import { CONNECTION_TYPES, Edge } from "./edge.ts";
import type { EdgeStore } from "./edge-store.ts";
import type { FilteredSides } from "./filtered-sides.ts";

/**
 * Pending service-graph edges and filtered-side markers for a checkpoint, so
 * a restart (or a Kafka replay from the checkpoint's offsets) pairs a server
 * span with a client span seen before it. The label layout is written first:
 * edges collected under another dimension list cannot be emitted as they are.
 */
export function writeEdges(w: BinWriter, labelNames: readonly string[], store: EdgeStore, filtered: FilteredSides): void {
  w.uint(labelNames.length);
  for (const n of labelNames) w.str(n);
  w.uint(store.size);
  for (const e of store.edges(new Edge())) {
    for (const k of [e.k0, e.k1, e.k2, e.k3, e.k4, e.k5]) w.uint(k >>> 0);
    w.str(e.clientService);
    w.str(e.serverService);
    w.f64(e.clientLatency);
    w.f64(e.serverLatency);
    w.uint(e.clientEndLo);
    w.uint(e.clientEndHi);
    w.uint(e.serverStartLo);
    w.uint(e.serverStartHi);
    w.bool(e.failed);
    w.uint(CONNECTION_TYPES.indexOf(e.connectionType));
    w.uint(e.spanKind);
    w.f64(e.multiplier);
    w.str(e.peerNode);
    w.bool(e.serverIsRoot);
    w.uint(e.expiresAtSec);
    w.bool(e.dims !== null);
    if (e.dims !== null) {
      for (let p = 0; p < labelNames.length; p++) {
        const v = e.dims[p];
        w.bool(v !== undefined);
        if (v !== undefined) w.str(v);
      }
    }
  }
  let markers = 0;
  for (const _ of filtered.entries()) markers++;
  w.uint(markers);
  for (const [key, exp] of filtered.entries()) {
    w.str(key);
    w.uint(exp);
  }
}

/** Restores what writeEdges wrote; throws CodecError when the label layout differs. Returns the edges restored. */
export function readEdges(r: BinReader, labelNames: readonly string[], store: EdgeStore, filtered: FilteredSides): number {
  const n = r.count();
  const names: string[] = [];
  for (let i = 0; i < n; i++) names.push(r.str());
  if (names.join("\u0000") !== labelNames.join("\u0000")) throw new CodecError("the service-graph labels changed since the checkpoint");
  const pending = new Edge();
  const edges = r.count();
  for (let i = 0; i < edges; i++) {
    const e = new Edge();
    e.k0 = r.uint() | 0;
    e.k1 = r.uint() | 0;
    e.k2 = r.uint() | 0;
    e.k3 = r.uint() | 0;
    e.k4 = r.uint() | 0;
    e.k5 = r.uint() | 0;
    e.clientService = r.str();
    e.serverService = r.str();
    e.clientLatency = r.f64();
    e.serverLatency = r.f64();
    e.clientEndLo = r.uint();
    e.clientEndHi = r.uint();
    e.serverStartLo = r.uint();
    e.serverStartHi = r.uint();
    e.failed = r.bool();
    e.connectionType = CONNECTION_TYPES[r.uint()] ?? "";
    e.spanKind = r.uint();
    e.multiplier = r.f64();
    e.peerNode = r.str();
    e.serverIsRoot = r.bool();
    e.expiresAtSec = r.uint();
    if (r.bool()) {
      e.dims = new Array(labelNames.length);
      for (let p = 0; p < labelNames.length; p++) if (r.bool()) e.dims[p] = r.str();
    }
    if (store.find(e, pending) < 0) store.restore(e);
  }
  const markers = r.count();
  for (let i = 0; i < markers; i++) filtered.restore(r.str(), r.uint());
  return edges;
}
