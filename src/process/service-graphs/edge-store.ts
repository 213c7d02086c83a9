import { CONNECTION_TYPES, type Edge } from "./edge.ts";
import type { KeyWords } from "./edge-key.ts";
import { EdgeIndex } from "./edge-index.ts";

/** small: every tenant's service-graph processor starts with a store, most stay small */
const MIN_CAPACITY = 64;
const FAILED = 1 << 2;
const SERVER_IS_ROOT = 1 << 3;

/**
 * Pending edges (spec §5.2), packed column by column: at a few hundred
 * thousand spans per second the store holds ~100 k edges (mostly root server
 * spans waiting out `wait` to become user → service). As objects in a Map
 * they took ~270 bytes of heap each (~305 of RSS); in columns ~140 (~200),
 * growth headroom included, and the collector traces a few arrays instead of
 * 100 k objects.
 *
 * An Edge is the working copy: `find` loads a pending edge into one, `save`
 * writes an updated one back, `add` stores a new one. Edges are listed in
 * insertion order, which is expiry order (creation + wait in whole seconds,
 * never extended), so expiring walks from the head and stops at the first
 * live edge. Completed edges are removed at once. A full store refuses new
 * edges instead of evicting. Keys are found through an EdgeIndex.
 */
export class EdgeStore {
  private capacity = 0;
  private count = 0;
  /** slots handed out so far since the last resize; below it, freed slots are on `free` */
  private used = 0;
  private free = new Int32Array(0);
  private freeTop = 0;
  private keys = new Int32Array(0);
  private latencies = new Float64Array(0);
  /** clientEndLo, clientEndHi, serverStartLo, serverStartHi */
  private times = new Uint32Array(0);
  private multipliers = new Float64Array(0);
  private expires = new Float64Array(0);
  /** connection type index | FAILED | SERVER_IS_ROOT */
  private flags = new Uint8Array(0);
  private spanKinds = new Uint8Array(0);
  private clients: string[] = [];
  private servers: string[] = [];
  private peers: string[] = [];
  private dims: ((string | undefined)[] | null)[] = [];
  /** the insertion-order list: slot numbers, -1 at the ends */
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private head = -1;
  private tail = -1;
  private index = new EdgeIndex(0);

  constructor(
    private readonly waitMs: number,
    private readonly maxItems: number,
  ) {
    this.resize(MIN_CAPACITY);
  }

  get size(): number {
    return this.count;
  }

  /** slots the columns hold now (they grow by doubling and shrink after a burst) */
  get slots(): number {
    return this.capacity;
  }

  get full(): boolean {
    return this.count >= this.maxItems;
  }

  /** Loads the edge pending under `key` into `into`; returns its slot, or -1 (then `into` is untouched). */
  find(key: KeyWords, into: Edge): number {
    const slot = this.index.find(this.keys, key);
    if (slot >= 0) this.load(slot, into);
    return slot;
  }

  /** Adds a new pending edge under its own key words, stamping its expiry. */
  add(e: Edge, nowMs: number): void {
    e.expiresAtSec = Math.floor((nowMs + this.waitMs) / 1000);
    this.insert(e, false);
  }

  /** Puts back an edge from a checkpoint, keeping its expiry (and expiry order). */
  restore(e: Edge): void {
    this.insert(e, true);
  }

  /** Removes the edge in `slot` (completed, or dropped because its other side was filtered). */
  remove(slot: number): void {
    this.index.remove(this.keys, slot);
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    // the strings and dims go now, not when the slot is reused
    this.clients[slot] = this.servers[slot] = this.peers[slot] = "";
    this.dims[slot] = null;
    this.free[this.freeTop++] = slot;
    this.count--;
  }

  /** Every pending edge in expiry order, each loaded into `into` (checkpoints; read it before the next). */
  *edges(into: Edge): IterableIterator<Edge> {
    for (let s = this.head; s >= 0; s = this.next[s]) {
      this.load(s, into);
      yield into;
    }
  }

  /** Replaces every pending edge's dimension values (a processor rebuilt with other dimensions). */
  mapDims(f: (dims: (string | undefined)[] | null) => (string | undefined)[] | null): void {
    for (let s = this.head; s >= 0; s = this.next[s]) this.dims[s] = f(this.dims[s]);
  }

  /** Hands every edge whose expiry has passed to `onExpire` (loaded into `into`), oldest first. */
  expire(nowMs: number, into: Edge, onExpire: (edge: Edge) => void): void {
    const nowSec = Math.floor(nowMs / 1000);
    while (this.head >= 0 && this.expires[this.head] <= nowSec) {
      const s = this.head;
      this.load(s, into);
      this.remove(s);
      onExpire(into);
    }
    // give memory back after a burst
    if (this.capacity > MIN_CAPACITY && this.count < this.capacity >> 2) this.resize(this.capacity >> 1);
  }

