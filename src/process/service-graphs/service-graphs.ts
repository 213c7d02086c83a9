import type { ServiceGraphsConfig } from "../../config/types.ts";
import { type AttributeProjection, AttrKind, type ResourceBlock, type SpanBatch, SpanKind, SpanMark, StatusCode } from "../../decode/span-batch.ts";
import type { HistogramMode, Registry } from "../../registry/registry.ts";
import { lookupExists, lookupString, resourceString, spanKindName, spanString } from "../attribute-value.ts";
import { SpanFilter } from "../filter-policy.ts";
import type { Processor, TenantStats } from "../processor.ts";
import { SpanMultiplier } from "../span-multiplier.ts";
import { Edge } from "./edge.ts";
import { EdgeKey } from "./edge-key.ts";
import { EdgeLabels } from "./edge-labels.ts";
import { EdgeMetrics, type ServiceGraphParts } from "./edge-metrics.ts";
import { EdgeStore } from "./edge-store.ts";
import { FilteredSides } from "./filtered-sides.ts";
import { readEdges, writeEdges } from "./edge-snapshot.ts";
import type { BinReader, BinWriter } from "../../util/bin-codec.ts";

/**
 * Service graphs (spec §5): pairs client/producer spans with server/consumer
 * spans by (trace id, span id) = (trace id, parent span id), emits each
 * completed edge at once, and on expiry turns half edges into virtual nodes.
 */
export class ServiceGraphsProcessor implements Processor {
  readonly name = "service-graphs";
  private readonly labels: EdgeLabels;
  private store: EdgeStore;
  private filtered: FilteredSides;
  private readonly filter: SpanFilter;
  private readonly multiplier: SpanMultiplier;
  private readonly metrics: EdgeMetrics;
  private readonly serviceSlot: number;
  private readonly peerSlots: number[];
  private readonly dbSlots: number[];
  private readonly serverNameSlots: { peerService: number; serverAddress: number; peerAddress: number; peerPort: number };
  private readonly key = new EdgeKey();
  /** the edge being worked on: a new one, or a pending one loaded from the store */
  private readonly edge = new Edge();
  /** int32 views of the id columns of the batch being pushed */
  private trace32: Int32Array = new Int32Array(0);
  private span32: Int32Array = new Int32Array(0);
  private parent32: Int32Array = new Int32Array(0);

  constructor(
    cfg: ServiceGraphsConfig,
    parts: ServiceGraphParts,
    registry: Registry,
    projection: AttributeProjection,
    private readonly stats: TenantStats,
    /** generate_native_histograms (spec §8.4) */
    histogramMode: HistogramMode = "classic",
  ) {
    this.labels = new EdgeLabels(cfg, projection);
    this.store = new EdgeStore(cfg.wait_ms, cfg.max_items);
    this.filtered = new FilteredSides(cfg.wait_ms, cfg.max_items);
    this.filter = new SpanFilter(cfg.filter_policies, projection);
    this.multiplier = new SpanMultiplier(cfg, projection);
    this.metrics = new EdgeMetrics(cfg, parts, registry, this.labels, stats, histogramMode);
    this.serviceSlot = projection.slot("service.name");
    this.peerSlots = cfg.peer_attributes.map((a) => projection.slot(a));
    this.dbSlots = cfg.database_name_attributes.map((a) => projection.slot(a));
    this.serverNameSlots = {
      peerService: projection.slot("peer.service"),
      serverAddress: projection.slot("server.address"),
      peerAddress: projection.slot("network.peer.address"),
      peerPort: projection.slot("network.peer.port"),
    };
  }

  push(batch: SpanBatch, now: number): void {
    this.trace32 = int32View(batch.traceIds);
    this.span32 = int32View(batch.spanIds);
    this.parent32 = int32View(batch.parentSpanIds);
    for (const block of batch.resources) {
      // A resource without service.name is ignored entirely (spec §5.1).
      if (block.slotKinds[this.serviceSlot] === AttrKind.None) continue;
      const service = resourceString(block, this.serviceSlot);
      for (let i = block.spanStart; i < block.spanEnd; i++) {
        if ((batch.marks[i] & SpanMark.OutsideSlack) !== 0) continue;
        const kind = batch.kinds[i];
        const isClient = kind === SpanKind.Client || kind === SpanKind.Producer;
        if (!isClient && kind !== SpanKind.Server && kind !== SpanKind.Consumer) continue;
        this.pushSpan(batch, block, i, isClient, service, now);
      }
    }
    this.stats.serviceGraphs.pendingEdges = this.store.size;
  }

