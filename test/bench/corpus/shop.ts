/**
 * The model of the simulated shop the traces run through: services, their
 * pods (instances), HTTP endpoints (ops), databases and SDK languages.
 * topology.ts builds it once per corpus; the trace builder walks it.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { KeyValueSchema } from "../../../src/gen/opentelemetry/proto/common/v1/common_pb.ts";

/** The SDK a service is instrumented with; it decides which semconv generation its spans speak. */
export interface Language {
  lang: string;
  /** telemetry.sdk.version, also the instrumentation scope version */
  version: string;
  /** db.system/db.name/db.statement instead of db.system.name/db.namespace/db.query.text */
  oldDb: boolean;
  /** sets peer.service on client spans (the service graph then names the database by it) */
  peerService: boolean;
}

/** One pod of a service: one OTLP resource. */
export interface Instance {
  service: Service;
  index: number;
  podName: string;
  podIp: string;
  node: string;
  resource: MessageInitShape<typeof KeyValueSchema>[];
}

/** A service's own database. */
export interface Db {
  system: string;
  port: number;
  name: string;
  host: string;
  ip: string;
  tables: string[];
}

export interface Service {
  index: number;
  name: string;
  namespace: string;
  lang: Language;
  ops: Op[];
  /** cumulative popularity of `ops` (Rng.weighted) */
  opWeights: number[];
  instances: Instance[];
  /** services this one calls over HTTP */
  downstream: number[];
  db: Db | null;
  /** the Kafka topic this service publishes, if any */
  produces: string | null;
  consumerOps: Op[];
}

/** An HTTP endpoint (or a Kafka consumer's processing) and what one call to it does. */
export interface Op {
  service: Service;
  /** index among all HTTP endpoints (the variant counter) */
  id: number;
  method: string;
  route: string;
  name: string;
  /** consumer ops process a topic instead of serving HTTP */
  topic: string | null;
  /** per request: HTTP calls to downstream services, DB calls, internal spans, and whether it publishes */
  calls: number;
  dbCalls: number;
  internal: number;
  produce: boolean;
  /** next of the `nameVariants` span-name ids (round-robin per endpoint) */
  variantCounter: number;
}