  private insert(e: Edge, ordered: boolean): void {
    if (this.count === this.capacity) this.resize(this.capacity * 2);
    const s = this.freeTop > 0 ? this.free[--this.freeTop] : this.used++;
    this.save(s, e);
    const k = this.keys;
    k[s * 6] = e.k0;
    k[s * 6 + 1] = e.k1;
    k[s * 6 + 2] = e.k2;
    k[s * 6 + 3] = e.k3;
    k[s * 6 + 4] = e.k4;
    k[s * 6 + 5] = e.k5;
    this.expires[s] = e.expiresAtSec;
    // after the last edge that expires no later (always the tail for a live add)
    let after = this.tail;
    if (ordered) while (after >= 0 && this.expires[after] > e.expiresAtSec) after = this.prev[after];
    const before = after >= 0 ? this.next[after] : this.head;
    this.prev[s] = after;
    this.next[s] = before;
    if (after >= 0) this.next[after] = s;
    else this.head = s;
    if (before >= 0) this.prev[before] = s;
    else this.tail = s;
    this.count++;
    this.index.add(this.keys, s);
  }

  /** Writes an edge's fields into slot `s` (an update keeps the slot's key and expiry). */
  save(s: number, e: Edge): void {
    this.latencies[s * 2] = e.clientLatency;
    this.latencies[s * 2 + 1] = e.serverLatency;
    const t = this.times;
    t[s * 4] = e.clientEndLo;
    t[s * 4 + 1] = e.clientEndHi;
    t[s * 4 + 2] = e.serverStartLo;
    t[s * 4 + 3] = e.serverStartHi;
    this.multipliers[s] = e.multiplier;
    this.flags[s] = CONNECTION_TYPES.indexOf(e.connectionType) | (e.failed ? FAILED : 0) | (e.serverIsRoot ? SERVER_IS_ROOT : 0);
    this.spanKinds[s] = e.spanKind;
    this.clients[s] = e.clientService;
    this.servers[s] = e.serverService;
    this.peers[s] = e.peerNode;
    this.dims[s] = e.dims;
  }

  private load(s: number, e: Edge): void {
    const k = this.keys;
    e.k0 = k[s * 6];
    e.k1 = k[s * 6 + 1];
    e.k2 = k[s * 6 + 2];
    e.k3 = k[s * 6 + 3];
    e.k4 = k[s * 6 + 4];
    e.k5 = k[s * 6 + 5];
    e.clientLatency = this.latencies[s * 2];
    e.serverLatency = this.latencies[s * 2 + 1];
    const t = this.times;
    e.clientEndLo = t[s * 4];
    e.clientEndHi = t[s * 4 + 1];
    e.serverStartLo = t[s * 4 + 2];
    e.serverStartHi = t[s * 4 + 3];
    e.multiplier = this.multipliers[s];
    const f = this.flags[s];
    e.connectionType = CONNECTION_TYPES[f & 3];
    e.failed = (f & FAILED) !== 0;
    e.serverIsRoot = (f & SERVER_IS_ROOT) !== 0;
    e.spanKind = this.spanKinds[s];
    e.clientService = this.clients[s];
    e.serverService = this.servers[s];
    e.peerNode = this.peers[s];
    e.dims = this.dims[s];
    e.expiresAtSec = this.expires[s];
  }

  /** New columns of `capacity` slots, the pending edges copied in expiry order into slots 0…count-1. */
  private resize(capacity: number): void {
    const o = { keys: this.keys, latencies: this.latencies, times: this.times, multipliers: this.multipliers, expires: this.expires, flags: this.flags, spanKinds: this.spanKinds };
    const { clients, servers, peers, dims, next } = this;
    let s = this.head;
    this.capacity = capacity;
    this.keys = new Int32Array(capacity * 6);
    this.latencies = new Float64Array(capacity * 2);
    this.times = new Uint32Array(capacity * 4);
    this.multipliers = new Float64Array(capacity);
    this.expires = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.spanKinds = new Uint8Array(capacity);
    this.clients = new Array<string>(capacity).fill("");
    this.servers = new Array<string>(capacity).fill("");
    this.peers = new Array<string>(capacity).fill("");
    this.dims = new Array<(string | undefined)[] | null>(capacity).fill(null);
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    this.index = new EdgeIndex(capacity * 2);
    this.freeTop = 0;
    let i = 0;
    for (; s >= 0; s = next[s], i++) {
      this.keys.set(o.keys.subarray(s * 6, s * 6 + 6), i * 6);
      this.latencies.set(o.latencies.subarray(s * 2, s * 2 + 2), i * 2);
      this.times.set(o.times.subarray(s * 4, s * 4 + 4), i * 4);
      this.multipliers[i] = o.multipliers[s];
      this.expires[i] = o.expires[s];
      this.flags[i] = o.flags[s];
      this.spanKinds[i] = o.spanKinds[s];
      this.clients[i] = clients[s];
      this.servers[i] = servers[s];
      this.peers[i] = peers[s];
      this.dims[i] = dims[s];
      this.prev[i] = i - 1;
      this.next[i] = -1;
      if (i > 0) this.next[i - 1] = i;
      this.index.add(this.keys, i);
    }
    this.count = this.used = i;
    this.head = i > 0 ? 0 : -1;
    this.tail = i - 1;
  }
}