  private pushSpan(batch: SpanBatch, block: ResourceBlock, i: number, isClient: boolean, service: string, now: number): void {
    const hasParent = batch.hasParent[i] === 1;
    const key = this.key;
    if (isClient) key.load(this.trace32, i * 4, this.span32, i * 2);
    else if (hasParent) key.load(this.trace32, i * 4, this.parent32, i * 2);
    else key.loadRoot(this.trace32, i * 4);
    const sg = this.stats.serviceGraphs;
    if (!this.filter.empty) {
      if (!this.filter.keep(batch, block, i)) {
        this.stats.discard("service_graphs_filtered", this.name);
        if (isClient || hasParent) {
          if (!this.filtered.mark(key.text(), isClient, now)) sg.sideCacheOverflow++;
          const pending = this.store.find(key, this.edge);
          if (pending >= 0) {
            this.store.remove(pending);
            sg.droppedEdges++;
          }
        }
        return;
      }
      if (this.filtered.has(key.text(), !isClient)) {
        sg.droppedEdges++;
        return;
      }
    }
    const edge = this.edge;
    const slot = this.store.find(key, edge);
    const isNew = slot < 0;
    if (isNew) {
      edge.reset();
      key.copyTo(edge);
      if (this.labels.dimCount > 0) edge.dims = new Array(this.labels.names.length);
    }
    if (isClient) this.applyClient(edge, batch, block, i, service);
    else this.applyServer(edge, batch, block, i, service, hasParent);
    edge.spanKind = batch.kinds[i];
    edge.multiplier = this.multiplier.of(batch, block, i);
    if (batch.statusCodes[i] === StatusCode.Error) edge.failed = true;

    if (edge.complete) {
      if (isNew) sg.edges++;
      else this.store.remove(slot);
      this.metrics.emit(edge, now, "");
      return;
    }
    if (!isNew) {
      this.store.save(slot, edge);
      return;
    }
    if (this.store.full) {
      sg.droppedSpans++;
      return;
    }
    sg.edges++;
    this.store.add(edge, now);
  }

  private applyClient(e: Edge, batch: SpanBatch, block: ResourceBlock, i: number, service: string): void {
    e.clientService = service;
    e.clientLatency = batch.durations[i];
    e.clientEndLo = batch.endTimes[i * 2];
    e.clientEndHi = batch.endTimes[i * 2 + 1];
    this.applyCommon(e, batch, block, i, this.labels.clientPos);
    if (batch.kinds[i] === SpanKind.Producer && e.connectionType !== "database") e.connectionType = "messaging_system";
    // A database call completes from the client span alone (spec §5.3).
    for (const slot of this.dbSlots) {
      if (!lookupExists(batch, block, i, slot)) continue;
      e.connectionType = "database";
      e.serverLatency = e.clientLatency;
      e.serverService = this.databaseName(batch, block, i, lookupString(batch, block, i, slot));
      break;
    }
  }

  private applyServer(e: Edge, batch: SpanBatch, block: ResourceBlock, i: number, service: string, hasParent: boolean): void {
    e.serverService = service;
    e.serverLatency = batch.durations[i];
    e.serverStartLo = batch.startTimes[i * 2];
    e.serverStartHi = batch.startTimes[i * 2 + 1];
    this.applyCommon(e, batch, block, i, this.labels.serverPos);
    if (batch.kinds[i] === SpanKind.Consumer && e.connectionType !== "database") e.connectionType = "messaging_system";
    if (!hasParent) e.serverIsRoot = true;
  }

