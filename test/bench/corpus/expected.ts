/**
 * What the processors must produce from the corpus under the bench config
 * (bench-config.ts): the generator replays span metrics' label rules and the
 * service graph's edge rules span by span, so the manifest can state exact
 * counts and the benches can check the registry against them. Change this
 * when the bench config's dimensions or the processors' rules change.
 */
import { SERIES_PER_EDGE, SERIES_PER_FAILED_EDGE, SERIES_PER_HOST, SERIES_PER_SPAN_LABEL_SET } from "../bench-config.ts";
import type { Expected } from "./manifest.ts";
import type { Db, Op } from "./shop.ts";
import { type GSpan, KINDS, Type } from "./span.ts";

/** Collects label sets, edges and hosts as the spans go by; `result` turns them into counts. */
export class Expectation {
  /** span-metrics label sets: service, span name, kind, status (unset/error), then the two HTTP dimensions */
  readonly labelSets = new Set<string>();
  /** client\0server\0connection_type → whether any request on the edge failed */
  readonly edges = new Map<string, boolean>();
  /** host-info hosts by k8s.node.name (the first default host identifier); generate.ts adds them */
  readonly hosts = new Set<string>();

  /** Counts one span's label set and the edge it opens, if any. */
  span(s: GSpan): void {
    const http = s.type === Type.HttpServer || s.type === Type.HttpClient;
    const method = http ? (s.op as Op).method : "";
    const code = http ? String(s.code) : "";
    this.labelSets.add(`${s.inst.service.name}\0${s.name}\0${KINDS[s.type]}\0${s.error ? 2 : 0}\0${method}\0${code}`);
    const svc = s.inst.service;
    if (s.type === Type.HttpServer && s.parent === null) this.edge(`user\0${svc.name}\0virtual_node`, s.error);
    if (s.type === Type.HttpClient) {
      const server = s.children[0];
      this.edge(`${svc.name}\0${server.inst.service.name}\0`, s.error || server.error);
    }
    if (s.type === Type.Db) {
      const db = s.db as Db;
      // databaseName(): peer.service, then server.address
      const server = svc.lang.peerService ? `${db.system}-${svc.name}` : db.host;
      this.edge(`${svc.name}\0${server}\0database`, s.error);
    }
    if (s.type === Type.Producer) {
      const c = s.children[0];
      this.edge(`${svc.name}\0${c.inst.service.name}\0messaging_system`, s.error || c.error);
    }
  }

  private edge(key: string, failed: boolean): void {
    this.edges.set(key, (this.edges.get(key) ?? false) || failed);
  }

  /** The counts, with the active series they add up to under the bench config. */
  result(calls: number): Expected {
    let failed = 0;
    for (const f of this.edges.values()) if (f) failed++;
    return {
      calls,
      spanMetricsLabelSets: this.labelSets.size,
      serviceGraphEdges: this.edges.size,
      serviceGraphFailedEdges: failed,
      hosts: this.hosts.size,
      activeSeries:
        this.labelSets.size * SERIES_PER_SPAN_LABEL_SET +
        this.edges.size * SERIES_PER_EDGE +
        failed * SERIES_PER_FAILED_EDGE +
        this.hosts.size * SERIES_PER_HOST,
    };
  }
}
