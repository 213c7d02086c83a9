import { describe, expect, test } from "bun:test";
import { Edge } from "../../../src/process/service-graphs/edge.ts";
import { EdgeStore } from "../../../src/process/service-graphs/edge-store.ts";
import { rng } from "../../support/random-otlp.ts";

const WAIT_MS = 10_000;

function edge(words: number[], fill: Partial<Edge> = {}): Edge {
  const e = new Edge();
  [e.k0, e.k1, e.k2, e.k3, e.k4, e.k5] = words;
  return Object.assign(e, fill);
}

/** Every field an Edge carries, as plain data. */
function fields(e: Edge) {
  const { k0, k1, k2, k3, k4, k5, clientService, serverService, clientLatency, serverLatency, clientEndLo, clientEndHi, serverStartLo, serverStartHi, failed, connectionType, spanKind, multiplier, peerNode, serverIsRoot, expiresAtSec } = e;
  return { k0, k1, k2, k3, k4, k5, clientService, serverService, clientLatency, serverLatency, clientEndLo, clientEndHi, serverStartLo, serverStartHi, failed, connectionType, spanKind, multiplier, peerNode, serverIsRoot, expiresAtSec, dims: e.dims === null ? null : [...e.dims] };
}

/** `pick` of each pending edge, in the store's order (edges() hands out one reused Edge). */
function listed<T>(store: EdgeStore, pick: (e: Edge) => T): T[] {
  const out: T[] = [];
  for (const e of store.edges(new Edge())) out.push(pick(e));
  return out;
}

const randomWords = (next: () => number) => Array.from({ length: 6 }, () => (next() * 2 ** 32) | 0);

describe("the packed edge store", () => {
  test("keeps every field of an edge, and an update written back", () => {
    const store = new EdgeStore(WAIT_MS, 100);
    const e = edge([-1, 2 ** 31 - 1, -(2 ** 31), 7, 0, -5], {
      clientService: "checkout",
      clientLatency: 0.125,
      clientEndLo: 0xffffffff,
      clientEndHi: 0x1234abcd,
      failed: true,
      connectionType: "messaging_system",
      spanKind: 4,
      multiplier: 2.5,
      peerNode: "kafka",
      dims: ["a", undefined, "c"],
    });
    store.add(e, 1_700_000_000_500);
    expect(e.expiresAtSec).toBe(1_700_000_010);
    const loaded = new Edge();
    const slot = store.find(e, loaded);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(fields(loaded)).toEqual(fields(e));

    loaded.serverService = "cart";
    loaded.serverLatency = 0.5;
    loaded.serverStartLo = 1;
    loaded.serverStartHi = 0x80000000;
    loaded.serverIsRoot = true;
    loaded.connectionType = "database";
    store.save(slot, loaded);
    const again = new Edge();
    expect(store.find(e, again)).toBe(slot);
    expect(fields(again)).toEqual(fields(loaded));
    expect(store.find(edge([-1, 2 ** 31 - 1, -(2 ** 31), 7, 0, -4]), again)).toBe(-1);
  });

  test("agrees with a Map through growth, removals and expiry, and expires in insertion order", () => {
    const next = rng(7);
    const store = new EdgeStore(WAIT_MS, 1_000_000);
    const model = new Map<string, { words: number[]; service: string; expires: number }>();
    const order: string[] = [];
    const probe = new Edge();
    let now = 1_000_000;
    let most = 0;
    for (let step = 0; step < 30_000; step++) {
      most = Math.max(most, store.slots);
      now += Math.floor(next() * 3);
      const r = next();
      if (r < 0.6 || model.size === 0) {
        const words = randomWords(next);
        // a few keys share all but one word, and some share the trace id: near misses for the index
        if (next() < 0.2 && order.length > 0) {
          const base = model.get(order[Math.floor(next() * order.length)]);
          if (base !== undefined) words.splice(0, 5, ...base.words.slice(0, 5));
        }
        const id = words.join();
        if (model.has(id)) continue;
        store.add(edge(words, { clientService: `s${step}` }), now);
        model.set(id, { words, service: `s${step}`, expires: Math.floor((now + WAIT_MS) / 1000) });
        order.push(id);
      } else if (r < 0.9) {
        const id = order[Math.floor(next() * order.length)];
        const m = model.get(id);
        if (m === undefined) continue;
        const slot = store.find(edge(m.words), probe);
        expect(slot).toBeGreaterThanOrEqual(0);
        expect(probe.clientService).toBe(m.service);
        store.remove(slot);
        model.delete(id);
      } else {
        const expired: string[] = [];
        store.expire(now, probe, (e) => expired.push([e.k0, e.k1, e.k2, e.k3, e.k4, e.k5].join()));
        const due = order.filter((id) => {
          const m = model.get(id);
          return m !== undefined && m.expires <= Math.floor(now / 1000);
        });
        expect(expired).toEqual(due);
        for (const id of expired) model.delete(id);
      }
      if (step % 1000 === 0) {
        expect(store.size).toBe(model.size);
        for (const m of model.values()) {
          expect(store.find(edge(m.words), probe)).toBeGreaterThanOrEqual(0);
          expect(probe.clientService).toBe(m.service);
        }
      }
    }
    expect(store.size).toBe(model.size);
    expect(most).toBeGreaterThanOrEqual(4096);
    // everything expires in the end, and the store shrinks back without losing an edge
    const left: string[] = [];
    store.expire(now + 86_400_000, probe, (e) => left.push(e.clientService));
    expect(left.length).toBe(model.size);
    expect(store.size).toBe(0);
    expect(store.slots).toBeLessThan(most);
  });

  test("a checkpoint's edges go back in expiry order, whatever order they come in", () => {
    const store = new EdgeStore(WAIT_MS, 100);
    for (const [n, exp] of [[1, 30], [2, 10], [3, 20], [4, 20]]) store.restore(edge([n, 0, 0, 0, 0, 1], { clientService: `e${n}`, expiresAtSec: exp }));
    const seen: string[] = [];
    store.expire(20_000, new Edge(), (e) => seen.push(e.clientService));
    expect(seen).toEqual(["e2", "e3", "e4"]);
    expect(listed(store, (e) => e.clientService)).toEqual(["e1"]);
  });

  test("reports full at max_items, and dimension values can be replaced", () => {
    const store = new EdgeStore(WAIT_MS, 3);
    for (let n = 0; n < 3; n++) store.add(edge([n, 1, 2, 3, 4, 5], { dims: [`d${n}`] }), 0);
    expect(store.full).toBe(true);
    store.mapDims((d) => (d === null ? null : [`${d[0]}!`, "new"]));
    expect(listed(store, (e) => e.dims)).toEqual([["d0!", "new"], ["d1!", "new"], ["d2!", "new"]]);
    const probe = new Edge();
    store.remove(store.find(edge([1, 1, 2, 3, 4, 5]), probe));
    expect(store.full).toBe(false);
    expect(listed(store, (e) => e.k0)).toEqual([0, 2]);
  });
});
