/**
 * A generated span before encoding: compact, with ids, times and the facts
 * its attributes are derived from (attributes are built only when its batch
 * is encoded, see attributes.ts). The trace builder makes them, timing.ts
 * gives them times, encode.ts and expected.ts read them.
 */
import type { Db, Instance, Op } from "./shop.ts";

/** OTLP Span.SpanKind values. */
export const enum Kind {
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

/** What a span is in the shop; decides its kind, scope, attributes and timing. */
export const enum Type {
  HttpServer,
  HttpClient,
  Db,
  Producer,
  Consumer,
  Internal,
}

/** The span kind each type is exported with. */
export const KINDS: Record<Type, Kind> = {
  [Type.HttpServer]: Kind.Server,
  [Type.HttpClient]: Kind.Client,
  [Type.Db]: Kind.Client,
  [Type.Producer]: Kind.Producer,
  [Type.Consumer]: Kind.Consumer,
  [Type.Internal]: Kind.Internal,
};

/** One generated span, compact: attributes are built when its batch is encoded. */
export interface GSpan {
  trace: Uint8Array;
  spanId: Uint8Array;
  parent: Uint8Array | null;
  type: Type;
  inst: Instance;
  op: Op | null;
  name: string;
  startNs: number;
  endNs: number;
  /** HTTP status code (HTTP spans), 0 otherwise */
  code: number;
  error: boolean;
  /** seed for the attribute values that vary per span */
  seed: number;
  /** the other side: target instance (HTTP client), db (Db), topic (messaging) */
  peer: Instance | null;
  db: Db | null;
  dbOp: string;
  table: string;
  topic: string;
  children: GSpan[];
}