  /** Peer node candidate (span attributes only) and the dimensions this side writes. */
  private applyCommon(e: Edge, batch: SpanBatch, block: ResourceBlock, i: number, positions: number[]): void {
    // The first peer attribute present wins even when its value is empty: Tempo stops there.
    for (const slot of this.peerSlots) {
      if (batch.attrKinds[i * batch.slotCount + slot] !== AttrKind.None) {
        e.peerNode = spanString(batch, i, slot);
        break;
      }
    }
    const dims = e.dims;
    if (dims === null) return;
    const slots = this.labels.dimSlots;
    for (let d = 0; d < slots.length; d++) {
      if (lookupExists(batch, block, i, slots[d])) dims[positions[d]] = lookupString(batch, block, i, slots[d]);
    }
    const vn = this.labels.virtualNodeSlot;
    if (vn >= 0 && lookupExists(batch, block, i, vn)) dims[this.labels.virtualNodePos] = lookupString(batch, block, i, vn);
  }

  /** The database "server": peer.service, server.address, network.peer.address[:port], else the db name. */
  private databaseName(batch: SpanBatch, block: ResourceBlock, i: number, fallback: string): string {
    const s = this.serverNameSlots;
    if (lookupExists(batch, block, i, s.peerService)) return lookupString(batch, block, i, s.peerService);
    if (lookupExists(batch, block, i, s.serverAddress)) return lookupString(batch, block, i, s.serverAddress);
    if (lookupExists(batch, block, i, s.peerAddress)) {
      const addr = lookupString(batch, block, i, s.peerAddress);
      return lookupExists(batch, block, i, s.peerPort) ? `${addr}:${lookupString(batch, block, i, s.peerPort)}` : addr;
    }
    return fallback;
  }

  tick(now: number): void {
    this.filtered.expire(now);
    this.store.expire(now, this.edge, (e) => this.onExpire(e, now));
    this.stats.serviceGraphs.pendingEdges = this.store.size;
  }

  /** Expiry (spec §5.4): a lone root server span becomes user → service; a lone client with a peer becomes client → peer. */
  private onExpire(e: Edge, now: number): void {
    e.connectionType = "virtual_node";
    if (e.clientService === "" && e.serverIsRoot) {
      e.clientService = e.peerNode !== "" ? e.peerNode : "user";
      this.metrics.emit(e, now, "client");
    } else if (e.serverService === "" && e.peerNode !== "") {
      e.serverService = e.peerNode;
      this.metrics.emit(e, now, "server");
    } else {
      const kind = spanKindName(e.spanKind);
      const m = this.stats.serviceGraphs.expiredEdges;
      m.set(kind, (m.get(kind) ?? 0) + 1);
    }
  }

  /**
   * Keeps the pending edges of the processor this one replaces (Tempo throws
   * them away, spec §15.14). Dimension values move by label name; a
   * dimension new to the list is absent on edges that were already pending.
   */
  adopt(previous: Processor): void {
    if (!(previous instanceof ServiceGraphsProcessor)) return;
    this.store = previous.store;
    this.filtered = previous.filtered;
    const from = previous.labels.names;
    const to = this.labels.names;
    if (from.join("\u0000") !== to.join("\u0000")) {
      const at = to.map((n) => from.indexOf(n));
      const none = this.labels.dimCount === 0;
      this.store.mapDims((old) => {
        if (none) return null;
        const dims: (string | undefined)[] = new Array(to.length);
        if (old !== null) for (let p = 0; p < to.length; p++) if (at[p] >= 0) dims[p] = old[at[p]];
        return dims;
      });
    }
    this.stats.serviceGraphs.pendingEdges = this.store.size;
  }

  /** Pending edges and filtered-side markers for a checkpoint. */
  snapshot(w: BinWriter): void {
    writeEdges(w, this.labels.names, this.store, this.filtered);
  }

  restore(r: BinReader): number {
    const n = readEdges(r, this.labels.names, this.store, this.filtered);
    this.stats.serviceGraphs.pendingEdges = this.store.size;
    return n;
  }
}

/** An Int32Array over an id column (columns are allocated whole, so offsets are aligned). */
function int32View(bytes: Uint8Array): Int32Array {
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}
