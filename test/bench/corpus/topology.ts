/**
 * Builds the shop once per corpus: services with their pods, nodes and
 * databases, the HTTP endpoints spread over them, the call graph (a DAG, so
 * traces always end), the Kafka producer → consumer pairs, and what one call
 * to each endpoint does. The steps draw from the corpus Rng in a fixed order
 * (endpoints, call graph, then per service its endpoints' plans); keep it.
 */
import { resourceAttributes } from "./attributes.ts";
import type { CorpusOptions } from "./options.ts";
import { type Rng, cumulative } from "./rng.ts";
import type { Service } from "./shop.ts";
import { DBS, LANGS, NOUNS, SERVICE_NAMES, SUBS, TOPICS } from "./vocabulary.ts";

/** The whole shop, ready for the trace builder. */
export function buildShop(rng: Rng, o: CorpusOptions): Service[] {
  const services = deployServices(o);
  addEndpoints(rng, services, o);
  linkCallGraph(rng, services);
  addKafkaPairs(services, o);
  for (const s of services) {
    planEndpoints(rng, s);
    for (const inst of s.instances) inst.resource = resourceAttributes(s, inst);
  }
  return services;
}

/** Services, their databases and 2–3 pods each on a pool of k8s nodes; no randomness, all by index. */
function deployServices(o: CorpusOptions): Service[] {
  const services: Service[] = [];
  const nodes = Array.from({ length: Math.max(2, Math.ceil(o.services / 2.5)) }, (_, k) => `ip-10-0-${1 + (k % 3)}-${20 + k * 7}.ec2.internal`);
  for (let i = 0; i < o.services; i++) {
    const name = i < SERVICE_NAMES.length ? SERVICE_NAMES[i] : `service-${i}`;
    const namespace = i < 2 ? "edge" : i % 3 === 0 ? "payments" : "shop";
    const lang = LANGS[i % LANGS.length];
    const s: Service = {
      index: i,
      name,
      namespace,
      lang,
      ops: [],
      opWeights: [],
      instances: [],
      downstream: [],
      db: null,
      produces: null,
      consumerOps: [],
    };
    if (i % 3 === 1 || i === o.services - 1) {
      const db = DBS[i % DBS.length];
      const dbName = `${name.replace(/-/g, "_")}_db`;
      s.db = {
        system: db.system,
        port: db.port,
        name: dbName,
        host: `${name}-${db.system}.${namespace}.svc.cluster.local`,
        ip: `10.43.${i}.${10 + (i % 7)}`,
        tables: [NOUNS[(i * 3) % NOUNS.length], NOUNS[(i * 3 + 1) % NOUNS.length], NOUNS[(i * 3 + 2) % NOUNS.length]],
      };
    }
    const pods = 2 + (i % 2);
    for (let k = 0; k < pods; k++) {
      const hash = (((i + 1) * 2654435761 + k * 40503) >>> 0).toString(36).slice(0, 5);
      const podName = `${name}-7d9f${(i * 31 + 17).toString(16)}c-${hash}`;
      const node = nodes[(i * 3 + k * 5) % nodes.length];
      const podIp = `10.42.${i}.${11 + k}`;
      s.instances.push({ service: s, index: k, podName, podIp, node, resource: [] });
    }
    services.push(s);
  }
  return services;
}

/** HTTP endpoints: spread `operations` over the services, front ones first; names are unique per service. */
function addEndpoints(rng: Rng, services: Service[], o: CorpusOptions): void {
  let opId = 0;
  for (let k = 0; k < Math.max(o.operations, o.services); k++) {
    const s = services[k % o.services];
    const taken = new Set(s.ops.map((x) => x.name));
    let method: string;
    let route: string;
    let name: string;
    let tries = 0;
    do {
      const r = rng.float();
      method = r < 0.6 ? "GET" : r < 0.85 ? "POST" : r < 0.95 ? "PUT" : "DELETE";
      const noun = rng.pick(NOUNS);
      const shape = rng.int(4);
      route =
        shape === 0
          ? `/api/v1/${noun}`
          : shape === 1
            ? `/api/v1/${noun}/{id}`
            : shape === 2
              ? `/api/v1/${noun}/{id}/${rng.pick(SUBS)}`
              : `/api/v2/${s.name}/${noun}`;
      if (tries++ > 8) route += `/${tries}`;
      name = `${method} ${route}`;
    } while (taken.has(name));
    s.ops.push({ service: s, id: opId++, method, route, name, topic: null, calls: 0, dbCalls: 0, internal: 0, produce: false, variantCounter: 0 });
  }
}

/** Call graph: a DAG by index (no cycles), 1–4 downstream services each. */
function linkCallGraph(rng: Rng, services: Service[]): void {
  for (const s of services) {
    const later = services.filter((t) => t.index > s.index).map((t) => t.index);
    const n = Math.min(later.length, 1 + rng.int(4));
    while (s.downstream.length < n) {
      // prefer near services: a front service fans out, leaves stay leaves
      const j = later[Math.min(later.length - 1, Math.floor(rng.exponential(later.length / 3)))];
      if (!s.downstream.includes(j)) s.downstream.push(j);
    }
  }
}

/** Kafka: a few services publish a topic, a later service consumes it (one consumer op per topic). */
function addKafkaPairs(services: Service[], o: CorpusOptions): void {
  const named = (n: string) => services.find((x) => x.name === n);
  const pairs: [Service | undefined, Service | undefined][] =
    o.services >= SERVICE_NAMES.length
      ? [
          [named("checkout"), named("accounting")],
          [named("payment"), named("fraud-detection")],
          [named("notification"), named("email")],
          [named("inventory"), named("accounting")],
          [named("api-gateway"), named("review")],
        ]
      : [[services[1], services[o.services - 1]]];
  for (let t = 0; t < pairs.length; t++) {
    const [producer, consumer] = pairs[t];
    if (producer === undefined || consumer === undefined || producer === consumer) continue;
    producer.produces = TOPICS[t];
    consumer.consumerOps.push({
      service: consumer,
      id: -1,
      method: "",
      route: "",
      name: `process ${TOPICS[t]}`,
      topic: TOPICS[t],
      calls: consumer.downstream.length > 0 ? 1 : 0,
      dbCalls: consumer.db !== null ? 2 : 0,
      internal: 1,
      produce: false,
      variantCounter: 0,
    });
  }
}

/** What one call to each of the service's endpoints does, and how popular each endpoint is. */
function planEndpoints(rng: Rng, s: Service): void {
  for (const op of s.ops) {
    op.calls = s.downstream.length === 0 ? 0 : rng.int(3);
    op.dbCalls = s.db === null ? 0 : 1 + rng.int(3);
    op.internal = rng.int(3);
    op.produce = s.produces !== null && op.method !== "GET" && rng.chance(0.7);
  }
  // mild Zipf popularity among a service's endpoints
  s.opWeights = cumulative(s.ops.map((_, r) => 1 / (1 + r) ** 0.6));
}
