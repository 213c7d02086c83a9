/**
 * The OTLP attributes of resources and spans, in current semconv (plus the
 * older db.* names for some SDK languages): ~13–15 per pod resource and ~15
 * per span. Span attributes are built only when the span's batch is encoded;
 * their varying values come from the span's own seed, so they cost the corpus
 * Rng no draws and a span's attributes do not depend on its batch.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { KeyValueSchema } from "../../../src/gen/opentelemetry/proto/common/v1/common_pb.ts";
import { Rng } from "./rng.ts";
import type { Db, Instance, Op, Service } from "./shop.ts";
import { type GSpan, Type } from "./span.ts";
import { USER_AGENTS } from "./vocabulary.ts";

/** A string attribute. */
export function str(key: string, value: string): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: "stringValue", value } } };
}

/** An int attribute. */
export function int(key: string, value: number): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: "intValue", value: BigInt(value) } } };
}

/** A pod's resource: service.*, k8s.*, host.*, telemetry.sdk.* (13 on even services, 15 on odd ones). */
export function resourceAttributes(s: Service, inst: Instance): MessageInitShape<typeof KeyValueSchema>[] {
  return [
    str("service.name", s.name),
    str("service.namespace", s.namespace),
    str("service.version", `1.${s.index % 7}.${(s.index * 13) % 10}`),
    str("service.instance.id", `${inst.podName}-${s.index * 1000 + inst.index}`),
    str("deployment.environment.name", "production"),
    str("k8s.cluster.name", "prod-eu-west-1"),
    str("k8s.namespace.name", s.namespace),
    str("k8s.deployment.name", s.name),
    str("k8s.pod.name", inst.podName),
    str("k8s.node.name", inst.node),
    str("host.name", inst.podName),
    str("host.arch", "amd64"),
    str("telemetry.sdk.language", s.lang.lang),
    str("telemetry.sdk.name", "opentelemetry"),
    str("telemetry.sdk.version", s.lang.version),
  ].slice(0, s.index % 2 === 0 ? 13 : 15);
}

/** ~15 semconv attributes per span, values partly drawn from the span's own seed. */
export function spanAttributes(s: GSpan): MessageInitShape<typeof KeyValueSchema>[] {
  const r = new Rng(s.seed);
  const svc = s.inst.service;
  const thread = [int("thread.id", 20 + r.int(200)), str("thread.name", `worker-${r.int(64)}`)];
  switch (s.type) {
    case Type.HttpServer: {
      const op = s.op as Op;
      return [
        str("http.request.method", op.method),
        str("http.route", op.route),
        str("url.path", op.route.replace("{id}", String(100000 + r.int(900000)))),
        str("url.scheme", "http"),
        int("http.response.status_code", s.code),
        str("server.address", `${svc.name}.${svc.namespace}.svc.cluster.local`),
        int("server.port", 8080),
        str("network.protocol.version", "1.1"),
        str("network.peer.address", `10.42.${r.int(20)}.${11 + r.int(3)}`),
        int("network.peer.port", 30000 + r.int(30000)),
        str("client.address", `10.42.${r.int(20)}.${11 + r.int(3)}`),
        str("user_agent.original", r.pick(USER_AGENTS)),
        int("http.request.body.size", op.method === "GET" ? 0 : 200 + r.int(4000)),
        int("http.response.body.size", 100 + r.int(20000)),
        ...thread,
      ];
    }
    case Type.HttpClient: {
      const op = s.op as Op;
      const peer = s.peer as Instance;
      const host = `${peer.service.name}.${peer.service.namespace}.svc.cluster.local`;
      const out = [
        str("http.request.method", op.method),
        str("url.full", `http://${host}:8080${op.route.replace("{id}", String(100000 + r.int(900000)))}`),
        str("url.scheme", "http"),
        str("server.address", host),
        int("server.port", 8080),
        int("http.response.status_code", s.code),
        str("network.peer.address", peer.podIp),
        int("network.peer.port", 8080),
        str("network.protocol.version", "1.1"),
        int("http.request.resend_count", 0),
        int("http.response.body.size", 100 + r.int(20000)),
        str("user_agent.original", `${svc.lang.lang}-http-client`),
        ...thread,
      ];
      if (svc.lang.peerService) out.push(str("peer.service", peer.service.name));
      return out;
    }
    case Type.Db: {
      const db = s.db as Db;
      const stmt = db.system === "redis" ? `${s.dbOp} ${s.table}:${r.int(100000)}` : `${s.dbOp} * FROM ${s.table} WHERE id = ?`;
      const out = svc.lang.oldDb
        ? [str("db.system", db.system), str("db.name", db.name), str("db.operation", s.dbOp), str("db.statement", stmt), str("db.sql.table", s.table)]
        : [str("db.system.name", db.system), str("db.namespace", db.name), str("db.operation.name", s.dbOp), str("db.query.text", stmt), str("db.collection.name", s.table)];
      out.push(
        str("server.address", db.host),
        int("server.port", db.port),
        str("network.peer.address", db.ip),
        int("network.peer.port", db.port),
        str("db.user", `${svc.name}_rw`),
        str("db.client.connection.pool.name", `${svc.name}-pool`),
        ...thread,
      );
      if (svc.lang.peerService) out.push(str("peer.service", `${db.system}-${svc.name}`));
      return out;
    }
    case Type.Producer:
    case Type.Consumer: {
      const out = [
        str("messaging.system", "kafka"),
        str("messaging.destination.name", s.topic),
        str("messaging.operation.type", s.type === Type.Producer ? "send" : "process"),
        str("messaging.operation.name", s.type === Type.Producer ? "send" : "process"),
        int("messaging.destination.partition.id", r.int(12)),
        str("messaging.message.id", `${r.u32().toString(16)}-${r.u32().toString(16)}`),
        str("messaging.client.id", `${svc.name}-${s.inst.index}`),
        str("messaging.kafka.message.key", String(r.int(1e6))),
        int("messaging.message.body.size", 200 + r.int(3000)),
        str("server.address", "kafka-0.kafka.svc.cluster.local"),
        int("server.port", 9092),
        str("network.peer.address", "10.44.0.5"),
        ...thread,
      ];
      if (s.type === Type.Consumer) out.push(str("messaging.consumer.group.name", svc.name), int("messaging.kafka.offset", r.int(1e9)));
      return out;
    }
    default:
      return [
        str("code.function.name", `${svc.name}.${s.name.slice(svc.name.length + 1)}`),
        str("code.file.path", `/app/src/${svc.name}/handler.${svc.lang.lang === "java" ? "java" : "ts"}`),
        int("code.line.number", 10 + r.int(900)),
        str("app.tenant", `t${r.int(50)}`),
        ...thread,
      ];
  }
}
