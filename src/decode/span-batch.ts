/**
 * The decoded form every processor reads: one batch of spans as columns.
 *
 * Both decoders (generated protobuf-es types, and later a hand-written wire
 * scanner) produce this shape, so processors never depend on how bytes were
 * parsed. Span attributes are not materialised: only the keys registered in an
 * AttributeProjection are kept, in fixed slots, so a processor reads
 * `attrValues[span * slotCount + slot]` instead of searching a list.
 */

/** How an attribute value is stored; 0 means the key is absent. */
export const AttrKind = {
  None: 0,
  String: 1,
  Bool: 2,
  /** value is the base-10 string of the int64 */
  Int: 3,
  Double: 4,
  /** value is Tempo's stringified form: `[` + elements + `]` */
  Array: 5,
  /** value is Tempo's stringified form: `{` + `k:v`... + `}` */
  KvList: 6,
  /** bytes, or a KeyValue without a value: present, stringifies to "" */
  Empty: 7,
} as const;

/** string for String/Int/Array/KvList/Empty, boolean for Bool, number for Double. */
export type AttrValue = string | number | boolean;

/** Span kinds and status codes as OTLP numbers them. */
export const SpanKind = { Unspecified: 0, Internal: 1, Server: 2, Client: 3, Producer: 4, Consumer: 5 } as const;
export const StatusCode = { Unset: 0, Ok: 1, Error: 2 } as const;

/** Registers the attribute keys processors need and gives each a slot. Append-only. */
export class AttributeProjection {
  readonly keys: string[] = [];
  readonly slots = new Map<string, number>();

  /** The slot for `key`, created on first use. */
  slot(key: string): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.keys.length;
      this.keys.push(key);
      this.slots.set(key, s);
    }
    return s;
  }

  get size(): number {
    return this.keys.length;
  }
}

/** One ResourceSpans: its full attribute list plus the projected slots. */
export interface ResourceBlock {
  /** every resource attribute in wire order (duplicates kept; lookups take the first) */
  keys: string[];
  kinds: number[];
  values: AttrValue[];
  /** projected resource attributes, indexed by slot (kind None when absent) */
  slotKinds: Uint8Array;
  slotValues: AttrValue[];
  /** spans of this resource are [spanStart, spanEnd) in the batch columns */
  spanStart: number;
  spanEnd: number;
  /** protobuf size of the ResourceSpans message (bytes_received_total) */
  byteSize: number;
}

/** A decoded batch of spans in columns; index i is the i-th span in request order. */
export interface SpanBatch {
  resources: ResourceBlock[];
  spanCount: number;
  /** projection size at decode time; span attribute slots are spanCount × slotCount */
  slotCount: number;
  traceIds: Uint8Array; // 16 bytes per span
  spanIds: Uint8Array; // 8 bytes per span
  parentSpanIds: Uint8Array; // 8 bytes per span, zero when there is no parent
  hasParent: Uint8Array;
  names: string[];
  kinds: Uint8Array;
  statusCodes: Uint8Array;
  statusMessages: string[];
  traceStates: string[];
  /**
   * Start and end, ns since epoch, as exact uint64 words: [lo, hi] per span.
   * A double resolves only 256 ns at today's epoch, so differences are taken
   * on the words (unix-nanos.ts) before anything becomes a float.
   */
  startTimes: Uint32Array;
  endTimes: Uint32Array;
  /** exact (end − start) in seconds from the integer nanoseconds; 0 when end ≤ start */
  durations: Float64Array;
  /** protobuf size of each Span message (size_total) */
  sizes: Float64Array;
  attrKinds: Uint8Array;
  attrValues: AttrValue[];
  /** per-span marks set by the push pipeline: see SpanMark */
  marks: Uint8Array;
}

/** Bits in SpanBatch.marks. */
export const SpanMark = {
  /** outside the ingestion slack window: no processor sees it */
  OutsideSlack: 1,
  /** some processor dropped it for invalid UTF-8 in its label set */
  InvalidUtf8: 2,
} as const;

/** Allocates the columns for `spanCount` spans (typed columns may hold more: `capacity`). */
export function allocateBatch(spanCount: number, slotCount: number, capacity = spanCount): SpanBatch {
  return {
    resources: [],
    spanCount,
    slotCount,
    traceIds: new Uint8Array(capacity * 16),
    spanIds: new Uint8Array(capacity * 8),
    parentSpanIds: new Uint8Array(capacity * 8),
    hasParent: new Uint8Array(capacity),
    names: new Array<string>(capacity),
    kinds: new Uint8Array(capacity),
    statusCodes: new Uint8Array(capacity),
    statusMessages: new Array<string>(capacity),
    traceStates: new Array<string>(capacity),
    startTimes: new Uint32Array(capacity * 2),
    endTimes: new Uint32Array(capacity * 2),
    durations: new Float64Array(capacity),
    sizes: new Float64Array(capacity),
    attrKinds: new Uint8Array(capacity * slotCount),
    attrValues: new Array<AttrValue>(capacity * slotCount),
    marks: new Uint8Array(capacity),
  };
}

/** A batch with room for `capacity` spans holding the first `used` spans of `b` (for decoders that grow). */
export function grownBatch(b: SpanBatch, used: number, capacity: number): SpanBatch {
  const g = allocateBatch(b.spanCount, b.slotCount, capacity);
  g.resources = b.resources;
  g.traceIds.set(b.traceIds.subarray(0, used * 16));
  g.spanIds.set(b.spanIds.subarray(0, used * 8));
  g.parentSpanIds.set(b.parentSpanIds.subarray(0, used * 8));
  g.hasParent.set(b.hasParent.subarray(0, used));
  g.kinds.set(b.kinds.subarray(0, used));
  g.statusCodes.set(b.statusCodes.subarray(0, used));
  g.startTimes.set(b.startTimes.subarray(0, used * 2));
  g.endTimes.set(b.endTimes.subarray(0, used * 2));
  g.durations.set(b.durations.subarray(0, used));
  g.sizes.set(b.sizes.subarray(0, used));
  g.attrKinds.set(b.attrKinds.subarray(0, used * b.slotCount));
  g.marks.set(b.marks.subarray(0, used));
  for (let i = 0; i < used; i++) {
    g.names[i] = b.names[i];
    g.statusMessages[i] = b.statusMessages[i];
    g.traceStates[i] = b.traceStates[i];
  }
  for (let i = 0; i < used * b.slotCount; i++) g.attrValues[i] = b.attrValues[i];
  return g;
}
